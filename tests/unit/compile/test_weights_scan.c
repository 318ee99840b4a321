// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Weight files recognised by content on disk, and folder scans. */
#include "weights_fixture.h"

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
