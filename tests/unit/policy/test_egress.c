// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

#define ALL_PROTOS (MG_EGRESS_TCP | MG_EGRESS_UDP)

struct good {
	const char *text;
	const char *addr; /* the stored 128-bit address, as IPv6 text */
	unsigned int prefixlen;
	unsigned int port_lo, port_hi;
	unsigned int protos;
};

static const struct good goods[] = {
	{ "127.0.0.1", "::ffff:127.0.0.1", 128, 0, 65535, ALL_PROTOS },
	{ "127.0.0.1:8000", "::ffff:127.0.0.1", 128, 8000, 8000, ALL_PROTOS },
	{ "10.0.0.1/32", "::ffff:10.0.0.1", 128, 0, 65535, ALL_PROTOS },
	{ "10.0.0.0/8:443/tcp", "::ffff:10.0.0.0", 104, 443, 443, MG_EGRESS_TCP },
	{ "10.0.0.0/8/tcp", "::ffff:10.0.0.0", 104, 0, 65535, MG_EGRESS_TCP },
	{ "192.168.1.1/udp", "::ffff:192.168.1.1", 128, 0, 65535, MG_EGRESS_UDP },
	{ "0.0.0.0/0", "::ffff:0.0.0.0", 96, 0, 65535, ALL_PROTOS },
	{ "0.0.0.0/0:8000-8100/udp", "::ffff:0.0.0.0", 96, 8000, 8100, MG_EGRESS_UDP },
	{ "1.2.3.4:0-65535", "::ffff:1.2.3.4", 128, 0, 65535, ALL_PROTOS },
	{ "1.2.3.4:65535", "::ffff:1.2.3.4", 128, 65535, 65535, ALL_PROTOS },
	{ "1.2.3.4:1-1", "::ffff:1.2.3.4", 128, 1, 1, ALL_PROTOS },
	{ "::1", "::1", 128, 0, 65535, ALL_PROTOS },
	{ "fe80::1:80", "fe80::1:80", 128, 0, 65535, ALL_PROTOS },
	{ "[::1]", "::1", 128, 0, 65535, ALL_PROTOS },
	{ "[::1]:8000", "::1", 128, 8000, 8000, ALL_PROTOS },
	{ "[fd00::/8]:443", "fd00::", 8, 443, 443, ALL_PROTOS },
	{ "[fd00::/8]:443/tcp", "fd00::", 8, 443, 443, MG_EGRESS_TCP },
	{ "[2001:db8::/32]/udp", "2001:db8::", 32, 0, 65535, MG_EGRESS_UDP },
	{ "[::/0]", "::", 0, 0, 65535, ALL_PROTOS },
	{ "[::ffff:10.0.0.0/104]:53", "::ffff:10.0.0.0", 104, 53, 53, ALL_PROTOS },
};

static void test_good(void **state)
{
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct mg_egress_rule r;
		const char *err = NULL;
		uint8_t want[16];

		memset(&r, 0xaa, sizeof(r));
		if (mg_egress_parse(g->text, &r, &err) != 0)
			fail_msg("'%s': %s", g->text, err);
		assert_null(err);
		assert_int_equal(inet_pton(AF_INET6, g->addr, want), 1);
		if (memcmp(r.addr, want, 16) != 0)
			fail_msg("'%s': wrong address", g->text);
		assert_int_equal(r.prefixlen, g->prefixlen);
		assert_int_equal(r.port_lo, g->port_lo);
		assert_int_equal(r.port_hi, g->port_hi);
		assert_int_equal(r.protos, g->protos);
		assert_null(r.loc.file);
		assert_int_equal(r.loc.line, 0);
	}
}

struct bad {
	const char *text;
	const char *msg;
};

static const struct bad bads[] = {
	{ "", "empty entry" },
	{ "10.0.0.0/33", "prefix length 33 is over 32 for IPv4" },
	{ "[fd00::/129]", "prefix length 129 is over 128 for IPv6" },
	{ "10.0.0.0/8x", "invalid prefix length '8x'" },
	{ "[::1/]", "missing prefix length after '/'" },
	{ "[::1/x]", "invalid prefix length 'x'" },
	{ "10.1.0.0/8", "address has bits set beyond /8 (the network is 10.0.0.0/8)" },
	{ "10.0.0.1/0", "address has bits set beyond /0 (the network is 0.0.0.0/0)" },
	{ "[fd00::1/8]:443", "address has bits set beyond /8 (the network is [fd00::/8])" },
	{ "10.0.0.256", "invalid IPv4 address '10.0.0.256'" },
	{ "10.1", "invalid IPv4 address '10.1'" },
	{ "010.0.0.1", "invalid IPv4 address '010.0.0.1'" },
	{ " 10.0.0.1", "invalid IPv4 address ' 10.0.0.1'" },
	{ "example.com:443", "invalid IPv4 address 'example.com'" },
	{ "10:80", "invalid IPv4 address '10'" },
	{ ":80", "missing address" },
	{ "fd00::/8",
	  "an IPv6 address needs brackets when a prefix length, port or protocol follows, as in '[fd00::/8]:443'" },
	{ "::1/tcp",
	  "an IPv6 address needs brackets when a prefix length, port or protocol follows, as in '[fd00::/8]:443'" },
	{ "fd00::zz", "invalid IPv6 address 'fd00::zz'" },
	{ "[fd00::zz]", "invalid IPv6 address 'fd00::zz'" },
	{ "[fd00::", "missing ']' after the IPv6 address" },
	{ "[10.0.0.1]:80", "brackets are only for IPv6 addresses" },
	{ "[::1]/64", "the prefix length goes inside the brackets ('[::1/64]')" },
	{ "[::1]x", "unexpected 'x' after the address" },
	{ "[::1]:", "missing port after ':'" },
	{ "1.2.3.4:", "missing port after ':'" },
	{ "1.2.3.4:0",
	  "port 0 is only allowed as part of 0-65535 (leave the port out to allow all ports)" },
	{ "1.2.3.4:0-80",
	  "port 0 is only allowed as part of 0-65535 (leave the port out to allow all ports)" },
	{ "1.2.3.4:70000", "port 70000 is over 65535" },
	{ "1.2.3.4:80-70000", "port 70000 is over 65535" },
	{ "1.2.3.4:1234567", "invalid port '1234567'" },
	{ "1.2.3.4:9000-8000", "port range 9000-8000 has its low end above its high end" },
	{ "1.2.3.4:http", "invalid port 'http'" },
	{ "1.2.3.4:80-", "invalid port ''" },
	{ "1.2.3.4:-80", "invalid port ''" },
	{ "1.2.3.4:+80", "invalid port '+80'" },
	{ "1.2.3.4:80:90", "invalid port '80:90'" },
	{ "1.2.3.4/sctp", "unknown protocol 'sctp' (expected tcp or udp)" },
	{ "1.2.3.4:80/TCP", "unknown protocol 'TCP' (expected tcp or udp)" },
	{ "1.2.3.4:80/tcp/udp", "unknown protocol 'tcp/udp' (expected tcp or udp)" },
	{ "1.2.3.4/", "missing protocol after '/'" },
	{ "[::1]:80/", "missing protocol after '/'" },
};

static void test_bad(void **state)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		struct mg_egress_rule r, before;
		const char *err = NULL;

		memset(&r, 0xaa, sizeof(r));
		before = r;
		if (mg_egress_parse(b->text, &r, &err) != -EINVAL)
			fail_msg("'%s' was accepted", b->text);
		assert_non_null(err);
		if (strcmp(err, b->msg) != 0)
			fail_msg("'%s': got \"%s\", want \"%s\"", b->text, err, b->msg);
		assert_memory_equal(&r, &before, sizeof(r));
	}
}

static void test_no_error_pointer(void **state)
{
	struct mg_egress_rule r;

	assert_int_equal(mg_egress_parse("10.0.0.0/33", &r, NULL), -EINVAL);
	assert_int_equal(mg_egress_parse(NULL, &r, NULL), -EINVAL);
	assert_int_equal(mg_egress_parse("10.0.0.1", &r, NULL), 0);
}

/* Absurd input gets a bounded message and no crash. */
static void test_long_input(void **state)
{
	char text[600];
	struct mg_egress_rule r;
	const char *err = NULL;

	memset(text, '1', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(mg_egress_parse(text, &r, &err), -EINVAL);
	assert_non_null(err);
	assert_true(strncmp(err, "invalid IPv4 address '111", 25) == 0);

	memcpy(text, "[::", 3);
	assert_int_equal(mg_egress_parse(text, &r, &err), -EINVAL);
	assert_string_equal(err, "missing ']' after the IPv6 address");

	text[sizeof(text) - 2] = ']';
	assert_int_equal(mg_egress_parse(text, &r, &err), -EINVAL);
	assert_true(strncmp(err, "invalid IPv6 address '::111", 27) == 0);

	memcpy(text, "1.2.3.4:", 8);
	text[sizeof(text) - 2] = '1';
	assert_int_equal(mg_egress_parse(text, &r, &err), -EINVAL);
	assert_true(strlen(err) < 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_no_error_pointer),
		cmocka_unit_test(test_long_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
