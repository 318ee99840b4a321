# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- outside every scope: nothing changes, no event -------------------------------
sleep 1
before=$(wc -l <"$TMP/events.jsonl")
denied_port_events=$(count_lines "$TMP/events.jsonl" "\"port\":$PORT_DENIED")
try_outside "$TMP/out" open "$PROHIBITED" >/dev/null
try_outside "$TMP/out" open "$TMP/dev/nvidia1" >/dev/null
try_outside "$TMP/out" mmap-inherited "$PROHIBITED" >/dev/null
check "mmap of a prohibited file outside every scope works" grep -qx 'ok mapped=1' "$TMP/out"
try_outside "$TMP/out" recv-fd "$PROHIBITED" >/dev/null
check "receiving a prohibited file's descriptor outside every scope works" grep -qx 'ok read=1' "$TMP/out"
try_outside "$TMP/out" uring-open "$PROHIBITED" >/dev/null
check "io_uring outside every scope works" grep -qx 'ok read=1' "$TMP/out"
try_outside "$TMP/out" sendto 127.0.0.1 "$PORT_DENIED" >/dev/null
check "udp sendto outside every scope works" grep -qx 'ok sent' "$TMP/out"
try_outside "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "connect4 outside every scope is untouched" grep -qx 'errno ECONNREFUSED' "$TMP/out"
sleep 1
check "no event for what processes outside every scope did" [ "$(wc -l <"$TMP/events.jsonl")" = "$before" ]
check "the port not allowed shows in no event from outside every scope" \
	[ "$(count_lines "$TMP/events.jsonl" "\"port\":$PORT_DENIED")" = "$denied_port_events" ]
