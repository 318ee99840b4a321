# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# The licensed-budget scope may send 8MiB per 10s to 127.0.0.1:$PORT_BUDGET;
# lic-budget, under which budget-70b loads, has an egressBudget of 256KiB
# per 10s for the processes it narrows. The licence's window starts with the
# first packet of a narrowed process, here the SYN of the first transfer.

# shellcheck disable=SC2154 # got is set by sink_received (lib.sh)
# --- licence egress budgets ------------------------------------------------------
STREAM=$BUILD/tests/helpers/mg-stream
SINK_OUT=$TMP/sink.txt
SEND_OUT=$TMP/send.txt
LICB_MODEL=$TMP/models/budgetlic/model.safetensors

start_sink tcp 20
LICB_START=$(date +%s)
"$STREAM" --cgroup "$LICB_CG" --load "$LICB_MODEL" send tcp 127.0.0.1 "$PORT_BUDGET" 2097152 3 \
	>"$SEND_OUT" 2>&1
sink_received
licb_tcp=$got
check "the licensed model loads in its scope" grep -qx "loaded $LICB_MODEL" "$SEND_OUT"
check "a narrowed process's TCP transfer stops at its licence's budget (256KiB less one packet, got $got)" \
	between "$got" $((LICB_BYTES - 131072)) "$LICB_BYTES"
check "one event says the licence's budget ran out, naming the licence" \
	wait_for 5 has_line "$TMP/events.jsonl" '"hook":"egress_budget"' \
	'"reason":"budget-exhausted"' '"scope":"licensed-budget"' '"license":"lic-budget"' \
	"\"bytes\":$LICB_BYTES" "\"per_s\":$LICB_PER"

# The neighbour: a process of the same scope that loaded no licensed model.
start_sink tcp 20
"$STREAM" --cgroup "$LICB_CG" send tcp 127.0.0.1 "$PORT_BUDGET" 2097152 5 >"$SEND_OUT" 2>&1
sink_received
check "a process of the same scope not narrowed sends past it (2MiB arrive, got $got)" \
	[ "$got" = 2097152 ]
check "the scope's own budget, not run out, says nothing" \
	[ "$(count_lines "$TMP/events.jsonl" '"reason":"budget-exhausted"' '"scope":"licensed-budget"' '"license":null')" = 0 ]

start_sink udp 3
"$STREAM" --cgroup "$LICB_CG" --load "$LICB_MODEL" send udp 127.0.0.1 "$PORT_BUDGET" 100000 2 \
	>"$SEND_OUT" 2>&1
sink_received
check "UDP from another narrowed process, the licence's budget spent: no more than its rest arrives (got $got)" \
	between "$got" 0 $((LICB_BYTES - licb_tcp))
check "and its sends fail" grep -Eq '^sent [0-9]+ failed [1-9]' "$SEND_OUT"

"$MGUARD" status --pin-dir "$PIN" >"$TMP/status.txt" 2>&1
check "status shows the licence's window, exhausted, beside its scope's" \
	all "grep -Eq '^  cgroup id [0-9]+, licence narrowing [0-9]+: sent [0-9]+ of $LICB_BYTES bytes per ${LICB_PER}s, exhausted, dropped [1-9]' '$TMP/status.txt' && grep -Eq '^  cgroup id [0-9]+: sent [0-9]+ of 8388608 bytes per ${LICB_PER}s, open' '$TMP/status.txt'"

# After the window the licence's budget is whole again.
while [ "$(date +%s)" -le $((LICB_START + LICB_PER + 1)) ]; do sleep 0.5; done
start_sink udp 30
"$STREAM" --cgroup "$LICB_CG" --load "$LICB_MODEL" send udp 127.0.0.1 "$PORT_BUDGET" 2000000 20 \
	>"$SEND_OUT" 2>&1
sink_received
check "after the window the licence's budget refills: a narrowed process stops at it again (got $got)" \
	between "$got" $((LICB_BYTES / 2)) "$LICB_BYTES"
check "one event says the licence's budget refilled" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"egress_budget"' '"reason":"budget-refilled"' '"license":"lic-budget"'

"$MGUARD" policy show "$TMP/policy" >"$TMP/show.txt" 2>&1
check "policy show gives the licence's budget and how long its largest model takes to leave" \
	grep -q "budget.lic: valid; egressBudget $LICB_BYTES bytes per $LICB_PER s: budget-70b (18 bytes) takes 0 s to leave" "$TMP/show.txt"
