// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A scope's egress rules as longest-prefix-match trie entries. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compile/compile.h"
#include "compile/steps.h"
#include "core/array.h"
#include "core/cgroup.h"
#include "compile/gpu.h"
#include "license/license.h"
#include "core/util.h"

/* Does prefix @outer (length @olen) contain the address @addr? */
static int mg_prefix_contains(const uint8_t outer[16], unsigned int olen, const uint8_t addr[16])
{
	unsigned int full = olen / 8, rem = olen % 8;

	if (memcmp(outer, addr, full))
		return 0;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));

		return (outer[full] & mask) == (addr[full] & mask);
	}
	return 1;
}

static int mg_range_add(struct mg_egress_val *val, const struct mg_egress_rule *r)
{
	for (uint32_t i = 0; i < val->nranges; i++) {
		struct mg_port_range *x = &val->ranges[i];

		if (x->lo == r->port_lo && x->hi == r->port_hi) {
			x->protos |= r->protos;
			return 0;
		}
	}
	if (val->nranges == MG_MAX_PORT_RANGES)
		return -E2BIG;
	val->ranges[val->nranges].lo = r->port_lo;
	val->ranges[val->nranges].hi = r->port_hi;
	val->ranges[val->nranges].protos = r->protos;
	val->nranges++;
	return 0;
}

int mg_compile_egress(const struct mg_scope *scope, uint32_t scope_id,
		      struct mg_image_egress **entries, size_t *n, size_t *cap,
		      struct mg_diags *diags)
{
	for (size_t i = 0; i < scope->negress; i++) {
		const struct mg_egress_rule *r = &scope->egress[i];
		struct mg_image_egress *e;
		int dup = 0;

		/* One entry per distinct prefix. */
		for (size_t j = 0; j < i; j++) {
			const struct mg_egress_rule *q = &scope->egress[j];

			if (q->prefixlen == r->prefixlen && !memcmp(q->addr, r->addr, 16))
				dup = 1;
		}
		if (dup)
			continue;

		e = mg_array_push(entries, n, cap, sizeof(**entries));
		if (!e)
			return -ENOMEM;
		e->key.prefixlen = MG_EGRESS_KEY_FIXED_BITS + r->prefixlen;
		e->key.scope_id = scope_id;
		memcpy(e->key.addr, r->addr, 16);

		/*
		 * The trie answers with the longest matching prefix only, so
		 * every rule whose prefix contains this one lends it its ports.
		 */
		for (size_t j = 0; j < scope->negress; j++) {
			const struct mg_egress_rule *q = &scope->egress[j];

			if (q->prefixlen > r->prefixlen ||
			    !mg_prefix_contains(q->addr, q->prefixlen, r->addr))
				continue;
			if (mg_range_add(&e->val, q)) {
				mg_diag_add(
					diags, r->loc,
					"scope '%s': more than %d port ranges apply to one egress prefix",
					scope->name, MG_MAX_PORT_RANGES);
				return -E2BIG;
			}
		}
	}
	return 0;
}
