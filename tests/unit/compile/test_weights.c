// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
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

static char base[1024];

struct fx {
	char dir[PATH_MAX];
};

static int group_setup(void **state)
{
	return unit_mkdtemp(base, sizeof(base), "weights");
}

static int group_teardown(void **state)
{
	return unit_rm_tree(base);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx || unit_mksubdir(fx->dir, sizeof(fx->dir), base)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
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

static void put(const struct fx *fx, const char *name, const void *data, size_t len)
{
	unit_put(path_of(fx, name), data, len);
}

static enum mg_weight_format of(const void *head, size_t len)
{
	return mg_weight_format_of(head, len, len);
}

/* Sample files, as the tools that write them lay them out. */

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#define ST_JSON "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"

/* A safetensors file: header length, JSON header, 8 bytes of tensor data. */
static size_t safetensors(uint8_t *buf, const char *json)
{
	size_t n = strlen(json);

	put_le64(buf, n);
	memcpy(buf + 8, json, n);
	memset(buf + 8 + n, 0, 8);
	return 8 + n + 8;
}

static const uint8_t
	gguf_v3
		[] = {
			'G', 'G', 'U', 'F', 3,	 0,   0,   0,	1,   0,
			0,   0,	  0,   0,   0,	 0,	      /* tensor count */
			1,   0,	  0,   0,   0,	 0,   0,   0, /* metadata count */
			20,  0,	  0,   0,   0,	 0,   0,   0, /* key length */
			'g', 'e', 'n', 'e', 'r', 'a', 'l', '.', 'a', 'r',
			'c', 'h', 'i', 't', 'e', 'c', 't', 'u', 'r', 'e',
		};

/* A ZIP local file header for an entry called @name, then its bytes. */
static size_t zip(uint8_t *buf, const char *name)
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
static const uint8_t legacy_torch[] = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19."
				      "\x80\x02M\xe9\x03.\x80\x02}q\x00(X\x10\x00\x00\x00"
				      "protocol_versionq\x01M\xe9\x03U\x0dlittle_endianq\x02\x88u.";

static const uint8_t torch_pickle[] = "\x80\x02}q\x00X\x06\x00\x00\x00weightq\x01"
				      "ctorch._utils\n_rebuild_tensor_v2\nq\x02((X\x07\x00\x00\x00"
				      "storageq\x03ctorch\nFloatStorage\nq\x04X\x01\x00\x00\x00"
				      "0q\x05";

/* The start of a protocol 4 pickle: the class comes from STACK_GLOBAL. */
static const uint8_t torch_pickle4[] = "\x80\x04\x95\x40\x00\x00\x00\x00\x00\x00\x00}\x94"
				       "\x8c\x06weight\x94\x8c\x0ctorch._utils\x94"
				       "\x8c\x12_rebuild_tensor_v2\x94\x93\x94.";

static const uint8_t ordered_dict_pickle[] = "\x80\x02"
					     "ccollections\nOrderedDict\nq\x00)Rq\x01.";

/* pickle.dumps({"a": [1, 2, 3], "b": "text"}, protocol=2) */
static const uint8_t plain_pickle[] = "\x80\x02}q\x00(X\x01\x00\x00\x00"
				      "aq\x01]q\x02(K\x01K\x02K\x03"
				      "eX\x01\x00\x00\x00"
				      "bq\x03X\x04\x00\x00\x00textq\x04u.";

static const uint8_t hdf5_sig[] = "\x89HDF\r\n\x1a\n";

/* numpy.save of a float32 array of 3, format @major. */
static size_t npy(uint8_t *buf, uint8_t major)
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
static const uint8_t onnx_model[] = {
	0x08, 0x08, 0x12, 0x07, 'p',  'y',  't',  'o',	'r',  'c',  'h',  0x1a,
	0x05, '2',  '.',  '1',	'.',  '0',  0x3a, 0x0b, 0x0a, 0x06, 0x22, 0x04,
	'R',  'e',  'l',  'u',	0x12, 0x01, 'g',  0x42, 0x02, 0x10, 0x11,
};

/* The same without producer fields: ir_version, then graph. */
static const uint8_t onnx_bare[] = {
	0x08, 0x07, 0x3a, 0x0b, 0x0a, 0x06, 0x22, 0x04, 'R',  'e',
	'l',  'u',  0x12, 0x01, 'g',  0x42, 0x02, 0x10, 0x0d,
};

/* Recognition of well-formed files. */

static void test_safetensors(void **state)
{
	uint8_t buf[256];
	size_t n = safetensors(buf, ST_JSON);

	assert_int_equal(of(buf, n), MG_WF_SAFETENSORS);
	n = safetensors(buf, "{}");
	assert_int_equal(of(buf, n), MG_WF_SAFETENSORS);
	n = safetensors(buf, "  { \"__metadata__\":{\"format\":\"pt\"}}    ");
	assert_int_equal(of(buf, n), MG_WF_SAFETENSORS);
	/* Only the head is given; the size says the tensors follow. */
	n = safetensors(buf, ST_JSON);
	assert_int_equal(mg_weight_format_of(buf, n, 7ull << 30), MG_WF_SAFETENSORS);
}

static void test_safetensors_rejects(void **state)
{
	uint8_t buf[256];
	size_t n;

	/* Header length beyond the file. */
	n = safetensors(buf, ST_JSON);
	put_le64(buf, n);
	assert_int_equal(of(buf, n), MG_WF_NONE);
	put_le64(buf, n - 7);
	assert_int_equal(of(buf, n), MG_WF_NONE);
	put_le64(buf, n - 8);
	assert_int_equal(of(buf, n), MG_WF_SAFETENSORS);
	/* Header length over 100 MiB, even in a file that large. */
	put_le64(buf, (100ull << 20) + 1);
	assert_int_equal(mg_weight_format_of(buf, n, 1ull << 30), MG_WF_NONE);
	put_le64(buf, 100ull << 20);
	assert_int_equal(mg_weight_format_of(buf, n, 1ull << 30), MG_WF_SAFETENSORS);
	/* Too short to be JSON, or not an object. */
	n = safetensors(buf, "{");
	assert_int_equal(of(buf, n), MG_WF_NONE);
	n = safetensors(buf, "[1, 2, 3]");
	assert_int_equal(of(buf, n), MG_WF_NONE);
	n = safetensors(buf, "{ 1: 2 }");
	assert_int_equal(of(buf, n), MG_WF_NONE);
	/* The '{' must be inside the declared header. */
	n = safetensors(buf, "   {}");
	put_le64(buf, 3);
	assert_int_equal(of(buf, n), MG_WF_NONE);
	/* Truncated: only part of the length. */
	n = safetensors(buf, ST_JSON);
	assert_int_equal(of(buf, 4), MG_WF_NONE);
	assert_int_equal(of(buf, 9), MG_WF_NONE);
}

static void test_gguf(void **state)
{
	uint8_t buf[sizeof(gguf_v3)];

	assert_int_equal(of(gguf_v3, sizeof(gguf_v3)), MG_WF_GGUF);
	memcpy(buf, gguf_v3, sizeof(buf));
	buf[4] = 1;
	assert_int_equal(of(buf, sizeof(buf)), MG_WF_GGUF);
	buf[4] = 2;
	assert_int_equal(of(buf, sizeof(buf)), MG_WF_GGUF);
	/* Written on a big-endian host. */
	memcpy(buf + 4, "\0\0\0\3", 4);
	assert_int_equal(of(buf, sizeof(buf)), MG_WF_GGUF);
	/* Versions that do not exist. */
	memcpy(buf + 4, "\0\0\0\0", 4);
	assert_int_equal(of(buf, sizeof(buf)), MG_WF_NONE);
	buf[4] = 4;
	assert_int_equal(of(buf, sizeof(buf)), MG_WF_NONE);
	/* Truncated. */
	assert_int_equal(of(gguf_v3, 3), MG_WF_NONE);
	assert_int_equal(of(gguf_v3, 6), MG_WF_NONE);
}

static void test_ggml_legacy(void **state)
{
	/* Magics as little-endian uint32: "ggjt" is on disk as "tjgg". */
	assert_int_equal(of("tjgg\x03\x00\x00\x00\x00\x7d\x00\x00", 12), MG_WF_GGUF);
	assert_int_equal(of("fmgg\x01\x00\x00\x00\x00\x7d\x00\x00", 12), MG_WF_GGUF);
	assert_int_equal(of("algg\x01\x00\x00\x00\x08\x00\x00\x00", 12), MG_WF_GGUF);
	/* Unversioned ggml: the vocabulary size follows. */
	assert_int_equal(of("lmgg\x00\x7d\x00\x00\x00\x10\x00\x00", 12), MG_WF_GGUF);
	assert_int_equal(of("ggjt\x00\x00\x00\x01\x00\x00\x7d\x00", 12), MG_WF_GGUF);
	/* A version out of range, text that starts with the letters. */
	assert_int_equal(of("tjgg\x09\x00\x00\x00\x00\x7d\x00\x00", 12), MG_WF_NONE);
	assert_int_equal(of("ggml is a tensor library\n", 25), MG_WF_NONE);
	assert_int_equal(of("ggjt and ggla and ggmf\n", 23), MG_WF_NONE);
	assert_int_equal(of("lmgg\x00\x00\x00\x00", 8), MG_WF_NONE);
}

/* The format of a zip whose first entry is @name, read whole. */
static enum mg_weight_format of_zip(const char *name)
{
	uint8_t buf[256];

	return of(buf, zip(buf, name));
}

static void test_pytorch_zip(void **state)
{
	assert_int_equal(of_zip("archive/data.pkl"), MG_WF_PYTORCH_ZIP);
	assert_int_equal(of_zip("resnet50/data.pkl"), MG_WF_PYTORCH_ZIP);
	assert_int_equal(of_zip("archive/.data/version"), MG_WF_PYTORCH_ZIP);
	assert_int_equal(of_zip("archive/constants.pkl"), MG_WF_PYTORCH_ZIP);
	assert_int_equal(of_zip("model/.data/version"), MG_WF_PYTORCH_ZIP);
}

static void test_zip_rejects(void **state)
{
	uint8_t buf[256];
	size_t n;

	/* Plain archives: an office document, numpy .npz, a source bundle. */
	assert_int_equal(of_zip("[Content_Types].xml"), MG_WF_NONE);
	assert_int_equal(of_zip("arr_0.npy"), MG_WF_NONE);
	assert_int_equal(of_zip("src/main.c"), MG_WF_NONE);
	/* The name runs past the head, or there is none. */
	zip(buf, "archive/data.pkl");
	assert_int_equal(of(buf, 40), MG_WF_NONE);
	assert_int_equal(of(buf, 29), MG_WF_NONE);
	assert_int_equal(of_zip(""), MG_WF_NONE);
	/* A central directory record is not a local header. */
	n = zip(buf, "archive/data.pkl");
	buf[2] = 1;
	buf[3] = 2;
	assert_int_equal(of(buf, n), MG_WF_NONE);
}

static void test_pickle(void **state)
{
	assert_int_equal(of(torch_pickle, sizeof(torch_pickle) - 1), MG_WF_PICKLE);
	assert_int_equal(of(torch_pickle4, sizeof(torch_pickle4) - 1), MG_WF_PICKLE);
	assert_int_equal(of(legacy_torch, sizeof(legacy_torch) - 1), MG_WF_PICKLE);
	assert_int_equal(of(ordered_dict_pickle, sizeof(ordered_dict_pickle) - 1), MG_WF_PICKLE);
}

static void test_pickle_rejects(void **state)
{
	uint8_t buf[sizeof(torch_pickle)];

	assert_int_equal(of(plain_pickle, sizeof(plain_pickle) - 1), MG_WF_NONE);
	/* A protocol that does not exist, or none (protocol 0 text). */
	memcpy(buf, torch_pickle, sizeof(buf));
	buf[1] = 6;
	assert_int_equal(of(buf, sizeof(buf) - 1), MG_WF_NONE);
	buf[1] = 1;
	assert_int_equal(of(buf, sizeof(buf) - 1), MG_WF_NONE);
	assert_int_equal(of("ctorch._utils\n_rebuild_tensor_v2\n", 33), MG_WF_NONE);
	/* Cut before anything torch-like. */
	assert_int_equal(of(torch_pickle, 20), MG_WF_NONE);
	assert_int_equal(of(legacy_torch, 2), MG_WF_NONE);
	/* The magic number, cut short. */
	assert_int_equal(of(legacy_torch, 10), MG_WF_NONE);
}

static void test_hdf5(void **state)
{
	uint8_t buf[4200];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, hdf5_sig, 8);
	buf[8] = 0; /* superblock version */
	assert_int_equal(of(buf, 64), MG_WF_HDF5);
	/* After a user block of 512, 1024, 2048 bytes. */
	for (size_t off = 512; off <= 2048; off *= 2) {
		memset(buf, 'u', sizeof(buf));
		memcpy(buf + off, hdf5_sig, 8);
		assert_int_equal(of(buf, sizeof(buf)), MG_WF_HDF5);
		/* The head ends inside the signature. */
		assert_int_equal(mg_weight_format_of(buf, off + 7, sizeof(buf)), MG_WF_NONE);
	}
	/* Not at a superblock offset, or past the head. */
	memset(buf, 'u', sizeof(buf));
	memcpy(buf + 100, hdf5_sig, 8);
	assert_int_equal(of(buf, sizeof(buf)), MG_WF_NONE);
	memset(buf, 'u', sizeof(buf));
	memcpy(buf + 4096, hdf5_sig, 8);
	assert_int_equal(of(buf, sizeof(buf)), MG_WF_NONE);
	assert_int_equal(of(hdf5_sig, 4), MG_WF_NONE);
}

static void test_numpy(void **state)
{
	uint8_t buf[256];
	size_t n;

	n = npy(buf, 1);
	assert_int_equal(of(buf, n), MG_WF_NUMPY);
	n = npy(buf, 2);
	assert_int_equal(of(buf, n), MG_WF_NUMPY);
	n = npy(buf, 3);
	assert_int_equal(of(buf, n), MG_WF_NUMPY);
	n = npy(buf, 4);
	assert_int_equal(of(buf, n), MG_WF_NONE);
	n = npy(buf, 1);
	buf[10] = 'x';
	assert_int_equal(of(buf, n), MG_WF_NONE);
	n = npy(buf, 1);
	assert_int_equal(of(buf, 8), MG_WF_NONE);
	assert_int_equal(of(buf, 10), MG_WF_NONE);
}

static void test_onnx(void **state)
{
	assert_int_equal(of(onnx_model, sizeof(onnx_model)), MG_WF_ONNX);
	assert_int_equal(of(onnx_bare, sizeof(onnx_bare)), MG_WF_ONNX);
	/* Only the head of a large model, whose graph runs on. */
	assert_int_equal(mg_weight_format_of(onnx_bare, 8, 1u << 30), MG_WF_ONNX);
}

static void test_onnx_rejects(void **state)
{
	uint8_t buf[sizeof(onnx_model)];

	memcpy(buf, onnx_model, sizeof(buf));
	/* ir_version 0 or beyond 20. */
	buf[1] = 0;
	assert_int_equal(of(buf, sizeof(buf)), MG_WF_NONE);
	buf[1] = 21;
	assert_int_equal(of(buf, sizeof(buf)), MG_WF_NONE);
	/* A producer name that is not text. */
	memcpy(buf, onnx_model, sizeof(buf));
	buf[5] = 0x01;
	assert_int_equal(of(buf, sizeof(buf)), MG_WF_NONE);
	/* Fields out of order: producer_version before producer_name. */
	assert_int_equal(of("\x08\x07\x1a\x01x\x12\x01y\x3a\x00", 10), MG_WF_NONE);
	/* Fields with the wrong wire type: doc_string and producer_name as varints. */
	assert_int_equal(of("\x08\x07\x30\x01\x3a\x00", 6), MG_WF_NONE);
	assert_int_equal(of("\x08\x07\x10\x01\x3a\x00", 6), MG_WF_NONE);
	/* opset_import before any graph. */
	assert_int_equal(of("\x08\x07\x42\x02\x10\x11", 6), MG_WF_NONE);
	/* A graph longer than the file. */
	assert_int_equal(of("\x08\x07\x3a\xff\x7f\x00\x00\x00", 8), MG_WF_NONE);
	/* Cut before producer_name or graph. */
	assert_int_equal(of(onnx_model, 2), MG_WF_NONE);
	assert_int_equal(of(onnx_model, 8), MG_WF_NONE);
	assert_int_equal(mg_weight_format_of(onnx_bare, 3, 1000), MG_WF_NONE);
	/* A text line that starts with a backspace. */
	assert_int_equal(of("\x08\x07hello world\n", 14), MG_WF_NONE);
}

static void test_not_weights(void **state)
{
	static const char text[] = "The quick brown fox jumps over the lazy dog.\n";
	static const char json[] = "{\"model\": \"llama\", \"layers\": 32}\n";
	static const char yaml[] = "apiVersion: mguard/v1\nmodels: []\n";
	uint8_t zeros[4096] = { 0 };
	uint8_t ff[64];

	memset(ff, 0xff, sizeof(ff));
	assert_int_equal(of(text, strlen(text)), MG_WF_NONE);
	assert_int_equal(of(json, strlen(json)), MG_WF_NONE);
	assert_int_equal(of(yaml, strlen(yaml)), MG_WF_NONE);
	assert_int_equal(of(zeros, sizeof(zeros)), MG_WF_NONE);
	assert_int_equal(of(ff, sizeof(ff)), MG_WF_NONE);
	assert_int_equal(of("\x7f"
			    "ELF\x02\x01\x01",
			    7),
			 MG_WF_NONE);
	assert_int_equal(of("", 0), MG_WF_NONE);
	assert_int_equal(mg_weight_format_of(NULL, 0, 0), MG_WF_NONE);
	/* A head claimed longer than the file is cut to the file. */
	assert_int_equal(mg_weight_format_of(gguf_v3, sizeof(gguf_v3), 4), MG_WF_NONE);
}

static void test_names(void **state)
{
	static const char *const want[MG_WF__COUNT] = {
		"none", "safetensors", "gguf", "pytorch-zip", "pickle", "hdf5", "numpy", "onnx",
	};

	for (int f = 0; f < MG_WF__COUNT; f++)
		assert_string_equal(mg_weight_format_name((enum mg_weight_format)f), want[f]);
	assert_string_equal(mg_weight_format_name(MG_WF__COUNT), "none");
	assert_string_equal(mg_weight_format_name((enum mg_weight_format) - 1), "none");
}

/* Files. */

static void test_file_by_content(void **state)
{
	struct fx *fx = *state;
	enum mg_weight_format f = MG_WF__COUNT;
	uint8_t buf[8192];
	size_t n;

	n = safetensors(buf, ST_JSON);
	put(fx, "notes.txt", buf, n);
	assert_int_equal(mg_weight_format_file(path_of(fx, "notes.txt"), &f), 0);
	assert_int_equal(f, MG_WF_SAFETENSORS);

	put(fx, "model.safetensors", "just some text\n", 15);
	assert_int_equal(mg_weight_format_file(path_of(fx, "model.safetensors"), &f), 0);
	assert_int_equal(f, MG_WF_NONE);

	put(fx, "empty", "", 0);
	f = MG_WF__COUNT;
	assert_int_equal(mg_weight_format_file(path_of(fx, "empty"), &f), 0);
	assert_int_equal(f, MG_WF_NONE);

	/* A header length beyond the file, which was cut. */
	put(fx, "cut.safetensors", buf, 20);
	assert_int_equal(mg_weight_format_file(path_of(fx, "cut.safetensors"), &f), 0);
	assert_int_equal(f, MG_WF_NONE);

	/* Only the head is read: HDF5 after a 2048-byte user block, big file. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 2048, hdf5_sig, 8);
	put(fx, "data", buf, sizeof(buf));
	assert_int_equal(mg_weight_format_file(path_of(fx, "data"), &f), 0);
	assert_int_equal(f, MG_WF_HDF5);
}

static void test_file_errors(void **state)
{
	struct fx *fx = *state;
	enum mg_weight_format f;

	assert_int_equal(mg_weight_format_file(path_of(fx, "missing"), &f), -ENOENT);
	assert_int_equal(mg_weight_format_file(fx->dir, &f), -EISDIR);
	/* A FIFO is refused without waiting for a writer. */
	assert_int_equal(mkfifo(path_of(fx, "fifo"), 0600), 0);
	assert_int_equal(mg_weight_format_file(path_of(fx, "fifo"), &f), -EINVAL);
	assert_int_equal(mg_weight_format_file("/dev/null", &f), -EINVAL);
}

static void test_file_symlink_followed(void **state)
{
	struct fx *fx = *state;
	enum mg_weight_format f;
	char target[2 * PATH_MAX];

	put(fx, "m.gguf", gguf_v3, sizeof(gguf_v3));
	snprintf(target, sizeof(target), "%s", path_of(fx, "m.gguf"));
	assert_int_equal(symlink(target, path_of(fx, "link")), 0);
	assert_int_equal(mg_weight_format_file(path_of(fx, "link"), &f), 0);
	assert_int_equal(f, MG_WF_GGUF);
}

static void test_fd_offset_kept(void **state)
{
	struct fx *fx = *state;
	enum mg_weight_format f;
	int fd;

	put(fx, "m", onnx_model, sizeof(onnx_model));
	fd = open(path_of(fx, "m"), O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 5, SEEK_SET), 5);
	assert_int_equal(mg_weight_format_fd(fd, &f), 0);
	assert_int_equal(f, MG_WF_ONNX);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 5);
	close(fd);
	assert_int_equal(mg_weight_format_fd(-1, &f), -EBADF);
}

/* Walks. */

struct seen {
	char path[16][PATH_MAX];
	enum mg_weight_format f[16];
	int err[16];
	bool dir[16];
	int n;
	int stop_after; /* 0: never */
	int nested;	/* entries a nested scan saw */
};

static int record(const char *path, const struct stat *st, enum mg_weight_format f, int err,
		  void *ctx)
{
	struct seen *s = ctx;

	assert_true(s->n < 16);
	snprintf(s->path[s->n], PATH_MAX, "%s", path);
	s->f[s->n] = f;
	s->err[s->n] = err;
	s->dir[s->n] = S_ISDIR(st->st_mode);
	if (!err && !S_ISDIR(st->st_mode))
		assert_true(S_ISREG(st->st_mode));
	s->n++;
	if (s->stop_after && s->n == s->stop_after)
		return 7;
	return 0;
}

/* Index of the entry whose path ends with @suffix, or -1. */
static int find(const struct seen *s, const char *suffix)
{
	size_t n = strlen(suffix);

	for (int i = 0; i < s->n; i++) {
		size_t len = strlen(s->path[i]);

		if (len >= n && !strcmp(s->path[i] + len - n, suffix))
			return i;
	}
	return -1;
}

static void make_tree(struct fx *fx)
{
	uint8_t buf[256];
	size_t n;
	char target[2 * PATH_MAX];

	n = safetensors(buf, ST_JSON);
	put(fx, "notes.txt", buf, n);
	assert_int_equal(mkdir(path_of(fx, "sub"), 0755), 0);
	assert_int_equal(mkdir(path_of(fx, "sub/deeper"), 0755), 0);
	put(fx, "sub/readme.md", "# readme\n", 9);
	put(fx, "sub/deeper/x", gguf_v3, sizeof(gguf_v3));
	n = zip(buf, "archive/data.pkl");
	put(fx, "sub/checkpoint", buf, n);
	put(fx, "sub/empty", "", 0);
	assert_int_equal(mkfifo(path_of(fx, "sub/fifo"), 0600), 0);
	/* A link to weights: not followed, not reported. */
	snprintf(target, sizeof(target), "%s", path_of(fx, "sub/deeper/x"));
	assert_int_equal(symlink(target, path_of(fx, "link-to-weights")), 0);
	assert_int_equal(symlink("/", path_of(fx, "link-to-root")), 0);
}

static void test_scan(void **state)
{
	struct fx *fx = *state;
	struct seen *s = calloc(1, sizeof(*s));
	int i;

	assert_non_null(s);
	make_tree(fx);
	assert_int_equal(mg_weights_scan(fx->dir, record, s), 0);
	assert_int_equal(s->n, 5);
	i = find(s, "/notes.txt");
	assert_true(i >= 0);
	assert_int_equal(s->f[i], MG_WF_SAFETENSORS);
	assert_int_equal(s->err[i], 0);
	i = find(s, "/sub/deeper/x");
	assert_true(i >= 0);
	assert_int_equal(s->f[i], MG_WF_GGUF);
	i = find(s, "/sub/checkpoint");
	assert_true(i >= 0);
	assert_int_equal(s->f[i], MG_WF_PYTORCH_ZIP);
	i = find(s, "/sub/readme.md");
	assert_true(i >= 0);
	assert_int_equal(s->f[i], MG_WF_NONE);
	assert_int_equal(s->err[i], 0);
	i = find(s, "/sub/empty");
	assert_true(i >= 0);
	assert_int_equal(s->f[i], MG_WF_NONE);
	assert_int_equal(find(s, "link-to-weights"), -1);
	assert_int_equal(find(s, "fifo"), -1);
	free(s);
}

static void test_scan_stops(void **state)
{
	struct fx *fx = *state;
	struct seen *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	make_tree(fx);
	s->stop_after = 2;
	assert_int_equal(mg_weights_scan(fx->dir, record, s), 7);
	assert_int_equal(s->n, 2);
	free(s);
}

static void test_scan_missing(void **state)
{
	struct fx *fx = *state;
	struct seen *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	assert_int_equal(mg_weights_scan(path_of(fx, "nothing"), record, s), -ENOENT);
	assert_int_equal(s->n, 0);
	assert_int_equal(mg_weights_scan(NULL, record, s), -EINVAL);
	assert_int_equal(mg_weights_scan(fx->dir, NULL, s), -EINVAL);
	free(s);
}

static void test_scan_root_link(void **state)
{
	struct fx *fx = *state;
	struct seen *s = calloc(1, sizeof(*s));
	char target[2 * PATH_MAX], link[2 * PATH_MAX];
	int i;

	assert_non_null(s);
	make_tree(fx);
	snprintf(target, sizeof(target), "%s", path_of(fx, "sub"));
	snprintf(link, sizeof(link), "%s", path_of(fx, "models"));
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(mg_weights_scan(link, record, s), 0);
	assert_int_equal(s->n, 4);
	i = find(s, "/sub/deeper/x");
	assert_true(i >= 0);
	assert_int_equal(s->f[i], MG_WF_GGUF);
	free(s);
}

/* A single file as the root is scanned as itself. */
static void test_scan_file_root(void **state)
{
	struct fx *fx = *state;
	struct seen *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	put(fx, "w", onnx_model, sizeof(onnx_model));
	assert_int_equal(mg_weights_scan(path_of(fx, "w"), record, s), 0);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->f[0], MG_WF_ONNX);
	free(s);
}

static int nested(const char *path, const struct stat *st, enum mg_weight_format f, int err,
		  void *ctx)
{
	struct seen *s = ctx;
	struct seen *inner = calloc(1, sizeof(*inner));
	int r;

	assert_non_null(inner);
	r = mg_weights_scan(path, record, inner);
	s->nested += inner->n;
	free(inner);
	assert_int_equal(r, 0);
	return record(path, st, f, err, ctx);
}

static void test_scan_nested(void **state)
{
	struct fx *fx = *state;
	struct seen *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	make_tree(fx);
	assert_int_equal(mg_weights_scan(fx->dir, nested, s), 0);
	assert_int_equal(s->n, 5);
	assert_int_equal(s->nested, 5);
	free(s);
}

/*
 * Permissions do not stop root: when the tests run as root, the scan runs
 * with the effective uid of nobody (which also drops CAP_DAC_OVERRIDE).
 */
static uid_t as_nobody(void)
{
	uid_t was = geteuid();

	if (was == 0)
		assert_int_equal(seteuid(65534), 0);
	return was;
}

static void as_before(uid_t was)
{
	if (was == 0)
		assert_int_equal(seteuid(0), 0);
}

static void test_scan_unreadable(void **state)
{
	struct fx *fx = *state;
	struct seen *s = calloc(1, sizeof(*s));
	uint8_t buf[256];
	size_t n;
	uid_t was;
	int r, i;

	assert_non_null(s);
	n = safetensors(buf, ST_JSON);
	put(fx, "secret", buf, n);
	put(fx, "open", buf, n);
	assert_int_equal(mkdir(path_of(fx, "closed"), 0755), 0);
	put(fx, "closed/hidden", buf, n);
	assert_int_equal(chmod(path_of(fx, "secret"), 0), 0);
	assert_int_equal(chmod(path_of(fx, "closed"), 0), 0);
	assert_int_equal(chmod(base, 0755), 0);
	assert_int_equal(chmod(fx->dir, 0755), 0);
	was = as_nobody();
	r = mg_weights_scan(fx->dir, record, s);
	as_before(was);
	assert_int_equal(chmod(fx->dir, 0700), 0);
	assert_int_equal(chmod(base, 0700), 0);
	assert_int_equal(chmod(path_of(fx, "closed"), 0700), 0);
	assert_int_equal(r, 0);
	assert_int_equal(s->n, 3);
	i = find(s, "/secret");
	assert_true(i >= 0);
	assert_int_equal(s->err[i], -EACCES);
	assert_int_equal(s->f[i], MG_WF_NONE);
	assert_false(s->dir[i]);
	i = find(s, "/closed");
	assert_true(i >= 0);
	assert_int_equal(s->err[i], -EACCES);
	assert_true(s->dir[i]);
	i = find(s, "/open");
	assert_true(i >= 0);
	assert_int_equal(s->err[i], 0);
	assert_int_equal(s->f[i], MG_WF_SAFETENSORS);
	assert_int_equal(find(s, "hidden"), -1);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_safetensors),
		T(test_safetensors_rejects),
		T(test_gguf),
		T(test_ggml_legacy),
		T(test_pytorch_zip),
		T(test_zip_rejects),
		T(test_pickle),
		T(test_pickle_rejects),
		T(test_hdf5),
		T(test_numpy),
		T(test_onnx),
		T(test_onnx_rejects),
		T(test_not_weights),
		T(test_names),
		T(test_file_by_content),
		T(test_file_errors),
		T(test_file_symlink_followed),
		T(test_fd_offset_kept),
		T(test_scan),
		T(test_scan_stops),
		T(test_scan_missing),
		T(test_scan_root_link),
		T(test_scan_file_root),
		T(test_scan_nested),
		T(test_scan_unreadable),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
