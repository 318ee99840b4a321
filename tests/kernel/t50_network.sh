# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- network -----------------------------------------------------------------
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "connect4 to a port not in the allow-list: EPERM" grep -qx 'errno EPERM' "$TMP/out"
check "event for the denied connect4" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"connect4"' '"verdict":"deny"' '"engine":"cgroup"' '"addr":"127.0.0.1"' "\"port\":$PORT_DENIED"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_OK" >/dev/null
check "connect4 to an allowed address passes the hook (ECONNREFUSED)" grep -qx 'errno ECONNREFUSED' "$TMP/out"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_OK" udp >/dev/null
check "connect4 over udp to a tcp-only entry: EPERM" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" connect ::1 "$PORT_DENIED" >/dev/null
check "connect6 to a port not in the allow-list: EPERM" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" connect ::1 "$PORT_OK" >/dev/null
check "connect6 to an allowed address passes the hook" grep -qx 'errno ECONNREFUSED' "$TMP/out"

try_in_scope "$TMP/out" sendto 127.0.0.1 "$PORT_UDP" >/dev/null
check "udp sendto an allowed address and port works" grep -qx 'ok sent' "$TMP/out"
try_in_scope "$TMP/out" sendto 127.0.0.1 "$PORT_DENIED" >/dev/null
check "udp sendto a port not in the allow-list: EPERM" grep -qx 'errno EPERM' "$TMP/out"
check "event for the denied sendmsg4" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"sendmsg4"' '"verdict":"deny"' "\"port\":$PORT_DENIED" '"protocol":"udp"'
try_in_scope "$TMP/out" sendto ::1 "$PORT_UDP" >/dev/null
check "udp sendto over IPv6 to an allowed port works" grep -qx 'ok sent' "$TMP/out"
try_in_scope "$TMP/out" sendto ::1 "$PORT_DENIED" >/dev/null
check "udp sendto over IPv6 to a port not allowed: EPERM" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" sendto 127.0.0.53 53 >/dev/null
check "DNS is no bypass: a query to a resolver the scope may not reach: EPERM" grep -qx 'errno EPERM' "$TMP/out"

# UNIX sockets: only BPF LSM sees their connects; elsewhere the route is
# reported as not guarded, never claimed.
"$TRY" unix-listen "$TMP/sockets/allowed.sock" 20 >/dev/null 2>&1 &
L1=$!
"$TRY" unix-listen "$TMP/elsewhere.sock" 20 >/dev/null 2>&1 &
L2=$!
wait_for 5 [ -S "$TMP/sockets/allowed.sock" ] && wait_for 5 [ -S "$TMP/elsewhere.sock" ]
try_in_scope "$TMP/out" unix-connect "$TMP/sockets/allowed.sock" >/dev/null
check "a UNIX socket in the scope's list accepts the connect" grep -qx 'ok connected' "$TMP/out"
try_outside "$TMP/out" unix-connect "$TMP/elsewhere.sock" >/dev/null
check "a UNIX socket outside the list, from outside every scope, connects" grep -qx 'ok connected' "$TMP/out"
try_in_scope "$TMP/out" unix-connect "$TMP/elsewhere.sock" >/dev/null
case "$ENGINE" in
bpf-lsm | fmod-ret)
	check "a UNIX socket not in the scope's list: EPERM" grep -qx 'errno EPERM' "$TMP/out"
	check "event for the refused UNIX connect" wait_for 5 has_line "$TMP/events.jsonl" \
		'"hook":"unix"' '"reason":"unix-socket"' '"name":"elsewhere.sock"'
	;;
*)
	"$MGUARD" probe >"$TMP/probe.txt" 2>&1
	check "without BPF LSM or fmod_ret, probe says UNIX connects are not enforced" \
		grep -Eq '^  unix +none +\(not enforced: UNIX socket connects need BPF LSM or fmod_ret\)' "$TMP/probe.txt"
	"$MGUARD" status --pin-dir "$PIN" >"$TMP/status.txt" 2>&1
	check "and status does not claim an engine for them" grep -Eq '^unix +none ' "$TMP/status.txt"
	;;
esac
kill "$L1" "$L2" 2>/dev/null
wait "$L1" "$L2" 2>/dev/null
