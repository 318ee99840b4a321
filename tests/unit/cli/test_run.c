// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/io_uring.h>

#include "cli/cmd_run.h"
#include "license/license.h"
#include "policy/policy.h"
#include "cli/run.h"

#define USAGE \
	"mguard run --scope NAME [--policy DIR] [--license FILE] [--pin-dir DIR] -- CMD [ARGS...]"
#define TRY "(try '" USAGE "')"

#define POLICY                             \
	"apiVersion: mguard/v1\n"          \
	"trustedKeys: [keys/issuer.pub]\n" \
	"scopes:\n"                        \
	"  - name: vllm\n"                 \
	"    cgroup: /mguard-unit/vllm\n"  \
	"    maxTier: general\n"           \
	"  - name: batch\n"                \
	"    cgroup: /mguard-unit/batch\n" \
	"    maxTier: general\n"

#define LICENSE_HEAD              \
	"apiVersion: mguard/v1\n" \
	"kind: License\n"         \
	"useCase: unit-test\n"    \
	"models: [small-1b]\n"    \
	"issuer: mguard-tests\n"

static char base[PATH_MAX - 64];

static const char *path_of(const char *name)
{
	return unit_path(base, name);
}

static void put(const char *name, const char *text)
{
	unit_put(path_of(name), text, strlen(text));
}

/* A licence for @scope, valid from @nb to @na, signed with @key (or not). */
static void make_license(const char *name, const char *id, const char *scope, const char *nb,
			 const char *na, const char *key)
{
	struct mg_diags diags = {};
	struct mg_license *l = NULL;
	char text[1024];
	FILE *f;

	snprintf(text, sizeof(text),
		 LICENSE_HEAD "id: %s\nscope: %s\nnotBefore: %s\nnotAfter: %s\n", id, scope, nb,
		 na);
	assert_int_equal(mg_license_parse_buffer(name, text, strlen(text), &l, &diags), 0);
	if (key)
		assert_int_equal(mg_license_sign(l, path_of(key), &diags), 0);
	f = fopen(path_of(name), "w");
	assert_non_null(f);
	assert_int_equal(mg_license_write(l, f), 0);
	assert_int_equal(fclose(f), 0);
	mg_license_free(l);
	mg_diags_free(&diags);
}

static int setup(void **state)
{
	struct mg_diags diags = {};

	if (unit_mkdtemp(base, sizeof(base), "run"))
		return -1;
	/* Readable by anyone: one test reads it as an unprivileged user. */
	chmod(base, 0755);
	if (mkdir(path_of("keys"), 0755) < 0)
		return -1;
	put("policy.yaml", POLICY);
	if (mg_license_keygen(path_of("keys/issuer.key"), path_of("keys/issuer.pub"), &diags) ||
	    mg_license_keygen(path_of("keys/rogue.key"), path_of("keys/rogue.pub"), &diags)) {
		mg_diags_print(&diags, stderr);
		mg_diags_free(&diags);
		return -1;
	}
	chmod(path_of("keys/issuer.pub"), 0644);
	make_license("good.lic", "lic-good", "vllm", "2000-01-01T00:00:00Z", "9999-01-01T00:00:00Z",
		     "keys/issuer.key");
	make_license("other.lic", "lic-other", "batch", "2000-01-01T00:00:00Z",
		     "9999-01-01T00:00:00Z", "keys/issuer.key");
	make_license("forged.lic", "lic-forged", "vllm", "2000-01-01T00:00:00Z",
		     "9999-01-01T00:00:00Z", "keys/rogue.key");
	make_license("expired.lic", "lic-expired", "vllm", "2000-01-01T00:00:00Z",
		     "2001-01-01T00:00:00Z", "keys/issuer.key");
	make_license("unsigned.lic", "lic-unsigned", "vllm", "2000-01-01T00:00:00Z",
		     "9999-01-01T00:00:00Z", NULL);
	put("broken.lic", "apiVersion: mguard/v1\nkind: License\n");
	return 0;
}

static int teardown(void **state)
{
	unit_rm_tree(base);
	return 0;
}

/* ---- The run cgroup ----------------------------------------------------------- */

static void test_cgroup_rel(void **state)
{
	char buf[64];

	assert_int_equal(mg_run_cgroup_rel("/mguard.slice/vllm", 4242, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/mguard.slice/vllm/run-4242");
	assert_int_equal(mg_run_cgroup_rel("/a/", 7, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/a/run-7");
	assert_int_equal(mg_run_cgroup_rel("/", 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run-1");
	assert_int_equal(mg_run_cgroup_rel("a/b", 1, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mg_run_cgroup_rel("", 1, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mg_run_cgroup_rel("/a", 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mg_run_cgroup_rel("/a", 123456, buf, 13), -ENAMETOOLONG);
	assert_int_equal(mg_run_cgroup_rel("/a", 123456, buf, 14), 0);
	assert_string_equal(buf, "/a/run-123456");
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The levels on a plain folder standing in for the cgroup2 mount. */
static void test_cgroup_make_drop(void **state)
{
	char mount[PATH_MAX], path[PATH_MAX], rel[2 * NAME_MAX];
	int levels = -1, killed = -1;

	snprintf(mount, sizeof(mount), "%s", path_of("cg"));
	assert_int_equal(mkdir(mount, 0755), 0);

	/* Scope and run cgroup both missing: two levels made, both taken back. */
	assert_int_equal(mg_run_cgroup_make(mount, "/scope/run-9", path, sizeof(path), &levels), 0);
	assert_string_equal(path, path_of("cg/scope/run-9"));
	assert_int_equal(levels, 2);
	assert_true(is_dir(path));
	assert_int_equal(mg_run_cgroup_drop(path, levels, &killed), 0);
	assert_int_equal(killed, 0);
	assert_false(is_dir(path_of("cg/scope")));

	/* The scope exists: only the run cgroup is made and removed. */
	assert_int_equal(mkdir(path_of("cg/scope"), 0755), 0);
	assert_int_equal(mg_run_cgroup_make(mount, "/scope/run-9", path, sizeof(path), &levels), 0);
	assert_int_equal(levels, 1);
	assert_int_equal(mg_run_cgroup_drop(path, levels, NULL), 0);
	assert_true(is_dir(path_of("cg/scope")));
	assert_false(is_dir(path_of("cg/scope/run-9")));

	/* An empty run cgroup left by a killed run is made again, and is ours. */
	assert_int_equal(mkdir(path_of("cg/scope/run-9"), 0755), 0);
	assert_int_equal(mg_run_cgroup_make(mount, "/scope/run-9", path, sizeof(path), &levels), 0);
	assert_int_equal(levels, 1);
	/* One that is not empty is not ours to take. */
	put("cg/scope/run-9/busy", "x");
	assert_int_equal(mg_run_cgroup_make(mount, "/scope/run-9", path, sizeof(path), &levels),
			 -ENOTEMPTY);
	assert_int_equal(levels, 0);
	assert_int_equal(unlink(path_of("cg/scope/run-9/busy")), 0);
	assert_int_equal(mg_run_cgroup_drop(path, 1, NULL), 0);

	/* A level that cannot be made: the ones made above it are taken back. */
	memset(rel, 'x', sizeof(rel));
	memcpy(rel, "/new/", 5);
	snprintf(rel + NAME_MAX + 10, sizeof(rel) - NAME_MAX - 10, "/run-9");
	assert_int_equal(mg_run_cgroup_make(mount, rel, path, sizeof(path), &levels),
			 -ENAMETOOLONG);
	assert_int_equal(levels, 0);
	assert_false(is_dir(path_of("cg/new")));
	assert_int_equal(rmdir(path_of("cg/scope")), 0);
	assert_int_equal(rmdir(mount), 0);
}

/* ---- Exit statuses -------------------------------------------------------------- */

static int status_of_child(int how)
{
	int wstatus;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (how < 0)
			raise(-how);
		_exit(how);
	}
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	return mg_run_exit_status(wstatus);
}

static void test_exit_status(void **state)
{
	assert_int_equal(status_of_child(0), 0);
	assert_int_equal(status_of_child(7), 7);
	assert_int_equal(status_of_child(255), 255);
	assert_int_equal(status_of_child(-SIGKILL), 137);
	assert_int_equal(status_of_child(-SIGTERM), 143);
}

/* ---- In a child: descriptors and the seccomp filter ------------------------------- */

/* Run @fn in a child; it returns 0 or a line number that failed. */
static void in_child(int (*fn)(void))
{
	int wstatus;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus))
		fprintf(stderr, "child: %s %d\n",
			WIFEXITED(wstatus) ? "failed at line" : "killed by signal",
			WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) % 256 : WTERMSIG(wstatus));
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 0);
}

#define CHILD_CHECK(cond)                                                                    \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "line %d: %s (errno %d)\n", __LINE__, #cond, errno); \
			return __LINE__ % 256 ? __LINE__ % 256 : 1;                          \
		}                                                                            \
	} while (0)

static int child_close_fds(void)
{
	int fd = open("/dev/null", O_RDONLY);

	CHILD_CHECK(fd >= 3);
	CHILD_CHECK(dup2(fd, 200) == 200);
	CHILD_CHECK(mg_run_close_fds(3) == 0);
	CHILD_CHECK(fcntl(fd, F_GETFD) < 0 && errno == EBADF);
	CHILD_CHECK(fcntl(200, F_GETFD) < 0 && errno == EBADF);
	for (int i = 0; i < 3; i++)
		CHILD_CHECK(fcntl(i, F_GETFD) >= 0);
	return 0;
}

static void test_close_fds(void **state)
{
	in_child(child_close_fds);
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* Each call has arguments that change nothing even where the filter would let it through. */
static int child_confine(void)
{
	struct io_uring_params params;
	long word = 0, r;
	pthread_t th;
	void *ret = NULL;
	int wstatus;
	pid_t pid;
	const struct {
		long nr;
		long a[6];
	} eperm[] = {
		{ __NR_bpf, { 0x7fff, 0, 0 } },
		{ __NR_perf_event_open, { 0, 0, -1, -1, ~0L } },
		{ __NR_process_vm_readv, { 1, 0, 0, 0, 0, 0 } },
		{ __NR_process_vm_writev, { 1, 0, 0, 0, 0, 0 } },
		{ __NR_kexec_load, { 0, 0, 0, ~0L } },
		{ __NR_kexec_file_load, { -1, -1, 0, 0, ~0L } },
		{ __NR_init_module, { 0, 0, 0 } },
		{ __NR_finit_module, { -1, 0, 0 } },
		{ __NR_delete_module, { 0, 0 } },
		{ __NR_umount2, { (long)"", 0 } },
		{ __NR_pivot_root, { (long)"", (long)"" } },
		{ __NR_open_by_handle_at, { -1, 0, 0 } },
		{ __NR_name_to_handle_at, { -1, (long)"", 0, 0, 0 } },
		{ __NR_setns, { -1, 0 } },
		{ __NR_io_uring_enter, { -1, 0, 0, 0, 0, 0 } },
		{ __NR_io_uring_register, { -1, 0, 0, 0 } },
	};

	CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
	CHILD_CHECK(mg_run_confine() == 0);
	CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	CHILD_CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2);

	for (size_t i = 0; i < sizeof(eperm) / sizeof(eperm[0]); i++) {
		errno = 0;
		r = syscall(eperm[i].nr, eperm[i].a[0], eperm[i].a[1], eperm[i].a[2], eperm[i].a[3],
			    eperm[i].a[4], eperm[i].a[5]);
		if (r != -1 || errno != EPERM)
			fprintf(stderr, "syscall %ld: %ld, errno %d\n", eperm[i].nr, r, errno);
		CHILD_CHECK(r == -1 && errno == EPERM);
	}
	CHILD_CHECK(syscall(__NR_ptrace, PTRACE_PEEKDATA, getpid(), &word, &word) == -1 &&
		    errno == EPERM);
	CHILD_CHECK(syscall(__NR_mount, "none", "", NULL, 0UL, NULL) == -1 && errno == EPERM);
	memset(&params, 0, sizeof(params));
	CHILD_CHECK(syscall(__NR_io_uring_setup, 0, &params) == -1 && errno == EPERM);

	/* New user namespaces: not by unshare, not by clone; other flags pass. */
	CHILD_CHECK(unshare(CLONE_NEWUSER) == -1 && errno == EPERM);
	CHILD_CHECK(unshare(CLONE_NEWUSER | CLONE_NEWNS) == -1 && errno == EPERM);
	CHILD_CHECK(unshare(0) == 0);
	r = syscall(__NR_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	CHILD_CHECK(r == -1 && errno == EPERM);
	CHILD_CHECK(syscall(__NR_clone3, NULL, 0) == -1 && errno == ENOSYS);

	/* fork and threads still work: glibc falls back from clone3 to clone. */
	pid = fork();
	CHILD_CHECK(pid >= 0);
	if (pid == 0)
		_exit(5);
	CHILD_CHECK(waitpid(pid, &wstatus, 0) == pid && WIFEXITED(wstatus) &&
		    WEXITSTATUS(wstatus) == 5);
	CHILD_CHECK(pthread_create(&th, NULL, thread_fn, &word) == 0);
	CHILD_CHECK(pthread_join(th, &ret) == 0 && ret == &word);
	return 0;
}

static void test_confine(void **state)
{
	in_child(child_confine);
}

/* ---- Licences ----------------------------------------------------------------------- */

static struct mg_policy *load_policy(void)
{
	struct mg_diags diags = {};
	struct mg_policy *p = NULL;

	if (mg_policy_load_dir(base, &p, &diags))
		mg_diags_print(&diags, stderr);
	mg_diags_free(&diags);
	assert_non_null(p);
	return p;
}

static void expect_refused(const struct mg_policy *p, const char *scope, const char *file, int err,
			   const char *why)
{
	struct mg_license *l = NULL;
	char buf[512];

	assert_int_equal(mg_run_license_check(p, scope, path_of(file), (int64_t)time(NULL), &l, buf,
					      sizeof(buf)),
			 err);
	assert_null(l);
	assert_string_equal(buf, why);
}

static void test_license_check(void **state)
{
	struct mg_policy *p = load_policy();
	struct mg_license *l = NULL;
	char why[512], msg[PATH_MAX + 64];

	assert_int_equal(mg_run_license_check(p, "vllm", path_of("good.lic"), (int64_t)time(NULL),
					      &l, why, sizeof(why)),
			 0);
	assert_non_null(l);
	assert_string_equal(l->id, "lic-good");
	assert_string_equal(why, "");
	mg_license_free(l);

	expect_refused(p, "vllm", "other.lic", -EPERM, "issued to scope 'batch', not 'vllm'");
	expect_refused(p, "vllm", "forged.lic", -EKEYREJECTED, "signature matches no trusted key");
	expect_refused(p, "vllm", "expired.lic", -EKEYEXPIRED, "expired on 2001-01-01T00:00:00Z");
	expect_refused(p, "vllm", "unsigned.lic", -EBADMSG, "not signed");
	expect_refused(p, "vllm", "missing.lic", -ENOENT,
		       "cannot read file: No such file or directory");
	mg_policy_free(p);

	/* A trusted key that cannot be read refuses every licence, naming the key. */
	put("policy.yaml", "apiVersion: mguard/v1\ntrustedKeys: [keys/gone.pub]\n"
			   "scopes: [{name: vllm, cgroup: /u/vllm, maxTier: general}]\n");
	p = load_policy();
	snprintf(msg, sizeof(msg), "trusted key '%s': cannot read file: No such file or directory",
		 path_of("keys/gone.pub"));
	expect_refused(p, "vllm", "good.lic", -EINVAL, msg);
	mg_policy_free(p);

	/* No trusted key at all. */
	put("policy.yaml", "apiVersion: mguard/v1\n"
			   "scopes: [{name: vllm, cgroup: /u/vllm, maxTier: general}]\n");
	p = load_policy();
	expect_refused(p, "vllm", "good.lic", -ENOKEY, "no trusted keys");
	mg_policy_free(p);
}

/* ---- The command line ------------------------------------------------------------- */

/* Run "mguard run ARGS..." (NULL-terminated) with stdout and stderr captured. */
#define run_cli(...) unit_run_cli(mg_cmd_run, "run", base, __VA_ARGS__)

static void test_cli_usage(void **state)
{
	struct unit_cli r;

	unit_expect_cli(run_cli(NULL), 2, "", "mguard: error: missing '--scope' " TRY "\n");
	unit_expect_cli(run_cli("--scope", "vllm", NULL), 2, "",
			"mguard: error: missing '--' and the command " TRY "\n");
	unit_expect_cli(run_cli("--scope", "vllm", "echo", "hi", NULL), 2, "",
			"mguard: error: missing '--' before the command " TRY "\n");
	unit_expect_cli(run_cli("--scope", "vllm", "--", NULL), 2, "",
			"mguard: error: missing command after '--' " TRY "\n");
	unit_expect_cli(run_cli("--scope", "vllm", "stray", "--", "true", NULL), 2, "",
			"mguard: error: unexpected 'stray' before '--' " TRY "\n");
	unit_expect_cli(run_cli("--", "true", NULL), 2, "",
			"mguard: error: missing '--scope' " TRY "\n");
	unit_expect_cli(run_cli("--bogus", "--", "true", NULL), 2, "",
			"mguard: error: unknown option '--bogus' " TRY "\n");
	unit_expect_cli(run_cli("-x", "--", "true", NULL), 2, "",
			"mguard: error: unknown option '-x' " TRY "\n");
	unit_expect_cli(run_cli("--scope", NULL), 2, "",
			"mguard: error: option '--scope' needs an argument " TRY "\n");
	/* "--" ends the options, even where an option wanted its argument. */
	unit_expect_cli(run_cli("--scope", "--", "true", NULL), 2, "",
			"mguard: error: option '--scope' needs an argument " TRY "\n");
	unit_expect_cli(run_cli("--scope", "a", "--scope", "b", "--", "true", NULL), 2, "",
			"mguard: error: option '--scope' given twice " TRY "\n");
	unit_expect_cli(
		run_cli("--license", "a", "--license=b", "--scope", "x", "--", "true", NULL), 2, "",
		"mguard: error: option '--license' given twice " TRY "\n");

	r = run_cli("--help", NULL);
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "usage: " USAGE "\n", strlen("usage: " USAGE "\n")) == 0);
	assert_string_equal(r.err, "");
	unit_expect_cli(r, 0, NULL, "");
	/* Options after "--" are the command's. */
	r = run_cli("--help", "--", "--bogus", NULL);
	unit_expect_cli(r, 0, NULL, "");
}

static void test_cli_errors(void **state)
{
	char want[3 * PATH_MAX];
	struct unit_cli r;

	snprintf(want, sizeof(want), "mguard: error: unknown scope 'nope' in policy '%s'\n", base);
	unit_expect_cli(run_cli("--policy", base, "--scope", "nope", "--", "true", NULL), 1, "",
			want);

	/* The options are taken in any order, '=' forms too. */
	snprintf(want, sizeof(want), "--policy=%s", base);
	r = run_cli("--scope=nope", want, "--", "true", NULL);
	snprintf(want, sizeof(want), "mguard: error: unknown scope 'nope' in policy '%s'\n", base);
	unit_expect_cli(r, 1, "", want);

	/* A policy with errors: its diagnostics, then one line. */
	r = run_cli("--policy", path_of("no-such-folder"), "--scope", "vllm", "--", "true", NULL);
	snprintf(want, sizeof(want),
		 "cannot open policy folder '%s': No such file or directory\n"
		 "mguard: error: policy '%s' has errors\n",
		 path_of("no-such-folder"), path_of("no-such-folder"));
	unit_expect_cli(r, 1, "", want);

	/* Licences refused before anything starts. */
	snprintf(want, sizeof(want),
		 "mguard: error: license '%s' refused: signature matches no trusted key\n",
		 path_of("forged.lic"));
	unit_expect_cli(run_cli("--policy", base, "--scope", "vllm", "--license",
				path_of("forged.lic"), "--", "true", NULL),
			1, "", want);
	snprintf(want, sizeof(want),
		 "mguard: error: license '%s' refused: issued to scope 'vllm', not 'batch'\n",
		 path_of("good.lic"));
	unit_expect_cli(run_cli("--policy", base, "--scope", "batch", "--license",
				path_of("good.lic"), "--", "true", NULL),
			1, "", want);
	snprintf(want, sizeof(want),
		 "mguard: error: license '%s' refused: expired on 2001-01-01T00:00:00Z\n",
		 path_of("expired.lic"));
	unit_expect_cli(run_cli("--policy", base, "--scope", "vllm", "--license",
				path_of("expired.lic"), "--", "true", NULL),
			1, "", want);
	r = run_cli("--policy", base, "--scope", "vllm", "--license", path_of("broken.lic"), "--",
		    "true", NULL);
	snprintf(want, sizeof(want),
		 "mguard: error: license '%s' refused: ", path_of("broken.lic"));
	assert_int_equal(strncmp(r.err, want, strlen(want)), 0);
	assert_non_null(strchr(r.err, '\n'));
	assert_string_equal(strchr(r.err, '\n'), "\n");
	unit_expect_cli(r, 1, "", NULL);
}

/*
 * Everything checks out but the caller is not root: one line, exit 1. As
 * root, the check runs in a child that becomes nobody first.
 */
static int child_not_root(void)
{
	char policy[PATH_MAX], lic[PATH_MAX];
	char *argv[] = { "run",	      "--policy", policy, "--scope", "vllm",
			 "--license", lic,	  "--",	  "true",    NULL };

	snprintf(policy, sizeof(policy), "%s", base);
	snprintf(lic, sizeof(lic), "%s", path_of("good.lic"));
	if (geteuid() == 0 &&
	    (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0))
		return 77;
	return mg_cmd_run(9, argv);
}

static void test_cli_needs_root(void **state)
{
	int wstatus, fd, saved;
	char *err;
	pid_t pid;

	/* Readable by nobody: the policy, its key and the licence. */
	chmod(path_of("good.lic"), 0644);
	chmod(path_of("policy.yaml"), 0644);
	fflush(stderr);
	saved = dup(2);
	fd = open(path_of("root.err"), O_WRONLY | O_CREAT | O_TRUNC, 0666);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_not_root());
	dup2(saved, 2);
	close(saved);
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	assert_true(WIFEXITED(wstatus));
	if (WEXITSTATUS(wstatus) == 77)
		skip();
	err = unit_slurp(path_of("root.err"), NULL);
	if (WEXITSTATUS(wstatus) != 1)
		fprintf(stderr, "status %d\nstderr:\n%s\n", WEXITSTATUS(wstatus), err);
	assert_int_equal(WEXITSTATUS(wstatus), 1);
	assert_string_equal(
		err, "mguard: error: 'mguard run' needs root to place the command in a scope\n");
	free(err);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_rel),
		T(test_cgroup_make_drop),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_close_fds),
		cmocka_unit_test(test_confine),
		T(test_license_check),
		T(test_cli_usage),
		T(test_cli_errors),
		T(test_cli_needs_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
