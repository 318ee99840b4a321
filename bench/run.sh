#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Benchmarks: what mguard costs, as ratios against the same workloads without
# it, measured in interleaved rounds on the running kernel, as root.
#
#   bench/run.sh BUILD_DIR
#
# Prints a table and writes BUILD_DIR/bench/results.json (and the raw samples
# beside it). See docs/performance.md for what each row means.
#
# MG_BENCH_ROUNDS      interleaved rounds (default 15)
# MG_BENCH_BATCHES     batches per measurement; the fastest counts (default 20)
# MG_BENCH_OPEN_OPS    open+close per measurement (default 50000)
# MG_BENCH_CONNECT_OPS connects per measurement (default 5000)
# MG_BENCH_STREAM_MIB  MiB sent over one loopback TCP stream per measurement (default 2048)
# MG_BENCH_WORKLOADS   the ratio workloads to run (default all of them)
# MG_BENCH_MMAP_PASSES passes over the mapped file per measurement (default 20)
# MG_BENCH_MMAP_MIB    size of the mapped file (default 1024)
# MG_BENCH_CPU         the CPU the timed workloads run on (default the last)
# MG_BENCH_PARTS       what to run, of: ratios events stats scale (default all)
# MG_BENCH_WAIT        seconds, over the whole run, to wait for BPF programs of
#                      other processes on tracepoints to go away before a
#                      round (default 120); rounds they overlap are set aside
# MG_BENCH_TMP         folder on disk for the temporary files (default /var/tmp)
# MG_BENCH_FANOTIFY    0: no fanotify guard in the rounds (default 1)
# MG_BENCH_DRAIN_COUNT events per burst of the event test (default 20000; the
#                      ring buffer must hold them all)
# MG_BENCH_SWAP_TIMEOUT seconds before a policy reload is given up (default 60)
# MG_BENCH_AUDIT       1: the event test writes the event file with the audit
#                      trail on (--log-dir, --audit-key) instead of stdout, and
#                      checks the result with 'mguard audit verify' (default 0)
#
# Safety: everything this creates is named after its pid (cgroup, pin folders,
# temporary folder); programs attach only to its own cgroup; it stops only the
# processes it started, by pid; every exit path cleans up.
set -u
cd "$(dirname "$0")/.." || exit 1

BUILD=${1:-build}
MGUARD=$BUILD/mguard
B=$BUILD/bench
OUT=$BUILD/bench
ROUNDS=${MG_BENCH_ROUNDS:-15}
BATCHES=${MG_BENCH_BATCHES:-20}
OPEN_OPS=${MG_BENCH_OPEN_OPS:-50000}
CONNECT_OPS=${MG_BENCH_CONNECT_OPS:-5000}
STREAM_MIB=${MG_BENCH_STREAM_MIB:-2048}
MMAP_PASSES=${MG_BENCH_MMAP_PASSES:-20}
MMAP_MIB=${MG_BENCH_MMAP_MIB:-1024}
PARTS=${MG_BENCH_PARTS:-ratios events stats scale}
WAIT_BUDGET=${MG_BENCH_WAIT:-120}
TMPBASE=${MG_BENCH_TMP:-/var/tmp}
CPU=${MG_BENCH_CPU:-$(($(nproc) - 1))}

die() {
	echo "bench: $*" >&2
	exit 1
}

has_part() {
	case " $PARTS " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

[ "$(id -u)" -eq 0 ] || die "run as root: it loads BPF programs ('sudo make bench')"
for t in "$MGUARD" "$B/workload" "$B/empty_tp" "$B/fanotify_guard" "$B/bpf_stats" "$B/bench_load"; do
	[ -x "$t" ] || die "'$t' not found; run 'make bench'"
done
for tool in awk bpftool mount umount; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found"
done
CGROOT=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
	/proc/self/mountinfo | head -n 1)
[ -n "$CGROOT" ] || die "cgroup2 is not mounted"

# Leftovers of runs that died: their owner pid is gone.
for pin in /sys/fs/bpf/mguard-bench-*; do
	[ -d "$pin" ] || continue
	kill -0 "${pin##*-}" 2>/dev/null || "$MGUARD" stop --pin-dir "$pin" >/dev/null 2>&1
done
for cg in "$CGROOT"/mguard-bench-*; do
	[ -d "$cg" ] || continue
	kill -0 "${cg##*-}" 2>/dev/null && continue
	for sub in "$cg"/*/*/*/ "$cg"/*/*/ "$cg"/*/; do [ -d "$sub" ] && rmdir "$sub" 2>/dev/null; done
	rmdir "$cg" 2>/dev/null
done

mkdir -p "$OUT" || die "cannot create '$OUT'"
for d in "$TMPBASE"/mguard-bench-*.*; do
	[ -d "$d" ] || continue
	owner=${d##*/mguard-bench-}
	kill -0 "${owner%%.*}" 2>/dev/null && continue
	umount "$d/data" 2>/dev/null
	rm -rf "$d"
done
TOP=$(mktemp -d "$TMPBASE/mguard-bench-$$.XXXXXX") || die "cannot create a folder in '$TMPBASE'"
TMP=$TOP/data
CG_REL=/mguard-bench-$$
CG=$CGROOT$CG_REL
SCOPE=$CG/guarded
OUTSIDE=$CG/outside
PIN=/sys/fs/bpf/mguard-bench-$$
PIN_LOAD=/sys/fs/bpf/mguard-bench-load-$$
PORT=$((20000 + $$ % 20000))
DPID=
DPROGS=
EPID=
FPID=
BOUND=

stop_pid() {
	[ -n "$1" ] || return 0
	kill -CONT "$1" 2>/dev/null
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

cleanup() {
	stop_pid "$DPID"
	stop_pid "$EPID"
	stop_pid "$FPID"
	DPID=
	EPID=
	FPID=
	for pin in "$PIN" "$PIN_LOAD"; do
		[ -d "$pin" ] && "$MGUARD" stop --pin-dir "$pin" >/dev/null 2>&1
	done
	if [ -d "$CG" ]; then
		# Only workload processes of this run can be in these cgroups.
		for procs in "$CG"/*/cgroup.procs; do
			[ -f "$procs" ] || continue
			while read -r p; do kill -9 "$p" 2>/dev/null; done <"$procs"
		done
		for sub in "$CG"/*/*/*/ "$CG"/*/*/ "$CG"/*/; do
			[ -d "$sub" ] && rmdir "$sub" 2>/dev/null
		done
		rmdir "$CG" 2>/dev/null
	fi
	[ -z "$BOUND" ] || umount "$TMP" 2>/dev/null || umount -l "$TMP" 2>/dev/null
	rm -rf "$TOP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# wait_for SECONDS COMMAND...: poll until the command succeeds.
wait_for() {
	tries=$(($1 * 20))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	return 1
}

# --- files, cgroups, policies ----------------------------------------------------

# Private copies of the programs: a rebuild of BUILD_DIR during the run
# changes nothing.
mkdir -p "$TOP/bin" "$TMP" || die "cannot create folders in '$TOP'"
for t in "$MGUARD" "$B/workload" "$B/empty_tp" "$B/fanotify_guard" "$B/bpf_stats" "$B/bench_load"; do
	cp "$t" "$TOP/bin/" || die "cannot copy '$t'"
done
MGUARD=$TOP/bin/mguard
B=$TOP/bin

# The data folder is its own mount, so that the fanotify guard can mark that
# mount only, and no other process on the host waits for it.
mount --bind "$TMP" "$TMP" || die "cannot bind-mount '$TMP'"
BOUND=1
mount --make-private "$TMP" 2>/dev/null

MODELS=$TMP/models
ALLOWED=$MODELS/general/model.safetensors
DEEPDIR=$MODELS/general
i=1
while [ $i -le 20 ]; do
	DEEPDIR=$DEEPDIR/d$i
	i=$((i + 1))
done
DEEP=$DEEPDIR/late.safetensors
BIG=$MODELS/general/weights-1g.bin
PROHIBITED=$MODELS/frontier/model.safetensors
PLAIN=$TMP/plain/notes.txt
mkdir -p "$DEEPDIR" "$MODELS/frontier" "$TMP/plain" "$TMP/enforce" "$TMP/audit"
head -c 4096 /dev/urandom >"$ALLOWED"
cp "$ALLOWED" "$DEEP"
head -c 4096 /dev/urandom >"$PROHIBITED"
echo "not weights" >"$PLAIN"

if has_part ratios || has_part stats; then
	echo "bench: writing a ${MMAP_MIB} MiB weight file in $TMPBASE"
	"$B/workload" fill "$BIG" "$MMAP_MIB" || die "cannot write '$BIG'"
fi

mkdir -p "$SCOPE" "$OUTSIDE" || die "cannot create cgroups under '$CG'"

write_policy() { # FOLDER MODE [EXTRA-SCOPE-LINE]
	cat >"$1/policy.yaml" <<YAML
apiVersion: mguard/v1
mode: $2
models:
  - {name: bench-general, tier: general, files: [$MODELS/general/]}
  - {name: bench-frontier, tier: prohibited, files: [$MODELS/frontier/]}
scopes:
  - name: bench
    cgroup: $CG_REL/guarded
    maxTier: general
    egress: ["127.0.0.1:$PORT/tcp"]
    egressBudget: {bytes: 1TiB, per: 1h}
${3:-}
YAML
}
# Where the policy language has readable folders ('reads'), the file of no
# model is in one: the scope may read it, as a real scope reads its own files.
mkdir -p "$TMP/probe"
write_policy "$TMP/probe" enforce "    reads: [$TMP/plain/]"
READS=
"$MGUARD" policy check "$TMP/probe" >/dev/null 2>&1 && READS="    reads: [$TMP/plain/]"
write_policy "$TMP/enforce" enforce "$READS"
write_policy "$TMP/audit" audit "$READS"

# --- the guards -----------------------------------------------------------------

# MG_START_ARGS: more options for 'mguard start'.
MG_START_ARGS=
mg_start() { # POLICY-FOLDER EVENTS-FILE
	# Removed first: the shell truncates it only once the child runs, and an
	# old "ready" must not be taken for the new one.
	rm -f "$TMP/daemon.log"
	# shellcheck disable=SC2086
	"$MGUARD" start --foreground --policy "$1" --pin-dir "$PIN" $MG_START_ARGS >"$2" 2>"$TMP/daemon.log" &
	DPID=$!
	t0=$(now_ms)
	wait_for 60 daemon_ready
	grep -qs 'mguard: ready' "$TMP/daemon.log" && return 0
	if kill -0 "$DPID" 2>/dev/null; then
		echo "bench: not ready after $((($(now_ms) - t0) / 1000)) s" >>"$TMP/daemon.log"
		kill "$DPID" 2>/dev/null
	fi
	wait "$DPID"
	echo "bench: exit status $?" >>"$TMP/daemon.log"
	DPID=
	return 1
}

# On a shared host a start can fail for reasons of the moment: one more try.
mg_start_or_die() {
	mg_start "$@" && return 0
	sed 's/^/bench: daemon: /' "$TMP/daemon.log" >&2
	echo "bench: mguard did not start; trying once more" >&2
	mg_start "$@" && return 0
	sed 's/^/bench: daemon: /' "$TMP/daemon.log" >&2
	die "mguard did not start on '$1'"
}

# Ready, or gone (then waiting longer is useless).
daemon_ready() {
	grep -qs 'mguard: ready' "$TMP/daemon.log" && return 0
	kill -0 "$DPID" 2>/dev/null || return 0
	return 1
}

# The programs of the running daemon, by id (its program descriptors).
daemon_progs() {
	for info in /proc/"$DPID"/fdinfo/*; do
		awk '/^prog_id:/ { i = $2 } /^verified_insns:/ { v = 1 }
			END { if (i != "" && v) print i }' "$info" 2>/dev/null
	done | sort -un | tr '\n' ' '
}

# None of them is still loaded: only then is nothing of the daemon on a hook
# (6.12 takes trampoline programs off their hooks a moment after the links go).
progs_gone() {
	for id in $DPROGS; do
		bpftool prog show id "$id" >/dev/null 2>&1 && return 1
	done
	return 0
}

mg_stop() {
	[ -z "$DPID" ] || DPROGS=$(daemon_progs)
	stop_pid "$DPID"
	DPID=
	wait_for 30 progs_gone || echo "bench: programs $DPROGS still loaded 30 s after the daemon stopped" >&2
	DPROGS=
}

# A file in the allowed folder that the compiler never saw: the kernel finds
# its model by walking up its 20 parent folders. Written there, it is marked
# (taint on write), so the operator re-seals it, as after any update.
renew_deep() {
	cp "$ALLOWED" "$DEEP.new" && mv -f "$DEEP.new" "$DEEP" &&
		"$MGUARD" model reseal --pin-dir "$PIN" "$DEEP" >/dev/null 2>&1
}

empty_start() {
	rm -f "$TMP/empty.out"
	# shellcheck disable=SC2086
	"$B/empty_tp" $TRACEPOINTS >"$TMP/empty.out" 2>&1 &
	EPID=$!
	wait_for 30 grep -qs '^ready' "$TMP/empty.out" || die "empty_tp: $(cat "$TMP/empty.out")"
	EMPTY_ID=$(awk '/^ready/ { print $3 }' "$TMP/empty.out")
}

empty_stop() {
	stop_pid "$EPID"
	EPID=
}

fan_start() {
	rm -f "$TMP/fan.out"
	"$B/fanotify_guard" "$TMP" "$CG_REL/guarded" "$PROHIBITED" >"$TMP/fan.out" 2>&1 &
	FPID=$!
	wait_for 30 grep -qs '^ready' "$TMP/fan.out" || die "fanotify_guard: $(cat "$TMP/fan.out")"
}

fan_stop() {
	stop_pid "$FPID"
	FPID=
}

# BPF programs on perf events (tracepoints) that belong to no process
# of this run: another guard or tracer on the host, which taxes both sides of
# a comparison differently when it comes and goes.
foreign_progs() {
	bpftool perf show 2>/dev/null | awk -v a="${DPID:-0}" -v b="${EPID:-0}" \
		'$1 == "pid" && $2 != a && $2 != b { n++ } END { print n + 0 }'
}

WAITED=0
wait_quiet() {
	n=$(foreign_progs)
	[ "$n" -eq 0 ] && return 0
	[ "$WAITED" -lt "$WAIT_BUDGET" ] || return 0
	echo "bench: $n BPF programs of other processes are on tracepoints; waiting"
	while [ "$n" -gt 0 ] && [ "$WAITED" -lt "$WAIT_BUDGET" ]; do
		sleep 1
		WAITED=$((WAITED + 1))
		n=$(foreign_progs)
	done
}

# --- workloads ------------------------------------------------------------------

SAMPLES=$OUT/samples.txt
KV=$OUT/values.txt
: >"$SAMPLES"
: >"$KV"
kv() { echo "$*" >>"$KV"; }

# workload NAME -> the arguments of bench/workload
workload_args() {
	case $1 in
	open-outside) echo "--cgroup $OUTSIDE open $PLAIN $OPEN_OPS" ;;
	open-allowed) echo "--cgroup $SCOPE open $ALLOWED $OPEN_OPS" ;;
	open-deep) echo "--cgroup $SCOPE open $DEEP $OPEN_OPS" ;;
	open-plain) echo "--cgroup $SCOPE open $PLAIN $OPEN_OPS" ;;
	mmap) echo "--cgroup $SCOPE mmap $BIG $MMAP_PASSES" ;;
	connect-guarded) echo "--cgroup $SCOPE connect $PORT $CONNECT_OPS" ;;
	connect-outside) echo "--cgroup $OUTSIDE connect $PORT $CONNECT_OPS" ;;
	stream-guarded) echo "--cgroup $SCOPE stream $PORT $STREAM_MIB" ;;
	esac
}

WORKLOADS=${MG_BENCH_WORKLOADS:-open-outside open-allowed open-deep open-plain mmap connect-guarded connect-outside stream-guarded}

# Total operations a measurement makes: a warm-up batch and BATCHES batches.
workload_ops() {
	# shellcheck disable=SC2046
	set -- $(workload_args "$1")
	per=$(($5 / BATCHES))
	[ "$per" -gt 0 ] || per=1
	echo $((per * (BATCHES + 1)))
}

# The guards a workload is measured under, in an order that turns with the
# round so that none always comes first. The empty program stands for the
# tracepoints of the fallback engine only.
workload_phases_all() { # NAME ROUND
	case $1 in
	open-*) ;;
	*)
		[ $(($2 % 2)) = 1 ] && echo "off on" || echo "on off"
		return
		;;
	esac
	# The empty program stands on the engine's own attach points: the file
	# engine's tracepoints, or its LSM hooks or security_* functions.
	case $(($2 % 4)) in
	1) echo "off empty fan on" ;;
	2) echo "on fan empty off" ;;
	3) echo "empty off on fan" ;;
	0) echo "fan on off empty" ;;
	esac
}

# MG_BENCH_FANOTIFY=0 leaves the fanotify guard out (the VM's rounds, where
# time is short and the comparison is made on the host).
workload_phases() { # NAME ROUND
	if [ "${MG_BENCH_FANOTIFY:-1}" = 0 ]; then
		workload_phases_all "$@" | sed 's/ *fan//; s/^ //'
	else
		workload_phases_all "$@"
	fi
}

# One workload under one guard, appended to the samples with the number of
# BPF programs of other processes on tracepoints (-1: it changed
# while the workload ran).
run_phase() { # ROUND PHASE NAME
	case $2 in
	empty) empty_start ;;
	fan) fan_start ;;
	on)
		mg_start_or_die "$TMP/enforce" "$TMP/events.jsonl"
		renew_deep
		;;
	esac
	before=$(foreign_progs)
	# shellcheck disable=SC2046
	res=$("$B/workload" --cpu "$CPU" --batches "$BATCHES" $(workload_args "$3")) ||
		die "workload $3 failed under '$2'"
	after=$(foreign_progs)
	[ "$after" = "$before" ] || before=-1
	echo "$res" | awk -v r="$1" -v p="$2" -v w="$3" -v f="$before" \
		'{ v[$1] = $2 } END { print r, p, w, f, v["min_ns_per_op"], v["min_cpu_ns_per_op"],
			v["ns_per_op"], v["cpu_ns_per_op"] }' >>"$SAMPLES"
	case $2 in
	empty) empty_stop ;;
	fan) fan_stop ;;
	on) mg_stop ;;
	esac
}

# --- machine and engines --------------------------------------------------------

kv machine_kernel "$(uname -r)"
kv machine_nproc "$(nproc)"
kv machine_cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
kv machine_mem_gib "$(awk '/^MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
kv machine_loadavg_start "$(cut -d' ' -f1-3 /proc/loadavg)"
kv date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
kv method_rounds "$ROUNDS"
kv method_batches "$BATCHES"
kv method_cpu "$CPU"
kv policy_reads "${READS:+yes}"
kv ops_open "$OPEN_OPS"
kv ops_connect "$CONNECT_OPS"
kv ops_mmap "$MMAP_PASSES"
kv mmap_mib "$MMAP_MIB"

mg_start_or_die "$TMP/enforce" "$TMP/events.jsonl"
STATUS=$("$MGUARD" status --json --pin-dir "$PIN")
engine_of() { echo "$STATUS" | sed -n "s/.*\"$1\":{\"engine\":\"\([^\"]*\)\".*/\1/p"; }
ENGINE_FILE=$(engine_of file_open)
kv engine_file "$ENGINE_FILE"
kv engine_mmap "$(engine_of mmap)"
kv engine_net "$(engine_of connect4)"
# The tracepoints mguard attached, for the empty program.
TRACEPOINTS=$(bpftool perf show 2>/dev/null |
	awk -v p="$DPID" '$1 == "pid" && $2 == p { print $NF }' | sort -u | tr '\n' ' ')
kv tracepoints "$TRACEPOINTS"
kv daemon_vmhwm_kib "$(awk '/^VmHWM/ { print $2 }' /proc/"$DPID"/status)"
mg_stop
case $ENGINE_FILE in
bpf-lsm) TRACEPOINTS="lsm:file_open lsm:mmap_file lsm:file_receive $TRACEPOINTS" ;;
fmod-ret)
	TRACEPOINTS="fmod_ret:security_file_open fmod_ret:security_mmap_file fmod_ret:security_file_receive $TRACEPOINTS"
	;;
esac
[ -n "$TRACEPOINTS" ] || TRACEPOINTS=sys_exit_openat

# --- 1-4: interleaved rounds ----------------------------------------------------

if has_part ratios; then
	echo "bench: $ROUNDS interleaved rounds (no guard, empty program, fanotify, mguard)"
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		wait_quiet
		for w in $WORKLOADS; do
			for phase in $(workload_phases "$w" "$r"); do
				run_phase "$r" "$phase" "$w"
			done
		done
		printf 'bench: round %s/%s done\n' "$r" "$ROUNDS"
		r=$((r + 1))
	done
	kv waited_s "$WAITED"
fi

# --- 5: event throughput --------------------------------------------------------

status_value() { # HOOK VERDICT | errors NAME
	"$MGUARD" status --json --pin-dir "$PIN" | sed -n "s/.*\"$1\":{[^}]*\"$2\":\([0-9]*\).*/\1/p"
}

if has_part events; then
	echo "bench: event throughput (audit mode)"
	EV=$TMP/events-audit.jsonl
	# No rate limit: the pipeline's own capacity is what is measured.
	MG_START_ARGS="--event-rate 0"
	if [ "${MG_BENCH_AUDIT:-0}" = 1 ]; then
		# The event file, chained and signed, never rotated during the test
		# (the workload counts the lines of the file it opened).
		"$MGUARD" audit keygen --out "$TMP/audit.key" --pub "$TMP/audit.pub" 2>/dev/null ||
			die "audit keygen failed"
		MG_START_ARGS="$MG_START_ARGS --log-dir $TMP/alog --audit-key $TMP/audit.key --log-max-size 68719476736"
		mg_start_or_die "$TMP/audit" /dev/null
		EV=$TMP/alog/events.jsonl
		kv events_audit_trail 1
	else
		mg_start_or_die "$TMP/audit" "$EV"
	fi
	MG_START_ARGS=
	# A burst the ring buffer holds whole (4 MiB of 152-byte records), written
	# while the daemon is stopped, then timed from when it continues.
	for k in 1 2 3 4 5; do
		"$B/workload" drain --cgroup "$SCOPE" --out "$EV" --daemon "$DPID" \
			--count "${MG_BENCH_DRAIN_COUNT:-20000}" "$PROHIBITED" |
			awk -v k="$k" '{ v[$1] = $2 }
				END { print "drain", k, v["produced"], v["lines"], v["elapsed_ns"] }' >>"$KV"
	done
	for p in 1 1 1 2; do
		"$B/workload" events --cgroup "$SCOPE" --out "$EV" --seconds 2 --producers "$p" \
			"$PROHIBITED" | awk -v p="$p" '{ v[$1] = $2 } END {
				print "sustained", p, v["produced"], v["lines"], v["elapsed_ns"]
			}' >>"$KV"
	done
	kv events_audit_counter "$(status_value file_open audit)"
	kv events_dropped "$(status_value errors events_dropped)"
	kv events_fd_unresolved "$(status_value errors fd_unresolved)"
	kv events_rate_limited "$(status_value errors events_rate_limited)"
	mg_stop
	kv events_lines_total "$(wc -l <"$EV")"
	kv events_lines_audit "$(grep -c '"verdict":"audit"' "$EV")"
	if [ "${MG_BENCH_AUDIT:-0}" = 1 ]; then
		"$MGUARD" audit verify --strict --key "$TMP/audit.pub" "$EV" >"$OUT/audit-verify.txt" 2>&1
		kv events_audit_verify_rc $?
	fi
fi

# --- BPF run time per call (evidence for the rows above) ------------------------

if has_part stats; then
	echo "bench: BPF run time per call"
	mg_start_or_die "$TMP/enforce" "$TMP/events.jsonl"
	renew_deep
	# Program id -> the tracepoint or the cgroup hook it is attached to.
	{
		bpftool perf show 2>/dev/null | awk -v p="$DPID" '$1 == "pid" && $2 == p { print $6, $NF }'
		bpftool cgroup show "$SCOPE" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ { print $1, $2 }'
	} | sort -un >"$TMP/prognames"
	ids=$(cut -d' ' -f1 "$TMP/prognames")
	# The LSM and fmod_ret programs are on neither list: the daemon's program
	# descriptors name them (prog_type 26 tracing, 29 lsm).
	for info in /proc/"$DPID"/fdinfo/*; do
		awk '/^prog_type:/ { t = $2 } /^prog_id:/ { i = $2 }
			END { if (i != "" && (t == 26 || t == 29)) print i }' "$info" 2>/dev/null
	done | sort -un >"$TMP/trampoline-ids"
	ids="$ids $(tr '\n' ' ' <"$TMP/trampoline-ids")"
	for w in $WORKLOADS; do
		# shellcheck disable=SC2046,SC2086
		"$B/bpf_stats" $ids -- \
			"$B/workload" --cpu "$CPU" --batches "$BATCHES" $(workload_args "$w") |
			awk -v w="$w" -v ops="$(workload_ops "$w")" -v names="$TMP/prognames" '
				BEGIN {
					while ((getline l < names) > 0) {
						split(l, a, " ")
						id[a[1]] = a[2]
					}
				}
				$1 == "prog" && $5 > 0 {
					print "stat", w, "mguard", ($2 in id) ? id[$2] : $3, ops, $5, $7
				}' >>"$KV"
	done
	mg_stop
	empty_start
	for w in open-outside open-allowed; do
		# shellcheck disable=SC2046
		"$B/bpf_stats" "$EMPTY_ID" -- \
			"$B/workload" --cpu "$CPU" --batches "$BATCHES" $(workload_args "$w") |
			awk -v w="$w" -v ops="$(workload_ops "$w")" \
				'$1 == "prog" && $5 > 0 { print "stat", w, "empty", $3, ops, $5, $7 }' >>"$KV"
	done
	empty_stop
fi

# --- 6: policy scale ------------------------------------------------------------

if has_part scale; then
	echo "bench: policy scale (100,000 files, 1,000 scopes, 10,000 egress rules)"
	mkdir -p "$CG/scale" "$TMP/scale"
	"$B/bench_load" gen "$TMP/scale" "$CGROOT" "$CG_REL/scale" 1000 100 1000 10 ||
		die "cannot generate the scale policy"
	res=$("$B/bench_load" run "$TMP/scale/policy" "$PIN_LOAD" "${MG_BENCH_SWAP_TIMEOUT:-60}") ||
		die "bench_load failed"
	kv scale_json "$res"
	# The daemon itself on the same policy: time to ready, peak RSS, map memory.
	t0=$(now_ms)
	if mg_start "$TMP/scale/policy" "$TMP/events.jsonl"; then
		t1=$(now_ms)
		kv scale_daemon_ready_ms $((t1 - t0))
		kv scale_daemon_vmhwm_kib "$(awk '/^VmHWM/ { print $2 }' /proc/"$DPID"/status)"
		kv scale_daemon_links "$(find "$PIN" -name 'link_*' | wc -l)"
		kv scale_daemon_memlock_bytes "$(for f in /proc/"$DPID"/fdinfo/*; do
			grep -q '^map_type' "$f" 2>/dev/null && awk '/^memlock/ { print $2 }' "$f"
		done | awk '{ s += $1 } END { print s + 0 }')"
		t0=$(now_ms)
		mg_stop
		t1=$(now_ms)
		kv scale_daemon_stop_ms $((t1 - t0))
	else
		kv scale_daemon_error "$(grep 'error' "$TMP/daemon.log" | tail -n 1)"
	fi
	# The same scopes as 1,000 siblings of one parent cgroup.
	if mg_start "$TMP/scale/policy-flat" "$TMP/events.jsonl"; then
		kv scale_flat_daemon ok
		mg_stop
	else
		kv scale_flat_daemon "$(grep 'error' "$TMP/daemon.log" | tail -n 1)"
	fi
	for sub in "$CG/scale"/*/*/ "$CG/scale"/*/; do rmdir "$sub"; done
	rmdir "$CG/scale"
	rm -rf "$TMP/scale"
fi

kv machine_loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report ---------------------------------------------------------------------

awk -v json="$OUT/results.json" -f bench/report.awk "$KV" "$SAMPLES" || die "report failed"
echo "bench: results in $OUT/results.json"
