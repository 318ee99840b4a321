// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard model seal DIR. fs-verity makes a file read-only for good and has
 * the kernel check every page read against a Merkle tree whose root, the
 * file digest, the policy then names: the kernel compares it at every open
 * (bpf/verity.bpf.h). The SHA-256 of the content goes beside it, for the
 * kernels and the engine that cannot check fs-verity.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fsverity.h>

#include "cli/cmd_seal.h"
#include "compile/digest.h"
#include "core/array.h"
#include "core/hex.h"
#include "core/log.h"

#define MG_SEAL_BLOCK 4096

struct mg_sealed {
	char *path;	 /* below the folder */
	bool had_verity; /* sealed before this run: measured only */
	bool sealed_now; /* fs-verity enabled by this run */
	uint8_t verity[MG_DIGEST_LEN];
	uint8_t sha256[MG_DIGEST_LEN];
};

/* nftw has no user pointer: the walk in progress. */
static struct {
	char **v;
	size_t n, cap;
	int err;
} mg_seal_walk;

static int mg_seal_collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char **slot;

	if (type == FTW_DNR || type == FTW_NS) {
		mg_seal_walk.err = -(errno ? errno : EACCES);
		mg_log_errno(mg_seal_walk.err, "cannot read '%s'", path);
		return FTW_STOP;
	}
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return FTW_CONTINUE;
	slot = mg_array_push(&mg_seal_walk.v, &mg_seal_walk.n, &mg_seal_walk.cap,
			     sizeof(*mg_seal_walk.v));
	if (!slot || !(*slot = strdup(path))) {
		mg_seal_walk.err = -ENOMEM;
		return FTW_STOP;
	}
	return FTW_CONTINUE;
}

static int mg_path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The fs-verity file digest of the open @fd: 0, -ENODATA when it has none, -errno. */
static int mg_verity_measure(int fd, uint8_t out[MG_DIGEST_LEN])
{
	struct {
		struct fsverity_digest d;
		__u8 bytes[64];
	} m = { .d.digest_size = sizeof(m.bytes) };

	if (ioctl(fd, FS_IOC_MEASURE_VERITY, &m) < 0)
		return -errno;
	if (m.d.digest_algorithm != FS_VERITY_HASH_ALG_SHA256 || m.d.digest_size != MG_DIGEST_LEN)
		return -EPROTO; /* sealed with another hash: the policy takes SHA-256 only */
	memcpy(out, m.d.digest, MG_DIGEST_LEN);
	return 0;
}

static int mg_verity_enable(int fd)
{
	struct fsverity_enable_arg arg = {
		.version = 1,
		.hash_algorithm = FS_VERITY_HASH_ALG_SHA256,
		.block_size = MG_SEAL_BLOCK,
	};

	return ioctl(fd, FS_IOC_ENABLE_VERITY, &arg) < 0 ? -errno : 0;
}

/* Seal one file (or measure it, sealed already); its SHA-256 too. */
static int mg_seal_one(const char *path, struct mg_sealed *s)
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	err = mg_verity_measure(fd, s->verity);
	s->had_verity = err == 0;
	if (err == -ENODATA) {
		err = mg_verity_enable(fd);
		s->sealed_now = err == 0;
		if (!err)
			err = mg_verity_measure(fd, s->verity);
	}
	close(fd);
	if (err)
		return err;
	return mg_digest_file(NULL, path, s->sha256, NULL);
}

static bool mg_no_verity_support(int err)
{
	return err == -EOPNOTSUPP || err == -ENOTTY || err == -EINVAL;
}

/* What failed, and which files stay sealed (fs-verity cannot be undone). */
static void mg_seal_report_failure(const char *dir, const char *path, int err,
				   const struct mg_sealed *v, size_t n)
{
	size_t sealed = 0;

	if (mg_no_verity_support(err))
		mg_err("the file system of '%s' has no fs-verity support (ext4: mkfs.ext4 -O verity "
		       "or tune2fs -O verity, and a kernel with CONFIG_FS_VERITY): '%s': %s",
		       dir, path, strerror(-err));
	else if (err == -ETXTBSY)
		mg_err("failed to seal '%s': it is open for writing", path);
	else if (err == -EPROTO)
		mg_err("failed to seal '%s': its fs-verity digest is not SHA-256", path);
	else
		mg_log_errno(err, "failed to seal '%s'", path);
	for (size_t i = 0; i < n; i++)
		if (v[i].sealed_now)
			sealed++;
	if (!sealed) {
		mg_err("nothing was sealed");
		return;
	}
	mg_err("already sealed, and they stay so (fs-verity cannot be undone):");
	for (size_t i = 0; i < n; i++)
		if (v[i].sealed_now)
			mg_err("  %s", v[i].path);
}

static void mg_seal_print(FILE *out, const char *dir, const struct mg_sealed *v, size_t n)
{
	char hex[MG_DIGEST_HEX_LEN + 1];
	size_t skip = strlen(dir);

	while (skip > 1 && dir[skip - 1] == '/')
		skip--;
	fprintf(out, "    # files: [%.*s/]\n    sha256:\n", (int)skip, dir);
	for (size_t i = 0; i < n; i++) {
		mg_digest_hex(v[i].sha256, hex);
		fprintf(out, "      %s: %s\n", v[i].path + skip + 1, hex);
	}
	fprintf(out, "    verity:\n");
	for (size_t i = 0; i < n; i++) {
		mg_digest_hex(v[i].verity, hex);
		fprintf(out, "      %s: sha256:%s\n", v[i].path + skip + 1, hex);
	}
}

int mg_model_seal(const char *dir, FILE *out)
{
	struct mg_sealed *v = NULL;
	struct stat st;
	int ret = 1, err = 0;
	size_t done = 0;

	if (stat(dir, &st) < 0) {
		mg_log_errno(-errno, "cannot use '%s'", dir);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		mg_err("'%s' is not a folder (seal a model's folder)", dir);
		return 1;
	}
	memset(&mg_seal_walk, 0, sizeof(mg_seal_walk));
	nftw(dir, mg_seal_collect, 32, FTW_PHYS);
	if (mg_seal_walk.err)
		goto out;
	if (!mg_seal_walk.n) {
		mg_err("no regular file under '%s' to seal", dir);
		goto out;
	}
	qsort(mg_seal_walk.v, mg_seal_walk.n, sizeof(*mg_seal_walk.v), mg_path_cmp);
	v = calloc(mg_seal_walk.n, sizeof(*v));
	if (!v) {
		mg_err("out of memory");
		goto out;
	}
	for (; done < mg_seal_walk.n; done++) {
		v[done].path = mg_seal_walk.v[done];
		err = mg_seal_one(v[done].path, &v[done]);
		if (err)
			break;
	}
	if (err) {
		mg_seal_report_failure(dir, v[done].path, err, v, done + 1);
		goto out;
	}
	mg_seal_print(out, dir, v, done);
	ret = 0;
out:
	for (size_t i = 0; i < mg_seal_walk.n; i++)
		free(mg_seal_walk.v[i]);
	free(mg_seal_walk.v);
	free(v);
	return ret;
}
