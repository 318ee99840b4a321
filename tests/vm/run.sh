#!/bin/sh
# VM tier: boot Debian's stock kernel (BPF LSM in its boot-time LSM list) under
# QEMU and run the kernel tier (tests/kernel/run.sh) inside it, with the BPF LSM
# engine expected. Hosts whose kernel cannot load lsm/ programs still test it.
#
#   tests/vm/run.sh BUILD_DIR        (from the repo root)
#
# MG_VM_TIMEOUT   seconds before the VM is killed (default 600)
#
# The kernel package is cached in .cache/vm/ at the repo root, so only the
# first run (or a Debian kernel update) downloads anything.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=$ROOT/.cache/vm
. "$ROOT/tests/vm/lib.sh"
TIMEOUT=${MG_VM_TIMEOUT:-600}
KVER=unknown
WORK=
DL=
BOOTING=

die() {
	echo "vm: $*" >&2
	exit 1
}

cleanup() {
	# Interrupted while the VM runs: stop QEMU, and let the console pipeline
	# finish writing into $WORK before removing it.
	if [ -n "$BOOTING" ]; then
		[ ! -f "$WORK/qemu.pid" ] || kill "$(cat "$WORK/qemu.pid")" 2>/dev/null || true
		wait "$BOOTING" 2>/dev/null || true
	fi
	[ -z "$WORK" ] || rm -rf "$WORK"
	[ -z "$DL" ] || rm -rf "$DL"
}
trap cleanup EXIT
# Without these, an interrupted run would skip the EXIT trap in some shells.
trap 'exit 130' INT
trap 'exit 143' TERM HUP PIPE

[ $# -eq 1 ] || die "usage: tests/vm/run.sh BUILD_DIR"
[ -d "$1" ] || die "build directory '$1' not found; run make first"
BUILD=$(cd "$1" && pwd)
case $TIMEOUT in
'' | *[!0-9]*) die "MG_VM_TIMEOUT must be a number of seconds, not '$TIMEOUT'" ;;
esac

for tool in qemu-system-x86_64 busybox cpio gzip ldd timeout apt-get apt-cache dpkg; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "'$tool' not found; run scripts/install-deps.sh"
done
[ -x "$BUILD/mguard" ] || die "'${1%/}/mguard' not found; run make first"
[ -f "$ROOT/tests/kernel/run.sh" ] || die "'tests/kernel/run.sh' not found"

# --- kernel --------------------------------------------------------------------

vm_kernel
KVER=${vmlinuz##*/vmlinuz-}
KPKG=linux-image-$KVER

# --- initramfs -----------------------------------------------------------------

mkdir -p "$BUILD/vm"
WORK=$(mktemp -d "$BUILD/vm/initramfs.XXXXXX")
R=$WORK/root
LOG=$BUILD/vm/console.log

vm_root "$ROOT/tests/vm/init.sh"
mkdir -p "$R/mguard/build/tests/helpers" "$R/mguard/tests/kernel" "$R/mguard/policies"

# The payload, laid out as the kernel tier expects it: /mguard is the repo root
# and build/ the build directory.
cp "$BUILD/mguard" "$R/mguard/build/mguard"
copy_libs "$BUILD/mguard"
if [ -d "$BUILD/tests/helpers" ]; then
	cp -a "$BUILD/tests/helpers/." "$R/mguard/build/tests/helpers/"
	for helper in "$R/mguard/build/tests/helpers"/*; do
		[ -f "$helper" ] && copy_libs "$helper"
	done
fi
# runc, podman and conmon for the container tests (t66, t67, t68), with
# their libraries and podman's configuration.
for rt in runc podman conmon; do
	bin=$(command -v "$rt" 2>/dev/null) || continue
	mkdir -p "$R${bin%/*}"
	cp -L "$bin" "$R$bin"
	copy_libs "$bin"
done
[ ! -d /etc/containers ] || cp -a /etc/containers "$R/etc/"
cp -a "$ROOT/tests/kernel/." "$R/mguard/tests/kernel/"
# Kernel modules the tests need, from the kernel's package, loaded by init in
# the order of their names: overlayfs; loop devices and ext4 (with what ext4
# needs first) for the fs-verity image of t29. Those built in are not there.
deb=
for f in "$CACHE/$KPKG"_*.deb; do
	[ -e "$f" ] && deb=$f
done
if [ -n "$deb" ]; then
	mkdir -p "$R/mguard/modules"
	M=./lib/modules/$KVER/kernel
	dpkg --fsys-tarfile "$deb" |
		tar -x -C "$WORK" --wildcards "$M/fs/overlayfs/overlay.ko*" "$M/lib/crc16.ko*" \
			"$M/crypto/crc32c_generic.ko*" "$M/fs/mbcache.ko*" "$M/fs/jbd2/jbd2.ko*" \
			"$M/fs/ext4/ext4.ko*" "$M/drivers/block/loop.ko*" 2>/dev/null || true
	for mod in fs/overlayfs/overlay:overlay lib/crc16:10-crc16 crypto/crc32c_generic:11-crc32c \
		fs/mbcache:12-mbcache fs/jbd2/jbd2:13-jbd2 fs/ext4/ext4:14-ext4 drivers/block/loop:15-loop; do
		for ko in "$WORK/$M/${mod%%:*}".ko*; do
			case "$ko" in
			*.xz) xz -dc "$ko" >"$R/mguard/modules/${mod#*:}.ko" ;;
			*.ko) cp "$ko" "$R/mguard/modules/${mod#*:}.ko" ;;
			esac
		done
	done
fi
# mkfs.ext4 for t29's image with '-O verity'.
bin=$(command -v mkfs.ext4 2>/dev/null) && {
	mkdir -p "$R${bin%/*}"
	cp -L "$bin" "$R$bin"
	copy_libs "$bin"
}
mkdir -p "$R/mguard/tests/data"
cp -a "$ROOT/tests/data/." "$R/mguard/tests/data/"
[ ! -d "$ROOT/policies" ] || cp -a "$ROOT/policies/." "$R/mguard/policies/"
# MG_KERNEL_TESTS (tests/kernel/run.sh) reaches the guest as a file.
printf '%s\n' "${MG_KERNEL_TESTS:-}" >"$R/mguard/kernel-tests"

vm_pack

# --- boot ----------------------------------------------------------------------

echo "vm: booting $KVER under QEMU (TCG, no KVM), timeout ${TIMEOUT} s, console log $LOG"
start=$(date +%s)
vm_boot "$TIMEOUT" 1024 "$LOG" "vm| "
elapsed=$(($(date +%s) - start))
qemu_rc=$(cat "$WORK/qemu.rc" 2>/dev/null) || qemu_rc=unknown
echo "vm: the VM ran for ${elapsed} s"

# --- result --------------------------------------------------------------------

# Anchored, so that a test echoing the marker mid-line cannot fake a result.
result=$(sed -n 's/^MGUARD-VM-RESULT: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$LOG" |
	tail -n 1)
if [ -z "$result" ]; then
	case $qemu_rc in
	124 | 137) echo "vm: the VM was killed after ${TIMEOUT} s (MG_VM_TIMEOUT)" >&2 ;;
	0) ;;
	*) echo "vm: qemu exited with status $qemu_rc" >&2 ;;
	esac
	echo "vm tier: 0 passed, 1 failed (kernel $KVER: no result line from the VM)"
	exit 1
fi
passed=${result% *}
failed=${result#* }
echo "vm tier: $passed passed, $failed failed (kernel $KVER, BPF LSM)"
[ "$failed" -eq 0 ] || exit 1
