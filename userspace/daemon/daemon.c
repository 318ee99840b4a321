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
#include "compile/compile.h"
#include "daemon/audit_chain.h"
#include "daemon/audit_trail.h"
#include "daemon/daemon.h"
#include "daemon/daemonize.h"
#include "compile/digest.h"
#include "daemon/event_ctx.h"
#include "daemon/eventlog.h"
#include "daemon/events.h"
#include "kernel/loader.h"
#include "core/log.h"
#include "daemon/metrics.h"
#include "policy/policy.h"
#include "kernel/probe.h"
#include "daemon/state.h"
#include "kernel/pinned.h"
#include "kernel/ringbuf.h"

static volatile sig_atomic_t mg_stop_signal;	/* SIGINT, SIGTERM: detach everything */
static volatile sig_atomic_t mg_release_signal; /* SIGUSR1: exit, leave enforcing */
/* Events read at once above which the reader pauses, so the next ones come in batches. */
#define MG_EVENT_BATCH_HINT 32

static volatile sig_atomic_t mg_reload_signal; /* SIGHUP */

static void mg_on_signal(int sig)
{
	if (sig == SIGHUP)
		mg_reload_signal = 1;
	else if (sig == SIGUSR1)
		mg_release_signal = 1;
	else
		mg_stop_signal = sig;
}

struct mg_created_cgroup {
	char *path;
	int levels; /* how many folders up to take back */
};

struct mg_daemon {
	const struct mg_daemon_opts *opts;
	char policy_dir[PATH_MAX]; /* in force: opts->policy_dir, or what 'reload --policy' sent */
	char cgroup_root[PATH_MAX];
	struct mg_policy *policy; /* in force */
	struct mg_image *img;
	struct mg_loader *loader;
	struct mg_ringbuf *rb;
	struct mg_created_cgroup *created; /* scope cgroups this daemon made */
	size_t ncreated;
	int64_t boot_offset;
	unsigned long long events;
	struct mg_digest_cache
		*digests;	      /* kept across reloads: unchanged weights are not re-read */
	struct mg_eventlog *log;      /* the event file, when there is one */
	FILE *log_stream;	      /* on the event file: notices */
	struct mg_audit_chain *chain; /* seals the event file's lines */
	time_t log_warned;
	bool metrics_failing;
	uint64_t drops_seen; /* kernel drops already reported */
	struct mg_event_sources *sources;
	struct mg_event_ctx ctx; /* what every line names beyond the kernel's record */
	char digest[65];	 /* of the policy in force */
	struct mg_killswitch_seen killswitch;
};

static const char *mg_mode_name(const struct mg_image *img)
{
	return img->mode == MG_MODE_AUDIT ? "audit" : "enforce";
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
	if (line != buf)
		free(line);
	d->events++;
	return 0;
}

/* A scope's cgroup may not exist yet (mguard run, a unit not started). */
static int mg_create_scope_cgroups(struct mg_daemon *d, const struct mg_policy *policy)
{
	for (size_t i = 0; i < policy->nscopes; i++) {
		const struct mg_scope *s = &policy->scopes[i];
		struct mg_created_cgroup *v;
		char path[PATH_MAX];
		int created, err;

		if (s->cgroup_pattern)
			continue; /* the runtimes make these; the loader makes the anchor */
		err = mg_cgroup_create(d->cgroup_root, s->cgroup, &created);
		if (err)
			return mg_log_errno(err, "failed to create cgroup '%s' of scope '%s'",
					    s->cgroup, s->name);
		if (!created)
			continue;
		v = realloc(d->created, (d->ncreated + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		d->created = v;
		snprintf(path, sizeof(path), "%s%s", d->cgroup_root, s->cgroup);
		v[d->ncreated].path = strdup(path);
		v[d->ncreated].levels = created;
		if (!v[d->ncreated].path)
			return -ENOMEM;
		d->ncreated++;
		mg_info("created cgroup '%s' for scope '%s'", path, s->name);
	}
	return 0;
}

/*
 * Parse, validate and compile the policy folder into a new policy and image;
 * nothing in force changes. Every error is reported; on failure nothing is
 * returned.
 */
static int mg_compile_policy(struct mg_daemon *d, const char *dir, struct mg_policy **ret_policy,
			     struct mg_image **ret_img)
{
	struct mg_compile_opts copts = { .cgroup_root = d->cgroup_root, .digests = d->digests };
	struct mg_diags diags = {};
	struct mg_policy *policy;
	int err;

	err = mg_policy_load_dir(dir, &policy, &diags);
	if (err) {
		mg_diags_print(&diags, stderr);
		mg_diags_free(&diags);
		mg_err("policy '%s' has errors: nothing was changed", dir);
		return err;
	}
	err = mg_create_scope_cgroups(d, policy);
	if (!err)
		err = mg_compile(policy, &copts, ret_img, &diags);
	mg_diags_print(&diags, stderr); /* errors, or refused licences and models */
	mg_diags_free(&diags);
	if (err) {
		mg_policy_free(policy);
		mg_err("policy '%s' cannot be applied on this system: nothing was changed", dir);
		return err;
	}
	*ret_policy = policy;
	return 0;
}

/* The names behind the numbers, for status: best effort, never fatal. */
static void mg_daemon_write_state(struct mg_daemon *d)
{
	char path[PATH_MAX], log_dir[PATH_MAX];
	int err;

	mg_state_path(d->opts->pin_dir, path, sizeof(path));
	if (d->opts->log_dir && !realpath(d->opts->log_dir, log_dir))
		snprintf(log_dir, sizeof(log_dir), "%s", d->opts->log_dir);
	err = mg_state_write(path, d->policy, d->img, d->policy_dir, d->digest, time(NULL),
			     d->opts->log_dir ? log_dir : NULL);
	if (err)
		mg_log_errno(err, "failed to write the state file '%s'", path);
}

/*
 * Put a compiled policy in force: programs for new scopes first (they let
 * everything through until the flip), then the new generation in one write,
 * then detach what served scopes that are gone. There is no moment in which
 * a decision uses neither policy, or both.
 */
static int mg_switch_policy(struct mg_daemon *d, struct mg_policy *policy, struct mg_image *img)
{
	const char *old_mode = d->img ? mg_mode_name(d->img) : NULL;
	char old_digest[sizeof(d->digest)];
	uint32_t gen;
	int err;

	err = mg_loader_attach(d->loader, img);
	if (!err)
		err = mg_loader_apply(d->loader, img, &gen);
	if (err)
		return err;
	mg_loader_detach_stale(d->loader, img);

	mg_image_free(d->img);
	mg_policy_free(d->policy);
	d->img = img;
	d->policy = policy;
	memcpy(old_digest, d->digest, sizeof(old_digest));
	if (mg_policy_digest(policy, d->digest))
		snprintf(d->digest, sizeof(d->digest), "unknown");
	d->ctx.img = img;
	d->ctx.policy_digest = d->digest;
	d->ctx.generation = gen;
	mg_daemon_write_state(d);
	mg_event_note_policy(&d->ctx, d->opts->events, d->log, d->policy_dir,
			     old_digest[0] ? old_digest : NULL, old_mode, mg_mode_name(img),
			     img->nscopes);
	mg_info("policy '%s' generation %u in force: %zu scopes, %zu weight files, %zu egress prefixes, mode %s",
		d->policy_dir, gen, img->nscopes, img->ninodes, img->negress,
		img->mode == MG_MODE_AUDIT ? "audit" : "enforce");
	return 0;
}

/*
 * Reload: the folder 'mguard reload --policy DIR' asked for (it becomes the
 * daemon's folder once in force), else the folder in force.
 */
static void mg_daemon_reload(struct mg_daemon *d)
{
	char dir[PATH_MAX], prev[PATH_MAX];
	struct mg_policy *policy;
	struct mg_image *img;
	int err;

	if (mg_reload_request_take(d->opts->pin_dir, dir, sizeof(dir)))
		snprintf(dir, sizeof(dir), "%s", d->policy_dir);
	mg_info("reloading policy '%s'", dir);
	err = mg_compile_policy(d, dir, &policy, &img);
	if (!err) {
		snprintf(prev, sizeof(prev), "%s", d->policy_dir);
		snprintf(d->policy_dir, sizeof(d->policy_dir), "%s", dir);
		err = mg_switch_policy(d, policy, img);
		if (err)
			snprintf(d->policy_dir, sizeof(d->policy_dir), "%s", prev);
		if (err) {
			mg_image_free(img);
			mg_policy_free(policy);
		}
	}
	if (err) {
		const struct mg_event_field f[] = {
			{ .key = "result", .str = "failed" },
			{ .key = "policy_dir", .str = d->policy_dir },
			{ .key = "error", .str = strerror(-err) },
		};

		mg_err("reload failed: the previous policy stays in force");
		mg_event_note(&d->ctx, d->opts->events, d->log, "policy_load_failed", f,
			      MG_ARRAY_SIZE(f));
	}
	mg_loader_set_reload_result(d->loader, err);
}

/*
 * Has a scope's cgroup been removed or re-created since the policy was
 * compiled? A re-created cgroup has a new id, which the maps do not hold:
 * the daemon recompiles (and re-creates a missing one) so the scope is
 * guarded again.
 */
static bool mg_scopes_moved(const struct mg_daemon *d)
{
	for (size_t i = 0; i < d->img->nscopes; i++) {
		char path[PATH_MAX];
		uint64_t id;

		if (d->img->scopes[i].is_pattern)
			continue; /* the kernel binds each cgroup as it is made */
		snprintf(path, sizeof(path), "%s%s", d->cgroup_root, d->img->scopes[i].cgroup);
		if (mg_cgroup_id(path, &id) || id != d->img->scopes[i].cgroup_id)
			return true;
	}
	return false;
}

/* @st: the pinned state read for this tick, or NULL when it could not be (@st_err). */
static void mg_daemon_write_metrics(struct mg_daemon *d, const struct mg_pinned *st, int st_err)
{
	struct mg_metrics_extra x = { .events_written = d->events };
	struct mg_eventlog_stats ls;
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
		err = mg_metrics_write_file(d->opts->metrics_path, st, &x);
	}
	if (err && !d->metrics_failing)
		mg_log_errno(err, "failed to write metrics to '%s'", d->opts->metrics_path);
	d->metrics_failing = err != 0;
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
	if (d->log)
		mg_eventlog_checkpoint(d->log, false);
	if (d->opts->metrics_path)
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

	if (geteuid() != 0) {
		mg_err("'mguard start' needs root (CAP_BPF, CAP_SYS_ADMIN, CAP_PERFMON)");
		return -EPERM;
	}
	if (!realpath(d->opts->policy_dir, d->policy_dir))
		snprintf(d->policy_dir, sizeof(d->policy_dir), "%s", d->opts->policy_dir);
	/* A request left by a reload that never reached a daemon is not this one's. */
	mg_reload_request_take(d->opts->pin_dir, NULL, 0);
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
	for (int h = 0; h < MG_HOOK__COUNT; h++) {
		lopts.engine[h] = probe.engine[h];
		/* UNIX sockets need BPF LSM; without it that route is reported open, not refused. */
		if (probe.engine[h] == MG_ENGINE_NONE && h == MG_HOOK_UNIX) {
			mg_warn("UNIX socket connects are not guarded on this kernel (no BPF LSM)");
			continue;
		}
		if (probe.engine[h] == MG_ENGINE_NONE && h == MG_HOOK_PINS &&
		    probe.engine[MG_HOOK_FILE_OPEN] != MG_ENGINE_NONE) {
			mg_warn("the pins are not guarded against a scope on this kernel (no BPF LSM); "
				"the keeper holds the links");
			continue;
		}
		if (probe.engine[h] == MG_ENGINE_NONE) {
			mg_err("no engine can enforce hook '%s' on this kernel (see 'mguard probe')",
			       mg_hook_name(h));
			return -EOPNOTSUPP;
		}
	}

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
	}
	mg_info("ready (pid %d)", (int)getpid());
	return 0;
}

static void mg_daemon_teardown(struct mg_daemon *d, bool leave_enforcing)
{
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
		/* Only what this daemon made, deepest first, and only when empty. */
		for (size_t i = d->ncreated; i-- > 0;) {
			int err = mg_cgroup_remove(d->created[i].path, d->created[i].levels);

			if (err)
				mg_warn("left cgroup '%s' in place: %s", d->created[i].path,
					strerror(-err));
		}
	}
	for (size_t i = 0; i < d->ncreated; i++)
		free(d->created[i].path);
	free(d->created);
	mg_image_free(d->img);
	mg_policy_free(d->policy);
	mg_digest_cache_free(d->digests);
	mg_event_sources_free(d->sources);
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
	signal(SIGPIPE, SIG_IGN);

	err = mg_daemon_setup(&d);
	while (!err && !mg_stop_signal && !mg_release_signal) {
		int n;

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
	if (mg_release_signal && !err)
		mg_info("exiting on SIGUSR1: every hook stays attached and pinned for the next daemon");
	else if (mg_stop_signal)
		mg_info("stopping on signal %d: detaching every hook", (int)mg_stop_signal);
	/*
	 * SIGUSR1 leaves everything enforcing; so does a failed start that had
	 * adopted a previous daemon's state: what was in force stays in force.
	 */
	mg_daemon_teardown(&d, (mg_release_signal && !err) || (err && mg_loader_adopted(d.loader)));
	return err;
}
