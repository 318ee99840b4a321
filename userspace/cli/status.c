// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <time.h>

#include "cli/status.h"
#include "core/json.h"
#include "core/cgroup.h"
#include "core/names.h"
#include "core/util.h"
#include "daemon/state.h"
#include "kernel/gaps.h"

static void mg_status_text(const char *pin_dir, const struct mg_pinned *st, FILE *out)
{
	fprintf(out, "mguard: loaded (pin folder %s)\n", pin_dir);
	fprintf(out, "policy generation %u, mode %s, kill switch %s, %zu scopes\n\n",
		st->cfg.active_gen, st->cfg.mode == MG_MODE_AUDIT ? "audit" : "enforce",
		st->ctl.killswitch ? "on" : "off", st->nscopes);
	fprintf(out, "%-13s %-16s %10s %10s %10s %10s\n", "hook", "engine", "allowed", "denied",
		"killed", "audited");
	for (int h = 0; h < MG_HOOK__COUNT; h++) {
		const __u64 *c = &st->counters[MG_COUNTER_INDEX(h, 0)];

		fprintf(out, "%-13s %-16s %10llu %10llu %10llu %10llu\n", mg_hook_name(h),
			mg_engine_name(st->cfg.engine[h]), (unsigned long long)c[MG_VERDICT_ALLOW],
			(unsigned long long)c[MG_VERDICT_DENY],
			(unsigned long long)c[MG_VERDICT_KILL],
			(unsigned long long)c[MG_VERDICT_AUDIT]);
	}
	for (int h = 0, first = 1; h < MG_HOOK__COUNT; h++) {
		const char *gap = mg_guard_gap(h, mg_guard_gap_engine(st->cfg.engine, h));

		if (!gap)
			continue;
		fprintf(out, "%s  %-13s %s\n", first ? "\ngaps:\n" : "", mg_hook_name(h), gap);
		first = 0;
	}
	fputc('\n', out);
	mg_gaps_print(out, st->cfg.engine, false);
	fputs("\nerrors:", out);
	for (int i = 0; i < MG_ERR__COUNT; i++)
		fprintf(out, " %s %llu", mg_error_name(i),
			(unsigned long long)st->counters[MG_ERR_COUNTER_BASE + i]);
	if (st->nbudgets)
		fputs("\n\negress budgets:", out);
	for (size_t i = 0; i < st->nbudgets; i++) {
		const struct mg_pinned_budget *b = &st->budgets[i];

		char whose[48] = "";

		if (b->narrow_id)
			snprintf(whose, sizeof(whose), ", licence narrowing %u", b->narrow_id);
		fprintf(out,
			"\n  cgroup id %llu%s: sent %llu of %llu bytes per %llus, %s, dropped %llu packets (%llu bytes), ran out in %llu windows",
			(unsigned long long)b->cgroup_id, whose, (unsigned long long)b->state.sent,
			(unsigned long long)b->budget_bytes,
			(unsigned long long)(b->window_ns / 1000000000ull),
			b->state.exhausted ? "exhausted" : "open",
			(unsigned long long)b->state.dropped_packets,
			(unsigned long long)b->state.dropped_bytes,
			(unsigned long long)b->state.exhausted_windows);
	}
	fprintf(out, "\n\ntainted model files: %zu%s", st->ntainted,
		st->ntainted ? " (denied to every scope until re-hashed or re-sealed)" : "");
	fprintf(out, "\n\nattached (%zu):\n", st->nlinks);
	for (size_t i = 0; i < st->nlinks; i++) {
		const struct mg_pinned_link *k = &st->links[i];

		fprintf(out, "  %-32s prog %-6u %-30s", k->pin, k->prog_id, k->prog);
		if (k->cgroup_id)
			fprintf(out, " cgroup id %llu", (unsigned long long)k->cgroup_id);
		fputc('\n', out);
	}
}

static void mg_status_json(const char *pin_dir, const struct mg_pinned *st, FILE *out)
{
	fputs("{\"state\":\"loaded\",\"pin_dir\":", out);
	mg_json_write_string(out, pin_dir);
	fprintf(out,
		",\"generation\":%u,\"mode\":\"%s\",\"killswitch\":%s,\"scopes\":%zu,\"hooks\":{",
		st->cfg.active_gen, st->cfg.mode == MG_MODE_AUDIT ? "audit" : "enforce",
		st->ctl.killswitch ? "true" : "false", st->nscopes);
	for (int h = 0; h < MG_HOOK__COUNT; h++) {
		fprintf(out, "%s\"%s\":{\"engine\":\"%s\"", h ? "," : "", mg_hook_name(h),
			mg_engine_name(st->cfg.engine[h]));
		for (int v = 0; v < MG_VERDICT__COUNT; v++)
			fprintf(out, ",\"%s\":%llu", mg_verdict_name(v),
				(unsigned long long)st->counters[MG_COUNTER_INDEX(h, v)]);
		fputc('}', out);
	}
	fputs("},\"gaps\":{", out);
	for (int h = 0, first = 1; h < MG_HOOK__COUNT; h++) {
		const char *gap = mg_guard_gap(h, mg_guard_gap_engine(st->cfg.engine, h));

		if (!gap)
			continue;
		fprintf(out, "%s\"%s\":", first ? "" : ",", mg_hook_name(h));
		mg_json_write_string(out, gap);
		first = 0;
	}
	fputs("},\"errors\":{", out);
	for (int i = 0; i < MG_ERR__COUNT; i++)
		fprintf(out, "%s\"%s\":%llu", i ? "," : "", mg_error_name(i),
			(unsigned long long)st->counters[MG_ERR_COUNTER_BASE + i]);
	fprintf(out, "},\"tainted\":%zu,\"budgets\":[", st->ntainted);
	for (size_t i = 0; i < st->nbudgets; i++) {
		const struct mg_pinned_budget *b = &st->budgets[i];

		fprintf(out,
			"%s{\"cgroup_id\":%llu,\"narrow_id\":%u,\"bytes\":%llu,\"per_s\":%llu,\"sent\":%llu,\"exhausted\":%s,\"dropped_packets\":%llu,\"dropped_bytes\":%llu,\"exhausted_windows\":%llu}",
			i ? "," : "", (unsigned long long)b->cgroup_id, b->narrow_id,
			(unsigned long long)b->budget_bytes,
			(unsigned long long)(b->window_ns / 1000000000ull),
			(unsigned long long)b->state.sent, b->state.exhausted ? "true" : "false",
			(unsigned long long)b->state.dropped_packets,
			(unsigned long long)b->state.dropped_bytes,
			(unsigned long long)b->state.exhausted_windows);
	}
	fputs("],\"links\":[", out);
	for (size_t i = 0; i < st->nlinks; i++) {
		const struct mg_pinned_link *k = &st->links[i];

		fprintf(out, "%s{\"name\":", i ? "," : "");
		mg_json_write_string(out, k->pin);
		fprintf(out, ",\"prog_id\":%u,\"prog\":", k->prog_id);
		mg_json_write_string(out, k->prog);
		fprintf(out, ",\"cgroup_id\":%llu}", (unsigned long long)k->cgroup_id);
	}
	fputs("],\"gaps\":", out);
	mg_gaps_print(out, st->cfg.engine, true);
}

int mg_status_print(const char *pin_dir, bool json, FILE *out)
{
	struct mg_pinned *st;
	int err;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	err = mg_pinned_read(pin_dir, st);
	if (!err) {
		char state[PATH_MAX], cgroot[PATH_MAX] = "/";
		pid_t pid = mg_pinned_daemon(pin_dir);

		mg_state_path(pin_dir, state, sizeof(state));
		mg_cgroup2_mount(cgroot, sizeof(cgroot));
		if (json) {
			mg_status_json(pin_dir, st, out);
			fprintf(out, ",\"daemon_pid\":%d,", (int)pid);
			if (mg_state_print(state, cgroot, time(NULL), 7 * 86400, 1, out))
				fputs("\"policy\":null", out);
			fputs("}\n", out);
		} else {
			if (pid)
				fprintf(out, "daemon: running, pid %d\n", (int)pid);
			else
				fputs("daemon: not running (what is pinned stays in force)\n", out);
			mg_status_text(pin_dir, st, out);
			fputc('\n', out);
			if (mg_state_print(state, cgroot, time(NULL), 7 * 86400, 0, out))
				fputs("policy: no state file (the daemon that loaded it is gone)\n",
				      out);
		}
	}
	free(st);
	return err;
}
