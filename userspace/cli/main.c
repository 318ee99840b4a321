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
#include "core/json.h"
#include "cli/cmd_audit.h"
#include "cli/cmd_license.h"
#include "cli/cmd_run.h"
#include "cli/cmd_oci_hook.h"
#include "cli/cmd_policy.h"
#include "compile/compile.h"
#include "cli/cmd_daemon.h"
#include "kernel/control.h"
#include "cli/cmd_events.h"
#include "cli/exit.h"
#include "cli/cmd_report.h"
#include "cli/cmd_seal.h"
#include "daemon/daemon.h"
#include "daemon/eventlog.h"
#include "kernel/loader.h"
#include "core/log.h"
#include "kernel/pins.h"
#include "policy/policy.h"
#include "kernel/probe.h"
#include "kernel/taint.h"
#include "cli/show.h"
#include "cli/status.h"
#include "core/version.h"

#define MG_POLICY_DIR_DEFAULT "/etc/mguard"

/* The options commands share; each command's table says which it takes. */
enum {
	MG_OPT_JSON = 1 << 0,
	MG_OPT_POLICY = 1 << 1,
	MG_OPT_PIN_DIR = 1 << 2,
	MG_OPT_FOREGROUND = 1 << 3,
	MG_OPT_VERBOSE = 1 << 4,
	MG_OPT_LEAVE = 1 << 5,
	MG_OPT_LOG_DIR = 1 << 6,
	MG_OPT_SYSLOG = 1 << 7,
	MG_OPT_METRICS_FILE = 1 << 8,
	MG_OPT_EVENT_RATE = 1 << 9,
	MG_OPT_OFFLINE = 1 << 10,
	MG_OPT_AUDIT = 1 << 11, /* --audit-key, --audit-interval, --log-max-size */
	MG_OPT_METRICS_LISTEN = 1 << 12,
	MG_OPT_JOURNAL = 1 << 13,
};

static const struct {
	int c;
	unsigned int bit;
} mg_opt_bits[] = {
	{ 'j', MG_OPT_JSON },	    { 'p', MG_OPT_POLICY },  { 'P', MG_OPT_PIN_DIR },
	{ 'f', MG_OPT_FOREGROUND }, { 'v', MG_OPT_VERBOSE }, { 'L', MG_OPT_LEAVE },
	{ 'l', MG_OPT_LOG_DIR },    { 's', MG_OPT_SYSLOG },  { 'm', MG_OPT_METRICS_FILE },
	{ 'r', MG_OPT_EVENT_RATE }, { 'O', MG_OPT_OFFLINE }, { 'A', MG_OPT_AUDIT },
	{ 'I', MG_OPT_AUDIT },	    { 'S', MG_OPT_AUDIT },   { 'M', MG_OPT_METRICS_LISTEN },
	{ 'J', MG_OPT_JOURNAL },
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
	{ "offline", no_argument, NULL, 'O' },
	{ "audit-key", required_argument, NULL, 'A' },
	{ "audit-interval", required_argument, NULL, 'I' },
	{ "log-max-size", required_argument, NULL, 'S' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct mg_args {
	bool json, foreground, help, leave_enforcing, syslog, journal;
	const char *log_dir;
	const char *metrics_path;
	const char *metrics_listen;
	const char *policy_dir;
	bool policy_given; /* --policy was on the command line */
	bool offline;	   /* policy show: look nothing up on this machine */
	const char *pin_dir;
	uint32_t event_rate;
	const char *audit_key;
	unsigned int audit_interval;
	uint64_t log_max_bytes;
	int optind;
};

/* A whole decimal number from 1 to @max, or false. */
static bool mg_parse_count(const char *s, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return false;
	*ret = v;
	return true;
}

static int mg_usage(FILE *out)
{
	fputs("usage: mguard COMMAND [OPTIONS]\n"
	      "\n"
	      "commands:\n"
	      "  probe [--json]                      kernel features and the engine of each hook\n"
	      "  start [--foreground] [--policy DIR] enforce a policy; events as JSON lines to the event\n"
	      "                                      file (and stdout in the foreground)\n"
	      "  events [--follow] [--json] [-n N]   the last events from the event file\n"
	      "  report [--since T] [--json|--html]  compliance report from the event files: per\n"
	      "                                      scope, loads, licences, violations over time\n"
	      "  stop [--leave-enforcing]            stop the daemon and detach every hook (or leave them)\n"
	      "  reload [--policy DIR]               check, then put a policy in force atomically: DIR,\n"
	      "                                      or the folder in force\n"
	      "  status [--json]                     what is loaded, engines, counters\n"
	      "  policy check [DIR]                  report every error in a policy folder\n"
	      "  policy show [--json] [--offline] [DIR]\n"
	      "                                      each model's tier and why; what each scope may do\n"
	      "                                      (--offline: files of another machine, not looked up)\n"
	      "  policy scan [--policy DIR] FOLDER   weight files under FOLDER, by model, or unknown\n"
	      "  license keygen|sign|verify ...      issue and check licences (mguard license help)\n"
	      "  audit keygen|verify ...             the event file's signed hash chain (mguard audit help)\n"
	      "  run --scope NAME [...] -- CMD ...   run a command inside a scope (mguard run --help)\n"
	      "  oci-hook [--pin-dir DIR]            OCI runtime hook: bind a container to the scope\n"
	      "                                      its annotation mguard.io/scope names, or refuse it\n"
	      "  killswitch on|off                   deny every scope every weight load and connection\n"
	      "  model reseal FILE                   clear the kernel's mark on a model file written to\n"
	      "  model seal DIR                      enable fs-verity on a model's files; print the\n"
	      "                                      policy's sha256 and verity entries\n"
	      "  version, --version                  print the version\n"
	      "\n"
	      "'mguard COMMAND --help' prints a command's own usage and options.\n"
	      "\n"
	      "options (each command takes only its own):\n"
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

/*
 * Parse the options of command @cmd, which takes those in @allowed; an
 * unknown option, one @cmd does not take, or a missing argument is a
 * one-line usage error.
 */
static int mg_parse(int argc, char **argv, const char *cmd, unsigned int allowed, struct mg_args *a)
{
	int c;

	a->policy_dir = MG_POLICY_DIR_DEFAULT;
	a->event_rate = MG_EVENT_RATE_DEFAULT;
	a->pin_dir = MG_PIN_DIR_DEFAULT;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", mg_common_opts, NULL)) != -1) {
		unsigned int bit = 0;

		for (size_t i = 0; i < sizeof(mg_opt_bits) / sizeof(mg_opt_bits[0]); i++)
			if (mg_opt_bits[i].c == c)
				bit = mg_opt_bits[i].bit;
		if (c == '?' || c == ':') {
			mg_err("%s '%s' (try 'mguard %s --help')",
			       c == ':' ? "option needs an argument:" : "unknown option",
			       argv[optind - 1], cmd);
			return -EINVAL;
		}
		if (bit && !(allowed & bit)) {
			mg_err("'mguard %s' takes no option '%s' (try 'mguard %s --help')", cmd,
			       argv[optind - 1], cmd);
			return -EINVAL;
		}
		switch (c) {
		case 'j':
			a->json = true;
			break;
		case 'p':
			a->policy_dir = optarg;
			a->policy_given = true;
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
		case 'O':
			a->offline = true;
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
				mg_err("invalid --event-rate '%s': a number of events per second per scope (try 'mguard %s --help')",
				       optarg, cmd);
				return -EINVAL;
			}
			a->event_rate = v;
			break;
		}
		case 'A':
			a->audit_key = optarg;
			break;
		case 'I':
		case 'S': {
			uint64_t v;

			if (!mg_parse_count(optarg, c == 'I' ? 86400 : UINT64_MAX / 2, &v)) {
				mg_err("invalid %s '%s': %s (try 'mguard %s --help')",
				       c == 'I' ? "--audit-interval" : "--log-max-size", optarg,
				       c == 'I' ? "seconds, 1 to 86400" : "a number of bytes", cmd);
				return -EINVAL;
			}
			if (c == 'I')
				a->audit_interval = v;
			else
				a->log_max_bytes = v;
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
		.audit_key = a->audit_key,
		.audit_interval = a->audit_interval,
		.log_max_bytes = a->log_max_bytes,
	};

	if ((a->audit_key || a->audit_interval || a->log_max_bytes) && !opts.log_dir) {
		mg_err("--audit-key, --audit-interval and --log-max-size are about the event file: "
		       "they need --log-dir in the foreground (try 'mguard start --help')");
		return MG_EXIT_USAGE;
	}
	if (a->audit_interval && !a->audit_key) {
		mg_err("--audit-interval needs --audit-key: without a key no checkpoint is signed");
		return MG_EXIT_USAGE;
	}
	return mg_daemon_run(&opts) ? MG_EXIT_ERROR : MG_EXIT_OK;
}

static int mg_cmd_stop(struct mg_args *a, int argc, char **argv)
{
	return mg_daemon_stop(a->pin_dir, a->leave_enforcing);
}

static int mg_cmd_reload(struct mg_args *a, int argc, char **argv)
{
	/* Without --policy: the folder the daemon has in force. */
	return mg_daemon_reload_cmd(a->pin_dir, a->policy_given ? a->policy_dir : NULL);
}

static int mg_cmd_status(struct mg_args *a, int argc, char **argv)
{
	int err = mg_status_print(a->pin_dir, a->json, stdout);

	if (err == -ENOENT) {
		if (a->json) {
			struct mg_json j;

			mg_json_init(&j, stdout);
			mg_json_object_begin(&j, NULL);
			mg_json_str(&j, "state", "stopped");
			mg_json_str(&j, "pin_dir", a->pin_dir);
			mg_json_object_end(&j);
			mg_json_end_line(&j);
		} else
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
	const struct mg_policy_cmd o = {
		.policy_dir = a->policy_dir,
		.policy_given = a->policy_given,
		.json = a->json,
		.offline = a->offline,
	};

	if (a->optind + 2 < argc) {
		mg_err("policy %s takes one folder (try 'mguard policy --help')",
		       a->optind < argc ? argv[a->optind] : "");
		return MG_EXIT_USAGE;
	}
	return mg_policy_cmd_run(&o, a->optind < argc ? argv[a->optind] : "",
				 a->optind + 1 < argc ? argv[a->optind + 1] : NULL);
}

static int mg_cmd_killswitch(struct mg_args *a, int argc, char **argv)
{
	const char *state = a->optind < argc ? argv[a->optind] : NULL;
	struct mg_control ctl;
	int err;

	if (!state || (strcmp(state, "on") && strcmp(state, "off"))) {
		mg_err("killswitch takes 'on' or 'off' (try 'mguard killswitch --help')");
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
	ctl.changes++;
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

/*
 * model reseal FILE: the operator vouches for a model file written since it was verified.
 * model seal DIR: fs-verity on a model's files, and the policy entries that name them.
 */
static int mg_cmd_model(struct mg_args *a, int argc, char **argv)
{
	const char *verb = a->optind < argc ? argv[a->optind] : "";
	int err;

	if (!strcmp(verb, "seal") && a->optind + 2 == argc)
		return mg_model_seal(argv[a->optind + 1], stdout) ? MG_EXIT_ERROR : MG_EXIT_OK;
	if (strcmp(verb, "reseal") || a->optind + 2 != argc) {
		mg_err("usage: mguard model reseal FILE | mguard model seal DIR (try 'mguard model "
		       "--help')");
		return MG_EXIT_USAGE;
	}
	err = mg_taint_reseal(a->pin_dir, argv[a->optind + 1]);
	if (err == -ESRCH) {
		mg_info("'%s' is not marked: nothing to re-seal", argv[a->optind + 1]);
		return MG_EXIT_OK;
	}
	if (err) {
		mg_log_errno(err, "failed to re-seal '%s'", argv[a->optind + 1]);
		return MG_EXIT_ERROR;
	}
	mg_info("re-sealed '%s': scopes may load it again", argv[a->optind + 1]);
	return MG_EXIT_OK;
}

static int mg_cmd_version(struct mg_args *a, int argc, char **argv)
{
	printf("mguard %s\n", MG_VERSION);
	return MG_EXIT_OK;
}

#define MG_HELP_POLICY "  --policy DIR    policy folder (default " MG_POLICY_DIR_DEFAULT ")\n"
#define MG_HELP_PIN_DIR \
	"  --pin-dir DIR   bpffs folder of the daemon's pins (default " MG_PIN_DIR_DEFAULT ")\n"
#define MG_HELP_JSON	"  --json          JSON (snake_case fields)\n"
#define MG_HELP_VERBOSE "  --verbose       libbpf and debug messages\n"

/* The commands that share the options above: each with its own usage and options. */
static const struct mg_command {
	const char *name;
	int (*run)(struct mg_args *a, int argc, char **argv);
	unsigned int options;
	const char *usage;
} mg_commands[] = {
	{ "probe", mg_cmd_probe, MG_OPT_JSON | MG_OPT_VERBOSE,
	  "usage: mguard probe [--json] [--verbose]\n\n"
	  "What this kernel can do (BPF LSM, trampolines, tracepoints, cgroup programs)\n"
	  "and the engine each hook gets.\n\n" MG_HELP_JSON MG_HELP_VERBOSE },
	{ "start", mg_cmd_start,
	  MG_OPT_POLICY | MG_OPT_PIN_DIR | MG_OPT_FOREGROUND | MG_OPT_VERBOSE | MG_OPT_LOG_DIR |
		  MG_OPT_SYSLOG | MG_OPT_METRICS_FILE | MG_OPT_EVENT_RATE | MG_OPT_AUDIT |
		  MG_OPT_METRICS_LISTEN | MG_OPT_JOURNAL,
	  "usage: mguard start [--foreground] [--policy DIR] [--pin-dir DIR] [--log-dir DIR]\n"
	  "                    [--syslog] [--journal] [--metrics-file FILE]\n"
	  "                    [--metrics-listen ADDR:PORT] [--event-rate N]\n"
	  "                    [--audit-key FILE] [--audit-interval S] [--log-max-size BYTES]\n"
	  "                    [--verbose]\n\n"
	  "Enforce a policy. Events are JSON lines (docs/events.md) in the event file,\n"
	  "and on stdout in the foreground.\n\n" MG_HELP_POLICY MG_HELP_PIN_DIR
	  "  --foreground    stay in the foreground; events to stdout (and to the event\n"
	  "                  file only with --log-dir)\n"
	  "  --log-dir DIR   event file folder (default " MG_EVENTLOG_DIR_DEFAULT
	  " in the background)\n"
	  "  --syslog        also send each event to syslog\n"
	  "  --journal       also send each event to journald, with MGUARD_* fields\n"
	  "  --metrics-listen ADDR:PORT  serve /metrics, /healthz and /readyz over HTTP\n"
	  "  --metrics-file FILE  Prometheus text for node_exporter, rewritten every second\n"
	  "  --event-rate N  events per second per scope before it is rate-limited (0: none)\n"
	  "  --audit-key FILE  sign the event file's hash chain with this Ed25519 private\n"
	  "                  key (mode 0600; see 'mguard audit keygen')\n"
	  "  --audit-interval S  seconds between signed checkpoints (default 10)\n"
	  "  --log-max-size BYTES  rotate the event file past this size (default 64 MiB)\n" MG_HELP_VERBOSE },
	{ "stop", mg_cmd_stop, MG_OPT_PIN_DIR | MG_OPT_LEAVE | MG_OPT_VERBOSE,
	  "usage: mguard stop [--leave-enforcing] [--pin-dir DIR]\n\n"
	  "Stop the daemon and detach every hook.\n\n"
	  "  --leave-enforcing  exit, leaving every hook attached and pinned (upgrades)\n" MG_HELP_PIN_DIR
		  MG_HELP_VERBOSE },
	{ "reload", mg_cmd_reload, MG_OPT_PIN_DIR | MG_OPT_POLICY | MG_OPT_VERBOSE,
	  "usage: mguard reload [--policy DIR] [--pin-dir DIR]\n\n"
	  "Check a policy, then put it in force atomically (the old one stays on error).\n\n" MG_HELP_POLICY
		  MG_HELP_PIN_DIR MG_HELP_VERBOSE },
	{ "status", mg_cmd_status, MG_OPT_PIN_DIR | MG_OPT_JSON | MG_OPT_VERBOSE,
	  "usage: mguard status [--json] [--pin-dir DIR]\n\n"
	  "What is loaded: engines, scopes, licences, counters. Exit 3 when not running.\n\n" MG_HELP_JSON
		  MG_HELP_PIN_DIR MG_HELP_VERBOSE },
	{ "policy", mg_cmd_policy, MG_OPT_POLICY | MG_OPT_JSON | MG_OPT_VERBOSE | MG_OPT_OFFLINE,
	  "usage: mguard policy check [DIR]\n"
	  "       mguard policy show [--json] [--offline] [DIR]\n"
	  "       mguard policy scan [--json] [--policy DIR] FOLDER\n\n"
	  "check: report every error in a policy folder (default " MG_POLICY_DIR_DEFAULT ").\n"
	  "show:  each model's tier and why; what each scope may do (--offline: a\n"
	  "       policy for another machine, its files not looked up).\n"
	  "scan:  weight files under FOLDER, by model, or unknown; exit 1 when some\n"
	  "       are unknown. Without a policy folder every weight file is unknown.\n\n" MG_HELP_JSON
		  MG_HELP_POLICY MG_HELP_VERBOSE },
	{ "killswitch", mg_cmd_killswitch, MG_OPT_PIN_DIR | MG_OPT_VERBOSE,
	  "usage: mguard killswitch on|off [--pin-dir DIR]\n\n"
	  "on: deny every scope every weight load and connection, until off. Each\n"
	  "change is an event.\n\n" MG_HELP_PIN_DIR MG_HELP_VERBOSE },
	{ "model", mg_cmd_model, MG_OPT_PIN_DIR | MG_OPT_VERBOSE,
	  "usage: mguard model reseal FILE [--pin-dir DIR]\n"
	  "       mguard model seal DIR\n\n"
	  "reseal: clear the kernel's mark on a model file written to since its digest\n"
	  "        was verified; the operator vouches for its content.\n"
	  "seal:   enable fs-verity (SHA-256, 4096-byte blocks) on every regular file\n"
	  "        under DIR, and print the model's sha256 and verity entries to paste\n"
	  "        into the policy. Exit 1 when the file system has no fs-verity.\n\n" MG_HELP_PIN_DIR
		  MG_HELP_VERBOSE },
	{ "version", mg_cmd_version, 0, "usage: mguard version\n\nPrint the version.\n" },
};

static bool mg_command_takes_operands(const struct mg_command *cmd)
{
	return cmd->run == mg_cmd_policy || cmd->run == mg_cmd_killswitch ||
	       cmd->run == mg_cmd_model;
}

int main(int argc, char **argv)
{
	struct mg_args a = {};

	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h"))
		return mg_usage(argc < 2 ? stderr : stdout);
	/* These have options of their own. */
	if (!strcmp(argv[1], "events"))
		return mg_cmd_events(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return mg_cmd_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "license"))
		return mg_cmd_license(argc - 1, argv + 1);
	if (!strcmp(argv[1], "audit"))
		return mg_cmd_audit(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return mg_cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "oci-hook"))
		return mg_cmd_oci_hook(argc - 1, argv + 1);

	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return mg_cmd_version(&a, argc - 1, argv + 1);

	for (size_t i = 0; i < sizeof(mg_commands) / sizeof(mg_commands[0]); i++) {
		const struct mg_command *cmd = &mg_commands[i];

		if (strcmp(argv[1], cmd->name))
			continue;
		if (mg_parse(argc - 1, argv + 1, cmd->name, cmd->options, &a))
			return MG_EXIT_USAGE;
		if (a.help) {
			fputs(cmd->usage, stdout);
			return MG_EXIT_OK;
		}
		if (!mg_command_takes_operands(cmd) && a.optind < argc - 1) {
			mg_err("'mguard %s' takes no operand '%s' (try 'mguard %s --help')",
			       cmd->name, argv[a.optind + 1], cmd->name);
			return MG_EXIT_USAGE;
		}
		return cmd->run(&a, argc - 1, argv + 1);
	}
	mg_err("unknown command '%s' (try 'mguard --help')", argv[1]);
	return MG_EXIT_USAGE;
}
