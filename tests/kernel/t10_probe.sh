# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- probe -------------------------------------------------------------------
"$MGUARD" probe >"$TMP/probe.txt" 2>&1
check "probe names the $ENGINE engine for file_open" \
	grep -Eq "file_open +$ENGINE" "$TMP/probe.txt"
check "probe names cgroup programs for connect4" grep -Eq "connect4 +cgroup" "$TMP/probe.txt"
"$MGUARD" probe --json >"$TMP/probe.json" 2>&1
check "probe --json names the engine" grep -q "\"file_open\": *\"$ENGINE\"" "$TMP/probe.json"

# --- the other hooks that refuse: on every kernel of the matrix, the file engine's ---
# (the tests of those hooks expect what their own engine does: run.sh reads it)
for hook in bpf:$ENGINE_GUARD paths:$ENGINE_PATHS socket:$ENGINE_SOCKET; do
	check "status: ${hook%%:*} runs on the $ENGINE engine, as file_open" [ "${hook#*:}" = "$ENGINE" ]
	check "probe names the $ENGINE engine for ${hook%%:*}" grep -Eq "^ +${hook%%:*} +$ENGINE( |\$)" "$TMP/probe.txt"
done
case "$ENGINE" in
tracepoint-kill) SYSCALLS_WANT=tracepoint-kill ;;
*) SYSCALLS_WANT=covered ;;
esac
check "status: syscalls is $SYSCALLS_WANT with file engine $ENGINE" [ "$ENGINE_SYSCALLS" = "$SYSCALLS_WANT" ]
