# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# The budgeted scope may send 1MiB per 20s to 127.0.0.1:$PORT_BUDGET; its
# window starts with its first packet, here the TCP transfer's SYN. It runs
# after t85: its waits would let the short licence expire before the reloads
# that t85's reason depends on.

# shellcheck disable=SC2154 # got is set by sink_received (lib.sh)
# --- egress budgets --------------------------------------------------------------
STREAM=$BUILD/tests/helpers/mg-stream
SINK_OUT=$TMP/sink.txt
SEND_OUT=$TMP/send.txt

start_sink tcp 40
"$STREAM" send tcp 127.0.0.1 "$PORT_BUDGET" 4194304 30 >"$SEND_OUT" 2>&1
sink_received
check "a TCP transfer from outside every scope is untouched (4MiB arrive, got $got)" \
	[ "$got" = 4194304 ]

start_sink tcp 20
WINDOW_START=$(date +%s)
"$STREAM" --cgroup "$BUDGET_CG" send tcp 127.0.0.1 "$PORT_BUDGET" 4194304 3 >"$SEND_OUT" 2>&1
sink_received
tcp_got=$got
# Counted at the IP layer with headers, a packet up to 64KiB: what arrives is
# the budget less at most the packet that would have crossed it.
check "a TCP transfer from the scope stops at its budget (1MiB less one packet, got $got)" \
	between "$got" $((BUDGET_BYTES - 131072)) "$BUDGET_BYTES"
check "one event says the scope's budget ran out" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"egress_budget"' '"verdict":"deny"' '"reason":"budget-exhausted"' \
	'"scope":"budgeted"' "\"bytes\":$BUDGET_BYTES" "\"per_s\":$BUDGET_PER"
check "and only one in the window" \
	[ "$(count_lines "$TMP/events.jsonl" '"reason":"budget-exhausted"')" = 1 ]
"$MGUARD" status --pin-dir "$PIN" >"$TMP/status.txt" 2>&1
check "status shows the exhausted budget and the dropped packets" \
	grep -Eq "^  cgroup id [0-9]+: sent [0-9]+ of $BUDGET_BYTES bytes per ${BUDGET_PER}s, exhausted, dropped [1-9][0-9]* packets" "$TMP/status.txt"
check "status names the egress_budget hook's engine: cgroup" \
	grep -Eq '^egress_budget +cgroup +[1-9][0-9]* +[1-9]' "$TMP/status.txt"

start_sink udp 3
"$STREAM" --cgroup "$BUDGET_CG" send udp 127.0.0.1 "$PORT_BUDGET" 100000 2 >"$SEND_OUT" 2>&1
sink_received
# What the TCP transfer left of the budget (less than a packet) may still go.
check "UDP from the scope, its budget spent: no more than the rest of it arrives (got $got)" \
	between "$got" 0 $((BUDGET_BYTES - tcp_got))
check "and the sends fail" grep -Eq '^sent [0-9]+ failed [1-9]' "$SEND_OUT"

start_sink udp 30
"$STREAM" send udp 127.0.0.1 "$PORT_BUDGET" 2000000 20 >"$SEND_OUT" 2>&1
sink_received
check "UDP from outside every scope is untouched (2000000 bytes arrive, got $got)" \
	[ "$got" = 2000000 ]

# After the window, the budget is whole again.
while [ "$(date +%s)" -le $((WINDOW_START + BUDGET_PER + 1)) ]; do sleep 0.5; done
start_sink udp 30
"$STREAM" --cgroup "$BUDGET_CG" send udp 127.0.0.1 "$PORT_BUDGET" 2000000 20 >"$SEND_OUT" 2>&1
sink_received
# 1000-byte datagrams count 1028 bytes each (IP and UDP headers); a slow
# machine's sink may stop early and count low, never high.
check "after the window the budget refills: UDP from the scope stops at it again (got $got)" \
	between "$got" $((BUDGET_BYTES / 2)) "$BUDGET_BYTES"
check "one event says the budget refilled" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"egress_budget"' '"reason":"budget-refilled"' '"scope":"budgeted"'
check "and a second exhausted event for the new window" wait_for 5 all \
	"[ \"\$(count_lines '$TMP/events.jsonl' '\"reason\":\"budget-exhausted\"')\" = 2 ]"
"$MGUARD" status --pin-dir "$PIN" --json >"$TMP/status.json" 2>&1
check "status --json counts two windows that ran out" \
	grep -q '"exhausted_windows":2' "$TMP/status.json"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_OK" >/dev/null
check "the guarded scope, with no budget, still connects where it may (ECONNREFUSED)" \
	grep -qx 'errno ECONNREFUSED' "$TMP/out"
"$MGUARD" policy show "$TMP/policy" >"$TMP/show.txt" 2>&1
check "policy show gives the budget and how long the scope's largest model takes to leave" \
	grep -Eq "^  budget   $BUDGET_BYTES bytes per $BUDGET_PER s; its largest model, [a-z0-9-]+ \([0-9]+ bytes\), takes [0-9]+ s to leave" "$TMP/show.txt"
