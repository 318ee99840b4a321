// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "cli/cmd_daemon.h"
#include "daemon/state.h"
#include "compile/compile.h"
#include "kernel/loader.h"
#include "core/log.h"
#include "policy/policy.h"
#include "kernel/pinned.h"

#define MG_WAIT_MS 20000

static void mg_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int mg_daemon_stop(const char *pin_dir, bool leave_enforcing)
{
	pid_t pid = mg_pinned_daemon(pin_dir);
	int err;

	if (!pid) {
		if (access(pin_dir, F_OK) < 0) {
			mg_info("not running: nothing pinned at '%s'", pin_dir);
			return 0;
		}
		if (leave_enforcing) {
			mg_info("no daemon is running; what is pinned at '%s' stays in force",
				pin_dir);
			return 0;
		}
		err = mg_loader_unpin_all(pin_dir);
		if (err) {
			mg_log_errno(err, "failed to remove '%s'", pin_dir);
			return 1;
		}
		mg_info("removed every pinned map and link under '%s'", pin_dir);
		return 0;
	}
	if (kill(pid, leave_enforcing ? SIGUSR1 : SIGTERM) < 0) {
		mg_log_errno(-errno, "failed to signal the daemon (pid %d)", (int)pid);
		return 1;
	}
	for (int waited = 0; waited < MG_WAIT_MS; waited += 50) {
		if (kill(pid, 0) < 0) {
			if (leave_enforcing)
				mg_info("daemon (pid %d) exited; every hook stays in force",
					(int)pid);
			else
				mg_info("daemon (pid %d) stopped and detached every hook",
					(int)pid);
			return 0;
		}
		mg_sleep_ms(50);
	}
	mg_err("the daemon (pid %d) did not exit within %d s", (int)pid, MG_WAIT_MS / 1000);
	return 1;
}

/* The policy as the daemon will see it, checked here so errors reach this terminal. */
static int mg_check_policy(const char *policy_dir)
{
	struct mg_compile_opts opts = { .cgroup_root = "/", .check_only = 1 };
	struct mg_diags diags = {};
	struct mg_policy *policy = NULL;
	struct mg_image *img = NULL;
	int err;

	err = mg_policy_load_dir(policy_dir, &policy, &diags);
	if (!err)
		err = mg_compile(policy, &opts, &img, &diags);
	mg_diags_print(&diags, stderr);
	mg_diags_free(&diags);
	mg_image_free(img);
	mg_policy_free(policy);
	return err;
}

int mg_daemon_reload_cmd(const char *pin_dir, const char *policy_dir)
{
	char why[PATH_MAX + 64];
	struct mg_pinned *st;
	__u32 seq;
	pid_t pid;
	int rc = 1;

	pid = mg_pinned_daemon_why(pin_dir, why, sizeof(why));
	if (!pid) {
		mg_err("mguard is not running (no daemon for '%s': %s)", pin_dir, why);
		return 3;
	}
	if (policy_dir) {
		char abs[PATH_MAX];

		if (!realpath(policy_dir, abs)) {
			mg_log_errno(-errno, "policy folder '%s'", policy_dir);
			return 1;
		}
		if (mg_check_policy(abs)) {
			mg_err("policy '%s' has errors: nothing was sent, the policy in force stays",
			       policy_dir);
			return 1;
		}
		/* The daemon loads this folder, not the one it started with. */
		if (mg_reload_request_write(pin_dir, abs)) {
			mg_log_errno(-errno, "failed to tell the daemon to load '%s'", abs);
			return 1;
		}
	}
	st = calloc(1, sizeof(*st));
	if (!st || mg_pinned_read(pin_dir, st)) {
		mg_err("failed to read the state pinned at '%s'", pin_dir);
		goto out;
	}
	seq = st->cfg.reload_seq;
	if (kill(pid, SIGHUP) < 0) {
		mg_log_errno(-errno, "failed to signal the daemon (pid %d)", (int)pid);
		goto out;
	}
	for (int waited = 0; waited < MG_WAIT_MS; waited += 20) {
		mg_sleep_ms(20);
		if (mg_pinned_read(pin_dir, st))
			continue;
		if (st->cfg.reload_seq == seq)
			continue;
		if (st->cfg.reload_err) {
			mg_err("the daemon refused the policy (%s): the previous one stays in force; "
			       "its log says why",
			       strerror(-st->cfg.reload_err));
		} else {
			mg_info("policy %s%s%sgeneration %u in force", policy_dir ? "'" : "",
				policy_dir ? policy_dir : "", policy_dir ? "' " : "",
				st->cfg.active_gen);
			rc = 0;
		}
		goto out;
	}
	mg_err("the daemon (pid %d) did not answer within %d s", (int)pid, MG_WAIT_MS / 1000);
out:
	free(st);
	return rc;
}
