// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "cgroup.h"
#include "compile.h"
#include "daemon.h"
#include "events.h"
#include "loader.h"
#include "log.h"
#include "policy.h"
#include "probe.h"

static volatile sig_atomic_t mg_stop_requested;

struct mg_created_cgroup {
	char *path;
	int levels;			/* how many folders up to take back */
};

static void mg_on_stop(int sig)
{
	mg_stop_requested = sig;
}

struct mg_daemon {
	const struct mg_daemon_opts *opts;
	char cgroup_root[PATH_MAX];
	struct mg_policy *policy;
	struct mg_image *img;
	struct mg_loader *loader;
	struct ring_buffer *rb;
	struct mg_created_cgroup *created;	/* scope cgroups this daemon made */
	size_t ncreated;
	int64_t boot_offset;
	unsigned long long events;
};

static int mg_on_event(void *ctx, void *data, size_t size)
{
	struct mg_daemon *d = ctx;

	if (size < sizeof(struct mg_event))
		return 0;
	mg_event_print_json(d->opts->events, data, d->img, d->boot_offset);
	d->events++;
	return 0;
}

static int mg_load_policy(struct mg_daemon *d)
{
	struct mg_compile_opts copts = { .cgroup_root = d->cgroup_root };
	struct mg_diags diags = {};
	int err;

	err = mg_policy_load_dir(d->opts->policy_dir, &d->policy, &diags);
	if (err) {
		mg_diags_print(&diags, stderr);
		mg_diags_free(&diags);
		mg_err("policy '%s' has errors: nothing was loaded", d->opts->policy_dir);
		return err;
	}

	/* A scope's cgroup may not exist yet (mguard run, a unit not started). */
	for (size_t i = 0; i < d->policy->nscopes; i++) {
		const struct mg_scope *s = &d->policy->scopes[i];
		char path[PATH_MAX];
		int created;

		err = mg_cgroup_create(d->cgroup_root, s->cgroup, &created);
		if (err)
			return mg_log_errno(err, "failed to create cgroup '%s' of scope '%s'", s->cgroup, s->name);
		if (created) {
			struct mg_created_cgroup *v = realloc(d->created, (d->ncreated + 1) * sizeof(*v));

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
	}

	err = mg_compile(d->policy, &copts, &d->img, &diags);
	if (err) {
		mg_diags_print(&diags, stderr);
		mg_diags_free(&diags);
		mg_err("policy '%s' cannot be applied on this system: nothing was loaded",
		       d->opts->policy_dir);
		return err;
	}
	mg_diags_print(&diags, stderr);	/* refused licences and models */
	mg_diags_free(&diags);
	return 0;
}

static size_t mg_room_for(size_t n)
{
	/* Two generations live side by side during a reload, plus headroom. */
	return 2 * n + 1024;
}

static int mg_daemon_setup(struct mg_daemon *d)
{
	struct mg_loader_opts lopts = { .pin_dir = d->opts->pin_dir };
	struct mg_probe probe;
	uint32_t gen;
	int err;

	if (geteuid() != 0) {
		mg_err("'mguard start' needs root (CAP_BPF, CAP_SYS_ADMIN, CAP_PERFMON)");
		return -EPERM;
	}
	err = mg_loader_mount_fs();
	if (err)
		return err;
	err = mg_cgroup2_mount(d->cgroup_root, sizeof(d->cgroup_root));
	if (err)
		return mg_log_errno(err, "failed to find the cgroup v2 mount");

	err = mg_probe_run(&probe);
	if (err)
		return mg_log_errno(err, "failed to probe the kernel");
	for (int h = 0; h < MG_HOOK__COUNT; h++) {
		lopts.engine[h] = probe.engine[h];
		if (probe.engine[h] == MG_ENGINE_NONE) {
			mg_err("no engine can enforce hook '%s' on this kernel (see 'mguard probe')",
			       mg_hook_name(h));
			return -EOPNOTSUPP;
		}
	}

	err = mg_load_policy(d);
	if (err)
		return err;

	lopts.cgroup_root = d->cgroup_root;
	lopts.max_inodes = mg_room_for(d->img->ninodes);
	lopts.max_egress = mg_room_for(d->img->negress);
	lopts.max_licenses = mg_room_for(d->img->nlicenses);
	lopts.max_devices = mg_room_for(d->img->ndevices);
	lopts.max_outputs = mg_room_for(d->img->noutputs);
	err = mg_loader_load(&lopts, &d->loader);
	if (err)
		return err;
	err = mg_loader_apply(d->loader, d->img, &gen);
	if (err)
		return err;
	err = mg_loader_attach(d->loader, d->img);
	if (err)
		return err;

	d->rb = ring_buffer__new(mg_loader_events_fd(d->loader), mg_on_event, d, NULL);
	if (!d->rb)
		return mg_log_errno(-errno, "failed to open the event ring buffer");
	d->boot_offset = mg_boot_to_realtime_offset();

	mg_info("policy '%s' generation %u in force: %zu scopes, %zu weight files, %zu egress prefixes, mode %s",
		d->opts->policy_dir, gen, d->img->nscopes, d->img->ninodes, d->img->negress,
		d->img->mode == MG_MODE_AUDIT ? "audit" : "enforce");
	for (int h = 0; h < MG_HOOK__COUNT; h++)
		mg_info("hook %-10s engine %s", mg_hook_name(h), mg_engine_name(probe.engine[h]));
	mg_info("ready");
	return 0;
}

static void mg_daemon_teardown(struct mg_daemon *d)
{
	ring_buffer__free(d->rb);
	mg_loader_destroy(d->loader);
	/* Only what this daemon made, deepest first, and only when empty. */
	for (size_t i = d->ncreated; i-- > 0;) {
		int err = mg_cgroup_remove(d->created[i].path, d->created[i].levels);

		if (err)
			mg_warn("left cgroup '%s' in place: %s", d->created[i].path, strerror(-err));
		free(d->created[i].path);
	}
	free(d->created);
	mg_image_free(d->img);
	mg_policy_free(d->policy);
}

int mg_daemon_run(const struct mg_daemon_opts *opts)
{
	struct sigaction sa = { .sa_handler = mg_on_stop };
	struct mg_daemon d = { .opts = opts };
	int err;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	err = mg_daemon_setup(&d);
	while (!err && !mg_stop_requested) {
		int n = ring_buffer__poll(d.rb, 200);

		if (n < 0 && n != -EINTR) {
			err = mg_log_errno(n, "failed to read the event ring buffer");
			break;
		}
		fflush(opts->events);
	}
	if (d.rb)
		ring_buffer__consume(d.rb);
	fflush(opts->events);
	if (mg_stop_requested)
		mg_info("stopping on signal %d: detaching every hook", (int)mg_stop_requested);
	mg_daemon_teardown(&d);
	return err;
}
