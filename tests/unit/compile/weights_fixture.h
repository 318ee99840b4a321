/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The fixture the weight-format tests share: a folder per test and sample
 * files laid out as the tools that write them lay them out. Each test file
 * compiles what it uses.
 */
#ifndef MGUARD_TEST_WEIGHTS_FIXTURE_H
#define MGUARD_TEST_WEIGHTS_FIXTURE_H

#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "compile/weights.h"

static char base[1024] __attribute__((unused));

struct fx {
	char dir[PATH_MAX];
};

static inline int group_setup(void **state)
{
	return unit_mkdtemp(base, sizeof(base), "weights");
}

static inline int group_teardown(void **state)
{
	return unit_rm_tree(base);
}

static inline int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx || unit_mksubdir(fx->dir, sizeof(fx->dir), base)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static inline int teardown(void **state)
{
	struct fx *fx = *state;

	unit_rm_tree(fx->dir);
	free(fx);
	return 0;
}

static const char *path_of(const struct fx *fx, const char *name)
{
	return unit_path(fx->dir, name);
}

static inline void put(const struct fx *fx, const char *name, const void *data, size_t len)
{
	unit_put(path_of(fx, name), data, len);
}

static inline enum mg_weight_format of(const void *head, size_t len)
{
	return mg_weight_format_of(head, len, len);
}

/* Sample files, as the tools that write them lay them out. */

static inline void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#define ST_JSON "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"

/* A safetensors file: header length, JSON header, 8 bytes of tensor data. */
static inline size_t safetensors(uint8_t *buf, const char *json)
{
	size_t n = strlen(json);

	put_le64(buf, n);
	memcpy(buf + 8, json, n);
	memset(buf + 8 + n, 0, 8);
	return 8 + n + 8;
}

static const uint8_t
	__attribute__((unused)) gguf_v3
		[] = {
			'G', 'G', 'U', 'F', 3,	 0,   0,   0,	1,   0,
			0,   0,	  0,   0,   0,	 0,	      /* tensor count */
			1,   0,	  0,   0,   0,	 0,   0,   0, /* metadata count */
			20,  0,	  0,   0,   0,	 0,   0,   0, /* key length */
			'g', 'e', 'n', 'e', 'r', 'a', 'l', '.', 'a', 'r',
			'c', 'h', 'i', 't', 'e', 'c', 't', 'u', 'r', 'e',
		};

/* A ZIP local file header for an entry called @name, then its bytes. */
static inline size_t zip(uint8_t *buf, const char *name)
{
	size_t n = strlen(name);

	memset(buf, 0, 30);
	memcpy(buf, "PK\x03\x04", 4);
	buf[4] = 20; /* version needed */
	buf[18] = 4; /* compressed size */
	buf[22] = 4; /* uncompressed size */
	buf[26] = (uint8_t)n;
	buf[27] = (uint8_t)(n >> 8);
	memcpy(buf + 30, name, n);
	memcpy(buf + 30 + n, "\x80\x02}q", 4);
	return 30 + n + 4;
}

/* torch.save(..., _use_new_zipfile_serialization=False), first pickle. */
static const uint8_t __attribute__((unused)) legacy_torch[] =
	"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19."
	"\x80\x02M\xe9\x03.\x80\x02}q\x00(X\x10\x00\x00\x00"
	"protocol_versionq\x01M\xe9\x03U\x0dlittle_endianq\x02\x88u.";

static const uint8_t __attribute__((unused)) torch_pickle[] =
	"\x80\x02}q\x00X\x06\x00\x00\x00weightq\x01"
	"ctorch._utils\n_rebuild_tensor_v2\nq\x02((X\x07\x00\x00\x00"
	"storageq\x03ctorch\nFloatStorage\nq\x04X\x01\x00\x00\x00"
	"0q\x05";

/* The start of a protocol 4 pickle: the class comes from STACK_GLOBAL. */
static const uint8_t __attribute__((unused)) torch_pickle4[] =
	"\x80\x04\x95\x40\x00\x00\x00\x00\x00\x00\x00}\x94"
	"\x8c\x06weight\x94\x8c\x0ctorch._utils\x94"
	"\x8c\x12_rebuild_tensor_v2\x94\x93\x94.";

static const uint8_t __attribute__((unused)) ordered_dict_pickle[] =
	"\x80\x02"
	"ccollections\nOrderedDict\nq\x00)Rq\x01.";

/* pickle.dumps({"a": [1, 2, 3], "b": "text"}, protocol=2) */
static const uint8_t __attribute__((unused)) plain_pickle[] = "\x80\x02}q\x00(X\x01\x00\x00\x00"
							      "aq\x01]q\x02(K\x01K\x02K\x03"
							      "eX\x01\x00\x00\x00"
							      "bq\x03X\x04\x00\x00\x00textq\x04u.";

static const uint8_t __attribute__((unused)) hdf5_sig[] = "\x89HDF\r\n\x1a\n";

/* numpy.save of a float32 array of 3, format @major. */
static inline size_t npy(uint8_t *buf, uint8_t major)
{
	static const char dict[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
	size_t off = major == 1 ? 10 : 12, hlen = 118 - off;

	memcpy(buf, "\x93NUMPY", 6);
	buf[6] = major;
	buf[7] = 0;
	memset(buf + 8, 0, 4);
	buf[8] = (uint8_t)hlen;
	memset(buf + off, ' ', hlen);
	memcpy(buf + off, dict, strlen(dict));
	buf[off + hlen - 1] = '\n';
	memset(buf + off + hlen, 0, 12);
	return off + hlen + 12;
}

/*
 * ModelProto { ir_version: 8, producer_name: "pytorch", producer_version:
 * "2.1.0", graph { node { op_type: "Relu" } name: "g" }, opset_import {
 * version: 17 } }
 */
static const uint8_t __attribute__((unused)) onnx_model[] = {
	0x08, 0x08, 0x12, 0x07, 'p',  'y',  't',  'o',	'r',  'c',  'h',  0x1a,
	0x05, '2',  '.',  '1',	'.',  '0',  0x3a, 0x0b, 0x0a, 0x06, 0x22, 0x04,
	'R',  'e',  'l',  'u',	0x12, 0x01, 'g',  0x42, 0x02, 0x10, 0x11,
};

/* The same without producer fields: ir_version, then graph. */
static const uint8_t __attribute__((unused)) onnx_bare[] = {
	0x08, 0x07, 0x3a, 0x0b, 0x0a, 0x06, 0x22, 0x04, 'R',  'e',
	'l',  'u',  0x12, 0x01, 'g',  0x42, 0x02, 0x10, 0x0d,
};

/* Recognition of well-formed files. */

#endif /* MGUARD_TEST_WEIGHTS_FIXTURE_H */
