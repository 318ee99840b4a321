/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Event files written through the real event log and audit chain, for the audit tests. */
#ifndef MGUARD_AUDIT_FIXTURE_H
#define MGUARD_AUDIT_FIXTURE_H

#include "core/diag.h"
#include "core/hex.h"
#include "core/util.h"
#include "daemon/audit_chain.h"
#include "daemon/audit_verify.h"
#include "daemon/eventlog.h"
#include "daemon/events.h"
#include "license/license.h"

struct afx {
	char base[PATH_MAX - 64]; /* keys here, the event files in base/log */
	char log[PATH_MAX];
	struct mg_keyring *ring;  /* the public half of key.pem */
	struct mg_keyring *other; /* of other.pem */
	char *report;		  /* what the last afx_verify() wrote */
};

static const struct mg_event_ctx afx_ctx = { .host = "unit" };

static inline void afx_keygen(struct afx *fx, const char *name, struct mg_keyring **ret)
{
	const char *priv = unit_path(fx->base, name);
	char pub[2 * PATH_MAX];
	const char *pubp = pub;
	struct mg_diags diags = {};

	snprintf(pub, sizeof(pub), "%s.pub", priv);
	assert_int_equal(mg_license_keygen(priv, pub, &diags), 0);
	assert_int_equal(mg_keyring_load(ret, &pubp, 1, &diags), 0);
	mg_diags_free(&diags);
}

static inline int afx_setup(void **state)
{
	struct afx *fx = calloc(1, sizeof(*fx));

	if (!fx || unit_mkdtemp(fx->base, sizeof(fx->base), "audit"))
		return -1;
	snprintf(fx->log, sizeof(fx->log), "%s/log", fx->base);
	afx_keygen(fx, "key.pem", &fx->ring);
	afx_keygen(fx, "other.pem", &fx->other);
	*state = fx;
	return 0;
}

static inline int afx_teardown(void **state)
{
	struct afx *fx = *state;

	unit_rm_tree(fx->base);
	mg_keyring_free(fx->ring);
	mg_keyring_free(fx->other);
	free(fx->report);
	free(fx);
	return 0;
}

/* A chain signed with @key ("key.pem", "other.pem" or NULL: unsigned). */
static inline struct mg_audit_chain *afx_chain(struct afx *fx, const char *key)
{
	struct mg_signer *signer = NULL;
	struct mg_audit_chain *c;
	struct mg_diags diags = {};

	if (key)
		assert_int_equal(mg_signer_load(unit_path(fx->base, key), &signer, &diags), 0);
	mg_diags_free(&diags);
	assert_int_equal(mg_audit_chain_new(signer, 0, &afx_ctx, &c), 0);
	return c;
}

/*
 * One daemon's life on the event files: @n lines of about 100 bytes, a
 * checkpoint after every @every (0: none), files rotated past @max_bytes,
 * and a last checkpoint unless @no_last.
 */
static inline void afx_write(struct afx *fx, const char *key, int n, int every, uint64_t max_bytes,
			     bool no_last)
{
	struct mg_audit_chain *c = afx_chain(fx, key);
	struct mg_eventlog *log;
	char line[256];

	assert_int_equal(mg_eventlog_open(fx->log, max_bytes, 10, &log), 0);
	assert_true(mg_eventlog_set_chain(log, c) >= 0);
	for (int i = 0; i < n; i++) {
		int len = snprintf(line, sizeof(line),
				   "{\"schema\":1,\"host\":\"unit\",\"type\":\"%s\",\"n\":%d,"
				   "\"pad\":\"0123456789abcdef0123456789\"}\n",
				   i ? "decision" : "daemon_start", i);

		assert_int_equal(mg_eventlog_append(log, line, len), 0);
		if (every && (i + 1) % every == 0)
			assert_int_equal(mg_eventlog_checkpoint(log, true), 0);
	}
	if (!no_last)
		assert_int_equal(mg_eventlog_checkpoint(log, true), 0);
	assert_int_equal(mg_eventlog_flush(log), 0);
	mg_eventlog_close(log);
	mg_audit_chain_free(c);
}

/* Check @n files of the log folder (names: "events.jsonl", "events.jsonl.1" ...). */
static inline int afx_verify_ring(struct afx *fx, const struct mg_keyring *ring, bool strict,
				  const char *const *names, size_t n, struct mg_audit_summary *sum)
{
	struct mg_audit_verify_opts o = { .ring = ring, .strict = strict };
	const char *paths[16];
	size_t len;
	int rc;

	for (size_t i = 0; i < n; i++)
		paths[i] = unit_path(fx->log, names[i]);
	free(fx->report);
	o.out = open_memstream(&fx->report, &len);
	rc = mg_audit_verify(paths, n, &o, sum);
	fclose(o.out);
	return rc;
}

static inline int afx_verify(struct afx *fx, const char *name)
{
	struct mg_audit_summary sum;

	return afx_verify_ring(fx, fx->ring, false, &name, 1, &sum);
}

/* The report names @text. */
#define assert_report(fx, text)                                                   \
	do {                                                                      \
		if (!strstr((fx)->report, (text)))                                \
			fail_msg("report lacks '%s':\n%s", (text), (fx)->report); \
	} while (0)

/* The log folder's file @name, whole, into a malloc'd buffer. */
static inline char *afx_read(struct afx *fx, const char *name, size_t *len)
{
	char *buf;

	assert_int_equal(mg_read_file(unit_path(fx->log, name), 1 << 24, &buf, len), 0);
	return buf;
}

static inline void afx_write_back(struct afx *fx, const char *name, const char *buf, size_t len)
{
	assert_int_equal(unit_write_file(unit_path(fx->log, name), buf, len), 0);
}

/* The start of line @i (1-based) of @buf. */
static inline char *afx_line(char *buf, int i)
{
	while (--i > 0) {
		buf = strchr(buf, '\n');
		assert_non_null(buf);
		buf++;
	}
	return buf;
}

#endif /* MGUARD_AUDIT_FIXTURE_H */
