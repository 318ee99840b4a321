# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Helpers for the kernel tier. POSIX sh: the same scripts run on the host
# and under busybox in the test VM.

MG_PASS=0
MG_FAIL=0

pass() { MG_PASS=$((MG_PASS + 1)); echo "ok - $1"; }
fail() { MG_FAIL=$((MG_FAIL + 1)); echo "not ok - $1"; [ $# -gt 1 ] && echo "#   $2"; return 0; }

# all COMMAND [; COMMAND]...: run a condition written as one shell string, so
# that check sees every part of a compound condition, not only the first.
all() { eval "$1"; }

# check NAME CONDITION-COMMAND... : pass when the command succeeds.
check() {
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "failed: $*"; fi
}

# The cgroup2 mount point, from mountinfo (never assumed).
cgroup2_mount() {
	awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | head -n 1
}

# wait_for SECONDS COMMAND...: poll until the command succeeds.
wait_for() {
	tries=$(($1 * 10))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# Lines of FILE that contain every one of the given strings.
count_lines() {
	file=$1
	shift
	awk -v n="$#" 'BEGIN { for (i = 2; i < ARGC; i++) want[i - 1] = ARGV[i]; ARGC = 2 }
		{ ok = 1; for (i = 1; i <= n; i++) if (index($0, want[i]) == 0) ok = 0; if (ok) c++ }
		END { print c + 0 }' "$file" "$@"
}

has_line() { [ "$(count_lines "$@")" -gt 0 ]; }

# --- trying things from inside a scope and from outside every scope -------------
# The scope's cgroup is $SCOPE_CG, the file engine $ENGINE, the output $TMP/out.

# try_in_scope OUTFILE ARGS...: run mg-try inside the scope; prints its exit status.
try_in_scope() {
	out=$1
	shift
	"$TRY" --cgroup "$SCOPE_CG" "$@" >"$out" 2>/dev/null
	echo $?
}
try_outside() {
	out=$1
	shift
	"$TRY" "$@" >"$out" 2>/dev/null
	echo $?
}

# expect_denied NAME PATH: the open fails (LSM) or the process dies before reading (fallback).
expect_file_denied() {
	st=$(try_in_scope "$TMP/out" open "$2")
	case "$ENGINE" in
	bpf-lsm | fmod-ret) check "$1: EPERM in scope" grep -qx 'errno EPERM' "$TMP/out" ;;
	*) check "$1: killed in scope before reading" all "[ $st = 137 ] && ! grep -q read= '$TMP/out'" ;;
	esac
}


expect_write_denied() {
	st=$(try_in_scope "$TMP/out" write "$2")
	case "$ENGINE" in
	bpf-lsm | fmod-ret) check "$1: EPERM in scope" grep -qx 'errno EPERM' "$TMP/out" ;;
	*) check "$1: killed in scope before writing" all "[ $st = 137 ] && ! grep -q wrote= '$TMP/out'" ;;
	esac
}

# expect_route_denied NAME LSM-OUTPUT ARGS...: on BPF LSM the call fails with LSM-OUTPUT;
# on the fallback engine the process dies before it can read a byte.
expect_route_denied() {
	name=$1
	want=$2
	shift 2
	st=$(try_in_scope "$TMP/out" "$@")
	case "$ENGINE" in
	bpf-lsm | fmod-ret) check "$name: refused in scope" grep -qx "$want" "$TMP/out" ;;
	*) check "$name: killed in scope before reading" all "[ $st = 137 ] && ! grep -Eq 'read=|mapped=' '$TMP/out'" ;;
	esac
}

# --- attacks on the guard and on other processes (mg-attack), both placements -----------
# attack_in OUTFILE ARGS...: mg-attack placed in the scope by cgroup.procs; prints its status.
attack_in() {
	out=$1
	shift
	"$ATTACK" --cgroup "$SCOPE_CG" "$@" >"$out" 2>/dev/null
	echo $?
}
# attack_run OUTFILE ARGS...: mg-attack started by 'mguard run' in the scope.
attack_run() {
	out=$1
	shift
	"$MGUARD" run --policy "$TMP/policy" --scope guarded -- "$ATTACK" "$@" >"$out" 2>/dev/null
	echo $?
}
attack_outside() {
	out=$1
	shift
	"$ATTACK" "$@" >"$out" 2>/dev/null
	echo $?
}

# hook_engine HOOK: the engine in force for HOOK (its name in status), from
# $TMP/engines.json, which run.sh writes once the guard runs.
hook_engine() {
	sed -n "s/.*\"$1\":{\"engine\":\"\([a-z-]*\)\".*/\1/p" "$TMP/engines.json"
}

# refuses ENGINE: does ENGINE refuse with an error (else it kills the caller)?
refuses() {
	case "$1" in
	bpf-lsm | fmod-ret) return 0 ;;
	*) return 1 ;;
	esac
}

# refused STATUS OUTFILE LSM-LINES: where the guard's hooks refuse (BPF LSM, fmod-ret)
# the attack fails with one of the lines (a regular expression); on the fallback
# engine it is killed before it reports success.
refused() {
	if refuses "$ENGINE_GUARD"; then
		grep -Eqx "$3" "$2"
	else
		[ "$1" = 137 ] && ! grep -q '^ok' "$2"
	fi
}
# Under 'mguard run' the seccomp filter may refuse first (EPERM; ENOSYS for clone3).
refused_run() { refused "$@" || grep -Eqx 'errno (EPERM|ENOSYS)' "$2"; }

# expect_refused NAME LSM-LINES ARGS...: the attack, tried from both placements, fails:
# an error, or the caller killed on the attempt, as the guard's engine does.
expect_refused() {
	er_name=$1
	er_want=$2
	shift 2
	er_st=$(attack_in "$TMP/out" "$@")
	check "$er_name: $REFUSED (cgroup placement)" refused "$er_st" "$TMP/out" "$er_want"
	er_st=$(attack_run "$TMP/out" "$@")
	check "$er_name: $REFUSED (mguard run)" refused_run "$er_st" "$TMP/out" "$er_want"
}

# A process of some scope (or outside) that lives until killed: prints its pid,
# once it holds PATH in its cgroup. What it printed is in $TMP/holder.PID. (A
# file of its own from the start: one shared with the holder before it could
# show that one's line before this one entered its cgroup.)
start_holder() { # CGROUP-OR-EMPTY PATH
	hf=$(mktemp "$TMP/holder.new.XXXXXX")
	if [ -n "$1" ]; then
		"$ATTACK" --cgroup "$1" hold "$2" 300 >"$hf" 2>&1 &
	else
		"$ATTACK" hold "$2" 300 >"$hf" 2>&1 &
	fi
	hp=$!
	wait_for 5 grep -qs '^ok holding' "$hf"
	mv "$hf" "$TMP/holder.$hp"
	echo "$hp"
}
stop_holder() { kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# Loopback streams to 127.0.0.1:$PORT_BUDGET (t88, t89): mg-stream ($STREAM)
# as the sink, in the background, its output in $SINK_OUT.
start_sink() { # tcp|udp SECONDS
	"$STREAM" sink "$1" "$PORT_BUDGET" "$2" >"$SINK_OUT" 2>&1 &
	SINK=$!
	wait_for 5 grep -qs ready "$SINK_OUT"
}
# The sink's count in $got, once it has exited (wait in this shell: a child of it).
sink_received() {
	wait "$SINK"
	got=$(awk '$1 == "received" { print $2 }' "$SINK_OUT")
}
# between N LO HI: is N a number from LO to HI?
between() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
