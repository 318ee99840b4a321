/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The daemon's HTTP endpoint (libmicrohttpd, its own thread): /metrics
 * serves the Prometheus text the main loop last rendered, /healthz says the
 * main loop is alive, /readyz that a policy is in force with its programs
 * attached. The main loop publishes; the HTTP thread only copies out.
 */
#ifndef MGUARD_HTTP_H
#define MGUARD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

/* A main loop that has not published for this long is not alive. */
#define MG_HTTP_STALE_SECONDS 10

struct mg_http;

/*
 * Parse "ADDR:PORT" (a numeric IPv4 address, or an IPv6 one in brackets:
 * "[::1]:9464"; PORT 0..65535, 0 picks a free one) into *@ret and its length
 * into *@ret_len. Returns 0, or -EINVAL with a reason in @why (@why_size bytes).
 */
int mg_http_parse_listen(const char *s, struct sockaddr_storage *ret, socklen_t *ret_len, char *why,
			 size_t why_size);

/*
 * Bind and listen on @where ("ADDR:PORT"), serving nothing yet: the daemon
 * binds before it goes to the background, so a taken port is reported on
 * the terminal. Returns 0, -EINVAL for a bad @where, or a negative errno
 * when the address cannot be bound (each reported).
 */
int mg_http_open(const char *where, struct mg_http **ret);

/* Serve from a thread of its own (after any fork). Returns 0 or a negative errno (reported). */
int mg_http_serve(struct mg_http *http);

/* Open, then serve. */
int mg_http_start(const char *where, struct mg_http **ret);

/* The port listened on (useful when 0 was asked). */
uint16_t mg_http_port(const struct mg_http *http);

/*
 * What to serve from now on: the metrics text (copied), whether the guard is
 * ready and, if not, why (copied; NULL: no reason). Also marks the main loop
 * alive at @now.
 */
int mg_http_publish(struct mg_http *http, const char *metrics, size_t len, bool ready,
		    const char *why_not_ready, time_t now);

/* Stop serving and free @http (NULL is fine). */
void mg_http_stop(struct mg_http *http);

#endif /* MGUARD_HTTP_H */
