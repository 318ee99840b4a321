# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# --- the guard itself: bpf(), the pins, signals to the daemon, leaving the scope ------------

MAP_PIN=$(find "$PIN" -maxdepth 1 ! -name 'link_*' ! -path "$PIN" | head -n 1)
LINK_PIN=$(find "$PIN" -maxdepth 1 -name 'link_*' | head -n 1)
check "the pin folder holds maps and links to attack" all "[ -e '$MAP_PIN' ] && [ -e '$LINK_PIN' ]"

# bpf(): not one command from a scope.
expect_refused "bpf: BPF_OBJ_GET of a pinned map" 'errno EPERM' bpf-obj-get "$MAP_PIN"
expect_refused "bpf: BPF_OBJ_GET of a pinned link" 'errno EPERM' bpf-obj-get "$LINK_PIN"
expect_refused "bpf: BPF_MAP_GET_FD_BY_ID" 'errno EPERM' bpf-map-by-id
expect_refused "bpf: loading a program" 'errno EPERM' bpf-prog-load
st=$(attack_in "$TMP/out" bpf-obj-get "$MAP_PIN")
case "$ENGINE_GUARD" in
bpf-lsm | fmod-ret) ;;
*) check "bpf: the attempt is an event, verdict kill" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"bpf"' '"verdict":"kill"' '"reason":"guard"' ;;
esac
st=$(attack_outside "$TMP/out" bpf-obj-get "$MAP_PIN")
check "bpf: outside every scope the administrator still gets the pinned map" grep -qx 'ok got' "$TMP/out"
st=$(attack_outside "$TMP/out" bpf-prog-load)
check "bpf: outside every scope programs still load" grep -qx 'ok loaded' "$TMP/out"
"$MGUARD" status --pin-dir "$PIN" >/dev/null 2>&1
check "bpf: mguard status from outside still works" [ $? = 0 ]

# The pin folder: nothing removed or renamed from a scope.
case "$ENGINE_GUARD" in
bpf-lsm | fmod-ret)
	expect_refused "pins: unlink of a pinned link" 'errno EPERM' unlink "$LINK_PIN"
	expect_refused "pins: rename of a pinned map" 'errno EPERM' rename "$MAP_PIN" "$PIN/moved"
	expect_refused "pins: rmdir of the pin folder" 'errno EPERM' rmdir "$PIN"
	;;
*)
	"$MGUARD" probe >"$TMP/probe.out" 2>&1
	check "pins: probe names the fallback engine's gap for the pins" \
		grep -Eq '^ *pins +none +\(gap: a scope can unlink or rename pins' "$TMP/probe.out"
	"$MGUARD" status --pin-dir "$PIN" >"$TMP/status.out" 2>&1
	check "pins: status names it too, with the other gaps of the fallback engine" \
		all "grep -Eq '^  pins +a scope can unlink or rename pins' '$TMP/status.out' && grep -Eq '^  signal +the sender dies on the attempt, but the signal is still delivered' '$TMP/status.out'"
	"$MGUARD" status --json --pin-dir "$PIN" >"$TMP/status.out" 2>&1
	check "pins: status --json names the gaps" grep -q '"gaps":{"bpf":"the caller dies' "$TMP/status.out"
	;;
esac
check "pins: the daemon's pins are all still there" all "[ -e '$MAP_PIN' ] && [ -e '$LINK_PIN' ] && [ ! -e '$PIN/moved' ]"

# Signals to processes outside the scope: the daemon and an unguarded neighbour.
DEPUTY=$(start_holder "" /etc/passwd)
for how in kill tkill tgkill sigqueue pidfd; do
	expect_refused "signal: $how to the daemon" 'errno EPERM' signal "$how" "$DPID"
	expect_refused "signal: $how to an unguarded process" 'errno EPERM' signal "$how" "$DEPUTY"
done
check "signal: the daemon is still running" kill -0 "$DPID"
check "signal: the unguarded process is still running" kill -0 "$DEPUTY"
st=$(attack_in "$TMP/out" child-signal)
check "signal: a scoped process still signals its own child" grep -qx 'ok signalled-child' "$TMP/out"
st=$(attack_run "$TMP/out" child-signal)
check "signal: ... under mguard run too" grep -qx 'ok signalled-child' "$TMP/out"
st=$(attack_outside "$TMP/out" signal kill "$DEPUTY")
check "signal: an unguarded process still signals another" grep -qx 'ok signalled' "$TMP/out"
SCOPED=$(start_holder "$SCOPE_CG" "$TMP/notes.txt")
st=$(attack_outside "$TMP/out" signal pidfd "$SCOPED")
check "signal: the administrator still signals a scoped process" grep -qx 'ok signalled' "$TMP/out"
stop_holder "$SCOPED"

# ptrace of the daemon.
expect_refused "ptrace: attach to the daemon" 'errno EPERM' ptrace "$DPID"
check "ptrace: the daemon is still running, untraced" \
	all "kill -0 $DPID && grep -qx 'TracerPid:	0' /proc/$DPID/status"

# Leaving the scope's cgroup: every file that moves a task, and clone3.
mkdir -p "$CG/outside" "$SCOPE_CG/inner"
for procs in "$CG/cgroup.procs" "$CG/outside/cgroup.procs" "$CG/outside/cgroup.threads" \
	"$CGROOT/cgroup.procs"; do
	expect_refused "cgroup: moving itself through $procs" 'errno EPERM' move-self "$procs"
done
for v1 in /sys/fs/cgroup/*/cgroup.procs; do
	# cgroup v1 hierarchies, where mounted (the host's hybrid layout; not in the VM).
	if [ ! -e "$v1" ] || [ "$(stat -f -c %T "$v1")" != cgroupfs ]; then
		continue
	fi
	expect_refused "cgroup: moving itself through v1 $v1" 'errno EPERM' move-self "$v1"
done
rm -f "$TMP/outputs/escaped"
expect_refused "cgroup: clone3 with CLONE_INTO_CGROUP outside the scope" 'errno EPERM' \
	clone-into "$CG/outside" "$TMP/outputs/escaped"
check "cgroup: no child ran outside the scope" [ ! -e "$TMP/outputs/escaped" ]
check "cgroup: nothing is left in the other cgroup" [ ! -s "$CG/outside/cgroup.procs" ]
st=$(attack_in "$TMP/out" clone-into "$SCOPE_CG/inner" "$TMP/outputs/inner")
case "$ENGINE_GUARD" in
bpf-lsm | fmod-ret) check "cgroup: clone3 with CLONE_INTO_CGROUP is refused even below the scope" \
	grep -qx 'errno EPERM' "$TMP/out" ;;
*) check "cgroup: clone3 with CLONE_INTO_CGROUP below the scope still works" \
	all "grep -qx 'ok cloned' '$TMP/out' && [ -e '$TMP/outputs/inner' ]" ;;
esac
st=$(attack_in "$TMP/out" threads)
check "cgroup: threads still start in a scope" grep -qx 'ok threads' "$TMP/out"
case "$ENGINE_GUARD" in
bpf-lsm | fmod-ret)
	expect_refused "cgroup: removing a cgroup" 'errno EPERM' rmdir "$CG/outside"
	expect_refused "cgroup: renaming the scope's cgroup" 'errno EPERM' rename "$SCOPE_CG" "$CG/renamed"
	;;
*)
	check "cgroup: probe names the fallback engine's gap for cgroup renames" \
		grep -Eq '^ *cgroup_move +tracepoint-kill +\(gap: renaming' "$TMP/probe.out"
	;;
esac
check "cgroup: the scope's cgroup is where it was" all "[ -d '$SCOPE_CG' ] && [ ! -e '$CG/renamed' ]"
rmdir "$CG/outside" "$SCOPE_CG/inner" 2>/dev/null
rm -f "$TMP/outputs/inner"
expect_file_denied "after all of these the scope is still guarded" "$PROHIBITED"
stop_holder "$DEPUTY"
