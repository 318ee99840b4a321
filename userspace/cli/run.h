/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * 'mguard run': start one command inside a scope. The command gets a cgroup
 * of its own below the scope's (mguard's programs look at a task's cgroup
 * and its ancestors, so the scope's rules apply to it), no descriptor from
 * outside but 0, 1 and 2, no_new_privs, and a seccomp filter that closes the
 * routes around those programs (bpf, ptrace, modules, mounts, new user
 * namespaces, io_uring). Nothing here prints: errors come back as a negative
 * errno and, for the child's steps, the step that failed.
 */
#ifndef MGUARD_RUN_H
#define MGUARD_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "license/license.h"
#include "policy/policy.h"

/* The variable the command finds its licence id in (unset when it has none). */
#define MG_RUN_LICENSE_ENV "MGUARD_LICENSE"

/* The exit status when the command could not be executed. */
#define MG_RUN_EXIT_EXEC 127

/*
 * The run cgroup of @pid in a scope whose cgroup is @scope_cgroup (below the
 * cgroup2 mount, starting with '/'): "<scope_cgroup>/run-<pid>". Returns 0,
 * -EINVAL when @scope_cgroup does not start with '/' or @pid is not
 * positive, or -ENAMETOOLONG when it does not fit in @len bytes.
 */
int mg_run_cgroup_rel(const char *scope_cgroup, pid_t pid, char *buf, size_t len);

/*
 * Make the run cgroup @rel below the cgroup2 mount @mount, and the levels
 * above it that are missing. The deepest level is always new: a folder
 * left there by an earlier run is removed first (when it is empty).
 * Returns 0 with the absolute folder in @path and the number of levels made
 * in *ret_levels, or a negative errno (nothing is left behind).
 */
int mg_run_cgroup_make(const char *mount, const char *rel, char *path, size_t len, int *ret_levels);

/*
 * Take back what mg_run_cgroup_make() made: processes the command left
 * behind in @path are killed (cgroup.kill, or SIGKILL to each), then @levels
 * folders are removed, deepest first, each only when empty. *ret_killed
 * (may be NULL) says whether there were any. Returns 0 or a negative errno.
 */
int mg_run_cgroup_drop(const char *path, int levels, int *ret_killed);

/*
 * Check the licence at @path for @scope at @now: it parses, it is signed by
 * one of the policy's trustedKeys and valid at @now, and it is issued to
 * @scope. Returns 0 and the licence in *ret, or a negative errno with a
 * one-line reason in @why ("signature matches no trusted key", "issued to
 * scope 'a', not 'b'"); -ENOMEM only when out of memory.
 */
int mg_run_license_check(const struct mg_policy *policy, const char *scope, const char *path,
			 int64_t now, struct mg_license **ret, char *why, size_t whylen);

/* Close every descriptor from @from up. Returns 0 or a negative errno. */
int mg_run_close_fds(unsigned int from);

/*
 * Set no_new_privs and load the seccomp filter (every other syscall is
 * allowed): EPERM for bpf, perf_event_open, ptrace, process_vm_readv,
 * process_vm_writev, kexec_load, kexec_file_load, init_module,
 * finit_module, delete_module, mount, umount2, pivot_root,
 * open_by_handle_at, name_to_handle_at, setns, io_uring_setup,
 * io_uring_enter, io_uring_register, and unshare and clone with
 * CLONE_NEWUSER in their flags; ENOSYS for clone3, whose flags seccomp
 * cannot read (glibc then falls back to clone). It applies to this process
 * and everything it starts. Returns 0 or a negative errno.
 */
int mg_run_confine(void);

/* The child's steps, for the error a spawn reports. */
enum mg_run_step {
	MG_RUN_STEP_NONE = 0,
	MG_RUN_STEP_CGROUP,  /* entering the run cgroup */
	MG_RUN_STEP_FDS,     /* closing inherited descriptors */
	MG_RUN_STEP_CONFINE, /* no_new_privs and seccomp */
	MG_RUN_STEP_ENV,     /* MGUARD_LICENSE */
	MG_RUN_STEP_EXEC,    /* execvp */
};

struct mg_run_spec {
	const char *cgroup;	/* the run cgroup folder, absolute */
	char *const *argv;	/* the command; argv[0] is looked up in PATH */
	const char *license_id; /* exported as MGUARD_LICENSE, or NULL */
};

/*
 * Start the command of @spec as a child that enters the run cgroup, closes
 * every descriptor above 2, calls mg_run_confine() and execs it, and wait
 * for it. While it runs, SIGTERM, SIGINT and SIGHUP sent to this process
 * by another process are passed on to the command; what the kernel sends
 * (a terminal's SIGINT, SIGQUIT or SIGHUP, which reach the command's process
 * group too) and any SIGQUIT are ignored here. Returns the command's status (its exit code,
 * or 128 + the signal that killed it), or a negative errno with the step
 * that failed in *ret_step: MG_RUN_STEP_NONE when no child started,
 * MG_RUN_STEP_EXEC when the command could not be executed (the child then
 * exited with MG_RUN_EXIT_EXEC).
 */
int mg_run_spawn(const struct mg_run_spec *spec, enum mg_run_step *ret_step);

/* A wait status as a shell shows it: the exit code, or 128 + the signal. */
int mg_run_exit_status(int wstatus);

#endif /* MGUARD_RUN_H */
