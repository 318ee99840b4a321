// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What the daemon adds to the kernel's records: the host name, the path of
 * the event's cgroup, the parent and executable of the process. Look-ups go
 * to the kernel (open_by_handle_at) and /proc once, then to small caches, so
 * a stream of events from the same cgroup and process costs no system call.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "core/util.h"
#include "daemon/event_ctx.h"
#include "daemon/eventlog.h"

#define MG_CACHE_SLOTS 64
/* A process entry is trusted this long: a pid may be reused after it. */
#define MG_PROC_TTL_S 5

struct mg_cgroup_slot {
	uint64_t id;
	bool known; /* false: looked up and not found */
	size_t len;
	char *members; /* the line's cgroup members, made once */
};

struct mg_proc_slot {
	uint32_t tgid;
	time_t at;
	int64_t ppid;
	bool has_exe;
	char exe[PATH_MAX];
};

struct mg_event_sources {
	char cgroup_root[PATH_MAX];
	char host[256];
	struct mg_cgroup_slot cgroups[MG_CACHE_SLOTS];
	struct mg_proc_slot procs[MG_CACHE_SLOTS];
};

static const char *mg_sources_cgroup_members(void *data, uint64_t id, size_t *ret_len)
{
	struct mg_event_sources *s = data;
	struct mg_cgroup_slot *c = &s->cgroups[id % MG_CACHE_SLOTS];

	if (!id)
		return NULL;
	if (c->id != id) {
		char path[PATH_MAX];

		c->id = id;
		c->known = mg_cgroup_path_of_id(s->cgroup_root, id, path, sizeof(path)) == 0;
		if (c->known) {
			size_t len = mg_event_cgroup_members(NULL, 0, path);
			char *m = realloc(c->members, len);

			c->known = m != NULL;
			if (m) {
				c->members = m;
				c->len = mg_event_cgroup_members(m, len, path);
			}
		}
	}
	*ret_len = c->len;
	return c->known ? c->members : NULL;
}

/* Field 4 of /proc/TGID/stat, after the comm in parentheses. */
static int64_t mg_read_ppid(uint32_t tgid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;
	long ppid;

	snprintf(path, sizeof(path), "/proc/%u/stat", tgid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return ppid;
}

static void mg_sources_process(void *data, uint32_t tgid, struct mg_event_proc *ret)
{
	struct mg_event_sources *s = data;
	struct mg_proc_slot *c = &s->procs[tgid % MG_CACHE_SLOTS];
	time_t now = time(NULL);

	if (!tgid)
		return;
	if (c->tgid != tgid || now - c->at > MG_PROC_TTL_S) {
		char path[64];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%u/exe", tgid);
		n = readlink(path, c->exe, sizeof(c->exe) - 1);
		c->has_exe = n > 0;
		if (c->has_exe)
			c->exe[n] = '\0';
		c->ppid = mg_read_ppid(tgid);
		c->tgid = tgid;
		c->at = now;
	}
	ret->ppid = c->ppid;
	ret->exe = c->has_exe ? c->exe : NULL;
}

int mg_event_sources_new(const char *cgroup_root, struct mg_event_sources **ret)
{
	struct mg_event_sources *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	snprintf(s->cgroup_root, sizeof(s->cgroup_root), "%s", cgroup_root);
	if (gethostname(s->host, sizeof(s->host) - 1))
		snprintf(s->host, sizeof(s->host), "unknown");
	*ret = s;
	return 0;
}

void mg_event_sources_free(struct mg_event_sources *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < MG_CACHE_SLOTS; i++)
		free(s->cgroups[i].members);
	free(s);
}

void mg_event_sources_bind(struct mg_event_sources *s, struct mg_event_ctx *ctx)
{
	ctx->host = s->host;
	ctx->cgroup_members = mg_sources_cgroup_members;
	ctx->process = mg_sources_process;
	ctx->data = s;
}

void mg_event_note(const struct mg_event_ctx *ctx, FILE *events, struct mg_eventlog *log,
		   const char *type, const struct mg_event_field *f, size_t nf)
{
	char buf[MG_EVENT_JSON_BUF];
	struct timespec now;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &now);
	len = mg_service_format_json(buf, sizeof(buf), ctx,
				     now.tv_sec * 1000000000ULL + now.tv_nsec, type, f, nf);
	if (len > sizeof(buf))
		return; /* the daemon's own fields are short: never */
	if (events)
		fwrite(buf, 1, len, events);
	if (log)
		mg_eventlog_append(log, buf, len);
}

void mg_event_note_policy(const struct mg_event_ctx *ctx, FILE *events, struct mg_eventlog *log,
			  const char *policy_dir, const char *old_digest, const char *old_mode,
			  const char *mode, size_t nscopes)
{
	const struct mg_event_field f[] = {
		{ .key = "policy_dir", .str = policy_dir },
		{ .key = "previous_digest", .str = old_digest },
		{ .key = "mode", .str = mode },
		{ .key = "scopes", .is_number = true, .num = (int64_t)nscopes },
	};
	const struct mg_event_field m[] = {
		{ .key = "mode", .str = mode },
		{ .key = "previous_mode", .str = old_mode },
	};

	mg_event_note(ctx, events, log, "policy_loaded", f, MG_ARRAY_SIZE(f));
	if (old_mode && strcmp(old_mode, mode))
		mg_event_note(ctx, events, log, "mode", m, MG_ARRAY_SIZE(m));
}

void mg_event_note_killswitch(const struct mg_event_ctx *ctx, FILE *events, struct mg_eventlog *log,
			      bool on, uint32_t changes, struct mg_killswitch_seen *seen)
{
	const struct mg_event_field f[] = {
		{ .key = "state", .str = on ? "on" : "off" },
		{ .key = "previous",
		  .str = !seen->known ? NULL :
			 seen->on     ? "on" :
					"off" },
		{ .key = "changes", .is_number = true, .num = changes - seen->changes },
	};
	bool changed = seen->known ? changes != seen->changes || on != seen->on : on;

	/*
	 * The first look records a kill switch found on (off is the normal
	 * state); later, every write counted since the last look, so a switch
	 * set on and off between two looks is on record too ("changes": 2).
	 */
	if (changed)
		mg_event_note(ctx, events, log, "killswitch", f, MG_ARRAY_SIZE(f));
	seen->known = true;
	seen->on = on;
	seen->changes = changes;
}

void mg_event_note_daemon(const struct mg_event_ctx *ctx, FILE *events, struct mg_eventlog *log,
			  const char *type, const char *key, const char *value, int sig)
{
	const struct mg_event_field f[] = {
		{ .key = "pid", .is_number = true, .num = getpid() },
		{ .key = key, .str = value },
		{ .key = "signal", .is_number = true, .num = sig },
	};

	mg_event_note(ctx, events, log, type, f, MG_ARRAY_SIZE(f) - !sig);
}
