// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The audit chain's writer: the exact fields each line gets, the link parser,
 * a chain continued by a daemon started again, lines lost leave no gap, the
 * host key's checks.
 */
#include "unit.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "audit_fixture.h"
#include "core/hex.h"
#include "daemon/audit.h"

static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";

static void sha256_hex(const char *s, size_t len, char out[MG_AUDIT_HEX_LEN + 1])
{
	uint8_t md[MG_AUDIT_HASH_LEN];

	EVP_Digest(s, len, md, NULL, EVP_sha256(), NULL);
	mg_hex_encode(md, sizeof(md), out);
}

/* The first line after 64 zeros; the next one after the SHA-256 of the first, newline left out. */
static void test_seal_exact(void **state)
{
	struct afx *fx = *state;
	struct mg_audit_chain *c = afx_chain(fx, NULL);
	char out[512], want[512], first[512], hex[MG_AUDIT_HEX_LEN + 1];
	ssize_t n;

	n = mg_audit_chain_seal(c, "{\"a\":1}\n", 8, out);
	snprintf(want, sizeof(want), "{\"a\":1,\"seq\":1,\"prev\":\"%s\"}\n", zeros);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	memcpy(first, out, n);
	sha256_hex(first, n - 1, hex);
	n = mg_audit_chain_seal(c, "{\"b\":2}\n", 8, out);
	snprintf(want, sizeof(want), "{\"b\":2,\"seq\":2,\"prev\":\"%s\"}\n", hex);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	/* Not a JSON object and a newline: refused, and the chain does not move. */
	assert_int_equal(mg_audit_chain_seal(c, "plain\n", 6, out), -EINVAL);
	assert_int_equal(mg_audit_chain_seal(c, "{\"c\":3}", 7, out), -EINVAL);
	assert_int_equal(mg_audit_chain_next_seq(c), 3);
	mg_audit_chain_free(c);
}

static void test_parse_link(void **state)
{
	struct mg_audit_link l;
	char line[256];
	int n;

	n = snprintf(line, sizeof(line), "{\"a\":1,\"seq\":42,\"prev\":\"%s\"}", zeros);
	assert_int_equal(mg_audit_parse_link(line, n, &l), 0);
	assert_int_equal(l.seq, 42);
	assert_int_equal(l.body_len, 6);
	/* Upper-case hex, a leading zero, a missing seq, a short hash: not links. */
	n = snprintf(line, sizeof(line), "{\"seq\":1,\"prev\":\"%.63sA\"}", zeros);
	assert_int_equal(mg_audit_parse_link(line, n, &l), -EINVAL);
	n = snprintf(line, sizeof(line), "{\"seq\":01,\"prev\":\"%s\"}", zeros);
	assert_int_equal(mg_audit_parse_link(line, n, &l), -EINVAL);
	n = snprintf(line, sizeof(line), "{\"x\":1,\"prev\":\"%s\"}", zeros);
	assert_int_equal(mg_audit_parse_link(line, n, &l), -EINVAL);
	n = snprintf(line, sizeof(line), "{\"seq\":1,\"prev\":\"%.62s\"}", zeros);
	assert_int_equal(mg_audit_parse_link(line, n, &l), -EINVAL);
	n = snprintf(line, sizeof(line), "{\"seq\":99999999999999999999,\"prev\":\"%s\"}", zeros);
	assert_int_equal(mg_audit_parse_link(line, n, &l), -EINVAL);
}

/* A daemon started again on the same folder goes on with the chain: one chain, intact. */
static void test_resume(void **state)
{
	struct afx *fx = *state;
	const char *name = "events.jsonl";
	struct mg_audit_summary sum;
	struct mg_audit_chain *c;

	afx_write(fx, "key.pem", 10, 0, 0, false);
	c = afx_chain(fx, NULL);
	assert_int_equal(mg_audit_chain_resume(c, unit_path(fx->log, name)), 1);
	assert_int_equal(mg_audit_chain_next_seq(c), 12);
	mg_audit_chain_free(c);
	afx_write(fx, "key.pem", 10, 0, 0, false);
	assert_int_equal(afx_verify_ring(fx, fx->ring, true, &name, 1, &sum), MG_AUDIT_INTACT);
	assert_int_equal(sum.lines, 22);
	assert_int_equal(sum.last_seq, 22);
	assert_int_equal(sum.checkpoints, 2);
	assert_int_equal(sum.restarts, 0);
}

/* Nothing to continue: no file, an empty one (then events.jsonl.1), lines not chained. */
static void test_resume_none(void **state)
{
	struct afx *fx = *state;
	struct mg_audit_chain *c = afx_chain(fx, NULL);
	const char *cur = unit_path(fx->log, "events.jsonl");

	assert_int_equal(mg_audit_chain_resume(c, cur), 0);
	assert_int_equal(mkdir(fx->log, 0700), 0);
	unit_put(cur, "{\"old\":1}\n", 10);
	assert_int_equal(mg_audit_chain_resume(c, cur), 0);
	assert_int_equal(mg_audit_chain_next_seq(c), 1);
	unlink(cur);
	afx_write(fx, NULL, 3, 0, 0, false);
	assert_int_equal(rename(cur, unit_path(fx->log, "events.jsonl.1")), 0);
	unit_put(cur, "", 0);
	assert_int_equal(mg_audit_chain_resume(c, cur), 1);
	assert_int_equal(mg_audit_chain_next_seq(c), 4);
	mg_audit_chain_free(c);
}

/* Lines lost when written: the chain goes back, so the file shows no gap. */
static void test_lost_lines_leave_no_gap(void **state)
{
	struct afx *fx = *state;
	struct mg_audit_chain *c = afx_chain(fx, NULL);
	const char *name = "events.jsonl";
	struct rlimit old, small;
	struct mg_audit_summary sum;
	struct mg_eventlog_stats st;
	struct mg_eventlog *log;
	struct stat sb;

	assert_int_equal(mg_eventlog_open(fx->log, 0, 0, &log), 0);
	assert_int_equal(mg_eventlog_set_chain(log, c), 0);
	assert_int_equal(mg_eventlog_write(log, "{\"a\":1}\n", 8), 0);
	/* A file size limit (root too is bound by it) makes the next write fail. */
	assert_int_equal(stat(unit_path(fx->log, name), &sb), 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = sb.st_size + 10;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_not_equal(mg_eventlog_write(log, "{\"lost\":\"a line too long\"}\n", 27), 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	mg_eventlog_get_stats(log, &st);
	assert_int_equal(st.lost, 1);
	assert_int_equal(mg_audit_chain_next_seq(c), 2);
	assert_int_equal(mg_eventlog_write(log, "{\"b\":2}\n", 8), 0);
	mg_eventlog_close(log);
	mg_audit_chain_free(c);
	assert_int_equal(afx_verify_ring(fx, NULL, false, &name, 1, &sum), MG_AUDIT_INTACT);
	assert_int_equal(sum.lines, 2);
	assert_int_equal(sum.last_seq, 2);
}

/* The host key: readable by every user, not a private key, not Ed25519. */
static void test_key_refused(void **state)
{
	struct afx *fx = *state;
	const char *key = unit_path(fx->base, "key.pem");
	struct mg_diags diags = {};
	struct mg_signer *s = NULL;
	EVP_PKEY *rsa;
	FILE *f;

	assert_int_equal(chmod(key, 0604), 0);
	assert_int_equal(mg_signer_load(key, &s, &diags), -EPERM);
	assert_non_null(strstr(diags.v[0].msg, "accessible to every user (mode 0604)"));
	mg_diags_free(&diags);
	assert_int_equal(chmod(key, 0640), 0);
	assert_int_equal(mg_signer_load(key, &s, &diags), 0);
	assert_string_equal(strstr(mg_signer_key_id(s), "ed25519:"), mg_signer_key_id(s));
	assert_int_equal(strlen(mg_signer_key_id(s)), MG_KEY_ID_LEN);
	mg_signer_free(s);

	chmod(unit_path(fx->base, "key.pem.pub"), 0600);
	assert_int_equal(mg_signer_load(unit_path(fx->base, "key.pem.pub"), &s, &diags), -EINVAL);
	assert_non_null(strstr(diags.v[0].msg, "not an unencrypted PEM private key"));
	mg_diags_free(&diags);

	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	assert_non_null(rsa);
	f = fopen(unit_path(fx->base, "rsa.pem"), "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, rsa, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	EVP_PKEY_free(rsa);
	chmod(unit_path(fx->base, "rsa.pem"), 0600);
	assert_int_equal(mg_signer_load(unit_path(fx->base, "rsa.pem"), &s, &diags), -EINVAL);
	assert_non_null(strstr(diags.v[0].msg, "not an Ed25519 private key (it is RSA)"));
	mg_diags_free(&diags);
}

/* Checkpoints: only with a key, only when lines came since the last, and by the interval. */
static void test_checkpoint_due(void **state)
{
	struct afx *fx = *state;
	struct mg_audit_chain *plain = afx_chain(fx, NULL), *c = afx_chain(fx, "key.pem");
	char out[1024], line[1024];
	ssize_t n;

	assert_false(mg_audit_chain_due(plain, true));
	assert_int_equal(mg_audit_chain_checkpoint(plain, line, sizeof(line)), -ENOKEY);
	assert_false(mg_audit_chain_due(c, true));
	mg_audit_chain_seal(c, "{\"a\":1}\n", 8, out);
	assert_true(mg_audit_chain_due(c, true));
	assert_false(mg_audit_chain_due(c, false)); /* 10 s have not passed */
	assert_int_equal(mg_audit_chain_checkpoint(c, line, 16), -ENOSPC);
	{
		/* A checkpoint lost on the way: the line that takes its seq is no checkpoint. */
		struct mg_audit_mark m;

		mg_audit_chain_mark(c, &m);
		assert_true(mg_audit_chain_checkpoint(c, line, sizeof(line)) > 0);
		mg_audit_chain_rewind(c, &m);
		mg_audit_chain_seal(c, "{\"b\":2}\n", 8, out);
		assert_true(mg_audit_chain_due(c, true));
	}
	n = mg_audit_chain_checkpoint(c, line, sizeof(line));
	assert_true(n > 0);
	assert_non_null(strstr(line, ",\"type\":\"checkpoint\","));
	assert_non_null(strstr(line, ",\"lines\":2,\"key_id\":\"ed25519:"));
	mg_audit_chain_seal(c, line, n, out);
	assert_false(mg_audit_chain_due(c, true));
	mg_audit_chain_free(plain);
	mg_audit_chain_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seal_exact, afx_setup, afx_teardown),
		cmocka_unit_test(test_parse_link),
		cmocka_unit_test_setup_teardown(test_resume, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_resume_none, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_lost_lines_leave_no_gap, afx_setup,
						afx_teardown),
		cmocka_unit_test_setup_teardown(test_key_refused, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_due, afx_setup, afx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
