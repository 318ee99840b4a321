// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "core/cgroup.h"
#include "cli/run.h"
#include "core/util.h"

/* How long leftover processes get to die once killed. */
#define MG_RUN_DRAIN_MS 5000

int mg_run_cgroup_rel(const char *scope_cgroup, pid_t pid, char *buf, size_t len)
{
	size_t n;
	int r;

	if (!scope_cgroup || scope_cgroup[0] != '/' || pid <= 0)
		return -EINVAL;
	n = strlen(scope_cgroup);
	while (n > 0 && scope_cgroup[n - 1] == '/')
		n--;
	r = snprintf(buf, len, "%.*s/run-%d", (int)n, scope_cgroup, (int)pid);
	if (r < 0 || (size_t)r >= len)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * After a failed mg_cgroup_create(): the levels it made are the deepest
 * folders that exist, so remove @levels folders from the deepest existing
 * folder on @path up.
 */
static void mg_run_cgroup_undo(const char *path, size_t base, int levels)
{
	char buf[PATH_MAX];
	struct stat st;

	if (levels <= 0 || snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return;
	while (strlen(buf) > base && (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))) {
		char *slash = strrchr(buf, '/');

		if (!slash)
			return;
		*slash = '\0';
	}
	if (strlen(buf) > base)
		mg_cgroup_remove(buf, levels);
}

int mg_run_cgroup_make(const char *mount, const char *rel, char *path, size_t len, int *ret_levels)
{
	int n, levels = 0, err;

	*ret_levels = 0;
	n = snprintf(path, len, "%s%s", mount, rel);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	err = mg_cgroup_create(mount, rel, &levels);
	if (err) {
		mg_run_cgroup_undo(path, strlen(mount), levels);
		return err;
	}
	if (levels == 0) {
		/* Left by a run that was killed before it could clean up. */
		if (rmdir(path) < 0)
			return errno == EBUSY ? -EEXIST : -errno;
		if (mkdir(path, 0755) < 0)
			return -errno;
		levels = 1;
	}
	*ret_levels = levels;
	return 0;
}

/* Whether the cgroup folder @path holds processes: 1, 0, or a negative errno. */
static int mg_run_cgroup_populated(const char *path)
{
	char file[PATH_MAX], *text = NULL, *p;
	size_t size;
	int err;

	if (snprintf(file, sizeof(file), "%s/cgroup.events", path) >= (int)sizeof(file))
		return -ENAMETOOLONG;
	err = mg_read_file(file, 1u << 12, &text, &size);
	if (err)
		return err;
	p = strstr(text, "populated ");
	err = p ? p[strlen("populated ")] == '1' : -EINVAL;
	free(text);
	return err;
}

/* cgroup.kill (Linux 5.14); older kernels: SIGKILL to each process listed. */
static int mg_run_cgroup_kill(const char *path)
{
	char file[PATH_MAX], *text = NULL, *line, *save = NULL;
	size_t size;
	int fd, err;

	if (snprintf(file, sizeof(file), "%s/cgroup.kill", path) >= (int)sizeof(file))
		return -ENAMETOOLONG;
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		err = write(fd, "1", 1) == 1 ? 0 : -errno;
		close(fd);
		return err;
	}
	if (errno != ENOENT)
		return -errno;
	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	err = mg_read_file(file, 1u << 20, &text, &size);
	if (err)
		return err;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long pid = strtol(line, NULL, 10);

		if (pid > 0)
			kill((pid_t)pid, SIGKILL);
	}
	free(text);
	return 0;
}

int mg_run_cgroup_drop(const char *path, int levels, int *ret_killed)
{
	struct timespec tick = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
	int killed = 0, populated;

	for (int waited = 0; waited < MG_RUN_DRAIN_MS; waited += 10) {
		populated = mg_run_cgroup_populated(path);
		if (populated <= 0)
			break;
		killed = 1;
		if (mg_run_cgroup_kill(path) < 0)
			break;
		nanosleep(&tick, NULL);
	}
	if (ret_killed)
		*ret_killed = killed;
	return mg_cgroup_remove(path, levels);
}

int mg_run_license_check(const struct mg_policy *policy, const char *scope, const char *path,
			 int64_t now, struct mg_license **ret, char *why, size_t whylen)
{
	struct mg_diags diags = {};
	struct mg_keyring *ring = NULL;
	struct mg_license *l = NULL;
	const char *reason = NULL;
	char **keys = NULL;
	int err;

	why[0] = '\0';
	err = mg_license_load(path, &l, &diags);
	if (err) {
		snprintf(why, whylen, "%s", diags.n ? diags.v[0].msg : strerror(-err));
		goto out;
	}
	keys = calloc(policy->ntrusted_keys + 1, sizeof(*keys));
	if (!keys) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < policy->ntrusted_keys; i++) {
		keys[i] = mg_policy_path(policy, policy->trusted_keys[i]);
		if (!keys[i]) {
			err = -ENOMEM;
			goto out;
		}
	}
	err = mg_keyring_load(&ring, (const char *const *)keys, policy->ntrusted_keys, &diags);
	if (err) {
		if (diags.n && diags.v[0].file)
			snprintf(why, whylen, "trusted key '%s': %s", diags.v[0].file,
				 diags.v[0].msg);
		else
			snprintf(why, whylen, "trusted keys: %s",
				 diags.n ? diags.v[0].msg : strerror(-err));
		goto out;
	}
	err = mg_license_verify(l, ring, now, &reason);
	if (err) {
		snprintf(why, whylen, "%s", reason);
		goto out;
	}
	if (strcmp(l->scope, scope)) {
		snprintf(why, whylen, "issued to scope '%s', not '%s'", l->scope, scope);
		err = -EPERM;
		goto out;
	}
	*ret = l;
	l = NULL;
out:
	if (err == -ENOMEM && !why[0])
		snprintf(why, whylen, "%s", strerror(ENOMEM));
	if (keys)
		for (size_t i = 0; i < policy->ntrusted_keys; i++)
			free(keys[i]);
	free(keys);
	mg_keyring_free(ring);
	mg_license_free(l);
	mg_diags_free(&diags);
	return err;
}

int mg_run_close_fds(unsigned int from)
{
	struct rlimit rl;
	struct dirent *de;
	DIR *dir;

	if (close_range(from, ~0U, 0) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -errno;

	/* Kernels before 5.9: the open descriptors, from /proc, or every one possible. */
	dir = opendir("/proc/self/fd");
	if (dir) {
		while ((de = readdir(dir))) {
			char *end;
			long fd = strtol(de->d_name, &end, 10);

			if (*end || end == de->d_name || fd < (long)from || fd == dirfd(dir))
				continue;
			close((int)fd);
		}
		closedir(dir);
		return 0;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	for (rlim_t fd = from; fd < rl.rlim_cur && fd < INT_MAX; fd++)
		close((int)fd);
	return 0;
}

/* Where clone(2) takes its flags: the first argument, but the second on s390. */
#if defined(__s390__) || defined(__s390x__)
#define MG_CLONE_FLAGS_ARG 1
#else
#define MG_CLONE_FLAGS_ARG 0
#endif

int mg_run_confine(void)
{
	static const int eperm[] = {
		SCMP_SYS(bpf),
		SCMP_SYS(perf_event_open),
		SCMP_SYS(ptrace),
		SCMP_SYS(process_vm_readv),
		SCMP_SYS(process_vm_writev),
		SCMP_SYS(kexec_load),
		SCMP_SYS(kexec_file_load),
		SCMP_SYS(init_module),
		SCMP_SYS(finit_module),
		SCMP_SYS(delete_module),
		SCMP_SYS(mount),
		SCMP_SYS(umount2),
		SCMP_SYS(pivot_root),
		SCMP_SYS(open_by_handle_at),
		SCMP_SYS(name_to_handle_at),
		SCMP_SYS(setns),
		/* The fallback engine does not see io_uring's opens. */
		SCMP_SYS(io_uring_setup),
		SCMP_SYS(io_uring_enter),
		SCMP_SYS(io_uring_register),
	};
	scmp_filter_ctx ctx;
	int err = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; i < MG_ARRAY_SIZE(eperm) && !err; i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), eperm[i], 0);
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
				       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				       SCMP_CMP(MG_CLONE_FLAGS_ARG, SCMP_CMP_MASKED_EQ,
						CLONE_NEWUSER, CLONE_NEWUSER));
	/* clone3's flags are in memory, out of a filter's reach. */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err < 0 ? err : (err ? -EINVAL : 0);
}

int mg_run_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

/* What the child says through its pipe when a step fails before exec. */
struct mg_run_report {
	int step;
	int err;
};

/* The command's pid while it runs, for the signal handler. */
static volatile sig_atomic_t mg_run_pid;

static void mg_run_forward(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;

	/*
	 * What the kernel sends (a terminal's ^C, ^\ or hang-up) goes to the
	 * whole process group: the command has its own. SIGQUIT is never
	 * passed on.
	 */
	if (sig != SIGQUIT && si->si_code != SI_KERNEL && mg_run_pid > 0)
		kill((pid_t)mg_run_pid, sig);
	errno = saved;
}

static void __attribute__((noreturn))
mg_run_child(const struct mg_run_spec *spec, int errfd, const sigset_t *mask)
{
	struct mg_run_report rep = { MG_RUN_STEP_FDS, 0 };
	int err;

	/* The report pipe goes to 3 (close-on-exec); everything above goes. */
	if (errfd != 3) {
		if (dup3(errfd, 3, O_CLOEXEC) < 0) {
			rep.err = -errno;
			goto fail;
		}
		errfd = 3;
	}
	rep.step = MG_RUN_STEP_CGROUP;
	err = mg_cgroup_enter(spec->cgroup, getpid());
	if (err)
		goto fail_err;
	rep.step = MG_RUN_STEP_FDS;
	err = mg_run_close_fds(4);
	if (err)
		goto fail_err;
	rep.step = MG_RUN_STEP_CONFINE;
	err = mg_run_confine();
	if (err)
		goto fail_err;
	rep.step = MG_RUN_STEP_ENV;
	if (spec->license_id)
		err = setenv(MG_RUN_LICENSE_ENV, spec->license_id, 1);
	else
		err = unsetenv(MG_RUN_LICENSE_ENV);
	if (err) {
		err = -errno;
		goto fail_err;
	}
	rep.step = MG_RUN_STEP_EXEC;
	sigprocmask(SIG_SETMASK, mask, NULL);
	execvp(spec->argv[0], spec->argv);
	err = -errno;
fail_err:
	rep.err = err;
fail:
	if (write(errfd, &rep, sizeof(rep)) < 0)
		rep.err = -errno;
	_exit(rep.step == MG_RUN_STEP_EXEC ? MG_RUN_EXIT_EXEC : 1);
}

int mg_run_spawn(const struct mg_run_spec *spec, enum mg_run_step *ret_step)
{
	static const int sigs[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };
	struct sigaction sa = {}, old[MG_ARRAY_SIZE(sigs)], dfl = {}, old_chld;
	struct mg_run_report rep = {};
	sigset_t block, oldmask;
	int pfd[2], wstatus = 0, err = 0;
	ssize_t n;
	pid_t pid;

	*ret_step = MG_RUN_STEP_NONE;
	if (!spec->argv || !spec->argv[0] || !spec->cgroup)
		return -EINVAL;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;

	/* A SIGCHLD ignored by whoever started us would make waitpid() fail. */
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &dfl, &old_chld);
	sigemptyset(&block);
	for (size_t i = 0; i < MG_ARRAY_SIZE(sigs); i++)
		sigaddset(&block, sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		sigaction(SIGCHLD, &old_chld, NULL);
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (pid == 0) {
		close(pfd[0]);
		mg_run_child(spec, pfd[1], &oldmask);
	}
	close(pfd[1]);

	mg_run_pid = pid;
	sa.sa_sigaction = mg_run_forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < MG_ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, &old[i]);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);

	/* End of file: the command was executed (the pipe closes on exec). */
	do
		n = read(pfd[0], &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR) {
			err = -errno;
			break;
		}
	}

	sigprocmask(SIG_BLOCK, &block, NULL);
	mg_run_pid = 0;
	for (size_t i = 0; i < MG_ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);

	if (n == (ssize_t)sizeof(rep) && rep.step != MG_RUN_STEP_NONE) {
		*ret_step = rep.step;
		return rep.err < 0 ? rep.err : -EIO;
	}
	if (err)
		return err;
	return mg_run_exit_status(wstatus);
}
