// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/names.h"
#include "core/util.h"
#include "daemon/events.h"
#include "daemon/metrics.h"

static void mg_metric_head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void mg_metric(FILE *out, const char *name, const char *type, const char *help,
		      unsigned long long value)
{
	mg_metric_head(out, name, type, help);
	fprintf(out, "%s %llu\n", name, value);
}

/* A label value: backslash, double quote and newline escaped, as the text format wants. */
static void mg_label_value(FILE *out, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(out, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
}

/* Egress budgets, by the cgroup id of their scope (and the licence, for a licence's). */
static void mg_budget_metrics(FILE *out, const struct mg_pinned *st, const struct mg_image *img)
{
	static const struct {
		const char *name, *type, *help;
	} m[] = {
		{ "mguard_egress_budget_bytes", "gauge", "Bytes a scope may send per window." },
		{ "mguard_egress_budget_window_seconds", "gauge",
		  "The window of a scope's budget." },
		{ "mguard_egress_sent_bytes", "gauge",
		  "Bytes a scope sent in the current window." },
		{ "mguard_egress_dropped_packets_total", "counter",
		  "Packets dropped because the scope's budget ran out." },
		{ "mguard_egress_dropped_bytes_total", "counter",
		  "Bytes dropped because the scope's budget ran out." },
		{ "mguard_egress_exhausted_windows_total", "counter",
		  "Windows in which a scope's budget ran out." },
	};

	if (!st->nbudgets)
		return;
	for (size_t k = 0; k < MG_ARRAY_SIZE(m); k++) {
		mg_metric_head(out, m[k].name, m[k].type, m[k].help);
		for (size_t i = 0; i < st->nbudgets; i++) {
			const struct mg_pinned_budget *b = &st->budgets[i];
			const unsigned long long v[] = {
				b->budget_bytes,	b->window_ns / 1000000000ull,
				b->state.sent,		b->state.dropped_packets,
				b->state.dropped_bytes, b->state.exhausted_windows,
			};

			fprintf(out, "%s{cgroup_id=\"%llu\"", m[k].name,
				(unsigned long long)b->cgroup_id);
			if (b->narrow_id) {
				const char *id = mg_image_narrowing_license(img, b->narrow_id);

				fputs(",license=\"", out);
				mg_label_value(out, id ? id : "unknown");
				fputc('"', out);
			}
			fprintf(out, "} %llu\n", v[k]);
		}
	}
}

static void mg_build_info(FILE *out, const struct mg_pinned *st, const char *version)
{
	mg_metric_head(out, "mguard_build_info", "gauge",
		       "Always 1: the release of the daemon and the engine of its file hook.");
	fputs("mguard_build_info{version=\"", out);
	mg_label_value(out, version);
	fprintf(out, "\",engine=\"%s\"} 1\n", mg_engine_name(st->cfg.engine[MG_HOOK_FILE_OPEN]));
	mg_metric_head(out, "mguard_hook_engine_info", "gauge",
		       "Always 1: the engine that serves each hook (none: not enforced).");
	for (int h = 0; h < MG_HOOK__COUNT; h++)
		fprintf(out, "mguard_hook_engine_info{hook=\"%s\",engine=\"%s\"} 1\n",
			mg_hook_name(h), mg_engine_name(st->cfg.engine[h]));
}

/* Per scope: its cgroup, and the events read for it by hook and verdict. */
static void mg_scope_metrics(FILE *out, const struct mg_metrics_extra *x)
{
	mg_metric_head(out, "mguard_scope_info", "gauge",
		       "Always 1: a scope of the policy in force and its cgroup.");
	for (size_t i = 0; i < x->nscopes; i++) {
		fputs("mguard_scope_info{scope=\"", out);
		mg_label_value(out, x->scopes[i].name);
		fputs("\",cgroup=\"", out);
		mg_label_value(out, x->scopes[i].cgroup);
		fputs("\"} 1\n", out);
	}
	mg_metric_head(out, "mguard_scope_events_total", "counter",
		       "Events read from the ring buffer, by scope, hook and verdict "
		       "(rate-limited and dropped events are not in it).");
	for (size_t i = 0; i < x->nscopes; i++) {
		for (int h = 0; h < MG_HOOK__COUNT; h++) {
			for (int v = 0; v < MG_VERDICT__COUNT; v++) {
				fputs("mguard_scope_events_total{scope=\"", out);
				mg_label_value(out, x->scopes[i].name);
				fprintf(out, "\",hook=\"%s\",verdict=\"%s\"} %llu\n",
					mg_hook_name(h), mg_verdict_name(v),
					(unsigned long long)x->scopes[i].events[h][v]);
			}
		}
	}
}

/* One series per (licence, scope, model) grant of the policy in force. */
static void mg_license_metrics(FILE *out, const struct mg_image *img)
{
	mg_metric_head(out, "mguard_license_expiry_timestamp_seconds", "gauge",
		       "Unix time a licence in force ends, per scope and model it grants.");
	for (size_t i = 0; i < img->nlicenses; i++) {
		const struct mg_image_license *l = &img->licenses[i];
		const struct mg_image_scope *s = mg_image_find_scope(img, l->key.scope_id);
		uint32_t m = l->key.model_id;

		fputs("mguard_license_expiry_timestamp_seconds{license=\"", out);
		mg_label_value(out, l->id ? l->id : "");
		fputs("\",scope=\"", out);
		mg_label_value(out, s ? s->name : "");
		fputs("\",model=\"", out);
		mg_label_value(out, m >= 1 && m <= img->nmodels ? img->model_names[m - 1] : "");
		fprintf(out, "\"} %lld\n", (long long)l->not_after);
	}
}

int mg_metrics_write(FILE *out, const struct mg_pinned *st, const struct mg_metrics_extra *x)
{
	mg_metric_head(out, "mguard_decisions_total", "counter",
		       "Decisions of the BPF programs in scopes, by hook, verdict and engine.");
	for (int h = 0; h < MG_HOOK__COUNT; h++) {
		for (int v = 0; v < MG_VERDICT__COUNT; v++)
			fprintf(out,
				"mguard_decisions_total{hook=\"%s\",verdict=\"%s\",engine=\"%s\"} %llu\n",
				mg_hook_name(h), mg_verdict_name(v),
				mg_engine_name(st->cfg.engine[h]),
				(unsigned long long)st->counters[MG_COUNTER_INDEX(h, v)]);
	}
	mg_metric_head(out, "mguard_errors_total", "counter",
		       "Failures counted by the BPF programs, by kind.");
	for (int i = 0; i < MG_ERR__COUNT; i++)
		fprintf(out, "mguard_errors_total{kind=\"%s\"} %llu\n", mg_error_name(i),
			(unsigned long long)st->counters[MG_ERR_COUNTER_BASE + i]);
	mg_metric(out, "mguard_policy_generation", "gauge",
		  "Generation of the policy in force; 0 when none is.", st->cfg.active_gen);
	mg_metric(out, "mguard_audit_mode", "gauge",
		  "1 when the policy in force only audits, 0 when it enforces.",
		  st->cfg.mode == MG_MODE_AUDIT);
	mg_metric(out, "mguard_killswitch", "gauge",
		  "1 when the kill switch denies every scope every weight load and connection.",
		  st->ctl.killswitch != 0);
	mg_metric(out, "mguard_scopes", "gauge", "Scopes in the policy in force.", st->nscopes);
	mg_budget_metrics(out, st, x ? x->img : NULL);
	mg_metric(out, "mguard_events_dropped_total", "counter",
		  "Events the kernel could not queue: the ring buffer was full.",
		  st->counters[MG_ERR_COUNTER_BASE + MG_ERR_RINGBUF_FULL]);
	mg_metric(out, "mguard_event_rate_limit", "gauge",
		  "Events per second a scope may send before it is rate-limited; 0: no limit.",
		  st->cfg.event_rate);
	mg_metric(out, "mguard_links", "gauge", "Program links pinned (attached).", st->nlinks);
	if (x) {
		mg_metric(out, "mguard_events_written_total", "counter",
			  "Events the daemon wrote to its event file.", x->events_written);
		mg_metric(out, "mguard_events_lost_total", "counter",
			  "Events the daemon read from the ring buffer but could not write.",
			  x->events_lost);
		if (x->policy_loaded_at > 0)
			mg_metric(out, "mguard_policy_load_timestamp_seconds", "gauge",
				  "Unix time the policy in force was loaded.", x->policy_loaded_at);
		mg_metric(out, "mguard_licenses_expiring", "gauge",
			  "Licences in force that expire within 7 days.", x->licenses_expiring);
	}
	if (x && x->version)
		mg_build_info(out, st, x->version);
	if (x && x->scopes)
		mg_scope_metrics(out, x);
	if (x && x->img)
		mg_license_metrics(out, x->img);
	return ferror(out) ? -EIO : 0;
}

int mg_metrics_render(const struct mg_pinned *st, const struct mg_metrics_extra *x, char **ret_text,
		      size_t *ret_len)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int err;

	if (!out)
		return -errno;
	err = mg_metrics_write(out, st, x);
	if (fclose(out) && !err)
		err = -errno;
	if (err) {
		free(text);
		return err;
	}
	*ret_text = text;
	*ret_len = len;
	return 0;
}

int mg_metrics_write_file(const char *path, const struct mg_pinned *st,
			  const struct mg_metrics_extra *x)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char tmp[PATH_MAX];
	FILE *out;
	int fd, err;

	if (!*base)
		return -EINVAL;
	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.XXXXXX", (int)(base - path), path, base) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	out = fdopen(fd, "w");
	if (!out) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	err = mg_metrics_write(out, st, x);
	if (!err && fflush(out))
		err = -errno;
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (fclose(out) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

unsigned int mg_metrics_licenses_expiring(const struct mg_image *img, int64_t now, int64_t within)
{
	unsigned int n = 0;

	for (size_t i = 0; i < img->nlicenses; i++) {
		const struct mg_image_license *l = &img->licenses[i];
		bool counted = false;

		if (l->not_after <= now || l->not_after > now + within)
			continue;
		/* One entry per model a licence covers: count the licence once. */
		for (size_t j = 0; j < i && l->id && !counted; j++)
			counted = img->licenses[j].id && !strcmp(img->licenses[j].id, l->id);
		n += !counted;
	}
	return n;
}

int mg_metrics_scopes_rebuild(struct mg_metrics_scope **stats, size_t *n,
			      const struct mg_image *img)
{
	struct mg_metrics_scope *fresh = calloc(img->nscopes ? img->nscopes : 1, sizeof(*fresh));

	if (!fresh)
		return -ENOMEM;
	for (size_t i = 0; i < img->nscopes; i++) {
		fresh[i].name = img->scopes[i].name;
		fresh[i].cgroup = img->scopes[i].cgroup;
		for (size_t j = 0; j < *n; j++) {
			if (!strcmp((*stats)[j].name, fresh[i].name)) {
				memcpy(fresh[i].events, (*stats)[j].events,
				       sizeof(fresh[i].events));
				break;
			}
		}
	}
	free(*stats);
	*stats = fresh;
	*n = img->nscopes;
	return 0;
}

void mg_metrics_scope_count(struct mg_metrics_scope *stats, size_t n, const struct mg_event *e)
{
	/* Scope ids are positions in the policy, from 1 (compile/scopes.c). */
	if (e->scope_id >= 1 && e->scope_id <= n && e->hook < MG_HOOK__COUNT &&
	    e->verdict < MG_VERDICT__COUNT)
		stats[e->scope_id - 1].events[e->hook][e->verdict]++;
}

bool mg_metrics_ready(const struct mg_pinned *st, const char **why)
{
	if (!st->cfg.active_gen)
		*why = "no policy in force";
	else if (!st->nlinks)
		*why = "no program attached";
	else
		return true;
	return false;
}
