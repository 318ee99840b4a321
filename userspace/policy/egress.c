// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Egress allow-list entries: ADDR[/LEN][:PORT[-PORT]][/PROTO], with an IPv6
 * address in brackets whenever anything follows it ("[fd00::/8]:443/tcp").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

#define ADDR_TEXT_MAX 64 /* longer than any address inet_pton accepts */

static _Thread_local char egress_err[256];

static int fail(const char **ret_err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(const char **ret_err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(egress_err, sizeof(egress_err), fmt, ap);
	va_end(ap);
	if (ret_err)
		*ret_err = egress_err;
	return -EINVAL;
}

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Decimal of at most 6 digits (enough to see that it is too large). */
static bool parse_uint(const char *s, size_t n, unsigned int *ret)
{
	unsigned int v = 0;

	if (!all_digits(s, n) || n > 6)
		return false;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned int)(s[i] - '0');
	*ret = v;
	return true;
}

static int parse_prefixlen(const char *s, size_t n, unsigned int max, const char *family,
			   unsigned int *ret, const char **ret_err)
{
	unsigned int v;

	if (!n)
		return fail(ret_err, "missing prefix length after '/'");
	if (!parse_uint(s, n, &v))
		return fail(ret_err, "invalid prefix length '%.*s'", (int)n, s);
	if (v > max)
		return fail(ret_err, "prefix length %u is over %u for %s", v, max, family);
	*ret = v;
	return 0;
}

static int parse_port(const char *s, size_t n, unsigned int *ret, const char **ret_err)
{
	unsigned int v;

	if (!parse_uint(s, n, &v))
		return fail(ret_err, "invalid port '%.*s'", (int)n, s);
	if (v > 65535)
		return fail(ret_err, "port %u is over 65535", v);
	*ret = v;
	return 0;
}

static int parse_ports(const char *s, size_t n, struct mg_egress_rule *r, const char **ret_err)
{
	const char *dash = memchr(s, '-', n);
	unsigned int lo = 0, hi = 0;
	int err;

	if (!n)
		return fail(ret_err, "missing port after ':'");
	if (dash) {
		err = parse_port(s, dash - s, &lo, ret_err);
		if (!err)
			err = parse_port(dash + 1, n - (dash + 1 - s), &hi, ret_err);
	} else {
		err = parse_port(s, n, &lo, ret_err);
		hi = lo;
	}
	if (err)
		return err;
	if (lo > hi)
		return fail(ret_err, "port range %u-%u has its low end above its high end", lo, hi);
	if ((lo == 0 || hi == 0) && !(lo == 0 && hi == 65535))
		return fail(
			ret_err,
			"port 0 is only allowed as part of 0-65535 (leave the port out to allow all ports)");
	r->port_lo = (uint16_t)lo;
	r->port_hi = (uint16_t)hi;
	return 0;
}

/* ":PORT[-PORT]" then "/PROTO", each optional, then the end. */
static int parse_tail(const char *s, struct mg_egress_rule *r, const char **ret_err)
{
	int err;

	if (*s == ':') {
		size_t n = strcspn(s + 1, "/");

		err = parse_ports(s + 1, n, r, ret_err);
		if (err)
			return err;
		s += 1 + n;
	}
	if (*s == '/') {
		s++;
		if (!*s)
			return fail(ret_err, "missing protocol after '/'");
		if (strcmp(s, "tcp") == 0)
			r->protos = MG_EGRESS_TCP;
		else if (strcmp(s, "udp") == 0)
			r->protos = MG_EGRESS_UDP;
		else
			return fail(ret_err, "unknown protocol '%s' (expected tcp or udp)", s);
		return 0;
	}
	if (*s)
		return fail(ret_err, "unexpected '%s' after the address", s);
	return 0;
}

static bool copy_text(char *dst, const char *s, size_t n)
{
	if (n >= ADDR_TEXT_MAX)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* Reject an address with bits set past its prefix, naming the network meant. */
static int check_host_bits(const struct mg_egress_rule *r, bool v4, const char **ret_err)
{
	uint8_t net[16];
	char text[INET6_ADDRSTRLEN];
	bool extra = false;

	for (unsigned int i = 0; i < 16; i++) {
		unsigned int bits = r->prefixlen > i * 8 ? r->prefixlen - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		net[i] = r->addr[i] & mask;
		if (net[i] != r->addr[i])
			extra = true;
	}
	if (!extra)
		return 0;
	if (v4)
		inet_ntop(AF_INET, net + 12, text, sizeof(text));
	else
		inet_ntop(AF_INET6, net, text, sizeof(text));
	if (v4)
		return fail(ret_err, "address has bits set beyond /%u (the network is %s/%u)",
			    r->prefixlen - 96, text, r->prefixlen - 96);
	return fail(ret_err, "address has bits set beyond /%u (the network is [%s/%u])",
		    r->prefixlen, text, r->prefixlen);
}

static int parse_bracketed(const char *text, struct mg_egress_rule *r, const char **ret_err)
{
	const char *end = strchr(text, ']');
	const char *inner = text + 1, *slash;
	char addr[ADDR_TEXT_MAX];
	uint8_t v4[4];
	size_t alen;
	int err;

	if (!end)
		return fail(ret_err, "missing ']' after the IPv6 address");
	slash = memchr(inner, '/', end - inner);
	alen = (slash ? slash : end) - inner;
	if (!copy_text(addr, inner, alen))
		return fail(ret_err, "invalid IPv6 address '%.*s'", ADDR_TEXT_MAX, inner);
	if (inet_pton(AF_INET6, addr, r->addr) != 1) {
		if (inet_pton(AF_INET, addr, v4) == 1)
			return fail(ret_err, "brackets are only for IPv6 addresses");
		return fail(ret_err, "invalid IPv6 address '%s'", addr);
	}
	r->prefixlen = 128;
	if (slash) {
		err = parse_prefixlen(slash + 1, end - slash - 1, 128, "IPv6", &r->prefixlen,
				      ret_err);
		if (err)
			return err;
	}
	if (end[1] == '/' && end[2] >= '0' && end[2] <= '9')
		return fail(ret_err, "the prefix length goes inside the brackets ('[%s/%s]')", addr,
			    end + 2);
	err = check_host_bits(r, false, ret_err);
	if (err)
		return err;
	return parse_tail(end + 1, r, ret_err);
}

static int parse_v4(const char *text, struct mg_egress_rule *r, const char **ret_err)
{
	size_t alen = strcspn(text, "/:");
	const char *s = text + alen;
	char addr[ADDR_TEXT_MAX];
	unsigned int len = 32;
	int err;

	if (!alen)
		return fail(ret_err, "missing address");
	if (!copy_text(addr, text, alen) || inet_pton(AF_INET, addr, r->addr + 12) != 1)
		return fail(ret_err, "invalid IPv4 address '%.*s'",
			    (int)(alen < ADDR_TEXT_MAX ? alen : ADDR_TEXT_MAX), text);
	r->addr[10] = 0xff;
	r->addr[11] = 0xff;
	if (*s == '/' && s[1] >= '0' && s[1] <= '9') {
		size_t n = strcspn(s + 1, "/:");

		err = parse_prefixlen(s + 1, n, 32, "IPv4", &len, ret_err);
		if (err)
			return err;
		s += 1 + n;
	}
	r->prefixlen = 96 + len;
	err = check_host_bits(r, true, ret_err);
	if (err)
		return err;
	return parse_tail(s, r, ret_err);
}

/* Two colons or more, none after a dot: IPv6 (an IPv4 entry has one colon at most). */
static bool looks_v6(const char *text)
{
	const char *colon = strchr(text, ':');

	return colon && strchr(colon + 1, ':') && !memchr(text, '.', colon - text);
}

int mg_egress_parse(const char *text, struct mg_egress_rule *ret, const char **ret_err)
{
	struct mg_egress_rule r;
	int err;

	if (!text || !*text)
		return fail(ret_err, "empty entry");

	memset(&r, 0, sizeof(r));
	r.port_lo = 0;
	r.port_hi = 65535;
	r.protos = MG_EGRESS_TCP | MG_EGRESS_UDP;

	if (text[0] == '[') {
		err = parse_bracketed(text, &r, ret_err);
	} else if (looks_v6(text)) {
		char addr[ADDR_TEXT_MAX];

		if (strpbrk(text, "/[]"))
			return fail(
				ret_err,
				"an IPv6 address needs brackets when a prefix length, port or protocol follows, as in '[fd00::/8]:443'");
		if (!copy_text(addr, text, strlen(text)) || inet_pton(AF_INET6, addr, r.addr) != 1)
			return fail(ret_err, "invalid IPv6 address '%.*s'", ADDR_TEXT_MAX, text);
		r.prefixlen = 128;
		err = 0;
	} else {
		err = parse_v4(text, &r, ret_err);
	}
	if (err)
		return err;
	*ret = r;
	return 0;
}
