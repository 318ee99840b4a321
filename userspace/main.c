// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard: the command line. A flat table of commands, bpftool-style; each
 * command parses its own options and returns an exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "loader.h"
#include "log.h"
#include "pins.h"
#include "policy.h"
#include "probe.h"
#include "status.h"

#define MG_VERSION "0.1.0"
#define MG_POLICY_DIR_DEFAULT "/etc/mguard"

/* Exit statuses: 0 fine, 1 error, 2 usage, 3 not running (as systemctl status). */
enum { MG_EXIT_OK = 0, MG_EXIT_ERROR = 1, MG_EXIT_USAGE = 2, MG_EXIT_NOT_RUNNING = 3 };

static const struct option mg_common_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "policy", required_argument, NULL, 'p' },
	{ "pin-dir", required_argument, NULL, 'P' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct mg_args {
	bool json, foreground, help;
	const char *policy_dir;
	const char *pin_dir;
	int optind;
};

static int mg_usage(FILE *out)
{
	fputs("usage: mguard COMMAND [OPTIONS]\n"
	      "\n"
	      "commands:\n"
	      "  probe [--json]                      kernel features and the engine of each hook\n"
	      "  start --foreground [--policy DIR]   enforce a policy, print events as JSON lines\n"
	      "  stop                                detach and remove what a guard left pinned\n"
	      "  status [--json]                     what is loaded, engines, counters\n"
	      "  policy check [DIR]                  report every error in a policy folder\n"
	      "  version\n"
	      "\n"
	      "options:\n"
	      "  --policy DIR    policy folder (default " MG_POLICY_DIR_DEFAULT ")\n"
	      "  --pin-dir DIR   bpffs folder for pinned maps and links (default " MG_PIN_DIR_DEFAULT ")\n"
	      "  --verbose       libbpf and debug messages\n",
	      out);
	return out == stderr ? MG_EXIT_USAGE : MG_EXIT_OK;
}

/* Parse the options every command shares; unknown ones are a usage error. */
static int mg_parse(int argc, char **argv, struct mg_args *a)
{
	int c;

	a->policy_dir = MG_POLICY_DIR_DEFAULT;
	a->pin_dir = MG_PIN_DIR_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", mg_common_opts, NULL)) != -1) {
		switch (c) {
		case 'j': a->json = true; break;
		case 'p': a->policy_dir = optarg; break;
		case 'P': a->pin_dir = optarg; break;
		case 'f': a->foreground = true; break;
		case 'v': mg_log_verbose = true; break;
		case 'h': a->help = true; break;
		default: return -EINVAL;
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
		.events = stdout,
	};

	if (!a->foreground) {
		mg_err("only '--foreground' is available: run it under a service manager");
		return MG_EXIT_USAGE;
	}
	return mg_daemon_run(&opts) ? MG_EXIT_ERROR : MG_EXIT_OK;
}

static int mg_cmd_stop(struct mg_args *a, int argc, char **argv)
{
	int err;

	if (access(a->pin_dir, F_OK) < 0) {
		mg_info("not running: nothing pinned at '%s'", a->pin_dir);
		return MG_EXIT_OK;
	}
	err = mg_loader_unpin_all(a->pin_dir);
	if (err) {
		mg_log_errno(err, "failed to remove '%s'", a->pin_dir);
		return MG_EXIT_ERROR;
	}
	mg_info("removed every pinned map and link under '%s'", a->pin_dir);
	return MG_EXIT_OK;
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

static int mg_cmd_policy(struct mg_args *a, int argc, char **argv)
{
	const char *verb = a->optind < argc ? argv[a->optind] : NULL;
	const char *dir = a->optind + 1 < argc ? argv[a->optind + 1] : a->policy_dir;
	struct mg_diags diags = {};
	struct mg_policy *policy;
	int err;

	if (!verb || strcmp(verb, "check") != 0) {
		mg_err("unknown policy command '%s' (try 'mguard policy check DIR')", verb ? verb : "");
		return MG_EXIT_USAGE;
	}
	err = mg_policy_load_dir(dir, &policy, &diags);
	mg_diags_print(&diags, stderr);
	mg_diags_free(&diags);
	if (err) {
		mg_err("policy '%s' has errors", dir);
		return MG_EXIT_ERROR;
	}
	printf("policy '%s': %zu tiers, %zu models, %zu scopes: ok\n", dir, policy->ntiers,
	       policy->nmodels, policy->nscopes);
	mg_policy_free(policy);
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
	{ "status", mg_cmd_status },
	{ "policy", mg_cmd_policy },
	{ "version", mg_cmd_version },
};

int main(int argc, char **argv)
{
	struct mg_args a = {};

	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return mg_usage(argc < 2 ? stderr : stdout);

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
