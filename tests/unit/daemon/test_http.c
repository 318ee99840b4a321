// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The HTTP endpoint: ADDR:PORT parsing, /metrics, /healthz, /readyz, errors. */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/util.h"
#include "daemon/http.h"

static void test_parse_listen(void **state)
{
	static const char *const good[] = { "127.0.0.1:9464", "0.0.0.0:0", "[::1]:9464",
					    "[::]:65535" };
	static const char *const bad[] = {
		"",	      "127.0.0.1",	"127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
		":9464",      "localhost:9464", "::1:9464",   "[::1]9464",	 "[::1:9464",
		"1.2.3:9464", "127.0.0.1:9x",	"[zz]:1",     "127.0.0.1:+5",
	};
	struct sockaddr_storage ss;
	socklen_t len;
	char why[128];

	for (size_t i = 0; i < MG_ARRAY_SIZE(good); i++)
		assert_int_equal(mg_http_parse_listen(good[i], &ss, &len, why, sizeof(why)), 0);
	assert_int_equal(mg_http_parse_listen("[::1]:80", &ss, &len, why, sizeof(why)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 80);
	assert_int_equal(mg_http_parse_listen("10.1.2.3:8080", &ss, &len, why, sizeof(why)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++) {
		why[0] = '\0';
		if (mg_http_parse_listen(bad[i], &ss, &len, why, sizeof(why)) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
		assert_true(strlen(why) > 0);
	}
	mg_http_parse_listen("127.0.0.1:99999", &ss, &len, why, sizeof(why));
	assert_string_equal(why, "port '99999' is not a number from 0 to 65535");
}

/* GET (or @method) @path on 127.0.0.1:@port; the status, and the body in @body. */
static int get(uint16_t port, const char *method, const char *path, char *body, size_t size)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	char req[256], buf[65536], *p;
	size_t got = 0;
	ssize_t n;
	int fd, code = -1;

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		     method, path);
	assert_int_equal(write(fd, req, n), n);
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	assert_int_equal(sscanf(buf, "HTTP/1.1 %d", &code), 1);
	p = strstr(buf, "\r\n\r\n");
	snprintf(body, size, "%s", p ? p + 4 : "");
	if (strstr(buf, "Content-Type: text/plain; version=0.0.4"))
		strncat(body, "[prometheus-type]", size - strlen(body) - 1);
	return code;
}

static void test_endpoints(void **state)
{
	const char *text = "# HELP a_total x\n# TYPE a_total counter\na_total 1\n";
	struct mg_http *http;
	char body[4096];
	uint16_t port;

	assert_int_equal(mg_http_start("127.0.0.1:0", &http), 0);
	port = mg_http_port(http);
	assert_true(port > 0);

	/* Nothing published yet: not alive, not ready, no metrics. */
	assert_int_equal(get(port, "GET", "/metrics", body, sizeof(body)), 503);
	assert_int_equal(get(port, "GET", "/healthz", body, sizeof(body)), 503);
	assert_int_equal(get(port, "GET", "/readyz", body, sizeof(body)), 503);

	/* Alive, not yet enforcing: the reason is said. */
	assert_int_equal(
		mg_http_publish(http, text, strlen(text), false, "no policy in force", time(NULL)),
		0);
	assert_int_equal(get(port, "GET", "/healthz", body, sizeof(body)), 200);
	assert_string_equal(body, "ok\n");
	assert_int_equal(get(port, "GET", "/readyz", body, sizeof(body)), 503);
	assert_string_equal(body, "not ready: no policy in force\n");
	assert_int_equal(get(port, "GET", "/metrics", body, sizeof(body)), 200);
	assert_non_null(strstr(body, "a_total 1\n[prometheus-type]"));

	/* Enforcing; a text published without new metrics keeps the last ones. */
	assert_int_equal(mg_http_publish(http, NULL, 0, true, NULL, time(NULL)), 0);
	assert_int_equal(get(port, "GET", "/readyz", body, sizeof(body)), 200);
	assert_string_equal(body, "ready: enforcing\n");
	assert_int_equal(get(port, "GET", "/metrics", body, sizeof(body)), 200);
	assert_non_null(strstr(body, "a_total 1\n"));

	/* A main loop that stopped publishing is neither alive nor ready. */
	assert_int_equal(
		mg_http_publish(http, NULL, 0, true, NULL, time(NULL) - MG_HTTP_STALE_SECONDS - 2),
		0);
	assert_int_equal(get(port, "GET", "/healthz", body, sizeof(body)), 503);
	assert_int_equal(get(port, "GET", "/readyz", body, sizeof(body)), 503);
	assert_string_equal(body, "not ready: the main loop is not alive\n");

	assert_int_equal(get(port, "GET", "/nope", body, sizeof(body)), 404);
	assert_int_equal(get(port, "POST", "/metrics", body, sizeof(body)), 405);
	mg_http_stop(http);
}

static void test_port_taken(void **state)
{
	struct mg_http *a, *b;
	char where[32];

	assert_int_equal(mg_http_start("127.0.0.1:0", &a), 0);
	snprintf(where, sizeof(where), "127.0.0.1:%u", mg_http_port(a));
	assert_int_equal(mg_http_open(where, &b), -EADDRINUSE);
	assert_int_equal(mg_http_open("127.0.0.1", &b), -EINVAL);
	mg_http_stop(a);
	mg_http_stop(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_listen),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_port_taken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
