/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Ring-buffer event records rendered as JSON lines. */
#ifndef MGUARD_EVENTS_H
#define MGUARD_EVENTS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compile/compile.h"
#include "mguard_abi.h"

/* Nanoseconds to add to CLOCK_BOOTTIME to get CLOCK_REALTIME, now. */
int64_t mg_boot_to_realtime_offset(void);

/*
 * The version of the line's layout (docs/events.md), in every line as
 * "schema": a field added keeps it, a field renamed or removed raises it.
 */
#define MG_EVENT_SCHEMA	     1
#define MG_EVENT_SCHEMA_TEXT "1"

/* Room for an event's line but for very long names or paths. */
#define MG_EVENT_JSON_BUF 4096

/* What the daemon knows of a process that the kernel's record does not carry. */
struct mg_event_proc {
	int64_t ppid;	 /* -1: not known */
	const char *exe; /* NULL: not known */
};

/* Everything a line names beyond the kernel's record; any member may be 0/NULL. */
struct mg_event_ctx {
	const struct mg_image *img; /* names scopes, models, tiers and paths */
	int64_t boot_offset_ns;	    /* CLOCK_BOOTTIME to CLOCK_REALTIME */
	const char *host;
	const char *policy_digest; /* hex SHA-256 of the policy in force */
	uint32_t generation;	   /* in force, for the daemon's own lines */
	/*
	 * The members mg_event_cgroup_members() makes for cgroup @id (@ret_len
	 * bytes, cached by the source), or NULL when its path is not known.
	 */
	const char *(*cgroup_members)(void *data, uint64_t id, size_t *ret_len);
	/* Fill @ret for process @tgid, best effort. */
	void (*process)(void *data, uint32_t tgid, struct mg_event_proc *ret);
	void *data;
};

/*
 * One event as one JSON object and a newline, into @buf of @size bytes (no
 * NUL is added). Returns the line's length: when that is more than @size,
 * the line was not written whole, and a buffer of that length holds it. The
 * date and time to the second are kept, per thread, until the second changes.
 */
size_t mg_event_format_json(char *buf, size_t size, const struct mg_event *e,
			    const struct mg_event_ctx *ctx);

/* The same line, written to @out. */
void mg_event_print_json(FILE *out, const struct mg_event *e, const struct mg_event_ctx *ctx);

/*
 * ',"cgroup_path":…,"container_id":…,"pod_uid":…' for a cgroup at @path
 * (NULL: unknown) into @buf of @size bytes; returns the length, measured as
 * mg_event_format_json() does.
 */
size_t mg_event_cgroup_members(char *buf, size_t size, const char *path);

/* A field of a line of the daemon's own: a string (NULL: null) or a number. */
struct mg_event_field {
	const char *key;
	const char *str;
	bool is_number;
	int64_t num;
};

/*
 * A line of the daemon's own (daemon_start, daemon_stop, reload, mode,
 * killswitch, events_dropped) at @realtime_ns, in the same schema: the
 * common head, the policy in force, then @f.
 */
size_t mg_service_format_json(char *buf, size_t size, const struct mg_event_ctx *ctx,
			      uint64_t realtime_ns, const char *type,
			      const struct mg_event_field *f, size_t nf);

/* The same line, stamped now, written to @out. */
void mg_service_print_json(FILE *out, const struct mg_event_ctx *ctx, const char *type,
			   const struct mg_event_field *f, size_t nf);

/*
 * A notice that the kernel dropped @dropped events (ring buffer full) since
 * the last one, @total in all: drops are reported, never silent.
 */
void mg_drops_print_json(FILE *out, const struct mg_event_ctx *ctx, uint64_t dropped,
			 uint64_t total);

struct mg_json_buf;
/* Open flags as names: "O_RDWR|O_CREAT" (unnamed bits in octal at the end). */
void mg_jb_open_flags(struct mg_json_buf *o, unsigned int flags);

#endif /* MGUARD_EVENTS_H */
