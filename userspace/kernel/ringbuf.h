/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The event ring buffer, read without libbpf in sight: each record is handed
 * to a callback, as libbpf's ring_buffer does.
 */
#ifndef MGUARD_RINGBUF_H
#define MGUARD_RINGBUF_H

#include <stddef.h>

struct mg_ringbuf;

/* Called for each record; a negative return stops the poll and is returned. */
typedef int (*mg_ringbuf_fn)(void *ctx, void *data, size_t size);

/* A reader of the ring buffer map @map_fd. NULL with errno set on failure. */
struct mg_ringbuf *mg_ringbuf_new(int map_fd, mg_ringbuf_fn fn, void *ctx);

/*
 * Wait up to @timeout_ms for records and hand each to the callback. Returns
 * how many were handed, or a negative errno (-EINTR on a signal).
 */
int mg_ringbuf_poll(struct mg_ringbuf *rb, int timeout_ms);

/* Hand every record already there, without waiting. Returns as poll does. */
int mg_ringbuf_consume(struct mg_ringbuf *rb);

/* NULL is fine. */
void mg_ringbuf_free(struct mg_ringbuf *rb);

#endif /* MGUARD_RINGBUF_H */
