// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Weight-format recognition by content; weights.h describes each check and
 * what it trades.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "compile/weights.h"

#define SAFETENSORS_MAX_HEADER (100ull << 20)
#define ONNX_MAX_IR_VERSION    20
#define ONNX_MAX_PRODUCER      256
#define GGML_MAX_VOCAB	       (1u << 24)

static const char *const format_names[MG_WF__COUNT] = {
	[MG_WF_NONE] = "none",	   [MG_WF_SAFETENSORS] = "safetensors",
	[MG_WF_GGUF] = "gguf",	   [MG_WF_PYTORCH_ZIP] = "pytorch-zip",
	[MG_WF_PICKLE] = "pickle", [MG_WF_HDF5] = "hdf5",
	[MG_WF_NUMPY] = "numpy",   [MG_WF_ONNX] = "onnx",
};

const char *mg_weight_format_name(enum mg_weight_format f)
{
	if ((unsigned int)f >= MG_WF__COUNT)
		return format_names[MG_WF_NONE];
	return format_names[f];
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool has(const uint8_t *head, size_t len, const void *needle, size_t n)
{
	return memmem(head, len, needle, n) != NULL;
}

static bool is_safetensors(const uint8_t *head, size_t len, uint64_t file_size)
{
	uint64_t n, end;
	size_t p = 8;

	if (len < 10 || file_size < 10)
		return false;
	n = le64(head);
	if (n < 2 || n > SAFETENSORS_MAX_HEADER || n > file_size - 8)
		return false;
	end = 8 + n < len ? 8 + n : len;
	while (p < end && head[p] == ' ')
		p++;
	if (p >= end || head[p] != '{')
		return false;
	for (p++; p < end; p++) {
		if (head[p] != ' ' && head[p] != '\t' && head[p] != '\n' && head[p] != '\r')
			break;
	}
	return p < end && (head[p] == '"' || head[p] == '}');
}

static bool version_1_to_3(const uint8_t *p)
{
	uint32_t le = le32(p), be = be32(p);

	return (le >= 1 && le <= 3) || (be >= 1 && be <= 3);
}

static bool is_gguf(const uint8_t *head, size_t len)
{
	static const char *const versioned[] = { "ggmf", "ggjt", "ggla" };
	uint8_t rev[4];

	if (len < 8)
		return false;
	if (!memcmp(head, "GGUF", 4))
		return version_1_to_3(head + 4);
	for (int i = 0; i < 4; i++)
		rev[i] = head[3 - i];
	if (!memcmp(head, "ggml", 4) || !memcmp(rev, "ggml", 4)) {
		uint32_t le = le32(head + 4), be = be32(head + 4);

		return (le >= 1 && le <= GGML_MAX_VOCAB) || (be >= 1 && be <= GGML_MAX_VOCAB);
	}
	for (size_t i = 0; i < MG_ARRAY_SIZE(versioned); i++) {
		if (!memcmp(head, versioned[i], 4) || !memcmp(rev, versioned[i], 4))
			return version_1_to_3(head + 4);
	}
	return false;
}

static bool is_pytorch_zip(const uint8_t *head, size_t len)
{
	static const char *const marks[] = { "data.pkl", "archive/", ".data/version" };
	const uint8_t *name = head + 30;
	size_t nlen;

	if (len < 30 || memcmp(head, "PK\x03\x04", 4))
		return false;
	nlen = le16(head + 26);
	if (nlen == 0 || nlen > len - 30)
		return false;
	for (size_t i = 0; i < MG_ARRAY_SIZE(marks); i++) {
		if (has(name, nlen, marks[i], strlen(marks[i])))
			return true;
	}
	return false;
}

static bool is_torch_pickle(const uint8_t *head, size_t len)
{
	/* LONG1, 10 bytes, 0x1950a86a20f9469cfc6c little-endian. */
	static const uint8_t magic[] = { 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
					 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 };
	static const char *const marks[] = {
		"torch",
		"_rebuild_tensor",
		"collections\nOrderedDict",
	};

	if (len < 3 || head[0] != 0x80 || head[1] < 2 || head[1] > 5)
		return false;
	if (has(head, len, magic, sizeof(magic)))
		return true;
	for (size_t i = 0; i < MG_ARRAY_SIZE(marks); i++) {
		if (has(head, len, marks[i], strlen(marks[i])))
			return true;
	}
	return false;
}

static bool is_hdf5(const uint8_t *head, size_t len)
{
	static const size_t offsets[] = { 0, 512, 1024, 2048 };

	for (size_t i = 0; i < MG_ARRAY_SIZE(offsets); i++) {
		size_t off = offsets[i];

		if (len >= off + 8 && !memcmp(head + off, "\x89HDF\r\n\x1a\n", 8))
			return true;
	}
	return false;
}

static bool is_numpy(const uint8_t *head, size_t len)
{
	size_t off;

	if (len < 8 || memcmp(head, "\x93NUMPY", 6) || head[6] < 1 || head[6] > 3)
		return false;
	off = head[6] == 1 ? 10 : 12;
	return len > off && head[off] == '{';
}

/* A protobuf varint of at most @max bytes, wholly inside the head. */
static bool varint(const uint8_t *head, size_t len, size_t *p, uint64_t *v, int max)
{
	uint64_t x = 0;

	for (int i = 0; i < max && *p < len; i++) {
		uint8_t b = head[(*p)++];

		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

/* Wire type of a ModelProto field, -1 for a number it does not have. */
static int onnx_wire_type(uint64_t field)
{
	switch (field) {
	case 5: /* model_version */
		return 0;
	case 2:
	case 3:
	case 4: /* producer_name, producer_version, domain */
	case 6:
	case 7:
	case 8: /* doc_string, graph, opset_import */
	case 14:
	case 20:
	case 25: /* metadata_props, training_info, functions */
		return 2;
	default:
		return -1;
	}
}

static bool onnx_repeated(uint64_t field)
{
	return field == 8 || field == 14 || field == 20 || field == 25;
}

static bool printable(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	}
	return true;
}

static bool is_onnx(const uint8_t *head, size_t len, uint64_t file_size)
{
	uint64_t last = 1;
	size_t p = 2;

	if (len < 4 || head[0] != 0x08 || head[1] < 1 || head[1] > ONNX_MAX_IR_VERSION)
		return false;
	while (p < len) {
		uint64_t tag, field, v;

		if (!varint(head, len, &p, &tag, 5))
			return false;
		field = tag >> 3;
		/* Past graph without having seen it: no ModelProto. */
		if (field > 7 || field < last || (field == last && !onnx_repeated(field)))
			return false;
		if (onnx_wire_type(field) != (int)(tag & 7))
			return false;
		last = field;
		if (!varint(head, len, &p, &v, 10))
			return false;
		if (field == 5)
			continue;
		if (v > file_size - p)
			return false;
		if (field == 7)
			return true;
		if (field == 2)
			return v >= 1 && v <= ONNX_MAX_PRODUCER && v <= len - p &&
			       printable(head + p, v);
		if (v > len - p)
			return false;
		p += v;
	}
	return false;
}

enum mg_weight_format mg_weight_format_of(const uint8_t *head, size_t len, uint64_t file_size)
{
	if (len > MG_WEIGHT_HEAD_BYTES)
		len = MG_WEIGHT_HEAD_BYTES;
	if (len > file_size)
		len = file_size;
	if (!head || len == 0)
		return MG_WF_NONE;
	if (is_gguf(head, len))
		return MG_WF_GGUF;
	if (is_numpy(head, len))
		return MG_WF_NUMPY;
	if (is_pytorch_zip(head, len))
		return MG_WF_PYTORCH_ZIP;
	if (is_torch_pickle(head, len))
		return MG_WF_PICKLE;
	if (is_hdf5(head, len))
		return MG_WF_HDF5;
	if (is_safetensors(head, len, file_size))
		return MG_WF_SAFETENSORS;
	if (is_onnx(head, len, file_size))
		return MG_WF_ONNX;
	return MG_WF_NONE;
}

/* Like mg_weight_format_fd, leaving the fstat() result in @st. */
static int format_of_fd(int fd, struct stat *st, enum mg_weight_format *ret)
{
	uint8_t head[MG_WEIGHT_HEAD_BYTES];
	size_t len = 0;
	uint64_t size;

	if (fstat(fd, st))
		return -errno;
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	while (len < sizeof(head)) {
		ssize_t n = pread(fd, head + len, sizeof(head) - len, (off_t)len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	/* A file that grew since fstat() is at least as long as what was read. */
	size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
	if (size < len)
		size = len;
	*ret = mg_weight_format_of(head, len, size);
	return 0;
}

int mg_weight_format_fd(int fd, enum mg_weight_format *ret)
{
	struct stat st;

	return format_of_fd(fd, &st, ret);
}

int mg_weight_format_file(const char *path, enum mg_weight_format *ret)
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	err = mg_weight_format_fd(fd, ret);
	close(fd);
	return err;
}

struct scan_state {
	mg_weights_scan_cb cb;
	void *ctx;
	int ret;
	bool stopped;
};

/* nftw() passes no context; a callback may itself start a scan. */
static __thread struct scan_state *scan_cur;

static int scan_report(struct scan_state *s, const char *path, const struct stat *st,
		       enum mg_weight_format f, int err)
{
	s->ret = s->cb(path, st, f, err, s->ctx);
	if (s->ret) {
		s->stopped = true;
		return 1;
	}
	return 0;
}

static int scan_file(struct scan_state *s, const char *path, const struct stat *walk_st)
{
	enum mg_weight_format f = MG_WF_NONE;
	struct stat st;
	int fd, err;

	/* What the walk saw as a regular file may have been replaced since. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return scan_report(s, path, walk_st, MG_WF_NONE, -errno);
	}
	err = format_of_fd(fd, &st, &f);
	close(fd);
	if (err)
		return scan_report(s, path, walk_st, MG_WF_NONE, err);
	return scan_report(s, path, &st, f, 0);
}

static int scan_entry(const char *path, const struct stat *st, int flag, struct FTW *pos)
{
	struct scan_state *s = scan_cur;
	struct stat now;
	int fd, err;

	switch (flag) {
	case FTW_F:
		if (!S_ISREG(st->st_mode))
			return 0;
		return scan_file(s, path, st);
	case FTW_DNR:
		fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW);
		err = fd < 0 ? -errno : -EACCES;
		if (fd >= 0)
			close(fd);
		return scan_report(s, path, st, MG_WF_NONE, err);
	case FTW_NS:
		if (lstat(path, &now)) {
			if (errno == ENOENT)
				return 0;
			err = -errno;
			memset(&now, 0, sizeof(now));
			return scan_report(s, path, &now, MG_WF_NONE, err);
		}
		if (!S_ISREG(now.st_mode))
			return 0;
		return scan_file(s, path, &now);
	default:
		return 0;
	}
}

int mg_weights_scan(const char *dir, mg_weights_scan_cb cb, void *ctx)
{
	struct scan_state s = { .cb = cb, .ctx = ctx };
	struct scan_state *prev;
	char *resolved = NULL;
	struct stat st;
	int r, err = 0;

	if (!dir || !cb)
		return -EINVAL;
	if (lstat(dir, &st))
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		resolved = realpath(dir, NULL);
		if (!resolved)
			return -errno;
		dir = resolved;
	}
	prev = scan_cur;
	scan_cur = &s;
	r = nftw(dir, scan_entry, 16, FTW_PHYS);
	if (r < 0)
		err = errno ? -errno : -EIO;
	scan_cur = prev;
	free(resolved);
	if (s.stopped)
		return s.ret;
	return r < 0 ? err : 0;
}
