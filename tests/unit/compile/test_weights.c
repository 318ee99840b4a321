// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Weight formats recognised by their first bytes. */
#include "weights_fixture.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_safetensors), T(test_safetensors_rejects),
		T(test_gguf),	     T(test_ggml_legacy),
		T(test_pytorch_zip), T(test_zip_rejects),
		T(test_pickle),	     T(test_pickle_rejects),
		T(test_hdf5),	     T(test_numpy),
		T(test_onnx),	     T(test_onnx_rejects),
		T(test_not_weights), T(test_names),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
