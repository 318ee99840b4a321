// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard: the command line. A flat table of commands, bpftool-style; each
 * command parses its own options and returns an exit status.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "cli/cmd_license.h"
#include "cli/cmd_run.h"
#include "compile/compile.h"
#include "cli/cmd_daemon.h"
#include "kernel/control.h"
#include "cli/cmd_events.h"
#include "daemon/daemon.h"
#include "daemon/eventlog.h"
#include "kernel/loader.h"
#include "core/log.h"
#include "kernel/pins.h"
#include "policy/policy.h"
#include "kernel/probe.h"
#include "cli/show.h"
#include "cli/status.h"
#include "core/version.h"

#define MG_POLICY_DIR_DEFAULT "/etc/mguard"

/* Exit statuses: 0 fine, 1 error, 2 usage, 3 not running (as systemctl status). */
enum {
	MG_EXIT_OK = 0,
	MG_EXIT_ERROR = 1,
	MG_EXIT_USAGE = 2,
	MG_EXIT_NOT_RUNNING = 3
};

static const struct option mg_common_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "policy", required_argument, NULL, 'p' },
	{ "pin-dir", required_argument, NULL, 'P' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "leave-enforcing", no_argument, NULL, 'L' },
	{ "log-dir", required_argument, NULL, 'l' },
	{ "syslog", no_argument, NULL, 's' },
	{ "metrics-file", required_argument, NULL, 'm' },
	{ "metrics-listen", required_argument, NULL, 'M' },
	{ "journal", no_argument, NULL, 'J' },
	{ "event-rate", required_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct mg_args {
	bool json, foreground, help, leave_enforcing, syslog, journal;
	const char *log_dir;
	const char *metrics_path;
	const char *metrics_listen;
	const char *policy_dir;
	const char *pin_dir;
	uint32_t event_rate;
	int optind;
};

static int mg_usage(FILE *out)
{
	fputs("usage: mguard COMMAND [OPTIONS]\n"
	      "\n"
	      "commands:\n"
	      "  probe [--json]                      kernel features and the engine of each hook\n"
	      "  start [--foreground] [--policy DIR] enforce a policy; events as JSON lines to the event\n"
	      "                                      file (and stdout in the foreground)\n"
	      "  events [--follow] [--json] [-n N]   the last events from the event file\n"
	      "  stop [--leave-enforcing]            stop the daemon and detach every hook (or leave them)\n"
	      "  reload [--policy DIR]               check, then put a new policy in force atomically\n"
	      "  status [--json]                     what is loaded, engines, counters\n"
	      "  policy check [DIR]                  report every error in a policy folder\n"
	      "  policy show [--json] [DIR]          each model's tier and why; what each scope may do\n"
	      "  policy scan [--policy DIR] FOLDER   weight files under FOLDER, by model, or unknown\n"
	      "  license keygen|sign|verify ...      issue and check licences (mguard license help)\n"
	      "  run --scope NAME [...] -- CMD ...   run a command inside a scope (mguard run --help)\n"
	      "  killswitch on|off                   deny every scope every weight load and connection\n"
	      "  version\n"
	      "\n"
	      "options:\n"
	      "  --policy DIR    policy folder (default " MG_POLICY_DIR_DEFAULT ")\n"
	      "  --pin-dir DIR   bpffs folder for pinned maps and links (default " MG_PIN_DIR_DEFAULT
	      ")\n"
	      "  --log-dir DIR   event file folder (default " MG_EVENTLOG_DIR_DEFAULT
	      " in the background)\n"
	      "  --syslog        also send each event to syslog\n"
	      "  --metrics-file FILE  Prometheus text for node_exporter, rewritten every second\n"
	      "  --metrics-listen ADDR:PORT  serve /metrics, /healthz, /readyz (e.g. 127.0.0.1:9464)\n"
	      "  --journal       also send each event to journald with MGUARD_* fields\n"
	      "  --event-rate N  events per second per scope before a scope is rate-limited (0: none)\n"
	      "  --verbose       libbpf and debug messages\n",
	      out);
	return out == stderr ? MG_EXIT_USAGE : MG_EXIT_OK;
}

/* Parse the options every command shares; unknown ones are a usage error. */
static int mg_parse(int argc, char **argv, struct mg_args *a)
{
	int c;

	a->policy_dir = MG_POLICY_DIR_DEFAULT;
	a->event_rate = MG_EVENT_RATE_DEFAULT;
	a->pin_dir = MG_PIN_DIR_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", mg_common_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			a->json = true;
			break;
		case 'p':
			a->policy_dir = optarg;
			break;
		case 'P':
			a->pin_dir = optarg;
			break;
		case 'f':
			a->foreground = true;
			break;
		case 'v':
			mg_log_verbose = true;
			break;
		case 'L':
			a->leave_enforcing = true;
			break;
		case 'l':
			a->log_dir = optarg;
			break;
		case 's':
			a->syslog = true;
			break;
		case 'm':
			a->metrics_path = optarg;
			break;
		case 'M':
			a->metrics_listen = optarg;
			break;
		case 'J':
			a->journal = true;
			break;
		case 'r': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*optarg == '\0' || *end || v > UINT32_MAX) {
				mg_err("invalid --event-rate '%s': a number of events per second per scope",
				       optarg);
				return -EINVAL;
			}
			a->event_rate = v;
			break;
		}
		case 'h':
			a->help = true;
			break;
		default:
			return -EINVAL;
		}
	}
	a->optind = optind;
	return 0;
}

static int mg_cmd_probe(struct mg_args *a, int argc, char **argv)
{
	struct mg_probe probe;
	int err;

	if (geteuid() != 0)
		mg_warn("not root: load tests will report EPERM");
	err = mg_probe_run(&probe);
	if (err) {
		mg_log_errno(err, "failed to probe the kernel");
		return MG_EXIT_ERROR;
	}
	mg_probe_print(&probe, stdout, a->json);
	return MG_EXIT_OK;
}

static int mg_cmd_start(struct mg_args *a, int argc, char **argv)
{
	struct mg_daemon_opts opts = {
		.policy_dir = a->policy_dir,
		.pin_dir = a->pin_dir,
		/* In the foreground events go to stdout, and to a file only when asked. */
		.events = a->foreground ? stdout : NULL,
		.log_dir = a->log_dir	 ? a->log_dir :
			   a->foreground ? NULL :
					   MG_EVENTLOG_DIR_DEFAULT,
		.log_syslog = a->syslog,
		.metrics_path = a->metrics_path,
		.metrics_listen = a->metrics_listen,
		.journal = a->journal,
		.background = !a->foreground,
		.event_rate = a->event_rate,
	};

	return mg_daemon_run(&opts) ? MG_EXIT_ERROR : MG_EXIT_OK;
}

static int mg_cmd_stop(struct mg_args *a, int argc, char **argv)
{
	return mg_daemon_stop(a->pin_dir, a->leave_enforcing);
}

static int mg_cmd_reload(struct mg_args *a, int argc, char **argv)
{
	return mg_daemon_reload_cmd(a->pin_dir, a->policy_dir);
}

static int mg_cmd_status(struct mg_args *a, int argc, char **argv)
{
	int err = mg_status_print(a->pin_dir, a->json, stdout);

	if (err == -ENOENT) {
		if (a->json)
			printf("{\"state\":\"stopped\",\"pin_dir\":\"%s\"}\n", a->pin_dir);
		else
			printf("mguard: not running (nothing pinned at '%s')\n", a->pin_dir);
		return MG_EXIT_NOT_RUNNING;
	}
	if (err) {
		mg_log_errno(err, "failed to read the state pinned at '%s'", a->pin_dir);
		return MG_EXIT_ERROR;
	}
	return MG_EXIT_OK;
}

/* Parse, validate and compile a policy folder; print every diagnostic. */
static int mg_policy_compile(const char *dir, const struct mg_compile_opts *opts,
			     struct mg_policy **ret_policy, struct mg_image **ret_img)
{
	struct mg_diags diags = {};
	int err;

	err = mg_policy_load_dir(dir, ret_policy, &diags);
	if (!err) {
		err = mg_compile(*ret_policy, opts, ret_img, &diags);
		if (err) {
			mg_policy_free(*ret_policy);
			*ret_policy = NULL;
		}
	}
	mg_diags_print(&diags, stderr);
	mg_diags_free(&diags);
	if (err)
		mg_err("policy '%s' has errors", dir);
	return err;
}

static int mg_cmd_policy(struct mg_args *a, int argc, char **argv)
{
	const char *verb = a->optind < argc ? argv[a->optind] : "";
	const char *arg = a->optind + 1 < argc ? argv[a->optind + 1] : NULL;
	struct mg_compile_opts opts = { .cgroup_root = "/" };
	struct mg_policy *policy = NULL;
	struct mg_image *img = NULL;
	char cgroot[PATH_MAX];
	int rc = MG_EXIT_OK, n;

	if (a->optind + 2 < argc) {
		mg_err("policy %s takes one folder", verb);
		return MG_EXIT_USAGE;
	}
	if (mg_cgroup2_mount(cgroot, sizeof(cgroot)) == 0)
		opts.cgroup_root = cgroot;

	if (!strcmp(verb, "check")) {
		/* The policy alone: no look-up of files, cgroups or devices. */
		opts.check_only = 1;
		if (mg_policy_compile(arg ? arg : a->policy_dir, &opts, &policy, &img))
			return MG_EXIT_ERROR;
		printf("policy '%s': %zu tiers, %zu models, %zu scopes: ok\n",
		       arg ? arg : a->policy_dir, policy->ntiers, policy->nmodels, policy->nscopes);
	} else if (!strcmp(verb, "show")) {
		opts.no_cgroups = 1;
		if (mg_policy_compile(arg ? arg : a->policy_dir, &opts, &policy, &img))
			return MG_EXIT_ERROR;
		mg_show_policy(policy, img, a->json, stdout);
	} else if (!strcmp(verb, "scan")) {
		if (!arg) {
			mg_err("policy scan needs a folder to scan");
			return MG_EXIT_USAGE;
		}
		opts.no_cgroups = 1;
		if (mg_policy_compile(a->policy_dir, &opts, &policy, &img))
			return MG_EXIT_ERROR;
		n = mg_scan_print(arg, img, a->json, stdout);
		if (n < 0) {
			mg_log_errno(n, "failed to scan '%s'", arg);
			rc = MG_EXIT_ERROR;
		} else if (n > 0) {
			mg_info("%d weight files under '%s' belong to no model (unknown)", n, arg);
		}
	} else {
		mg_err("unknown policy command '%s' (check, show or scan)", verb);
		return MG_EXIT_USAGE;
	}
	mg_image_free(img);
	mg_policy_free(policy);
	return rc;
}

static int mg_cmd_killswitch(struct mg_args *a, int argc, char **argv)
{
	const char *state = a->optind < argc ? argv[a->optind] : NULL;
	struct mg_control ctl;
	int err;

	if (!state || (strcmp(state, "on") && strcmp(state, "off"))) {
		mg_err("killswitch takes 'on' or 'off'");
		return MG_EXIT_USAGE;
	}
	err = mg_control_read(a->pin_dir, &ctl);
	if (err == -ENOENT) {
		mg_err("mguard is not running: nothing pinned at '%s'", a->pin_dir);
		return MG_EXIT_NOT_RUNNING;
	}
	if (err) {
		mg_log_errno(err, "failed to read the control map in '%s'", a->pin_dir);
		return MG_EXIT_ERROR;
	}
	ctl.killswitch = strcmp(state, "on") == 0;
	err = mg_control_write(a->pin_dir, &ctl);
	if (err) {
		mg_log_errno(err, "failed to set the kill switch");
		return MG_EXIT_ERROR;
	}
	mg_info(ctl.killswitch ?
			"kill switch on: every scope is denied every weight load and connection" :
			"kill switch off: scopes are back under their policy");
	return MG_EXIT_OK;
}

static int mg_cmd_version(struct mg_args *a, int argc, char **argv)
{
	printf("mguard %s\n", MG_VERSION);
	return MG_EXIT_OK;
}

static const struct {
	const char *name;
	int (*run)(struct mg_args *a, int argc, char **argv);
} mg_commands[] = {
	{ "probe", mg_cmd_probe },
	{ "start", mg_cmd_start },
	{ "stop", mg_cmd_stop },
	{ "reload", mg_cmd_reload },
	{ "status", mg_cmd_status },
	{ "policy", mg_cmd_policy },
	{ "killswitch", mg_cmd_killswitch },
	{ "version", mg_cmd_version },
};

int main(int argc, char **argv)
{
	struct mg_args a = {};

	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h"))
		return mg_usage(argc < 2 ? stderr : stdout);
	/* These have options of their own. */
	if (!strcmp(argv[1], "events"))
		return mg_cmd_events(argc - 1, argv + 1);
	if (!strcmp(argv[1], "license"))
		return mg_cmd_license(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return mg_cmd_run(argc - 1, argv + 1);

	for (size_t i = 0; i < sizeof(mg_commands) / sizeof(mg_commands[0]); i++) {
		if (strcmp(argv[1], mg_commands[i].name))
			continue;
		if (mg_parse(argc - 1, argv + 1, &a))
			return mg_usage(stderr);
		if (a.help)
			return mg_usage(stdout);
		return mg_commands[i].run(&a, argc - 1, argv + 1);
	}
	mg_err("unknown command '%s'", argv[1]);
	return mg_usage(stderr);
}
