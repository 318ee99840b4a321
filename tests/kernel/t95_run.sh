# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- mguard run: a command started inside the scope ----------------------------------
# mg_run ARGS...: mguard run on the test policy's scope; ARGS are options, '--', the command.
mg_run() { "$MGUARD" run --policy "$TMP/policy" --scope guarded "$@"; }
# No run cgroup is left below the scope.
no_run_cgroup() { [ -z "$(find "$SCOPE_CG" -mindepth 1 -maxdepth 1 -name 'run-*')" ]; }
killed_before_reading() { [ "$1" = 137 ] && ! grep -q read= "$TMP/out"; }

mg_run -- "$TRY" open "$PROHIBITED" >"$TMP/out" 2>/dev/null
st=$?
case "$ENGINE" in
bpf-lsm | fmod-ret) check "run: a prohibited model is refused with EPERM" grep -qx 'errno EPERM' "$TMP/out" ;;
*) check "run: a prohibited model kills the command before it reads, run exits 137" \
	killed_before_reading "$st" ;;
esac
check "run: no run cgroup left after a denied command" no_run_cgroup

mg_run -- "$TRY" open "$TMP/notes.txt" >"$TMP/out" 2>/dev/null
check "run: an ordinary file is read, exit 0" [ $? = 0 ]
check "run: the ordinary file's byte was read" grep -qx 'ok read=1' "$TMP/out"

mg_run -- "$TRY" connect 127.0.0.1 "$PORT_DENIED" >"$TMP/out" 2>/dev/null
check "run: the scope's egress rules hold in the run cgroup" grep -qx 'errno EPERM' "$TMP/out"

mg_run -- sh -c 'exit 7' 2>/dev/null
check "run: the command's exit status is passed through" [ $? = 7 ]
mg_run -- sh -c 'kill -TERM $$' 2>/dev/null
check "run: a command killed by SIGTERM makes run exit 143" [ $? = 143 ]
mg_run -- "$TMP/no-such-command" 2>"$TMP/err"
check "run: a command that cannot be executed exits 127" [ $? = 127 ]
check "run: ... with one line saying why" [ "$(cat "$TMP/err")" = \
	"mguard: error: failed to run '$TMP/no-such-command': No such file or directory" ]

mg_run -- cat /proc/self/cgroup >"$TMP/out" 2>/dev/null
check "run: the command is in a run cgroup of its own below the scope" \
	grep -Eqx "0::$CG_REL/guarded/run-[0-9]+" "$TMP/out"
mg_run -- grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status >"$TMP/out" 2>/dev/null
check "run: no_new_privs is set and a seccomp filter is in place" \
	[ "$(tr -s '\t ' ' ' <"$TMP/out")" = "$(printf 'NoNewPrivs: 1\nSeccomp: 2')" ]

# Descriptors opened outside the scope do not come in.
sh -c 'if (: <&7) 2>/dev/null; then echo open; else echo closed; fi' 7<"$TMP/notes.txt" >"$TMP/out"
mg_run -- sh -c 'if (: <&7) 2>/dev/null; then echo open; else echo closed; fi' \
	7<"$TMP/notes.txt" >>"$TMP/out" 2>/dev/null
check "run: a descriptor opened outside is closed in the command (open without run)" \
	[ "$(cat "$TMP/out")" = "$(printf 'open\nclosed')" ]

# The seccomp filter: EPERM inside; outside, the same call with the same harmless
# arguments gives something else (see mg-try: EINVAL, ESRCH, ENOENT or ok).
for call in bpf ptrace unshare-user mount perf_event_open io_uring_setup; do
	mg_run -- "$TRY" syscall "$call" >"$TMP/out" 2>/dev/null
	check "run: $call fails with EPERM in the command" grep -qx 'errno EPERM' "$TMP/out"
	try_outside "$TMP/out" syscall "$call" >/dev/null
	check "run: $call is not EPERM outside run" \
		grep -Eqx 'ok|errno (EINVAL|ESRCH|ENOENT)' "$TMP/out"
done
mg_run -- "$TRY" uring-open "$TMP/notes.txt" >"$TMP/out" 2>/dev/null
check "run: io_uring is closed to the command" grep -qx 'errno EPERM' "$TMP/out"

# Licences: a valid one is named to the command; others are refused before it starts.
# shellcheck disable=SC2016 # expanded by the command, not here
mg_run --license "$TMP/policy/long.lic" -- sh -c 'echo "$MGUARD_LICENSE"' >"$TMP/out" 2>/dev/null
check "run: a valid licence's id is in MGUARD_LICENSE" grep -qx 'lic-long' "$TMP/out"
# shellcheck disable=SC2016 # expanded by the command, not here
MGUARD_LICENSE=forged mg_run -- sh -c 'echo "[$MGUARD_LICENSE]"' >"$TMP/out" 2>/dev/null
check "run: without --license, MGUARD_LICENSE from outside does not come in" \
	grep -qx '\[\]' "$TMP/out"
mg_run --license "$TMP/policy/forged.lic" -- sh -c 'echo started' >"$TMP/out" 2>"$TMP/err"
check "run: a forged licence is refused, exit 1" [ $? = 1 ]
check "run: ... with its reason" [ "$(cat "$TMP/err")" = \
	"mguard: error: license '$TMP/policy/forged.lic' refused: signature matches no trusted key" ]
check "run: ... and the command did not start" [ ! -s "$TMP/out" ]

"$MGUARD" run --policy "$TMP/policy" --scope nope -- true 2>"$TMP/err"
check "run: an unknown scope exits 1" [ $? = 1 ]
check "run: ... with one line naming it" [ "$(cat "$TMP/err")" = \
	"mguard: error: unknown scope 'nope' in policy '$TMP/policy'" ]

# What the command leaves running is killed with it; the cgroup goes. (The scope
# may write only under its outputs: the pid comes out on standard output.)
mg_run -- sh -c 'sleep 300 </dev/null >/dev/null 2>&1 & echo $!; exit 3' >"$TMP/bg.pid" 2>"$TMP/err"
check "run: a command that leaves a process behind: its status" [ $? = 3 ]
bg=$(cat "$TMP/bg.pid")
gone() { [ ! -d "/proc/$1" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
check "run: ... the process it left is killed" wait_for 5 gone "$bg"
check "run: ... and run says so" \
	grep -q "^mguard: warning: killed what 'sh' left running in cgroup '$SCOPE_CG/run-" "$TMP/err"

# Signals sent to mguard run reach the command.
"$MGUARD" run --policy "$TMP/policy" --scope guarded -- sleep 60 2>/dev/null &
rp=$!
check "run: the command starts in its run cgroup" wait_for 5 grep -qs . "$SCOPE_CG/run-$rp/cgroup.procs"
kill -TERM "$rp"
wait "$rp"
check "run: SIGTERM to run is passed on, run exits 143" [ $? = 143 ]

check "run: no run cgroup is left below the scope after any of these" no_run_cgroup
