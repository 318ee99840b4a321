/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Ring-buffer event records rendered as JSON lines. */
#ifndef MGUARD_EVENTS_H
#define MGUARD_EVENTS_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compile/compile.h"
#include "mguard_abi.h"

/* Nanoseconds to add to CLOCK_BOOTTIME to get CLOCK_REALTIME, now. */
int64_t mg_boot_to_realtime_offset(void);

/* Room for an event's line but for very long names or paths. */
#define MG_EVENT_JSON_BUF 4096

/*
 * One event as one JSON object and a newline, into @buf of @size bytes (no
 * NUL is added). @img (may be NULL) names the scope, model, tier and path the
 * kernel only knows by number. Returns the line's length: when that is more
 * than @size, the line was not written whole, and a buffer of that length
 * holds it. The date and time to the second are kept, per thread, until the
 * second changes.
 */
size_t mg_event_format_json(char *buf, size_t size, const struct mg_event *e,
			    const struct mg_image *img, int64_t boot_offset_ns);

/* The same line, written to @out. */
void mg_event_print_json(FILE *out, const struct mg_event *e, const struct mg_image *img,
			 int64_t boot_offset_ns);

/*
 * A notice that the kernel dropped @dropped events (ring buffer full) since
 * the last one, @total in all: drops are reported, never silent.
 */
void mg_drops_print_json(FILE *out, uint64_t dropped, uint64_t total);

#endif /* MGUARD_EVENTS_H */
