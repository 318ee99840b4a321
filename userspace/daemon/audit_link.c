// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What the audit trail's writer and checker agree on (daemon/audit.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "daemon/audit.h"

#define PREV_KEY ",\"prev\":\""
#define SEQ_KEY	 ",\"seq\":"

int mg_audit_parse_link(const char *line, size_t len, struct mg_audit_link *ret)
{
	const size_t tail = sizeof(PREV_KEY) - 1 + MG_AUDIT_HEX_LEN + 2;
	const char *p, *prev;
	uint64_t seq = 0;
	size_t digits = 0;

	if (len < tail + sizeof(SEQ_KEY) || memcmp(line + len - 2, "\"}", 2))
		return -EINVAL;
	prev = line + len - tail;
	if (memcmp(prev, PREV_KEY, sizeof(PREV_KEY) - 1))
		return -EINVAL;
	/* The seq's digits, read backwards from the prev field. */
	p = prev;
	while (p > line && p[-1] >= '0' && p[-1] <= '9' && digits < 20) {
		p--;
		digits++;
	}
	if (!digits || (digits > 1 && *p == '0') || p - line < (ptrdiff_t)sizeof(SEQ_KEY) - 1)
		return -EINVAL;
	if (memcmp(p - (sizeof(SEQ_KEY) - 1), SEQ_KEY, sizeof(SEQ_KEY) - 1))
		return -EINVAL;
	for (const char *d = p; d < prev; d++) {
		if (seq > (UINT64_MAX - (uint64_t)(*d - '0')) / 10)
			return -EINVAL;
		seq = seq * 10 + (uint64_t)(*d - '0');
	}
	/* Lower-case hex only: one spelling per hash. */
	for (size_t i = 0; i < MG_AUDIT_HEX_LEN; i++) {
		char c = prev[sizeof(PREV_KEY) - 1 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -EINVAL;
	}
	if (mg_hex_decode(prev + sizeof(PREV_KEY) - 1, MG_AUDIT_HASH_LEN, ret->prev))
		return -EINVAL;
	ret->seq = seq;
	ret->body_len = (size_t)(p - (sizeof(SEQ_KEY) - 1) - line);
	return 0;
}

size_t mg_audit_canonical(char buf[MG_AUDIT_CANONICAL_MAX], uint64_t seq,
			  const uint8_t head[MG_AUDIT_HASH_LEN], uint64_t lines, const char *key_id)
{
	char hex[MG_AUDIT_HEX_LEN + 1];
	int n;

	mg_hex_encode(head, MG_AUDIT_HASH_LEN, hex);
	n = snprintf(buf, MG_AUDIT_CANONICAL_MAX,
		     MG_AUDIT_CANONICAL_MAGIC "seq=%" PRIu64 "\nhead=%s\nlines=%" PRIu64
					      "\nkey_id=%.32s\n",
		     seq, hex, lines, key_id);
	return n < 0 ? 0 : (size_t)n;
}
