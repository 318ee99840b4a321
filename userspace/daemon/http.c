// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "daemon/http.h"

#define MG_HTTP_CONNECTIONS 16
#define MG_HTTP_TIMEOUT_S   10
#define MG_PROM_CONTENT	    "text/plain; version=0.0.4; charset=utf-8"

struct mg_http {
	struct MHD_Daemon *mhd; /* NULL until served */
	int fd;			/* the listening socket until served; then -1 */
	uint16_t port;
	pthread_mutex_t lock; /* guards what follows */
	char *metrics;
	size_t metrics_len;
	bool ready;
	char why[256];
	time_t beat; /* when the main loop last published; 0: never */
};

int mg_http_parse_listen(const char *s, struct sockaddr_storage *ret, socklen_t *ret_len, char *why,
			 size_t why_size)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port_s;
	bool is6 = *s == '[';
	unsigned long port;
	char *end;
	size_t n;

	memset(ret, 0, sizeof(*ret));
	if (!*s) {
		snprintf(why, why_size, "empty: want ADDR:PORT");
		return -EINVAL;
	}
	if (is6) {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':') {
			snprintf(why, why_size, "an IPv6 address goes in brackets: [ADDR]:PORT");
			return -EINVAL;
		}
		n = close - s - 1;
		colon = close + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			snprintf(why, why_size, "no port: want ADDR:PORT");
			return -EINVAL;
		}
		n = colon - s;
	}
	if (n == 0 || n >= sizeof(host)) {
		snprintf(why, why_size, "no address: want ADDR:PORT");
		return -EINVAL;
	}
	memcpy(host, s, n);
	host[n] = '\0';
	port_s = colon + 1;
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (!*port_s || *end || *port_s == '-' || *port_s == '+' || errno || port > 65535) {
		snprintf(why, why_size, "port '%s' is not a number from 0 to 65535", port_s);
		return -EINVAL;
	}
	if (is6) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ret;

		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1) {
			snprintf(why, why_size, "'%s' is not a numeric IPv6 address", host);
			return -EINVAL;
		}
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*ret_len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ret;

		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) {
			snprintf(why, why_size,
				 "'%s' is not a numeric IPv4 address (IPv6: [ADDR]:PORT)", host);
			return -EINVAL;
		}
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*ret_len = sizeof(*a4);
	}
	return 0;
}

/* libmicrohttpd's own messages, as warnings of the daemon. */
static void mg_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	mg_warn("metrics endpoint: %s", msg);
}

static enum MHD_Result mg_reply(struct MHD_Connection *conn, unsigned int code, const char *type,
				const char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	r = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result mg_reply_text(struct MHD_Connection *conn, unsigned int code,
				     const char *text)
{
	return mg_reply(conn, code, "text/plain; charset=utf-8", text, strlen(text));
}

static enum MHD_Result mg_answer(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version, const char *upload_data,
				 size_t *upload_data_size, void **req_cls)
{
	struct mg_http *http = cls;
	char text[320];
	enum MHD_Result r;
	bool alive;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return mg_reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	pthread_mutex_lock(&http->lock);
	alive = http->beat && time(NULL) - http->beat <= MG_HTTP_STALE_SECONDS;
	if (!strcmp(url, "/metrics")) {
		if (http->metrics)
			r = mg_reply(conn, MHD_HTTP_OK, MG_PROM_CONTENT, http->metrics,
				     http->metrics_len);
		else
			r = mg_reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no metrics yet\n");
	} else if (!strcmp(url, "/healthz")) {
		r = alive ? mg_reply_text(conn, MHD_HTTP_OK, "ok\n") :
			    mg_reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
					  "the main loop has not run for over 10 s\n");
	} else if (!strcmp(url, "/readyz")) {
		if (http->ready && alive) {
			r = mg_reply_text(conn, MHD_HTTP_OK, "ready: enforcing\n");
		} else {
			snprintf(text, sizeof(text), "not ready: %s\n",
				 !alive	    ? "the main loop is not alive" :
				 *http->why ? http->why :
					      "starting");
			r = mg_reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, text);
		}
	} else {
		r = mg_reply_text(conn, MHD_HTTP_NOT_FOUND,
				  "not found: try /metrics, /healthz or /readyz\n");
	}
	pthread_mutex_unlock(&http->lock);
	return r;
}

int mg_http_open(const char *where, struct mg_http **ret)
{
	struct sockaddr_storage addr;
	struct mg_http *http;
	socklen_t addr_len;
	char why[128];
	int one = 1, fd, err;

	if (!where) {
		mg_err("invalid --metrics-listen: want ADDR:PORT");
		return -EINVAL;
	}
	err = mg_http_parse_listen(where, &addr, &addr_len, why, sizeof(why));
	if (err) {
		mg_err("invalid --metrics-listen '%s': %s", where, why);
		return err;
	}
	fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return mg_log_errno(-errno, "failed to make a socket for '%s'", where);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, addr_len) < 0 || listen(fd, 16) < 0) {
		err = mg_log_errno(-errno, "failed to listen on '%s' for metrics", where);
		close(fd);
		return err;
	}
	addr_len = sizeof(addr);
	http = calloc(1, sizeof(*http));
	if (!http) {
		close(fd);
		return -ENOMEM;
	}
	pthread_mutex_init(&http->lock, NULL);
	http->fd = fd;
	if (getsockname(fd, (struct sockaddr *)&addr, &addr_len) == 0)
		http->port = ntohs(addr.ss_family == AF_INET6 ?
					   ((struct sockaddr_in6 *)&addr)->sin6_port :
					   ((struct sockaddr_in *)&addr)->sin_port);
	*ret = http;
	return 0;
}

int mg_http_serve(struct mg_http *http)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG;

	if (http->mhd)
		return 0;
	http->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, mg_answer, http, MHD_OPTION_EXTERNAL_LOGGER, mg_mhd_log, NULL,
		MHD_OPTION_LISTEN_SOCKET, http->fd, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)MG_HTTP_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)MG_HTTP_TIMEOUT_S, MHD_OPTION_END);
	if (!http->mhd) {
		mg_err("failed to start serving metrics on port %u", http->port);
		return -EIO;
	}
	http->fd = -1; /* libmicrohttpd's now: it closes it */
	return 0;
}

int mg_http_start(const char *where, struct mg_http **ret)
{
	struct mg_http *http = NULL;
	int err = mg_http_open(where, &http);

	if (err || !http)
		return err ? err : -EIO;
	err = mg_http_serve(http);
	if (err) {
		mg_http_stop(http);
		return err;
	}
	*ret = http;
	return 0;
}

uint16_t mg_http_port(const struct mg_http *http)
{
	return http->port;
}

int mg_http_publish(struct mg_http *http, const char *metrics, size_t len, bool ready,
		    const char *why_not_ready, time_t now)
{
	char *copy = NULL;

	if (metrics) {
		copy = malloc(len + 1);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, metrics, len);
		copy[len] = '\0';
	}
	pthread_mutex_lock(&http->lock);
	if (copy) {
		free(http->metrics);
		http->metrics = copy;
		http->metrics_len = len;
	}
	http->ready = ready;
	snprintf(http->why, sizeof(http->why), "%s", why_not_ready ? why_not_ready : "");
	http->beat = now;
	pthread_mutex_unlock(&http->lock);
	return 0;
}

void mg_http_stop(struct mg_http *http)
{
	if (!http)
		return;
	if (http->mhd)
		MHD_stop_daemon(http->mhd);
	if (http->fd >= 0)
		close(http->fd);
	pthread_mutex_destroy(&http->lock);
	free(http->metrics);
	free(http);
}
