/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Ring-buffer event records rendered as JSON lines. */
#ifndef MGUARD_EVENTS_H
#define MGUARD_EVENTS_H

#include <linux/types.h>
#include <stdint.h>
#include <stdio.h>

#include "compile.h"
#include "mguard_abi.h"

const char *mg_verdict_name(unsigned int verdict);
const char *mg_reason_name(unsigned int reason);

/* Nanoseconds to add to CLOCK_BOOTTIME to get CLOCK_REALTIME, now. */
int64_t mg_boot_to_realtime_offset(void);

/*
 * One event as one JSON object and a newline. @img (may be NULL) names the
 * scope, model, tier and path the kernel only knows by number.
 */
void mg_event_print_json(FILE *out, const struct mg_event *e, const struct mg_image *img,
			 int64_t boot_offset_ns);

/*
 * A notice that the kernel dropped @dropped events (ring buffer full) since
 * the last one, @total in all: drops are reported, never silent.
 */
void mg_drops_print_json(FILE *out, uint64_t dropped, uint64_t total);

#endif /* MGUARD_EVENTS_H */
