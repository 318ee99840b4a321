# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- a unit restart with the daemon dead -------------------------------------------
# systemd restarting a unit removes its cgroup and makes a new one at the same
# path, with a new id. The kernel binds the new cgroup as it is made (the
# cgroup_mkdir program) and the cgroup programs sit on its parent, so a
# process that joins at once is guarded though no daemon runs. A sibling
# cgroup under the same parent that matches no scope is left alone.
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null
DPID=
mkdir -p "$CG/unguarded"
old_id=$(stat -c %i "$SCOPE_CG")
rmdir "$SCOPE_CG"
mkdir "$SCOPE_CG"
check "the restarted unit's cgroup has a new id, which no daemon has seen" \
	[ "$(stat -c %i "$SCOPE_CG")" != "$old_id" ]
expect_file_denied "restart, daemon dead: the prohibited model" "$PROHIBITED"
try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "restart, daemon dead: the general model loads" grep -qx 'ok read=1' "$TMP/out"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "restart, daemon dead: a connect outside the list is EPERM" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_OK" >/dev/null
check "restart, daemon dead: the allowed address passes the hook" grep -qx 'errno ECONNREFUSED' "$TMP/out"
try_in_scope "$TMP/out" sendto 127.0.0.1 "$PORT_DENIED" >/dev/null
check "restart, daemon dead: a udp send outside the list is EPERM" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/dev/nvidia1" >/dev/null
check "restart, daemon dead: the GPU not given is EPERM" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/dev/nvidia0" >/dev/null
check "restart, daemon dead: the GPU given passes (ENXIO)" grep -qx 'errno ENXIO' "$TMP/out"
"$TRY" --cgroup "$CG/unguarded" open "$PROHIBITED" >"$TMP/out" 2>/dev/null
check "a sibling cgroup of no scope reads the prohibited file" grep -qx 'ok read=1' "$TMP/out"
"$TRY" --cgroup "$CG/unguarded" connect 127.0.0.1 "$PORT_DENIED" >"$TMP/out" 2>/dev/null
check "a sibling cgroup of no scope connects anywhere" grep -qx 'errno ECONNREFUSED' "$TMP/out"
"$TRY" --cgroup "$CG/unguarded" open "$TMP/dev/nvidia1" >"$TMP/out" 2>/dev/null
check "a sibling cgroup of no scope opens any GPU" grep -qx 'errno ENXIO' "$TMP/out"
# Twice: the entry of the removed cgroup went with it, the new one is bound again.
rmdir "$SCOPE_CG"
mkdir "$SCOPE_CG"
expect_file_denied "a second restart: the prohibited model" "$PROHIBITED"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "a second restart: a connect outside the list is EPERM" grep -qx 'errno EPERM' "$TMP/out"
rmdir "$CG/unguarded"

# A new daemon adopts the pins and finds the re-created cgroup bound.
"$MGUARD" start --foreground --policy "$TMP/policy" --pin-dir "$PIN" \
	>>"$TMP/events.jsonl" 2>"$TMP/daemon-t64.log" &
DPID=$!
check "a new daemon adopts the pinned state after the restarts" \
	wait_for 60 grep -qs 'mguard: ready' "$TMP/daemon-t64.log"
expect_file_denied "after adoption the restarted unit is still guarded" "$PROHIBITED"
