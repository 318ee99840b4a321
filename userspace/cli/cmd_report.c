// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard report [--since T] [--until T] [--json | --html] [--log-dir DIR | FILE...]
 *
 * The compliance report: the event files read in order (report_read.c),
 * with what the running daemon has in force (report_live.c), printed as
 * text, JSON or HTML.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include "cli/exit.h"
#include "cli/cmd_events.h"
#include "cli/cmd_report.h"
#include "cli/report.h"
#include "core/log.h"
#include "daemon/eventlog.h"
#include "daemon/state.h"
#include "kernel/pinned.h"
#include "kernel/pins.h"

enum mg_report_format {
	MG_REPORT_TEXT,
	MG_REPORT_JSON,
	MG_REPORT_HTML
};

static int mg_report_usage(FILE *out)
{
	fputs("usage: mguard report [--since T] [--until T] [--json | --html]\n"
	      "                     [--log-dir DIR | FILE...] [--pin-dir DIR]\n"
	      "\n"
	      "A compliance report from the event files: per scope, its tier ceiling, what it\n"
	      "may load and was seen loading, its licences and their expiry, violations by\n"
	      "hook and reason over time; the kill switch's and the reloads' history.\n"
	      "\n"
	      "  --since T       from T: RFC 3339 (2026-12-01T00:00:00Z) or an age (90m, 24h, 7d, 2w)\n"
	      "  --until T       up to T (same forms; default: now with --since, else the\n"
	      "                  last event)\n"
	      "  --json          JSON (snake_case fields, \"schema\":1)\n"
	      "  --html          one self-contained HTML file with charts (no script, no network)\n"
	      "  --log-dir DIR   the event files' folder (default: the running daemon's, else\n"
	      "                  " MG_EVENTLOG_DIR_DEFAULT
	      "); FILE... reads those files instead, in order\n"
	      "  --pin-dir DIR   the running daemon to ask for its policy (default " MG_PIN_DIR_DEFAULT
	      ")\n",
	      out);
	return out == stderr ? MG_EXIT_USAGE : MG_EXIT_OK;
}

static int mg_report_time_arg(const char *opt, const char *arg, int64_t now, int64_t *ret)
{
	if (!mg_report_parse_when(arg, now, ret))
		return 0;
	mg_err("invalid %s '%s': RFC 3339 (2026-12-01T10:00:00Z) or an age (90m, 24h, 7d, 2w) "
	       "(try 'mguard report --help')",
	       opt, arg);
	return -EINVAL;
}

/* The event files: the operands, or every file of the folder. */
static int mg_report_read(struct mg_report *r, char **files, int nfiles, const char *dir)
{
	int err;

	for (int i = 0; i < nfiles; i++) {
		err = mg_report_read_file(r, files[i]);
		if (err) {
			mg_log_errno(err, "failed to read the event file '%s'", files[i]);
			return err;
		}
	}
	if (nfiles)
		return 0;
	err = mg_report_read_dir(r, dir);
	if (err == -ENOENT)
		mg_err("no event file in '%s' (%s, %s.N)", dir, MG_EVENTLOG_FILE, MG_EVENTLOG_FILE);
	else if (err < 0)
		mg_log_errno(err, "failed to read the event files in '%s'", dir);
	return err < 0 ? err : 0;
}

static int mg_report_live(struct mg_report *r, const char *pin_dir)
{
	char state[PATH_MAX], why[PATH_MAX + 128];
	pid_t pid = mg_pinned_daemon(pin_dir);

	mg_state_path(pin_dir, state, sizeof(state));
	snprintf(why, sizeof(why),
		 "no daemon runs for '%s': the report has only what the events say (no tier "
		 "ceilings, licences or what scopes may load)",
		 pin_dir);
	return mg_report_add_live(r, state, pid, why);
}

int mg_cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", no_argument, NULL, 'H' },
		{ "log-dir", required_argument, NULL, 'd' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mg_report_opts o = { .now = time(NULL),
				    .since = MG_REPORT_NO_TIME,
				    .until = MG_REPORT_NO_TIME };
	enum mg_report_format format = MG_REPORT_TEXT;
	const char *dir = NULL, *pin_dir = MG_PIN_DIR_DEFAULT;
	char found[PATH_MAX];
	struct mg_report r;
	int c, err;

	optind = 0; /* glibc: start over, whatever parsed before */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			if (mg_report_time_arg("--since", optarg, o.now, &o.since))
				return MG_EXIT_USAGE;
			break;
		case 'U':
			if (mg_report_time_arg("--until", optarg, o.now, &o.until))
				return MG_EXIT_USAGE;
			break;
		case 'j':
		case 'H':
			if (format != MG_REPORT_TEXT) {
				mg_err("--json and --html: one format at a time (try 'mguard report --help')");
				return MG_EXIT_USAGE;
			}
			format = c == 'j' ? MG_REPORT_JSON : MG_REPORT_HTML;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'P':
			pin_dir = optarg;
			break;
		case 'h':
			return mg_report_usage(stdout);
		case ':':
			mg_err("option '%s' needs an argument (try 'mguard report --help')",
			       argv[optind - 1]);
			return MG_EXIT_USAGE;
		default:
			mg_err("unknown option '%s' (try 'mguard report --help')",
			       argv[optind - 1]);
			return MG_EXIT_USAGE;
		}
	}
	if (dir && optind < argc) {
		mg_err("--log-dir and event files: one source at a time (try 'mguard report --help')");
		return MG_EXIT_USAGE;
	}
	if (o.since != MG_REPORT_NO_TIME && o.until != MG_REPORT_NO_TIME && o.since > o.until) {
		mg_err("--since is after --until: an empty window (try 'mguard report --help')");
		return MG_EXIT_USAGE;
	}
	if (!dir && optind == argc) {
		err = mg_events_running_dir(pin_dir, found, sizeof(found));
		if (err > 0)
			return MG_EXIT_ERROR;
		dir = err == 0 ? found : MG_EVENTLOG_DIR_DEFAULT;
	}

	mg_report_init(&r, &o);
	err = mg_report_read(&r, argv + optind, argc - optind, dir);
	if (!err)
		err = mg_report_live(&r, pin_dir);
	if (!err)
		err = mg_report_finish(&r);
	if (err == -ENOMEM)
		mg_log_errno(err, "failed to make the report");
	if (!err) {
		if (format == MG_REPORT_JSON)
			mg_report_print_json(&r, stdout);
		else if (format == MG_REPORT_HTML)
			mg_report_print_html(&r, stdout);
		else
			mg_report_print_text(&r, stdout);
		if (fflush(stdout) || ferror(stdout)) {
			mg_err("failed to write the report: %s", strerror(errno));
			err = -EIO;
		}
	}
	mg_report_free(&r);
	return err ? MG_EXIT_ERROR : MG_EXIT_OK;
}
