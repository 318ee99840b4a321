// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/libbpf.h>

#include "kernel/ringbuf.h"

/* libbpf's reader is the implementation; the type only hides it. */
struct mg_ringbuf *mg_ringbuf_new(int map_fd, mg_ringbuf_fn fn, void *ctx)
{
	return (struct mg_ringbuf *)ring_buffer__new(map_fd, fn, ctx, NULL);
}

int mg_ringbuf_poll(struct mg_ringbuf *rb, int timeout_ms)
{
	return ring_buffer__poll((struct ring_buffer *)rb, timeout_ms);
}

int mg_ringbuf_consume(struct mg_ringbuf *rb)
{
	return ring_buffer__consume((struct ring_buffer *)rb);
}

void mg_ringbuf_free(struct mg_ringbuf *rb)
{
	ring_buffer__free((struct ring_buffer *)rb);
}
