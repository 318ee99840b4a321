# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by the route tests (t26, t42, t52, t62): each route is tried in both
# placements, a pid written to the scope's cgroup.procs (as systemd or a
# container runtime place a process: no seccomp filter) and `mguard run`.

ROUTE=$BUILD/tests/helpers/mg-route

# placed HOW BIN ARGS...: run BIN (mg-route or mg-try) in the scope, placed by
# HOW (cg or run); its line in $TMP/out, its exit status in $ST.
rt_placed() {
	how=$1
	r_bin=$2
	shift 2
	# R_SETUP: a command run before each try (a fresh file for each placement).
	[ -z "${R_SETUP:-}" ] || $R_SETUP
	case "$how" in
	cg) "$r_bin" --cgroup "$SCOPE_CG" "$@" >"$TMP/out" 2>"$TMP/err" ;;
	run) "$MGUARD" run --policy "$TMP/policy" --scope guarded -- "$r_bin" "$@" >"$TMP/out" 2>"$TMP/err" ;;
	esac
	ST=$?
	return "$ST"
}

# killed: the helper died of a signal (SIGKILL from the fallback engine, or
# SIGSYS from mguard run's seccomp filter) before it printed "ok".
rt_killed() { [ "$ST" -gt 128 ] && ! grep -q '^ok' "$TMP/out"; }

# The engine of the hook a test file tries (RT_ENGINE, which the file sets:
# ENGINE_PATHS, ENGINE_SOCKET, ...), the file engine when it sets none.
rt_engine() { echo "${RT_ENGINE:-$ENGINE}"; }

# refused NAME LSM-LINE BIN ARGS...: in both placements, where the hook's engine
# refuses (BPF LSM, fmod-ret) the helper prints a line matching LSM-LINE (an
# extended regex); on the fallback engine it is killed before it could use
# what it got.
rt_refused() {
	r_name=$1
	r_want=$2
	shift 2
	for how in cg run; do
		rt_placed "$how" "$@"
		if refuses "$(rt_engine)"; then
			check "$r_name ($how): refused" grep -Eqx "$r_want" "$TMP/out"
		else
			check "$r_name ($how): killed" rt_killed
		fi
	done
}

# both NAME LINE BIN ARGS...: in both placements, on both engines, the helper prints LINE.
rt_both() {
	r_name=$1
	r_want=$2
	shift 2
	for how in cg run; do
		rt_placed "$how" "$@"
		check "$r_name ($how)" grep -Eqx "$r_want" "$TMP/out"
	done
}

# on_lsm NAME LINE BIN ARGS...: as both, where the hook's engine refuses (BPF
# LSM, fmod-ret); on the fallback engine the route is closed in scopes, so the
# helper is killed there.
rt_on_lsm() {
	r_name=$1
	r_want=$2
	shift 2
	for how in cg run; do
		rt_placed "$how" "$@"
		if refuses "$(rt_engine)"; then
			check "$r_name ($how)" grep -Eqx "$r_want" "$TMP/out"
		else
			check "$r_name ($how): closed in scopes on this engine, killed" rt_killed
		fi
	done
}

# not_eperm: the last helper's line in $TMP/out is not EPERM (an allowed device
# node fails in its driver, or opens).
rt_not_eperm() { [ -s "$TMP/out" ] && ! grep -qx 'errno EPERM' "$TMP/out"; }
