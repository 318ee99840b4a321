// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The writer's side of the audit trail: each line appended to the event file
 * is sealed with its seq and the hash of the line before it, hashed once
 * where it lies (in the event file's buffer), and the head is signed in a
 * checkpoint line every few seconds, at rotation and at stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/base64.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/util.h"
#include "daemon/audit_chain.h"
#include "daemon/events.h"
#include "license/license.h"

/* The most of a file's end read to find its last line when resuming. */
#define MG_AUDIT_RESUME_MAX (1u << 20)

struct mg_audit_chain {
	uint64_t seq; /* of the last line sealed; 0: none */
	uint8_t head[MG_AUDIT_HASH_LEN];
	uint64_t since;		/* lines sealed since the last checkpoint (or the start) */
	uint64_t checkpoint_at; /* the seq a checkpoint made was given */
	EVP_MD_CTX *md;
	EVP_MD *sha256; /* fetched once: an implicit fetch per line costs more than the hash */
	struct mg_signer *signer;
	unsigned int interval_s;
	struct timespec last; /* CLOCK_MONOTONIC of the last checkpoint, or the start */
	const struct mg_event_ctx *ctx;
};

int mg_audit_chain_new(struct mg_signer *signer, unsigned int interval_s,
		       const struct mg_event_ctx *ctx, struct mg_audit_chain **ret)
{
	struct mg_audit_chain *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->md = EVP_MD_CTX_new();
	c->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!c->md || !c->sha256) {
		EVP_MD_CTX_free(c->md);
		EVP_MD_free(c->sha256);
		free(c);
		return -ENOMEM;
	}
	c->signer = signer;
	c->interval_s = interval_s ? interval_s : MG_AUDIT_INTERVAL_DEFAULT;
	c->ctx = ctx;
	clock_gettime(CLOCK_MONOTONIC, &c->last);
	*ret = c;
	return 0;
}

void mg_audit_chain_free(struct mg_audit_chain *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
	EVP_MD_free(c->sha256);
	mg_signer_free(c->signer);
	free(c);
}

static int mg_sha256(struct mg_audit_chain *c, const void *data, size_t len,
		     uint8_t out[MG_AUDIT_HASH_LEN])
{
	unsigned int n = MG_AUDIT_HASH_LEN;

	if (EVP_DigestInit_ex(c->md, c->sha256, NULL) != 1 ||
	    EVP_DigestUpdate(c->md, data, len) != 1 || EVP_DigestFinal_ex(c->md, out, &n) != 1)
		return -EIO;
	return 0;
}

/* The last line of @path (its newline dropped), malloc'd; -ENOENT when it has none. */
static int mg_read_last_line(const char *path, char **ret, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t want, got = 0, start;
	struct stat st;
	char *buf;
	int err = 0;

	if (fd < 0)
		return errno ? -errno : -EIO;
	if (fstat(fd, &st) < 0) {
		err = errno ? -errno : -EIO;
		close(fd);
		return err;
	}
	if (st.st_size == 0) {
		close(fd);
		return -ENOENT;
	}
	want = st.st_size < MG_AUDIT_RESUME_MAX ? (size_t)st.st_size : MG_AUDIT_RESUME_MAX;
	buf = malloc(want);
	while (buf && got < want) {
		ssize_t n = pread(fd, buf + got, want - got, st.st_size - want + got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		got += n;
	}
	close(fd);
	if (!buf)
		return -ENOMEM;
	/* A file that does not end with a whole line has nothing to continue. */
	if (err || buf[want - 1] != '\n') {
		free(buf);
		return err ? err : -ENOENT;
	}
	start = want - 1;
	while (start > 0 && buf[start - 1] != '\n')
		start--;
	if (start == 0 && want < (size_t)st.st_size) {
		free(buf);
		return -EFBIG;
	}
	memmove(buf, buf + start, want - 1 - start);
	*ret = buf;
	*ret_len = want - 1 - start;
	return 0;
}

int mg_audit_chain_resume(struct mg_audit_chain *c, const char *path)
{
	struct mg_audit_link link;
	char older[PATH_MAX];
	size_t len = 0;
	char *line = NULL;
	int err;

	err = mg_read_last_line(path, &line, &len);
	if (err == -ENOENT && snprintf(older, sizeof(older), "%s.1", path) < (int)sizeof(older))
		err = mg_read_last_line(older, &line, &len);
	if (err == -ENOENT)
		return 0;
	if (err || !line)
		return err;
	if (mg_audit_parse_link(line, len, &link)) {
		free(line);
		return 0;
	}
	err = mg_sha256(c, line, len, c->head);
	free(line);
	if (err)
		return err;
	c->seq = link.seq;
	return 1;
}

uint64_t mg_audit_chain_next_seq(const struct mg_audit_chain *c)
{
	return c->seq + 1;
}

ssize_t mg_audit_chain_seal(struct mg_audit_chain *c, const char *line, size_t len, char *out)
{
	struct mg_json_buf o = { .buf = out, .size = len + MG_AUDIT_SUFFIX_MAX };
	char hex[MG_AUDIT_HEX_LEN + 1];

	if (len < 3 || line[len - 1] != '\n' || line[len - 2] != '}')
		return -EINVAL;
	mg_hex_encode(c->head, MG_AUDIT_HASH_LEN, hex);
	if (out != line)
		memcpy(out, line, len - 2);
	o.len = len - 2;
	mg_jb_lit(&o, ",\"seq\":");
	mg_jb_u64(&o, c->seq + 1);
	mg_jb_lit(&o, ",\"prev\":\"");
	mg_jb_put(&o, hex, MG_AUDIT_HEX_LEN);
	mg_jb_lit(&o, "\"}");
	/* The next line's prev: this one's bytes, its newline left out. */
	if (mg_sha256(c, out, o.len, c->head))
		return -EIO;
	mg_jb_char(&o, '\n');
	c->seq++;
	c->since = c->seq == c->checkpoint_at ? 0 : c->since + 1;
	return (ssize_t)o.len;
}

void mg_audit_chain_mark(const struct mg_audit_chain *c, struct mg_audit_mark *ret)
{
	ret->seq = c->seq;
	ret->since = c->since;
	memcpy(ret->head, c->head, sizeof(ret->head));
}

void mg_audit_chain_rewind(struct mg_audit_chain *c, const struct mg_audit_mark *m)
{
	c->seq = m->seq;
	c->since = m->since;
	memcpy(c->head, m->head, sizeof(c->head));
	/* A checkpoint lost with the batch: its seq goes to an ordinary line now. */
	if (c->checkpoint_at > m->seq)
		c->checkpoint_at = 0;
}

bool mg_audit_chain_due(const struct mg_audit_chain *c, bool now_anyway)
{
	struct timespec now;

	if (!c->signer || !c->since)
		return false;
	if (now_anyway)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - c->last.tv_sec >= (time_t)c->interval_s;
}

ssize_t mg_audit_chain_checkpoint(struct mg_audit_chain *c, char *buf, size_t size)
{
	char canon[MG_AUDIT_CANONICAL_MAX], head[MG_AUDIT_HEX_LEN + 1];
	char sig_b64[MG_BASE64_LEN(MG_LICENSE_SIG_LEN) + 1];
	uint8_t sig[MG_LICENSE_SIG_LEN];
	const char *key_id;
	struct timespec now;
	size_t len;
	int err;

	if (!c->signer)
		return -ENOKEY;
	key_id = mg_signer_key_id(c->signer);
	len = mg_audit_canonical(canon, c->seq + 1, c->head, c->since, key_id);
	err = mg_signer_sign(c->signer, canon, len, sig);
	if (err)
		return err;
	mg_base64_encode(sig, sizeof(sig), sig_b64);
	mg_hex_encode(c->head, MG_AUDIT_HASH_LEN, head);
	{
		const struct mg_event_field f[] = {
			{ .key = "head", .str = head },
			{ .key = "lines", .is_number = true, .num = (int64_t)c->since },
			{ .key = "key_id", .str = key_id },
			{ .key = "signature", .str = sig_b64 },
		};

		clock_gettime(CLOCK_REALTIME, &now);
		len = mg_service_format_json(buf, size, c->ctx,
					     now.tv_sec * 1000000000ULL + now.tv_nsec, "checkpoint",
					     f, MG_ARRAY_SIZE(f));
	}
	if (len > size)
		return -ENOSPC;
	c->checkpoint_at = c->seq + 1;
	clock_gettime(CLOCK_MONOTONIC, &c->last);
	return (ssize_t)len;
}
