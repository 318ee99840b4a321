// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard run --scope NAME [--policy DIR] [--license FILE] -- CMD [ARGS...]
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/exit.h"
#include "core/cgroup.h"
#include "cli/cmd_run.h"
#include "license/license.h"
#include "core/log.h"
#include "policy/policy.h"
#include "cli/run.h"
#include "kernel/scope_pins.h"

#define RUN_POLICY_DIR_DEFAULT "/etc/mguard"
#define USAGE_RUN                                                                         \
	"mguard run --scope NAME [--policy DIR] [--license FILE] [--pin-dir DIR] -- CMD " \
	"[ARGS...]"

static int usage(void)
{
	fputs("usage: " USAGE_RUN "\n"
	      "\n"
	      "Run CMD inside the scope NAME, in a cgroup of its own below the scope's,\n"
	      "with no descriptor but 0, 1 and 2 from outside, no_new_privs, and no bpf,\n"
	      "ptrace, module, mount, new user namespace or io_uring system calls. The\n"
	      "exit status is CMD's (128 + the signal when one killed it).\n"
	      "\n"
	      "  --scope NAME     a scope of the policy\n"
	      "  --policy DIR     policy folder (default " RUN_POLICY_DIR_DEFAULT ")\n"
	      "  --license FILE   a licence issued to the scope; its id is given to CMD\n"
	      "                   as MGUARD_LICENSE\n"
	      "  --pin-dir DIR    the guard that must enforce the scope (default: any guard\n"
	      "                   pinned below /sys/fs/bpf); with none, CMD does not run\n",
	      stdout);
	return MG_EXIT_OK;
}

struct run_opts {
	const char *scope;
	const char *policy_dir;
	const char *license;
	const char *pin_dir; /* NULL: any guard pinned below /sys/fs/bpf */
	bool help;
	char **cmd; /* after "--", NULL-terminated */
};

static const struct option long_opts[] = {
	{ "scope", required_argument, NULL, 's' },   { "policy", required_argument, NULL, 'p' },
	{ "license", required_argument, NULL, 'l' }, { "pin-dir", required_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },	     { NULL, 0, NULL, 0 },
};

static int set_once(const char **slot, const char *name)
{
	if (*slot) {
		mg_err("option '--%s' given twice (try '%s')", name, USAGE_RUN);
		return MG_EXIT_USAGE;
	}
	*slot = optarg;
	return 0;
}

/* Returns 0, or MG_EXIT_USAGE after saying why. */
static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	int c, idx = -1, sep = argc, err;

	/* Options end at the first "--"; everything after it is the command. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			sep = i;
			break;
		}
	}
	optind = 0; /* glibc: start over, whatever parsed before */
	opterr = 0;
	while ((c = getopt_long(sep, argv, "+:h", long_opts, &idx)) != -1) {
		const char *arg = argv[optind - 1];

		if (c == ':') {
			mg_err("option '%s' needs an argument (try '%s')", arg, USAGE_RUN);
			return MG_EXIT_USAGE;
		}
		if (c == '?' && optopt) {
			mg_err("unknown option '-%c' (try '%s')", optopt, USAGE_RUN);
			return MG_EXIT_USAGE;
		}
		if (c == '?') {
			mg_err("unknown option '%s' (try '%s')", arg, USAGE_RUN);
			return MG_EXIT_USAGE;
		}
		idx = -1;
		switch (c) {
		case 's':
			err = set_once(&o->scope, "scope");
			break;
		case 'p':
			err = set_once(&o->policy_dir, "policy");
			break;
		case 'l':
			err = set_once(&o->license, "license");
			break;
		case 'P':
			err = set_once(&o->pin_dir, "pin-dir");
			break;
		default:
			o->help = true;
			err = 0;
			break;
		}
		if (err)
			return err;
	}
	if (o->help)
		return 0;
	if (optind < sep) {
		if (sep == argc)
			mg_err("missing '--' before the command (try '%s')", USAGE_RUN);
		else
			mg_err("unexpected '%s' before '--' (try '%s')", argv[optind], USAGE_RUN);
		return MG_EXIT_USAGE;
	}
	if (!o->scope) {
		mg_err("missing '--scope' (try '%s')", USAGE_RUN);
		return MG_EXIT_USAGE;
	}
	if (sep == argc) {
		mg_err("missing '--' and the command (try '%s')", USAGE_RUN);
		return MG_EXIT_USAGE;
	}
	if (sep + 1 == argc) {
		mg_err("missing command after '--' (try '%s')", USAGE_RUN);
		return MG_EXIT_USAGE;
	}
	o->cmd = argv + sep + 1;
	if (!o->policy_dir)
		o->policy_dir = RUN_POLICY_DIR_DEFAULT;
	return 0;
}

static const struct mg_scope *find_scope(const struct mg_policy *policy, const char *name)
{
	for (size_t i = 0; i < policy->nscopes; i++)
		if (!strcmp(policy->scopes[i].name, name))
			return &policy->scopes[i];
	return NULL;
}

/*
 * A command started in a scope that no guard enforces would run unguarded,
 * and say nothing: refuse. The kernel's maps decide, not a daemon's word.
 */
static int mg_run_check_guarded(const struct run_opts *o, const char *mount, const char *rel)
{
	struct mg_scope_val val;
	char pin[PATH_MAX];
	int err;

	/* @rel is not made yet: its closest existing ancestor is the scope's cgroup. */
	if (o->pin_dir)
		err = mg_pins_scope_of(o->pin_dir, mount, rel, &val);
	else
		err = mg_pins_any_scope_of(mount, rel, &val, pin, sizeof(pin));
	if (err == -ENOTCONN) {
		mg_err("no guard is running%s%s%s: refusing to run '%s' unguarded in scope '%s' "
		       "(start one with 'mguard start')",
		       o->pin_dir ? " with pin folder '" : "", o->pin_dir ? o->pin_dir : "",
		       o->pin_dir ? "'" : "", o->cmd[0], o->scope);
		return MG_EXIT_ERROR;
	}
	if (err) {
		mg_err("no guard enforces scope '%s': refusing to run '%s' unguarded "
		       "(is the running guard on another policy?)",
		       o->scope, o->cmd[0]);
		return MG_EXIT_ERROR;
	}
	return 0;
}

/*
 * Everything that can be checked before anything is made: the policy, the
 * scope and the licence. Fills @rel with the run cgroup below the cgroup2
 * mount and @license_id with the licence's id (empty without one).
 */
static int prepare(const struct run_opts *o, char *rel, size_t rel_len, char *license_id,
		   size_t id_len)
{
	struct mg_diags diags = {};
	struct mg_policy *policy = NULL;
	struct mg_license *l = NULL;
	const struct mg_scope *scope;
	char why[512];
	int err;

	license_id[0] = '\0';
	err = mg_policy_load_dir(o->policy_dir, &policy, &diags);
	if (err) {
		if (err == -ENOMEM) {
			mg_log_errno(err, "failed to load policy '%s'", o->policy_dir);
		} else {
			mg_diags_print(&diags, stderr);
			mg_err("policy '%s' has errors", o->policy_dir);
		}
		mg_diags_free(&diags);
		return MG_EXIT_ERROR;
	}
	mg_diags_free(&diags);

	scope = find_scope(policy, o->scope);
	if (!scope) {
		mg_err("unknown scope '%s' in policy '%s'", o->scope, o->policy_dir);
		err = MG_EXIT_ERROR;
		goto out;
	}
	if (o->license) {
		err = mg_run_license_check(policy, scope->name, o->license, (int64_t)time(NULL), &l,
					   why, sizeof(why));
		if (err) {
			mg_err("license '%s' refused: %s", o->license, why);
			err = MG_EXIT_ERROR;
			goto out;
		}
		if (snprintf(license_id, id_len, "%s", l->id) >= (int)id_len) {
			mg_err("license '%s' refused: its id is longer than %zu bytes", o->license,
			       id_len - 1);
			err = MG_EXIT_ERROR;
			goto out;
		}
	}
	if (scope->cgroup_pattern) {
		mg_err("scope '%s' is a cgroupPattern: its cgroups are made by a runtime or a "
		       "service manager, not by 'mguard run'",
		       scope->name);
		err = MG_EXIT_ERROR;
		goto out;
	}
	err = mg_run_cgroup_rel(scope->cgroup, getpid(), rel, rel_len);
	if (err) {
		mg_log_errno(err, "scope '%s': no room for a run cgroup below '%s'", scope->name,
			     scope->cgroup);
		err = MG_EXIT_ERROR;
	}
out:
	mg_license_free(l);
	mg_policy_free(policy);
	return err;
}

/* What the child could not do, for "failed to start 'CMD': ...". */
static void step_what(enum mg_run_step step, const char *cgroup, char *buf, size_t len)
{
	switch (step) {
	case MG_RUN_STEP_CGROUP:
		snprintf(buf, len, "cannot enter cgroup '%s'", cgroup);
		break;
	case MG_RUN_STEP_FDS:
		snprintf(buf, len, "cannot close the descriptors it inherited");
		break;
	case MG_RUN_STEP_CONFINE:
		snprintf(buf, len, "cannot install the seccomp filter");
		break;
	case MG_RUN_STEP_ENV:
		snprintf(buf, len, "cannot set " MG_RUN_LICENSE_ENV);
		break;
	default:
		snprintf(buf, len, "cannot create its process");
		break;
	}
}

int mg_cmd_run(int argc, char **argv)
{
	char mount[PATH_MAX], rel[PATH_MAX], path[PATH_MAX], what[PATH_MAX + 64];
	char license_id[MG_LICENSE_MAX_STRING + 1];
	struct run_opts o = {};
	struct mg_run_spec spec;
	enum mg_run_step step;
	int err, levels, killed, status;

	err = parse_opts(argc, argv, &o);
	if (err)
		return err;
	if (o.help)
		return usage();
	err = prepare(&o, rel, sizeof(rel), license_id, sizeof(license_id));
	if (err)
		return err;
	if (geteuid() != 0) {
		mg_err("'mguard run' needs root to place the command in a scope");
		return MG_EXIT_ERROR;
	}
	err = mg_cgroup2_mount(mount, sizeof(mount));
	if (err) {
		mg_log_errno(err, "failed to find the cgroup2 mount");
		return MG_EXIT_ERROR;
	}
	err = mg_run_check_guarded(&o, mount, rel);
	if (err)
		return err;
	err = mg_run_cgroup_make(mount, rel, path, sizeof(path), &levels);
	if (err) {
		mg_log_errno(err, "failed to create cgroup '%s%s'", mount, rel);
		return MG_EXIT_ERROR;
	}

	spec = (struct mg_run_spec){
		.cgroup = path,
		.argv = o.cmd,
		.license_id = license_id[0] ? license_id : NULL,
	};
	status = mg_run_spawn(&spec, &step);
	if (status < 0 && step == MG_RUN_STEP_EXEC) {
		mg_log_errno(status, "failed to run '%s'", o.cmd[0]);
		status = MG_RUN_EXIT_EXEC;
	} else if (status < 0) {
		step_what(step, path, what, sizeof(what));
		mg_log_errno(status, "failed to start '%s': %s", o.cmd[0], what);
		status = MG_EXIT_ERROR;
	}

	err = mg_run_cgroup_drop(path, levels, &killed);
	if (killed)
		mg_warn("killed what '%s' left running in cgroup '%s'", o.cmd[0], path);
	if (err) {
		mg_log_errno(err, "failed to remove cgroup '%s'", path);
		if (status == MG_EXIT_OK)
			status = MG_EXIT_ERROR;
	}
	return status;
}
