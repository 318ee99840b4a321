// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The report's reader: each event line parsed as JSON (json-c) and added to
 * the sums of its scope. A line that is not a schema 1 event is counted and
 * quoted by place, never fatal; fields the report does not know are left.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "cli/report.h"
#include "core/array.h"
#include "daemon/eventlog.h"

static const char *const mg_report_verdicts[] = {
	[MG_REPORT_DENY] = "deny",
	[MG_REPORT_KILL] = "kill",
	[MG_REPORT_AUDIT] = "audit",
};

const char *mg_report_verdict_name(enum mg_report_verdict v)
{
	return v < MG_REPORT_VERDICTS ? mg_report_verdicts[v] : "?";
}

void mg_report_init(struct mg_report *r, const struct mg_report_opts *opts)
{
	memset(r, 0, sizeof(*r));
	r->opts = *opts;
	r->first = MG_REPORT_NO_TIME;
	r->last = MG_REPORT_NO_TIME;
	r->switch_seen = -1;
}

/* A copy of @s, or NULL for NULL; *@oom set when memory ran out. */
static char *mg_dup(const char *s, bool *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

static bool mg_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

struct mg_report_scope *mg_report_scope(struct mg_report *r, const char *name)
{
	struct mg_report_scope *s;
	bool oom = false;

	for (size_t i = 0; i < r->nscopes; i++)
		if (mg_same(r->scopes[i].name, name))
			return &r->scopes[i];
	s = mg_array_push(&r->scopes, &r->nscopes, &r->scopes_cap, sizeof(*s));
	if (!s)
		return NULL;
	s->name = mg_dup(name, &oom);
	if (oom) {
		r->nscopes--;
		return NULL;
	}
	return s;
}

static struct mg_report_class *mg_report_class(struct mg_report_scope *s, const char *hook,
					       const char *reason)
{
	struct mg_report_class *c;
	bool oom = false;

	for (size_t i = 0; i < s->nclasses; i++)
		if (!strcmp(s->classes[i].hook, hook) && !strcmp(s->classes[i].reason, reason))
			return &s->classes[i];
	c = mg_array_push(&s->classes, &s->nclasses, &s->classes_cap, sizeof(*c));
	if (!c)
		return NULL;
	c->hook = mg_dup(hook, &oom);
	c->reason = mg_dup(reason, &oom);
	if (oom) {
		free(c->hook);
		free(c->reason);
		s->nclasses--;
		return NULL;
	}
	return c;
}

static struct mg_report_model *mg_report_model(struct mg_report_scope *s, const char *name,
					       const char *tier)
{
	struct mg_report_model *m;
	bool oom = false;

	for (size_t i = 0; i < s->nmodels; i++)
		if (!strcmp(s->models[i].name, name) && mg_same(s->models[i].tier, tier))
			return &s->models[i];
	m = mg_array_push(&s->models, &s->nmodels, &s->models_cap, sizeof(*m));
	if (!m)
		return NULL;
	m->name = mg_dup(name, &oom);
	m->tier = mg_dup(tier, &oom);
	if (oom) {
		free(m->name);
		free(m->tier);
		s->nmodels--;
		return NULL;
	}
	return m;
}

static int mg_report_tier_add(struct mg_report_scope *s, const char *tier)
{
	struct mg_report_tier_count *t;
	bool oom = false;

	for (size_t i = 0; i < s->ntiers; i++) {
		if (!strcmp(s->tiers[i].tier, tier)) {
			s->tiers[i].count++;
			return 0;
		}
	}
	t = mg_array_push(&s->tiers, &s->ntiers, &s->tiers_cap, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->tier = mg_dup(tier, &oom);
	if (oom) {
		s->ntiers--;
		return -ENOMEM;
	}
	t->count = 1;
	return 0;
}

/* Member @key of object @o as a string: NULL when absent, null or not a string. */
static const char *mg_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Member @key as an integer: @def when absent or not an integer. */
static int64_t mg_int(struct json_object *o, const char *key, int64_t def)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return def;
	return json_object_get_int64(v);
}

static struct json_object *mg_obj(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

static int mg_report_bad(struct mg_report *r, const char *src, uint64_t lineno, const char *why)
{
	struct mg_report_malformed *b;
	bool oom = false;

	r->malformed++;
	if (r->nsources)
		r->sources[r->nsources - 1].malformed++;
	if (r->nbad >= MG_REPORT_MALFORMED_KEEP)
		return 0;
	b = mg_array_push(&r->bad, &r->nbad, &r->bad_cap, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->path = mg_dup(src, &oom);
	b->why = mg_dup(why, &oom);
	b->line = lineno;
	return oom ? -ENOMEM : 0;
}

static int mg_report_decision(struct mg_report *r, struct json_object *o, int64_t t,
			      const char **ret_why)
{
	const char *hook = mg_str(o, "hook"), *reason = mg_str(o, "reason");
	const char *verdict = mg_str(o, "verdict");
	struct json_object *file = mg_obj(o, "file");
	const char *model = mg_str(file, "model"), *tier = mg_str(file, "tier");
	struct mg_report_scope *s;
	struct mg_report_class *c;
	int64_t *slot;
	int v;

	if (!hook || !reason || !verdict) {
		*ret_why = "a decision without hook, reason or verdict";
		return 1;
	}
	for (v = 0; v < MG_REPORT_VERDICTS; v++)
		if (!strcmp(verdict, mg_report_verdicts[v]))
			break;
	if (v == MG_REPORT_VERDICTS) {
		*ret_why = "a decision with an unknown verdict";
		return 1;
	}
	s = mg_report_scope(r, mg_str(o, "scope"));
	if (!s)
		return -ENOMEM;
	/* Rate-limit summaries are not decisions: a count of those not recorded. */
	if (!strcmp(reason, "rate-limited"))
		return 0;
	if (!strcmp(reason, "rate-resumed")) {
		int64_t n = mg_int(mg_obj(o, "rate"), "suppressed", 0);

		s->rate_suppressed += n > 0 ? (uint64_t)n : 0;
		return 0;
	}
	c = mg_report_class(s, hook, reason);
	if (!c)
		return -ENOMEM;
	slot = mg_array_push(&c->times, &c->ntimes, &c->times_cap, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = t;
	c->count++;
	c->verdicts[v]++;
	s->total++;
	s->verdicts[v]++;
	r->decisions++;
	if (model) {
		struct mg_report_model *m = mg_report_model(s, model, tier);

		if (!m)
			return -ENOMEM;
		if (!m->audited && !m->refused)
			m->first = t;
		m->last = t;
		if (v == MG_REPORT_AUDIT)
			m->audited++;
		else
			m->refused++;
	}
	if (tier && mg_report_tier_add(s, tier))
		return -ENOMEM;
	return 0;
}

static int mg_report_reload(struct mg_report *r, struct json_object *o, int64_t t, bool failed)
{
	struct mg_report_reload *l;
	bool oom = false;

	l = mg_array_push(&r->reloads, &r->nreloads, &r->reloads_cap, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->time = t;
	l->failed = failed;
	l->generation = mg_int(o, "generation", -1);
	l->scopes = mg_int(o, "scopes", -1);
	l->digest = mg_dup(mg_str(o, "policy_digest"), &oom);
	l->previous_digest = mg_dup(mg_str(o, "previous_digest"), &oom);
	l->mode = mg_dup(mg_str(o, "mode"), &oom);
	l->policy_dir = mg_dup(mg_str(o, "policy_dir"), &oom);
	l->error = mg_dup(mg_str(o, "error"), &oom);
	return oom ? -ENOMEM : 0;
}

static int mg_report_daemon(struct mg_report *r, const char *type, const char *detail, int64_t t)
{
	struct mg_report_daemon_event *d;
	bool oom = false;

	d = mg_array_push(&r->daemon, &r->ndaemon, &r->daemon_cap, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->time = t;
	d->type = mg_dup(type, &oom);
	d->detail = mg_dup(detail, &oom);
	return oom ? -ENOMEM : 0;
}

/* An event of the window, by type; 1 and *@ret_why when it is malformed. */
static int mg_report_event(struct mg_report *r, struct json_object *o, const char *type, int64_t t,
			   const char **ret_why)
{
	if (!strcmp(type, "decision"))
		return mg_report_decision(r, o, t, ret_why);
	if (!strcmp(type, "policy_loaded") || !strcmp(type, "policy_load_failed"))
		return mg_report_reload(r, o, t, type[11] == '_');
	if (!strcmp(type, "killswitch")) {
		struct mg_report_switch *k;
		const char *prev = mg_str(o, "previous"), *state = mg_str(o, "state");

		if (!state || (strcmp(state, "on") && strcmp(state, "off"))) {
			*ret_why = "a kill switch line without state on or off";
			return 1;
		}
		k = mg_array_push(&r->switches, &r->nswitches, &r->switches_cap, sizeof(*k));
		if (!k)
			return -ENOMEM;
		k->time = t;
		k->on = !strcmp(state, "on");
		k->previous = !prev ? -1 : !strcmp(prev, "on");
		k->changes = mg_int(o, "changes", 1) > 0 ? (uint64_t)mg_int(o, "changes", 1) : 1;
		r->switch_changes += k->changes;
		return 0;
	}
	if (!strcmp(type, "events_dropped")) {
		int64_t n = mg_int(o, "dropped", 0);

		r->events_dropped += n > 0 ? (uint64_t)n : 0;
		return 0;
	}
	if (!strcmp(type, "daemon_start"))
		return mg_report_daemon(r, type, NULL, t);
	if (!strcmp(type, "daemon_stop"))
		return mg_report_daemon(r, type, mg_str(o, "hooks"), t);
	if (!strcmp(type, "mode"))
		return mg_report_daemon(r, type, mg_str(o, "mode"), t);
	r->unknown_type++; /* a line of a type added later (checkpoints...) */
	return 0;
}

static bool mg_report_in_window(const struct mg_report *r, int64_t t)
{
	return (r->opts.since == MG_REPORT_NO_TIME || t >= r->opts.since) &&
	       (r->opts.until == MG_REPORT_NO_TIME || t <= r->opts.until);
}

/* The object in @line, or NULL and *@ret_why. */
static struct json_object *mg_report_parse(const char *line, size_t len, const char **ret_why)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t end;

	if (len > MG_REPORT_LINE_MAX || len > INT_MAX) {
		*ret_why = "a line over 1 MiB";
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		*ret_why = NULL;
		return NULL;
	}
	o = json_tokener_parse_ex(tok, line, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (o && json_tokener_get_error(tok) == json_tokener_success)
		while (end < len && strchr(" \t\r", line[end]))
			end++;
	if (!o || json_tokener_get_error(tok) != json_tokener_success || end != len) {
		*ret_why = "not one JSON value";
		json_object_put(o);
		o = NULL;
	} else if (!json_object_is_type(o, json_type_object)) {
		*ret_why = "not a JSON object";
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

int mg_report_add_line(struct mg_report *r, const char *src, uint64_t lineno, const char *line,
		       size_t len)
{
	const char *why = NULL, *type, *when;
	struct json_object *o, *schema;
	int64_t t;
	int err = 0;

	if (!len)
		return 0; /* an empty line says nothing */
	r->lines++;
	if (r->nsources)
		r->sources[r->nsources - 1].lines++;
	o = mg_report_parse(line, len, &why);
	if (!o)
		return why ? mg_report_bad(r, src, lineno, why) : -ENOMEM;
	type = mg_str(o, "type");
	when = mg_str(o, "time");
	if (!json_object_object_get_ex(o, "schema", &schema) ||
	    !json_object_is_type(schema, json_type_int)) {
		why = "no schema";
	} else if (json_object_get_int64(schema) != 1) {
		r->other_schema++; /* a later layout: not read as this one */
		goto out;
	} else if (!type) {
		why = "no type";
	} else if (!when || mg_report_parse_rfc3339(when, &t)) {
		why = "no time, or not RFC 3339";
	}
	if (why) {
		err = mg_report_bad(r, src, lineno, why);
		goto out;
	}
	if (!mg_report_in_window(r, t)) {
		r->outside++;
		/* The kill switch's state when the window opens. */
		if (!strcmp(type, "killswitch") && r->opts.since != MG_REPORT_NO_TIME &&
		    t < r->opts.since)
			r->switch_seen = mg_str(o, "state") && !strcmp(mg_str(o, "state"), "on");
		goto out;
	}
	err = mg_report_event(r, o, type, t, &why);
	if (err == 1)
		err = mg_report_bad(r, src, lineno, why);
	else if (!err) {
		if (r->first == MG_REPORT_NO_TIME || t < r->first)
			r->first = t;
		if (r->last == MG_REPORT_NO_TIME || t > r->last)
			r->last = t;
	}
out:
	json_object_put(o);
	return err;
}

int mg_report_read_file(struct mg_report *r, const char *path)
{
	struct mg_report_source *src;
	char *line = NULL;
	size_t cap = 0;
	uint64_t lineno = 0;
	ssize_t n;
	FILE *f;
	int err = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	src = mg_array_push(&r->sources, &r->nsources, &r->sources_cap, sizeof(*src));
	if (!src || !(src->path = strdup(path))) {
		if (src)
			r->nsources--;
		fclose(f);
		return -ENOMEM;
	}
	while (!err && (n = getline(&line, &cap, f)) >= 0) {
		size_t len = n;

		lineno++;
		if (len && line[len - 1] == '\n')
			len--;
		err = mg_report_add_line(r, path, lineno, line, len);
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	fclose(f);
	return err;
}

int mg_report_read_dir(struct mg_report *r, const char *dir)
{
	char path[PATH_MAX];
	int newest = 0, read = 0, err;
	struct stat st;

	/* Rotation shifts .1 to .2 and so on: the highest number is the oldest. */
	for (int i = 1; i <= MG_EVENTLOG_KEEP_MAX; i++) {
		snprintf(path, sizeof(path), "%s/%s.%d", dir, MG_EVENTLOG_FILE, i);
		if (stat(path, &st) == 0)
			newest = i;
	}
	for (int i = newest; i >= 0; i--) {
		if (i)
			snprintf(path, sizeof(path), "%s/%s.%d", dir, MG_EVENTLOG_FILE, i);
		else
			snprintf(path, sizeof(path), "%s/%s", dir, MG_EVENTLOG_FILE);
		err = mg_report_read_file(r, path);
		if (err == -ENOENT)
			continue; /* a gap in the numbers, or rotated while reading */
		if (err)
			return err;
		read++;
	}
	return read ? read : -ENOENT;
}

static void mg_report_scope_free(struct mg_report_scope *s)
{
	for (size_t i = 0; i < s->nclasses; i++) {
		free(s->classes[i].hook);
		free(s->classes[i].reason);
		free(s->classes[i].times);
		free(s->classes[i].series);
	}
	for (size_t i = 0; i < s->nmodels; i++) {
		free(s->models[i].name);
		free(s->models[i].tier);
	}
	for (size_t i = 0; i < s->ntiers; i++)
		free(s->tiers[i].tier);
	for (size_t i = 0; i < s->nmay_load; i++) {
		free(s->may_load[i].model);
		free(s->may_load[i].tier);
		free(s->may_load[i].license);
	}
	for (size_t i = 0; i < s->nlicenses; i++)
		free(s->licenses[i].id);
	free(s->classes);
	free(s->models);
	free(s->tiers);
	free(s->may_load);
	free(s->licenses);
	free(s->series);
	free(s->name);
	free(s->cgroup);
	free(s->max_tier);
}

void mg_report_free(struct mg_report *r)
{
	for (size_t i = 0; i < r->nscopes; i++)
		mg_report_scope_free(&r->scopes[i]);
	for (size_t i = 0; i < r->nreloads; i++) {
		struct mg_report_reload *l = &r->reloads[i];

		free(l->digest);
		free(l->previous_digest);
		free(l->mode);
		free(l->policy_dir);
		free(l->error);
	}
	for (size_t i = 0; i < r->ndaemon; i++) {
		free(r->daemon[i].type);
		free(r->daemon[i].detail);
	}
	for (size_t i = 0; i < r->nsources; i++)
		free(r->sources[i].path);
	for (size_t i = 0; i < r->nbad; i++) {
		free(r->bad[i].path);
		free(r->bad[i].why);
	}
	free(r->scopes);
	free(r->reloads);
	free(r->switches);
	free(r->daemon);
	free(r->sources);
	free(r->bad);
	free(r->live.policy_dir);
	free(r->live.digest);
	free(r->live.why_not);
	memset(r, 0, sizeof(*r));
}
