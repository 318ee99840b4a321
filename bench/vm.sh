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
VMPID=

die() {
	echo "bench-vm: $*" >&2
	exit 1
}

cleanup() {
	if [ -n "$VMPID" ]; then
		[ ! -f "$WORK/qemu.pid" ] || kill "$(cat "$WORK/qemu.pid")" 2>/dev/null || true
		wait "$VMPID" 2>/dev/null || true
	fi
	[ -z "$WORK" ] || rm -rf "$WORK"
	[ -z "$DL" ] || rm -rf "$DL"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

[ $# -eq 1 ] || die "usage: bench/vm.sh BUILD_DIR"
BUILD=$(cd "$1" && pwd) || die "build directory '$1' not found"
for tool in qemu-system-x86_64 busybox cpio gzip ldd timeout bpftool; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found; run scripts/install-deps.sh"
done

# --- kernel --------------------------------------------------------------------

newest() {
	for k in "$@"; do
		[ -f "$k" ] && echo "$k"
	done | sort -V | tail -n 1
}

vmlinuz=$(newest "$CACHE"/linux-image-*/boot/vmlinuz-*)
if [ -z "$vmlinuz" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/{print $2; exit}') || pkg=
	[ -n "$pkg" ] || die "no kernel cached in .cache/vm and none to download; run 'make test-vm' once"
	mkdir -p "$CACHE"
	DL=$(mktemp -d "$CACHE/download.XXXXXX")
	(cd "$DL" && apt-get -q download "$pkg") >"$DL/apt.log" 2>&1 || die "failed to download '$pkg'"
	dpkg -x "$DL/${pkg}"_*.deb "$DL/x" || die "failed to extract '$pkg'"
	mkdir -p "$CACHE/$pkg"
	mv "$DL/x/boot" "$CACHE/$pkg/boot"
	mv "$DL/${pkg}"_*.deb "$CACHE/"
	rm -rf "$DL"
	DL=
	vmlinuz=$(newest "$CACHE/$pkg"/boot/vmlinuz-*)
	[ -n "$vmlinuz" ] || die "'$pkg' holds no boot/vmlinuz-*"
fi

# --- initramfs -----------------------------------------------------------------

mkdir -p "$BUILD/vm"
WORK=$(mktemp -d "$BUILD/vm/bench.XXXXXX")
R=$WORK/root
mkdir -p "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/run" "$R/root" "$R/etc" "$R/bin" "$R/usr/sbin" \
	"$R/mguard/build/bench" "$R/mguard/bench"

copy_libs() {
	libs=$(ldd "$1" 2>/dev/null) || return 0
	for lib in $(printf '%s\n' "$libs" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
		[ -e "$R$lib" ] && continue
		mkdir -p "$R${lib%/*}"
		cp -L "$lib" "$R$lib" || die "failed to copy '$lib' (needed by '$1')"
	done
}

bb=$(command -v busybox)
cp -L "$bb" "$R/bin/busybox"
copy_libs "$bb"
for applet in $(busybox --list-full); do
	[ "$applet" = bin/busybox ] && continue
	mkdir -p "$R/${applet%/*}"
	ln -sf /bin/busybox "$R/$applet"
done
cp -L "$(command -v bpftool)" "$R/usr/sbin/bpftool"
copy_libs "$(command -v bpftool)"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
printf '127.0.0.1 localhost\n' >"$R/etc/hosts"

cp "$ROOT/bench/vm-init.sh" "$R/init"
chmod 0755 "$R/init"
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

(cd "$R" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$WORK/initrd.gz" ||
	die "failed to build the initramfs"

# --- boot ----------------------------------------------------------------------

LOG=$BUILD/bench/console-vm.log
mkdir -p "$BUILD/bench"
echo "bench-vm: booting ${vmlinuz##*/} under QEMU (TCG), timeout ${TIMEOUT} s, console log $LOG"
cr=$(printf '\r')
esc=$(printf '\033')
{
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -m 2048 -smp 2 \
		-nographic -no-reboot -nic none -pidfile "$WORK/qemu.pid" \
		-kernel "$vmlinuz" -initrd "$WORK/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1" </dev/null 2>&1 || true
} | sed -u "s/$cr\$//; s/${esc}\[[0-9;?]*[A-Za-z]//g; s/${esc}c//g" >"$LOG" &
VMPID=$!
wait "$VMPID" || true
VMPID=

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
