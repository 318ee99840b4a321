// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Core dumps of shielded processes, both engines: a dump writes the
 * process's memory (its weights) to a file or to a helper outside the scope.
 * When a signal whose default action dumps core is delivered to a task of a
 * shielded scope, SIGKILL is sent first: a dump never starts once the group
 * is exiting, so the process dies of its signal without one. The signal
 * tracepoint fires only when a signal is delivered.
 */
#include "guard.bpf.h"

struct mg_signal_deliver_rec {
	__u64 common;
	int sig;
	int errno_;
	int code;
	int pad;
	unsigned long sa_handler;
	unsigned long sa_flags;
};

SEC("tracepoint/signal/signal_deliver")
int mg_tp_signal_deliver(struct mg_signal_deliver_rec *ctx)
{
	const struct mg_scope_val *scope;
	const struct mg_config *cfg;
	__u8 verdict;
	__u64 cgid;

	if (ctx->sa_handler != 0 || ctx->sig < 1 || ctx->sig > 31 ||
	    !(MG_SIG_DUMPS & (1u << ctx->sig)))
		return 0; /* handled, ignored, or no dump */
	scope = mg_scope_enter(&cfg, &cgid);
	if (!scope || (scope->flags & MG_SCOPE_ALLOW_DEBUG))
		return 0;
	verdict = mg_deny_verdict(cfg, MG_VERDICT_KILL);
	if (verdict == MG_VERDICT_KILL)
		bpf_send_signal(MG_SIGKILL);
	mg_guard_event(cfg, scope, cgid, MG_HOOK_COREDUMP, verdict, MG_REASON_COREDUMP, ctx->sig);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
