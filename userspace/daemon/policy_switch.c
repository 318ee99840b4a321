// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The policy in force: compiled, put in force as a generation, reloaded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/names.h"
#include "core/cgroup.h"
#include "core/util.h"
#include "compile/compile.h"
#include "daemon/daemon.h"
#include "compile/digest.h"
#include "daemon/event_ctx.h"
#include "daemon/eventlog.h"
#include "kernel/loader.h"
#include "core/log.h"
#include "daemon/scope_cgroups.h"
#include "daemon/metrics.h"
#include "daemon/notify.h"
#include "policy/policy.h"
#include "daemon/state.h"
#include "daemon/daemon_internal.h"

const char *mg_mode_name(const struct mg_image *img)
{
	return img->mode == MG_MODE_AUDIT ? "audit" : "enforce";
}

/*
 * Parse, validate and compile the policy folder into a new policy and image;
 * nothing in force changes. Every error is reported; on failure nothing is
 * returned.
 */
int mg_compile_policy(struct mg_daemon *d, const char *dir, struct mg_policy **ret_policy,
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
	err = mg_scope_cgroups_create(&d->created, d->cgroup_root, policy);
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
int mg_switch_policy(struct mg_daemon *d, struct mg_policy *policy, struct mg_image *img)
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

	/* Out of memory here only loses the per-scope event counts, never the policy. */
	if (mg_metrics_scopes_rebuild(&d->scope_stats, &d->nscope_stats, img))
		mg_warn("per-scope event counts were reset: out of memory");
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
	d->gen = gen;
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
void mg_daemon_reload(struct mg_daemon *d)
{
	char dir[PATH_MAX], prev[PATH_MAX];
	struct mg_policy *policy;
	struct mg_image *img;
	int err;

	if (mg_reload_request_take(d->opts->pin_dir, dir, sizeof(dir)))
		snprintf(dir, sizeof(dir), "%s", d->policy_dir);
	mg_info("reloading policy '%s'", dir);
	mg_notify_reloading();
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
	/* In force either way: the new generation or the one before. */
	mg_notify_ready(d->gen, (unsigned long long)getpid());
}

/*
 * Has a scope's cgroup been removed or re-created since the policy was
 * compiled? A re-created cgroup has a new id, which the maps do not hold:
 * the daemon recompiles (and re-creates a missing one) so the scope is
 * guarded again.
 */
bool mg_scopes_moved(const struct mg_daemon *d)
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
