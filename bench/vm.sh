#!/bin/sh
# The ratio rounds of bench/run.sh inside a VM that boots Debian's kernel
# (BPF LSM active) under QEMU, as tests/vm/run.sh does for the kernel tier,
# so that the bpf-lsm engine gets figures too. QEMU emulates the CPU here
# (TCG, no KVM): every figure is ~10x slower, and ratios are an indication.
#
#   bench/vm.sh BUILD_DIR
#
# Writes BUILD_DIR/bench/results-vm.json. Uses the kernel that the VM tier
# cached in .cache/vm/ (downloads it the same way when it is missing).
#
# MG_BENCH_VM_TIMEOUT  seconds before the VM is stopped (default 900)
# MG_BENCH_VM_ROUNDS   interleaved rounds in the VM (default 5)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=$ROOT/.cache/vm
TIMEOUT=${MG_BENCH_VM_TIMEOUT:-900}
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

[ $# -eq 1 ] || die "usage: bench/vm.sh BUILD_DIR"
BUILD=$(cd "$1" && pwd) || die "build directory '$1' not found"
for tool in qemu-system-x86_64 busybox cpio gzip ldd timeout bpftool apt-get apt-cache dpkg; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found; run scripts/install-deps.sh"
done

# --- kernel --------------------------------------------------------------------

vm_kernel

# --- initramfs -----------------------------------------------------------------

mkdir -p "$BUILD/vm"
WORK=$(mktemp -d "$BUILD/vm/bench.XXXXXX")
R=$WORK/root
vm_root "$ROOT/bench/vm-init.sh"
mkdir -p "$R/usr/sbin" "$R/mguard/build/bench" "$R/mguard/bench"
cp -L "$(command -v bpftool)" "$R/usr/sbin/bpftool"
copy_libs "$(command -v bpftool)"
cp "$BUILD/mguard" "$R/mguard/build/mguard"
copy_libs "$BUILD/mguard"
for b in workload empty_tp fanotify_guard bpf_stats bench_load; do
	[ -x "$BUILD/bench/$b" ] || die "'$1/bench/$b' not found; run 'make bench' first"
	cp "$BUILD/bench/$b" "$R/mguard/build/bench/$b"
	copy_libs "$BUILD/bench/$b"
done
cp "$ROOT/bench/run.sh" "$ROOT/bench/report.awk" "$R/mguard/bench/"
# Emulation is ~10x slower: fewer operations, fewer rounds, a smaller file in RAM.
cat >"$R/mguard/bench-env" <<ENV
export MG_BENCH_PARTS=ratios
export MG_BENCH_ROUNDS=${MG_BENCH_VM_ROUNDS:-5}
export MG_BENCH_BATCHES=10
export MG_BENCH_OPEN_OPS=10000
export MG_BENCH_CONNECT_OPS=1000
export MG_BENCH_MMAP_PASSES=10
export MG_BENCH_MMAP_MIB=64
export MG_BENCH_WAIT=0
export MG_BENCH_TMP=/tmp
ENV

vm_pack

# --- boot ----------------------------------------------------------------------

LOG=$BUILD/bench/console-vm.log
mkdir -p "$BUILD/bench"
echo "bench-vm: booting ${vmlinuz##*/} under QEMU (TCG), timeout ${TIMEOUT} s, console log $LOG"
vm_boot "$TIMEOUT" 2048 "$LOG"

sed -n '/^MGUARD-BENCH-JSON-BEGIN$/,/^MGUARD-BENCH-JSON-END$/p' "$LOG" | sed '1d;$d' \
	>"$BUILD/bench/results-vm.json"
sed -n '/^workload /,/^machine: /p' "$LOG"
end=$(sed -n 's/^MGUARD-BENCH-END: //p' "$LOG" | tail -n 1)
if [ ! -s "$BUILD/bench/results-vm.json" ]; then
	rm -f "$BUILD/bench/results-vm.json"
	tail -n 20 "$LOG" >&2
	die "the VM gave no results (${end:-no end line})"
fi
echo "bench-vm: results in $BUILD/bench/results-vm.json"
