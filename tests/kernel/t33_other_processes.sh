# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# --- other processes: their memory and descriptors, both ways; core dumps ------------------

# A deputy outside every scope holds prohibited weights open (fd 3) and mapped.
DEPUTY=$(start_holder "" "$PROHIBITED")
check "an unguarded deputy holds the prohibited weights" grep -q '^ok holding fd=3' "$TMP/holder.$DEPUTY"
range=$(awk -v f="$PROHIBITED" '$6 == f { print $1; exit }' "/proc/$DEPUTY/maps")
check "... and has them mapped" [ -n "$range" ]

expect_refused "other process: ptrace" 'errno EPERM' ptrace "$DEPUTY"
expect_refused "other process: process_vm_readv" 'errno EPERM' vm-read "$DEPUTY"
expect_refused "other process: /proc/PID/mem" 'errno (EACCES|EPERM)' open "/proc/$DEPUTY/mem"
expect_refused "other process: /proc/PID/environ" 'errno (EACCES|EPERM)' open "/proc/$DEPUTY/environ"
expect_refused "other process: /proc/PID/fd/3 (the weights)" 'errno (EACCES|EPERM)' \
	open "/proc/$DEPUTY/fd/3"
expect_refused "other process: /proc/PID/map_files (the weights)" 'errno (EACCES|EPERM|ENOENT)' \
	open "/proc/$DEPUTY/map_files/$range"
expect_refused "other process: pidfd_getfd of the weights" 'errno EPERM' pidfd-getfd "$DEPUTY" 3
check "the deputy is still there, untraced" \
	all "kill -0 $DEPUTY && grep -qx 'TracerPid:	0' /proc/$DEPUTY/status"

# The legitimate neighbours: the scope's own memory, an unguarded process's debugger.
st=$(attack_in "$TMP/out" open /proc/self/environ)
check "a scoped process still reads its own /proc/self/environ" grep -qx 'ok read=1' "$TMP/out"
st=$(attack_in "$TMP/out" child-ptrace)
check "a scoped process still traces its own child (cgroup placement)" \
	grep -qx 'ok traced-child' "$TMP/out"
st=$(attack_outside "$TMP/out" child-ptrace)
check "an unguarded process still traces its own child" grep -qx 'ok traced-child' "$TMP/out"
st=$(attack_outside "$TMP/out" vm-read "$DEPUTY")
check "an unguarded process still reads another's memory (EFAULT: past the access check)" \
	grep -qx 'errno EFAULT' "$TMP/out"
st=$(attack_outside "$TMP/out" open "/proc/$DEPUTY/environ")
check "an unguarded process still reads another's /proc/PID/environ" grep -qx 'ok read=1' "$TMP/out"

# Another scope: the debuggable one is outside 'guarded' like any other process.
OTHER=$(start_holder "$DEBUG_CG" /etc/passwd)
expect_refused "another scope's process: process_vm_readv" 'errno EPERM' vm-read "$OTHER"
expect_refused "another scope's process: ptrace" 'errno EPERM' ptrace "$OTHER"

# The other direction: the scope is shielded from every process outside it.
SHIELDED=$(start_holder "$SCOPE_CG" "$TMP/models/small/model.gguf")
st=$(attack_outside "$TMP/out" vm-read "$SHIELDED")
check "shield: process_vm_readv from outside is $REFUSED" refused "$st" "$TMP/out" 'errno EPERM'
st=$(attack_outside "$TMP/out" ptrace "$SHIELDED")
check "shield: ptrace from outside is $REFUSED" refused "$st" "$TMP/out" 'errno EPERM'
st=$(attack_outside "$TMP/out" pidfd-getfd "$SHIELDED" 3)
check "shield: pidfd_getfd from outside is $REFUSED" refused "$st" "$TMP/out" 'errno EPERM'
case "$ENGINE_GUARD" in
bpf-lsm | fmod-ret)
	st=$(attack_outside "$TMP/out" open "/proc/$SHIELDED/mem")
	check "shield: /proc/PID/mem from outside is refused" grep -Eqx 'errno (EACCES|EPERM)' "$TMP/out"
	;;
*)
	"$MGUARD" probe >"$TMP/probe.out" 2>&1
	check "shield: probe names the fallback engine's gap for /proc/PID/mem from outside" \
		grep -Eq '^ *ptrace +tracepoint-kill +\(gap: /proc/PID/mem of a shielded scope' "$TMP/probe.out"
	;;
esac
st=$(attack_outside "$TMP/out" signal kill "$SHIELDED")
check "shield: the administrator still signals the scoped process" grep -qx 'ok signalled' "$TMP/out"
check "shield: the scoped process is still there" kill -0 "$SHIELDED"
check "shield: an event names the refused reader" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"ptrace"' '"reason":"shielded"' "\"target\":$SHIELDED"
stop_holder "$SHIELDED"

# allowDebug: a scope that opted in can be debugged from outside.
st=$(attack_outside "$TMP/out" vm-read "$OTHER")
check "allowDebug: process_vm_readv from outside passes the access check" grep -qx 'errno EFAULT' "$TMP/out"
st=$(attack_outside "$TMP/out" ptrace "$OTHER")
check "allowDebug: ptrace from outside works" grep -qx 'ok attached' "$TMP/out"
stop_holder "$OTHER"
stop_holder "$DEPUTY"

# Core dumps: a shielded process dies without one (of its signal, or of the SIGKILL that
# stopped the dump).
mkdir -p "$TMP/coredir"
rm -f "$TMP/outputs/core"* "$TMP/coredir/core"*
st=$(attack_in "$TMP/out" coredump "$TMP/outputs")
check "core dump: a shielded process dies of SIGSEGV without a dump (cgroup placement)" \
	grep -Eqx 'ok signal=(9|11) dumped=0' "$TMP/out"
st=$(attack_run "$TMP/out" coredump "$TMP/outputs")
check "core dump: ... and under mguard run" grep -Eqx 'ok signal=(9|11) dumped=0' "$TMP/out"
check "core dump: no core file was written" [ -z "$(find "$TMP/outputs" -maxdepth 1 -name 'core*')" ]
check "core dump: an event says so" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"coredump"' '"reason":"coredump"' '"signal":11'
if [ "$(cat /proc/sys/kernel/core_pattern)" = core ]; then
	st=$(attack_outside "$TMP/out" coredump "$TMP/coredir")
	check "core dump: an unguarded process still dumps core" grep -qx 'ok signal=11 dumped=1' "$TMP/out"
	"$ATTACK" --cgroup "$DEBUG_CG" coredump "$TMP/outputs" >"$TMP/out" 2>/dev/null
	check "core dump: a scope with allowDebug still dumps core (into its outputs)" \
		grep -qx 'ok signal=11 dumped=1' "$TMP/out"
else
	fail "core dump: the neighbour checks need kernel.core_pattern=core" \
		"it is '$(cat /proc/sys/kernel/core_pattern)'"
fi
rm -rf "$TMP/coredir" "$TMP/outputs/core"*
