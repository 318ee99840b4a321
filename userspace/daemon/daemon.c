// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/names.h"
#include "core/cgroup.h"
#include "core/util.h"
#include "daemon/audit_chain.h"
#include "daemon/audit_trail.h"
#include "daemon/daemon.h"
#include "daemon/daemon_internal.h"
#include "daemon/eventlog.h"
#include "daemon/events.h"
#include "kernel/loader.h"
#include "core/log.h"
#include "core/version.h"
#include "daemon/background.h"
#include "daemon/engines.h"
#include "daemon/http.h"
#include "daemon/journal.h"
#include "daemon/metrics.h"
#include "daemon/rehash.h"
#include "daemon/notify.h"
#include "kernel/probe.h"
#include "daemon/state.h"
#include "kernel/pinned.h"
#include "kernel/ringbuf.h"

/* Set by signal handlers, acted on by the main loop. */
static volatile sig_atomic_t mg_stop_signal;	/* SIGINT, SIGTERM: detach everything */
static volatile sig_atomic_t mg_release_signal; /* SIGUSR1: exit, leave enforcing */
/* Events read at once above which the reader pauses, so the next ones come in batches. */
#define MG_EVENT_BATCH_HINT 32

static volatile sig_atomic_t mg_reload_signal; /* SIGHUP */
static volatile sig_atomic_t mg_reopen_signal; /* SIGUSR2: logrotate renamed the files */

static void mg_on_signal(int sig)
{
	if (sig == SIGHUP)
		mg_reload_signal = 1;
	else if (sig == SIGUSR2)
		mg_reopen_signal = 1;
	else if (sig == SIGUSR1)
		mg_release_signal = 1;
	else
		mg_stop_signal = sig;
}

static void mg_journal_event(struct mg_daemon *d, const struct mg_event *e, const char *line,
			     size_t len)
{
	int err = mg_journal_send(&d->journal, e, d->img, line, len);

	if (err && !d->journal_warned) {
		mg_log_errno(err, "failed to send an event to journald (counted; warned once)");
		d->journal_warned = true;
	}
}

/* Each event is formatted once; both outputs get the same line. */
static int mg_on_event(void *ctx, void *data, size_t size)
{
	struct mg_daemon *d = ctx;
	char buf[MG_EVENT_JSON_BUF], *line = buf;
	size_t len;

	if (size < sizeof(struct mg_event))
		return 0;
	len = mg_event_format_json(buf, sizeof(buf), data, &d->ctx);
	if (len > sizeof(buf)) {
		/* Very long names: measured above, made whole here. */
		line = malloc(len);
		if (!line)
			return 0;
		mg_event_format_json(line, len, data, &d->ctx);
	}
	if (d->opts->events)
		fwrite(line, 1, len, d->opts->events);
	if (d->log)
		mg_eventlog_append(d->log, line, len);
	if (d->opts->journal)
		mg_journal_event(d, data, line, len);
	if (line != buf)
		free(line);
	mg_metrics_scope_count(d->scope_stats, d->nscope_stats, data);
	d->events++;
	return 0;
}

/*
 * @st: the pinned state read for this tick, or NULL when it could not be
 * (@st_err). One text, from metrics.c, for the file and for /metrics.
 */
static void mg_daemon_write_metrics(struct mg_daemon *d, const struct mg_pinned *st, int st_err)
{
	struct mg_metrics_extra x = {
		.events_written = d->events,
		.version = MG_VERSION,
		.scopes = d->scope_stats,
		.nscopes = d->nscope_stats,
		.img = d->img,
	};
	const char *why = "cannot read the pinned state";
	struct mg_eventlog_stats ls;
	bool ready = false;
	char *text = NULL;
	size_t len = 0;
	int err = st_err;

	if (d->log) {
		mg_eventlog_get_stats(d->log, &ls);
		x.events_written = ls.lines;
		x.events_lost = ls.lost;
	}
	x.licenses_expiring =
		mg_metrics_licenses_expiring(d->img, time(NULL), MG_METRICS_LICENSE_SOON);
	if (!err) {
		x.policy_loaded_at = st->cfg.loaded_at;
		ready = mg_metrics_ready(st, &why);
		if (d->opts->metrics_path)
			err = mg_metrics_write_file(d->opts->metrics_path, st, &x);
	}
	if (d->opts->metrics_path) {
		if (err && !d->metrics_failing)
			mg_log_errno(err, "failed to write metrics to '%s'", d->opts->metrics_path);
		d->metrics_failing = err != 0;
	}
	if (!d->http)
		return;
	if (!st_err && mg_metrics_render(st, &x, &text, &len))
		text = NULL; /* out of memory: the last text is served again */
	mg_http_publish(d->http, text, len, ready, why, time(NULL));
	free(text);
}

/* Report events the kernel dropped since the last look, as a notice line. */
static void mg_report_drops(struct mg_daemon *d, const struct mg_pinned *st)
{
	uint64_t total = st->counters[MG_ERR_COUNTER_BASE + MG_ERR_RINGBUF_FULL];

	if (total <= d->drops_seen)
		return;
	mg_warn("%llu events dropped: the ring buffer was full",
		(unsigned long long)(total - d->drops_seen));
	if (d->opts->events)
		mg_drops_print_json(d->opts->events, &d->ctx, total - d->drops_seen, total);
	if (d->log_stream)
		mg_drops_print_json(d->log_stream, &d->ctx, total - d->drops_seen, total);
	d->drops_seen = total;
}

/* Once a second: one read of the pinned state serves the drop notice and the metrics. */
static void mg_daemon_tick(struct mg_daemon *d)
{
	struct mg_pinned *st = calloc(1, sizeof(*st));
	int err = st ? mg_pinned_read(d->opts->pin_dir, st) : -ENOMEM;

	if (!err)
		mg_report_drops(d, st);
	if (!err)
		mg_event_note_killswitch(&d->ctx, d->opts->events, d->log, st->ctl.killswitch != 0,
					 st->ctl.changes, &d->killswitch);
	/* Marked model files that the policy has digests for: hashed again. */
	if (!err && st->ntainted && d->policy)
		mg_rehash_tainted(d->opts->pin_dir, d->policy, d->digests);
	if (d->log)
		mg_eventlog_checkpoint(d->log, false);
	if (d->opts->metrics_path || d->http)
		mg_daemon_write_metrics(d, st, err);
	free(st);
}

static size_t mg_room_for(size_t n)
{
	/* Two generations live side by side during a reload, plus headroom. */
	return 2 * n + 1024;
}

static int mg_daemon_setup(struct mg_daemon *d)
{
	struct mg_loader_opts lopts = { .pin_dir = d->opts->pin_dir };
	struct mg_policy *policy;
	struct mg_image *img;
	struct mg_probe probe;
	int err;

	char why[128];

	if (d->opts->metrics_listen) {
		struct sockaddr_storage addr;
		socklen_t addr_len;

		/* A bad address is refused before anything is loaded. */
		if (mg_http_parse_listen(d->opts->metrics_listen, &addr, &addr_len, why,
					 sizeof(why))) {
			mg_err("invalid --metrics-listen '%s': %s", d->opts->metrics_listen, why);
			return -EINVAL;
		}
	}
	if (geteuid() != 0) {
		mg_err("'mguard start' needs root (CAP_BPF, CAP_SYS_ADMIN, CAP_PERFMON)");
		return -EPERM;
	}
	if (!realpath(d->opts->policy_dir, d->policy_dir))
		snprintf(d->policy_dir, sizeof(d->policy_dir), "%s", d->opts->policy_dir);
	/* A request left by a reload that never reached a daemon is not this one's. */
	mg_reload_request_take(d->opts->pin_dir, NULL, 0);
	if (d->opts->metrics_listen) {
		/* Bound here, so a taken port is said on the terminal; served once ready. */
		err = mg_http_open(d->opts->metrics_listen, &d->http);
		if (err)
			return err;
	}
	mg_journal_init(&d->journal, NULL);
	if (d->opts->log_dir) {
		err = mg_eventlog_open(d->opts->log_dir, d->opts->log_max_bytes, d->opts->log_keep,
				       &d->log);
		if (err)
			return mg_log_errno(err, "failed to open the event file in '%s'",
					    d->opts->log_dir);
		d->log_stream = mg_eventlog_stream(d->log);
		if (!d->log_stream)
			return mg_log_errno(-errno, "failed to open a stream on '%s'",
					    mg_eventlog_path(d->log));
		mg_eventlog_set_syslog(d->log, d->opts->log_syslog);
		err = mg_audit_trail_start(d->log, d->opts->audit_key, d->opts->audit_interval,
					   &d->ctx, &d->chain);
		if (err)
			return err;
	} else if (d->opts->audit_key) {
		mg_err("--audit-key signs the event file: it needs --log-dir");
		return -EINVAL;
	}
	err = mg_digest_cache_open(NULL, &d->digests);
	if (err)
		return err;
	err = mg_loader_mount_fs();
	if (err)
		return err;
	err = mg_cgroup2_mount(d->cgroup_root, sizeof(d->cgroup_root));
	if (err)
		return mg_log_errno(err, "failed to find the cgroup v2 mount");
	err = mg_event_sources_new(d->cgroup_root, &d->sources);
	if (err)
		return err;
	mg_event_sources_bind(d->sources, &d->ctx);
	mg_event_note_daemon(&d->ctx, d->opts->events, d->log, "daemon_start", "pin_dir",
			     d->opts->pin_dir, 0);

	err = mg_probe_run(&probe);
	if (err)
		return mg_log_errno(err, "failed to probe the kernel");
	err = mg_daemon_engines(&probe, lopts.engine);
	if (err)
		return err;

	err = mg_compile_policy(d, d->policy_dir, &policy, &img);
	if (err)
		return err;

	lopts.cgroup_root = d->cgroup_root;
	lopts.max_inodes = mg_room_for(mg_loader_inode_entries(img));
	lopts.max_egress = mg_room_for(img->negress);
	lopts.max_licenses = mg_room_for(img->nlicenses);
	lopts.max_devices = mg_room_for(img->ndevices);
	lopts.max_outputs = mg_room_for(img->noutputs + MG_MAX_SYSTEM_READS);
	lopts.event_rate = d->opts->event_rate;
	lopts.compat_entry = probe.compat_entry;
	err = mg_loader_load(&lopts, &d->loader);
	if (!err)
		err = mg_switch_policy(d, policy, img);
	if (err) {
		mg_image_free(img);
		mg_policy_free(policy);
		return err;
	}

	d->rb = mg_ringbuf_new(mg_loader_events_fd(d->loader), mg_on_event, d);
	if (!d->rb)
		return mg_log_errno(-errno, "failed to open the event ring buffer");
	d->boot_offset = mg_boot_to_realtime_offset();
	d->ctx.boot_offset_ns = d->boot_offset;

	for (int h = 0; h < MG_HOOK__COUNT; h++)
		mg_info("hook %-13s engine %s", mg_hook_name(h), mg_engine_name(probe.engine[h]));
	if (d->opts->background) {
		/* Errors so far reached the terminal; from here on the log does. */
		char log_path[PATH_MAX];

		snprintf(log_path, sizeof(log_path), "%s/mguard.log",
			 d->opts->log_dir ? d->opts->log_dir : "/tmp");
		err = mg_daemonize(d->opts->log_dir ? log_path : NULL);
		if (!err)
			err = mg_loader_set_daemon_pid(d->loader, getpid());
		if (err)
			return mg_log_errno(err, "failed to go to the background");
		if (d->opts->log_dir) {
			snprintf(d->mguard_log, sizeof(d->mguard_log), "%s", log_path);
			mg_log_timestamps = true; /* a file: each line says when */
		}
	}
	if (d->http) {
		err = mg_http_serve(d->http);
		if (err)
			return err;
		mg_info("serving /metrics, /healthz and /readyz on port %u", mg_http_port(d->http));
	}
	mg_pid_path(d->opts->pin_dir, d->pid_file, sizeof(d->pid_file));
	err = mg_pid_write(d->pid_file);
	if (err) {
		mg_log_errno(err, "failed to write the pid file '%s'", d->pid_file);
		*d->pid_file = '\0';
	}
	mg_info("ready (pid %d)", (int)getpid());
	mg_notify_ready(d->gen, (unsigned long long)getpid());
	return 0;
}

/* SIGUSR2: logrotate renamed the event file and mguard.log; write to new ones. */
static void mg_daemon_reopen_logs(struct mg_daemon *d)
{
	int err;

	if (d->log) {
		err = mg_eventlog_reopen(d->log);
		if (err)
			mg_log_errno(err, "failed to reopen the event file '%s'",
				     mg_eventlog_path(d->log));
	}
	if (*d->mguard_log) {
		err = mg_reopen_stderr(d->mguard_log);
		if (err)
			mg_log_errno(err, "failed to reopen '%s'", d->mguard_log);
	}
	mg_info("reopened the log files on SIGUSR2");
}

static void mg_daemon_teardown(struct mg_daemon *d, bool leave_enforcing)
{
	/* Nothing answers "ready" while what it says is being taken down. */
	mg_http_stop(d->http);
	d->http = NULL;
	if (*d->pid_file)
		unlink(d->pid_file);
	mg_ringbuf_free(d->rb);
	if (d->sources)
		mg_event_note_daemon(&d->ctx, d->opts->events, d->log, "daemon_stop", "hooks",
				     leave_enforcing ? "left_enforcing" : "detached",
				     mg_stop_signal);
	if (d->opts->events)
		fflush(d->opts->events);
	if (!leave_enforcing && d->loader) {
		char path[PATH_MAX];

		mg_state_path(d->opts->pin_dir, path, sizeof(path));
		unlink(path);
	}
	if (d->log) {
		mg_eventlog_checkpoint(d->log, true);
		mg_eventlog_flush(d->log);
	}
	mg_eventlog_close(d->log);
	mg_audit_chain_free(d->chain);
	/* No stale metrics that say something is enforcing when nothing is. */
	if (d->opts->metrics_path && !leave_enforcing)
		unlink(d->opts->metrics_path);
	if (leave_enforcing) {
		mg_loader_release(d->loader);
	} else {
		mg_loader_destroy(d->loader);
		mg_scope_cgroups_remove(&d->created);
	}
	mg_scope_cgroups_free(&d->created);
	mg_image_free(d->img);
	mg_policy_free(d->policy);
	mg_digest_cache_free(d->digests);
	mg_event_sources_free(d->sources);
	mg_journal_free(&d->journal);
	free(d->scope_stats);
}

int mg_daemon_run(const struct mg_daemon_opts *opts)
{
	struct sigaction sa = { .sa_handler = mg_on_signal };
	struct mg_daemon d = { .opts = opts };
	time_t last_check = 0;
	int err;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	err = mg_daemon_setup(&d);
	while (!err && !mg_stop_signal && !mg_release_signal) {
		int n;

		if (mg_reopen_signal) {
			mg_reopen_signal = 0;
			mg_daemon_reopen_logs(&d);
		}
		if (mg_reload_signal) {
			mg_reload_signal = 0;
			mg_daemon_reload(&d);
		} else if (time(NULL) != last_check) {
			last_check = time(NULL); /* at most once a second */
			if (mg_scopes_moved(&d)) {
				mg_warn("a scope's cgroup was removed or re-created: recompiling");
				mg_daemon_reload(&d);
			}
			mg_daemon_tick(&d);
		}
		n = mg_ringbuf_poll(d.rb, 200);
		if (n < 0 && n != -EINTR) {
			err = mg_log_errno(n, "failed to read the event ring buffer");
			break;
		}
		/*
		 * A stream of events: let the next ones gather for a moment. The
		 * kernel wakes a reader only once it has caught up, so a reader
		 * that keeps catching up is woken once per event, and that costs
		 * more than the event; 1 ms of a busy stream fits the ring many
		 * times over.
		 */
		if (n >= MG_EVENT_BATCH_HINT)
			usleep(1000);
		if (opts->events)
			fflush(opts->events);
		if (d.log) {
			int lerr = mg_eventlog_flush(d.log);

			if (lerr && time(NULL) - d.log_warned >= 60) {
				mg_log_errno(lerr, "failed to write events to '%s'",
					     mg_eventlog_path(d.log));
				d.log_warned = time(NULL);
			}
		}
	}
	if (d.rb)
		mg_ringbuf_consume(d.rb);
	if (opts->events)
		fflush(opts->events);
	if (mg_release_signal && !err) {
		mg_info("exiting on SIGUSR1: every hook stays attached and pinned for the next daemon");
		mg_notify_stopping("exiting: every hook stays attached and pinned");
	} else if (mg_stop_signal) {
		mg_info("stopping on signal %d: detaching every hook", (int)mg_stop_signal);
		mg_notify_stopping("stopping: detaching every hook");
	}
	/*
	 * SIGUSR1 leaves everything enforcing; so does a failed start that had
	 * adopted a previous daemon's state: what was in force stays in force.
	 */
	mg_daemon_teardown(&d, (mg_release_signal && !err) || (err && mg_loader_adopted(d.loader)));
	return err;
}
