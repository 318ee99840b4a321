#!/bin/sh
# The ratio rounds of bench/run.sh inside VMs of the kernel matrix
# (tests/vm/configs), so that the engines this host cannot load get figures:
# bpf-lsm on Debian's 6.1 and 6.12, fmod-ret on 6.1 booted without bpf in
# its LSM list.
#
#   bench/vm.sh BUILD_DIR [CONFIG...]
#
# QEMU emulates the CPU here (TCG, no KVM), and runs with its instruction
# counter as the guest's clock (-icount shift=N,sleep=off) on one vCPU: guest
# time is the count of instructions executed, 2^N ns each, so the host's
# load and the other tenants drop out of the figures. What that clock cannot
# show: cache misses, memory latency, branch mispredictions (every
# instruction costs the same). docs/performance.md says more.
#
# Writes BUILD_DIR/bench/results-vm-CONFIG.json per configuration and
# BUILD_DIR/bench/results-vm.md (the table of ratios against the targets),
# and prints the table. Uses the kernels that the VM tier cached in
# .cache/vm/ (downloads them the same way when missing).
#
# MG_BENCH_VM_CONFIGS  configurations (default "6.1 6.12 6.1-nobpf")
# MG_BENCH_VM_TIMEOUT  seconds before one VM is stopped (default 1500)
# MG_BENCH_VM_ROUNDS   interleaved rounds in each VM (default 5)
# MG_BENCH_VM_SHIFT    the icount shift N (default 1: 2 ns per instruction)
# MG_BENCH_VM_MMAP_MIB size of the mapped weight file, in the VM's RAM (default 1024)
# MG_BENCH_VM_PARTS    parts of bench/run.sh to run (default "ratios stats": the
#                      ratios, and each program's run time per call)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=$ROOT/.cache/vm
TIMEOUT=${MG_BENCH_VM_TIMEOUT:-1500}
SHIFT=${MG_BENCH_VM_SHIFT:-1}
MMAP_MIB=${MG_BENCH_VM_MMAP_MIB:-1024}
WORK=
DL=
BOOTING=
. "$ROOT/tests/vm/lib.sh"

die() {
	echo "bench-vm: $*" >&2
	exit 1
}

cleanup() {
	if [ -n "$BOOTING" ]; then
		[ ! -f "$WORK/qemu.pid" ] || kill "$(cat "$WORK/qemu.pid")" 2>/dev/null || true
		wait "$BOOTING" 2>/dev/null || true
	fi
	[ -z "$WORK" ] || rm -rf "$WORK"
	[ -z "$DL" ] || rm -rf "$DL"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

[ $# -ge 1 ] || die "usage: bench/vm.sh BUILD_DIR [CONFIG...]"
BUILD=$(cd "$1" && pwd) || die "build directory '$1' not found"
shift
WANT=${*:-${MG_BENCH_VM_CONFIGS:-6.1 6.12 6.1-nobpf}}
for v in "$TIMEOUT" "$SHIFT" "$MMAP_MIB" "${MG_BENCH_VM_ROUNDS:-5}"; do
	case $v in
	'' | *[!0-9]*) die "MG_BENCH_VM_* settings are numbers, not '$v'" ;;
	esac
done
for tool in qemu-system-x86_64 busybox cpio gzip ldd timeout bpftool apt-get apt-cache dpkg; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found; run scripts/install-deps.sh"
done
LINES=$(grep -v '^[[:space:]]*\(#\|$\)' "$ROOT/tests/vm/configs")
for name in $WANT; do
	printf '%s\n' "$LINES" | awk -v n="$name" '$1 == n { f = 1 } END { exit !f }' ||
		die "no configuration '$name' in tests/vm/configs"
done

# --- initramfs -----------------------------------------------------------------

mkdir -p "$BUILD/vm" "$BUILD/bench"
WORK=$(mktemp -d "$BUILD/vm/bench.XXXXXX")
R=$WORK/root
vm_root "$ROOT/bench/vm-init.sh"
mkdir -p "$R/usr/sbin" "$R/mguard/build/bench" "$R/mguard/bench"
cp -L "$(command -v bpftool)" "$R/usr/sbin/bpftool"
copy_libs "$(command -v bpftool)"
cp "$BUILD/mguard" "$R/mguard/build/mguard"
copy_libs "$BUILD/mguard"
for b in workload empty_tp fanotify_guard bpf_stats bench_load; do
	[ -x "$BUILD/bench/$b" ] || die "'$BUILD/bench/$b' not found; run 'make bench' first"
	cp "$BUILD/bench/$b" "$R/mguard/build/bench/$b"
	copy_libs "$BUILD/bench/$b"
done
cp "$ROOT/bench/run.sh" "$ROOT/bench/report.awk" "$R/mguard/bench/"
# Emulation is ~10x slower than the host: fewer operations and rounds. The
# instruction clock makes batches repeat almost exactly, so 5 are enough; the
# fanotify comparison is left to the host.
cat >"$R/mguard/bench-env" <<ENV
export MG_BENCH_PARTS="${MG_BENCH_VM_PARTS:-ratios stats}"
export MG_BENCH_ROUNDS=${MG_BENCH_VM_ROUNDS:-5}
export MG_BENCH_BATCHES=5
export MG_BENCH_OPEN_OPS=5000
export MG_BENCH_CONNECT_OPS=500
export MG_BENCH_MMAP_PASSES=5
export MG_BENCH_MMAP_MIB=$MMAP_MIB
export MG_BENCH_WAIT=0
export MG_BENCH_FANOTIFY=0
export MG_BENCH_TMP=/tmp
ENV
vm_pack

# --- one boot per configuration ------------------------------------------------

# RAM: the mapped file lives in tmpfs, beside the page cache's copy of nothing.
MEM=$((MMAP_MIB + 1536))
FAILED=
TAB=$(printf '\t')
for name in $WANT; do
	line=$(printf '%s\n' "$LINES" | awk -v n="$name" '$1 == n { print; exit }')
	IFS=" $TAB" read -r _ meta boot engine _ <<EOF
$line
EOF
	[ "$boot" != - ] || boot=
	vm_kernel "$meta"
	log=$BUILD/bench/console-vm-$name.log
	json=$BUILD/bench/results-vm-$name.json
	rm -f "$json"
	echo "bench-vm: [$name] booting ${vmlinuz##*/}${boot:+ with $boot} (TCG, -icount shift=$SHIFT,sleep=off, 1 vCPU, $MEM MiB), timeout ${TIMEOUT} s"
	start=$(date +%s)
	VM_SMP=1 VM_QEMU_OPTS="-icount shift=$SHIFT,sleep=off" VM_APPEND="$boot" \
		vm_boot "$TIMEOUT" "$MEM" "$log"
	echo "bench-vm: [$name] the VM ran for $(($(date +%s) - start)) s, console log $log"
	sed -n '/^MGUARD-BENCH-JSON-BEGIN$/,/^MGUARD-BENCH-JSON-END$/p' "$log" | sed '1d;$d' >"$json"
	if [ ! -s "$json" ]; then
		rm -f "$json"
		tail -n 20 "$log" >&2
		echo "bench-vm: [$name] the VM gave no results ($(sed -n 's/^MGUARD-BENCH-END: //p' "$log" | tail -n 1))" >&2
		FAILED="$FAILED $name"
		continue
	fi
	got=$(sed -n 's/.*"engines":{"file_open":"\([^"]*\)".*/\1/p' "$json")
	[ "$got" = "$engine" ] ||
		echo "bench-vm: [$name] the file engine was '$got', tests/vm/configs expects '$engine'" >&2
done

# --- the table -----------------------------------------------------------------

set --
for name in $WANT; do
	[ ! -s "$BUILD/bench/results-vm-$name.json" ] || set -- "$@" "$BUILD/bench/results-vm-$name.json"
done
[ $# -gt 0 ] || die "no configuration gave results"
awk -v md="$BUILD/bench/results-vm.md" -v shift="$SHIFT" -f "$ROOT/bench/vm-report.awk" "$@"
echo "bench-vm: results in $BUILD/bench/results-vm-*.json and $BUILD/bench/results-vm.md"
[ -z "$FAILED" ] || die "no results from:$FAILED"
