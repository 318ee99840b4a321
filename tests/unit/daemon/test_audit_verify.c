// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mguard audit verify on event files written by the real event log and
 * chain: intact ones pass; each kind of tampering is named at its line.
 */
#include "unit.h"

#include "audit_fixture.h"
#include "daemon/audit.h"

static const char *const rotated[] = { "events.jsonl.2", "events.jsonl.1", "events.jsonl" };

static void test_intact(void **state)
{
	struct afx *fx = *state;
	struct mg_audit_summary sum;
	const char *name = "events.jsonl";

	afx_write(fx, "key.pem", 50, 20, 0, false);
	assert_int_equal(afx_verify_ring(fx, fx->ring, true, &name, 1, &sum), MG_AUDIT_INTACT);
	/* 50 lines and a checkpoint after the 20th, 40th and 50th. */
	assert_int_equal(sum.lines, 53);
	assert_int_equal(sum.first_seq, 1);
	assert_int_equal(sum.last_seq, 53);
	assert_int_equal(sum.checkpoints, 3);
	assert_int_equal(sum.unsigned_tail, 0);
	assert_string_equal(fx->report, "");
}

/* Rotated files, given in any order, are one chain; each file ends signed. */
static void test_intact_across_rotations(void **state)
{
	struct afx *fx = *state;
	const char *const shuffled[] = { "events.jsonl", "events.jsonl.2", "events.jsonl.1" };
	struct mg_audit_summary sum;
	size_t len;
	char *buf;

	afx_write(fx, "key.pem", 50, 0, 3800, false);
	assert_int_equal(access(unit_path(fx->log, "events.jsonl.3"), F_OK), -1);
	assert_int_equal(access(unit_path(fx->log, "events.jsonl.2"), F_OK), 0);
	if (afx_verify_ring(fx, fx->ring, true, shuffled, 3, &sum) != MG_AUDIT_INTACT)
		fail_msg("%s", fx->report);
	assert_int_equal(sum.first_seq, 1);
	assert_true(sum.checkpoints >= 3);
	/* A rotated file ends with the checkpoint made as it was closed. */
	buf = afx_read(fx, "events.jsonl.1", &len);
	buf[len - 1] = '\0';
	assert_non_null(strstr(strrchr(buf, '\n'), "\"type\":\"checkpoint\""));
	free(buf);
}

static void test_byte_altered(void **state)
{
	struct afx *fx = *state;
	size_t len;
	char *buf, *l;

	afx_write(fx, "key.pem", 30, 10, 0, false);
	buf = afx_read(fx, "events.jsonl", &len);
	l = strstr(afx_line(buf, 5), "\"n\":4");
	assert_non_null(l);
	l[4] = '5'; /* n 4 -> 5 */
	afx_write_back(fx, "events.jsonl", buf, len);
	free(buf);
	assert_int_equal(afx_verify(fx, "events.jsonl"), MG_AUDIT_TAMPERED);
	assert_report(fx, "/events.jsonl:5: tampered: line altered: its SHA-256 is ");
	assert_report(fx, "but the line after it (");
}

/* The prev field itself changed: the line that holds it is named. */
static void test_prev_altered(void **state)
{
	struct afx *fx = *state;
	size_t len;
	char *buf, *l;

	afx_write(fx, "key.pem", 30, 10, 0, false);
	buf = afx_read(fx, "events.jsonl", &len);
	l = strstr(afx_line(buf, 7), "\"prev\":\"");
	l[8] = l[8] == 'a' ? 'b' : 'a';
	afx_write_back(fx, "events.jsonl", buf, len);
	free(buf);
	assert_int_equal(afx_verify(fx, "events.jsonl"), MG_AUDIT_TAMPERED);
	assert_report(fx, "/events.jsonl:7: tampered: line altered: its prev ");
}

static void test_line_removed(void **state)
{
	struct afx *fx = *state;
	size_t len;
	char *buf, *l, *next;

	afx_write(fx, "key.pem", 30, 10, 0, false);
	buf = afx_read(fx, "events.jsonl", &len);
	l = afx_line(buf, 8);
	next = afx_line(buf, 9);
	memmove(l, next, buf + len - next);
	afx_write_back(fx, "events.jsonl", buf, len - (next - l));
	free(buf);
	assert_int_equal(afx_verify(fx, "events.jsonl"), MG_AUDIT_TAMPERED);
	assert_report(fx, "/events.jsonl:8: tampered: 1 lines removed before this one: seq 8 to 8 "
			  "are missing");
}

static void test_lines_swapped(void **state)
{
	struct afx *fx = *state;
	size_t len, a_len, b_len;
	char *buf, *a, *b, *c, *copy;

	afx_write(fx, "key.pem", 30, 10, 0, false);
	buf = afx_read(fx, "events.jsonl", &len);
	a = afx_line(buf, 3);
	b = afx_line(buf, 4);
	c = afx_line(buf, 5);
	a_len = b - a;
	b_len = c - b;
	copy = malloc(a_len + b_len);
	memcpy(copy, b, b_len);
	memcpy(copy + b_len, a, a_len);
	memcpy(a, copy, a_len + b_len);
	afx_write_back(fx, "events.jsonl", buf, len);
	free(copy);
	free(buf);
	assert_int_equal(afx_verify(fx, "events.jsonl"), MG_AUDIT_TAMPERED);
	assert_report(fx,
		      "/events.jsonl:3: tampered: lines out of order: seq 4 comes before seq 3");
}

/* A forged line that fits the chain where it is put: the line after it shows it. */
static void test_line_inserted(void **state)
{
	struct afx *fx = *state;
	const char forged[] = "{\"schema\":1,\"type\":\"decision\",\"n\":99}\n";
	char sealed[256], *buf, *l, *out;
	size_t len;
	ssize_t n;

	afx_write(fx, "key.pem", 30, 10, 0, false);
	buf = afx_read(fx, "events.jsonl", &len);
	l = afx_line(buf, 6);
	{
		/* Sealed as line 6 would be: seq 6, prev the hash of line 5. */
		struct mg_audit_chain *d = afx_chain(fx, NULL);
		char tmp[512];

		for (int i = 1; i <= 5; i++) {
			char *s = afx_line(buf, i), *e = strchr(s, '\n');
			struct mg_audit_link link;
			char body[512];

			assert_int_equal(mg_audit_parse_link(s, e - s, &link), 0);
			memcpy(body, s, link.body_len);
			memcpy(body + link.body_len, "}\n", 2);
			assert_true(mg_audit_chain_seal(d, body, link.body_len + 2, tmp) > 0);
		}
		n = mg_audit_chain_seal(d, forged, sizeof(forged) - 1, sealed);
		mg_audit_chain_free(d);
	}
	assert_true(n > 0);
	out = malloc(len + n);
	memcpy(out, buf, l - buf);
	memcpy(out + (l - buf), sealed, n);
	memcpy(out + (l - buf) + n, l, buf + len - l);
	afx_write_back(fx, "events.jsonl", out, len + n);
	free(out);
	free(buf);
	assert_int_equal(afx_verify(fx, "events.jsonl"), MG_AUDIT_TAMPERED);
	assert_report(fx, "/events.jsonl:7: tampered: seq 6 where 7 was due: a line was inserted "
			  "before this one");
}

static void test_rotated_file_missing(void **state)
{
	struct afx *fx = *state;
	const char *const two[] = { "events.jsonl.2", "events.jsonl" };
	struct mg_audit_summary sum;

	afx_write(fx, "key.pem", 50, 0, 3800, false);
	assert_int_equal(afx_verify_ring(fx, fx->ring, false, rotated, 3, &sum), MG_AUDIT_INTACT);
	assert_int_equal(afx_verify_ring(fx, fx->ring, false, two, 2, &sum), MG_AUDIT_TAMPERED);
	assert_report(fx, "/events.jsonl:1: tampered: a rotated file is missing before this one: "
			  "seq ");
	assert_report(fx, "are in none of the files given");
}

/* Lines rewritten and the chain made again after them: the checkpoint's signature fails. */
static void test_forged_checkpoint(void **state)
{
	struct afx *fx = *state;
	struct mg_audit_chain *c = afx_chain(fx, NULL);
	char *buf, *out, *s, *e, head[MG_AUDIT_HEX_LEN + 1];
	size_t len, olen = 0;
	uint8_t h[MG_AUDIT_HASH_LEN];

	afx_write(fx, "key.pem", 12, 0, 0, false);
	buf = afx_read(fx, "events.jsonl", &len);
	out = malloc(len + 4096);
	for (s = buf; s < buf + len; s = e + 1) {
		struct mg_audit_link link;
		char body[1024], *hp;
		ssize_t n;

		e = strchr(s, '\n');
		assert_int_equal(mg_audit_parse_link(s, e - s, &link), 0);
		memcpy(body, s, link.body_len);
		memcpy(body + link.body_len, "}\n", 3);
		hp = strstr(body, "\"n\":3,");
		if (hp)
			hp[4] = '7'; /* the line rewritten */
		hp = strstr(body, "\"head\":\"");
		if (hp) {
			/* The checkpoint made to name the new head: the signature stays. */
			struct mg_audit_mark m;

			mg_audit_chain_mark(c, &m);
			memcpy(h, m.head, sizeof(h));
			mg_hex_encode(h, sizeof(h), head);
			memcpy(hp + 8, head, MG_AUDIT_HEX_LEN);
		}
		n = mg_audit_chain_seal(c, body, link.body_len + 2, out + olen);
		assert_true(n > 0);
		olen += n;
	}
	afx_write_back(fx, "events.jsonl", out, olen);
	free(out);
	free(buf);
	mg_audit_chain_free(c);
	assert_int_equal(afx_verify(fx, "events.jsonl"), MG_AUDIT_TAMPERED);
	assert_report(fx, "/events.jsonl:13: tampered: checkpoint signature does not verify with "
			  "key 'ed25519:");
}

static void test_other_key(void **state)
{
	struct afx *fx = *state;

	afx_write(fx, "other.pem", 12, 0, 0, false);
	assert_int_equal(afx_verify(fx, "events.jsonl"), MG_AUDIT_TAMPERED);
	assert_report(fx, "/events.jsonl:13: tampered: checkpoint signed by key 'ed25519:");
	assert_report(fx, "which is not the key given");
}

/* Lines after the last checkpoint: a warning, a failure with --strict. */
static void test_unsigned_tail(void **state)
{
	struct afx *fx = *state;
	struct mg_audit_summary sum;
	const char *name = "events.jsonl";

	afx_write(fx, "key.pem", 25, 10, 0, true);
	assert_int_equal(afx_verify_ring(fx, fx->ring, false, &name, 1, &sum), MG_AUDIT_INTACT);
	assert_int_equal(sum.unsigned_tail, 5);
	assert_report(fx, "/events.jsonl:23: warning: unsigned tail: 5 lines from here on are not "
			  "signed by a checkpoint");
	assert_int_equal(afx_verify_ring(fx, fx->ring, true, &name, 1, &sum), MG_AUDIT_TAMPERED);
	assert_report(fx, "/events.jsonl:23: tampered: unsigned tail: 5 lines");
}

/* Cut in the middle of a line; and cut to a whole line, which leaves a tail unsigned. */
static void test_truncated(void **state)
{
	struct afx *fx = *state;
	struct mg_audit_summary sum;
	const char *name = "events.jsonl";
	size_t len;
	char *buf;

	afx_write(fx, "key.pem", 25, 10, 0, false);
	buf = afx_read(fx, "events.jsonl", &len);
	afx_write_back(fx, "events.jsonl", buf, len - 30);
	assert_int_equal(afx_verify(fx, "events.jsonl"), MG_AUDIT_TAMPERED);
	assert_report(fx, "/events.jsonl:28: tampered: the last line is cut short (no newline)");
	/* Without its last checkpoint: lines 23 to 27 are signed by nothing. */
	afx_write_back(fx, "events.jsonl", buf, afx_line(buf, 28) - buf);
	free(buf);
	assert_int_equal(afx_verify_ring(fx, fx->ring, true, &name, 1, &sum), MG_AUDIT_TAMPERED);
	assert_report(fx, "/events.jsonl:23: tampered: unsigned tail: 5 lines");
}

/* Without a key the chain alone is checked, and the report says so. */
static void test_no_key(void **state)
{
	struct afx *fx = *state;
	struct mg_audit_summary sum;
	const char *name = "events.jsonl";

	afx_write(fx, "key.pem", 12, 0, 0, false);
	assert_int_equal(afx_verify_ring(fx, NULL, false, &name, 1, &sum), MG_AUDIT_INTACT);
	assert_int_equal(sum.unchecked, 1);
	assert_report(fx, "warning: no --key: the chain was checked, the signatures of 1 "
			  "checkpoints were not");
	assert_int_equal(afx_verify_ring(fx, NULL, true, &name, 1, &sum), MG_AUDIT_TAMPERED);
	/* And with a key, files that no checkpoint signs at all fail. */
	unlink(unit_path(fx->log, "events.jsonl"));
	afx_write(fx, NULL, 12, 0, 0, false);
	assert_int_equal(afx_verify_ring(fx, fx->ring, false, &name, 1, &sum), MG_AUDIT_TAMPERED);
	assert_report(fx, "tampered: no line is signed: no good checkpoint in the files");
}

/* A line that is not part of the chain, and a file that cannot be read. */
static void test_foreign_line_and_io(void **state)
{
	struct afx *fx = *state;
	const char *name = "missing.jsonl";
	struct mg_audit_summary sum;
	size_t len;
	char *buf, *out;

	afx_write(fx, "key.pem", 12, 0, 0, false);
	buf = afx_read(fx, "events.jsonl", &len);
	out = malloc(len + 32);
	memcpy(out, buf, afx_line(buf, 4) - buf);
	memcpy(out + (afx_line(buf, 4) - buf), "{\"x\":1}\n", 8);
	memcpy(out + (afx_line(buf, 4) - buf) + 8, afx_line(buf, 4), buf + len - afx_line(buf, 4));
	afx_write_back(fx, "events.jsonl", out, len + 8);
	free(out);
	free(buf);
	assert_int_equal(afx_verify(fx, "events.jsonl"), MG_AUDIT_TAMPERED);
	assert_report(fx, "/events.jsonl:4: tampered: not a line of the audit chain");
	assert_int_equal(afx_verify_ring(fx, fx->ring, false, &name, 1, &sum), MG_AUDIT_IO_ERROR);
	assert_report(fx, "/missing.jsonl: cannot read file: No such file or directory");
	/* Files emptied: nothing is proven. */
	afx_write_back(fx, "events.jsonl", "", 0);
	assert_int_equal(afx_verify(fx, "events.jsonl"), MG_AUDIT_TAMPERED);
	assert_report(fx, "tampered: the files given hold no line of the audit chain");
}

/* A chain that starts anew inside the files: a warning, a failure with --strict. */
static void test_restart(void **state)
{
	struct afx *fx = *state;
	const char *name = "events.jsonl";
	struct mg_audit_summary sum;
	size_t a_len, b_len;
	char *a, *b, *both;

	afx_write(fx, "key.pem", 5, 0, 0, false);
	a = afx_read(fx, name, &a_len);
	unlink(unit_path(fx->log, name));
	afx_write(fx, "key.pem", 5, 0, 0, false);
	b = afx_read(fx, name, &b_len);
	both = malloc(a_len + b_len);
	memcpy(both, a, a_len);
	memcpy(both + a_len, b, b_len);
	afx_write_back(fx, name, both, a_len + b_len);
	free(a);
	free(b);
	free(both);
	assert_int_equal(afx_verify_ring(fx, fx->ring, false, &name, 1, &sum), MG_AUDIT_INTACT);
	assert_int_equal(sum.restarts, 1);
	assert_int_equal(sum.checkpoints, 2);
	assert_report(fx, "/events.jsonl:7: warning: the chain starts anew here (seq 1)");
	assert_int_equal(afx_verify_ring(fx, fx->ring, true, &name, 1, &sum), MG_AUDIT_TAMPERED);
	assert_report(fx, "/events.jsonl:7: tampered: the chain starts anew here");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intact, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_intact_across_rotations, afx_setup,
						afx_teardown),
		cmocka_unit_test_setup_teardown(test_byte_altered, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_prev_altered, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_line_removed, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_lines_swapped, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_line_inserted, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_rotated_file_missing, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_forged_checkpoint, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_other_key, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_tail, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_truncated, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_no_key, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_line_and_io, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_restart, afx_setup, afx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
