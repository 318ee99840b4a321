#!/bin/sh
# VM tier: the kernel matrix. Boot each configuration of tests/vm/configs
# (a Debian kernel, its flavour, boot options) under QEMU and run the kernel
# tier (tests/kernel/run.sh) inside it, with the file engine that
# configuration must get. Hosts whose kernel cannot load lsm/ or fmod_ret
# programs still test those engines.
#
#   tests/vm/run.sh BUILD_DIR [CONFIG...]     (from the repo root)
#
# CONFIG names configurations (first column of tests/vm/configs); without
# one, all run. MG_VM_CONFIGS (space-separated) does the same for make.
# MG_VM_TIMEOUT   seconds before one VM is killed (default 900)
# MG_KERNEL_TESTS the kernel test files to run in every configuration
#
# Prints one line per configuration,
#   vm tier (debian 6.1.0-57 amd64, bpf-lsm): N passed, M failed (...)
# and then the sum over them, "vm tier: N passed, M failed (K configurations)".
# A configuration that does not boot, or prints no result, counts as failed.
# The kernel packages are cached in .cache/vm/ at the repo root, so only the
# first run (or a Debian kernel update) downloads anything.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=$ROOT/.cache/vm
CONFIGS=$ROOT/tests/vm/configs
. "$ROOT/tests/vm/lib.sh"
TIMEOUT=${MG_VM_TIMEOUT:-900}
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

[ $# -ge 1 ] || die "usage: tests/vm/run.sh BUILD_DIR [CONFIG...]"
[ -d "$1" ] || die "build directory '$1' not found; run make first"
BUILD=$(cd "$1" && pwd)
shift
WANT="$* ${MG_VM_CONFIGS:-}"
case $TIMEOUT in
'' | *[!0-9]*) die "MG_VM_TIMEOUT must be a number of seconds, not '$TIMEOUT'" ;;
esac

for tool in qemu-system-x86_64 busybox cpio gzip ldd timeout apt-get apt-cache dpkg; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "'$tool' not found; run scripts/install-deps.sh"
done
[ -x "$BUILD/mguard" ] || die "'$BUILD/mguard' not found; run make first"
[ -f "$ROOT/tests/kernel/run.sh" ] || die "'tests/kernel/run.sh' not found"
[ -f "$CONFIGS" ] || die "'tests/vm/configs' not found"

# The configurations to run, checked before anything boots.
LINES=$(grep -v '^[[:space:]]*\(#\|$\)' "$CONFIGS")
# shellcheck disable=SC2086 # word splitting trims the list
set -- $WANT
WANT=$*
for name in $WANT; do
	printf '%s\n' "$LINES" | awk -v n="$name" '$1 == n { f = 1 } END { exit !f }' ||
		die "no configuration '$name' in tests/vm/configs ($(printf '%s\n' "$LINES" | awk '{ printf "%s%s", s, $1; s = " " }'))"
done
printf '%s\n' "$LINES" | awk 'NF != 5 { exit 1 }' ||
	die "tests/vm/configs: every line needs 5 fields (NAME META BOOT-OPTIONS ENGINE TESTS)"

# --- initramfs: one for every configuration ------------------------------------

mkdir -p "$BUILD/vm"
WORK=$(mktemp -d "$BUILD/vm/initramfs.XXXXXX")
R=$WORK/root

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
# bpftool, where the host has it, for the verifier budget (t15).
if command -v bpftool >/dev/null 2>&1; then
	mkdir -p "$R/usr/sbin"
	cp -L "$(command -v bpftool)" "$R/usr/sbin/bpftool"
	copy_libs "$(command -v bpftool)"
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
# Kernel modules the tests need, from each configuration's kernel package, in
# modules/KVER/ for init to load on that kernel in the order of their names:
# overlayfs; loop devices and ext4 (with what ext4 needs first) for the
# fs-verity image of t29. Those built in are not there.
TAB=$(printf '\t')
exec 3<<EOF
$LINES
EOF
while IFS=" $TAB" read -r name meta _ <&3; do
	[ -n "$name" ] || continue
	if [ -n "$WANT" ]; then
		case " $WANT " in *" $name "*) ;; *) continue ;; esac
	fi
	vm_kernel "$meta"
	kver=${vmlinuz##*/vmlinuz-}
	[ ! -d "$R/mguard/modules/$kver" ] || continue
	deb=
	for f in "$CACHE/$(cat "$CACHE/$meta.pkg")"_*.deb; do
		[ -e "$f" ] && deb=$f
	done
	[ -n "$deb" ] || continue
	mkdir -p "$R/mguard/modules/$kver"
	M=./lib/modules/$kver/kernel
	dpkg --fsys-tarfile "$deb" |
		tar -x -C "$WORK" --wildcards "$M/fs/overlayfs/overlay.ko*" "$M/lib/crc16.ko*" \
			"$M/crypto/crc32c_generic.ko*" "$M/fs/mbcache.ko*" "$M/fs/jbd2/jbd2.ko*" \
			"$M/fs/ext4/ext4.ko*" "$M/drivers/block/loop.ko*" 2>/dev/null || true
	for mod in fs/overlayfs/overlay:overlay lib/crc16:10-crc16 crypto/crc32c_generic:11-crc32c \
		fs/mbcache:12-mbcache fs/jbd2/jbd2:13-jbd2 fs/ext4/ext4:14-ext4 drivers/block/loop:15-loop; do
		for ko in "$WORK/$M/${mod%%:*}".ko*; do
			case "$ko" in
			*.xz) xz -dc "$ko" >"$R/mguard/modules/$kver/${mod#*:}.ko" ;;
			*.ko) cp "$ko" "$R/mguard/modules/$kver/${mod#*:}.ko" ;;
			esac
		done
	done
done
exec 3<&-
# mkfs.ext4 for t29's image with '-O verity'.
bin=$(command -v mkfs.ext4 2>/dev/null) && {
	mkdir -p "$R${bin%/*}"
	cp -L "$bin" "$R$bin"
	copy_libs "$bin"
}
mkdir -p "$R/mguard/tests/data"
cp -a "$ROOT/tests/data/." "$R/mguard/tests/data/"
[ ! -d "$ROOT/policies" ] || cp -a "$ROOT/policies/." "$R/mguard/policies/"
vm_pack

# --- one boot per configuration ------------------------------------------------

# "6.1.0-57-cloud-amd64" -> "6.1.0-57 cloud-amd64": version, then flavour.
kernel_words() {
	for flavour in cloud-amd64 rt-amd64 amd64; do
		case $1 in
		*-"$flavour")
			echo "${1%-"$flavour"} $flavour"
			return
			;;
		esac
	done
	echo "$1"
}

TOTAL_PASS=0
TOTAL_FAIL=0
COUNT=0
NAMES=

# run_config NAME META BOOT ENGINE TESTS: boots it, prints its tier line.
run_config() {
	name=$1 meta=$2 boot=$3 engine=$4 tests=$5
	[ "$boot" != - ] || boot=
	# shellcheck disable=SC2086 # split into names, joined with commas
	only=$(printf '%s\n' ${MG_KERNEL_TESTS:-} | paste -sd, -)
	[ -z "$only" ] || tests=$only
	[ "$tests" != all ] || tests=
	vm_kernel "$meta"
	kver=${vmlinuz##*/vmlinuz-}
	label="debian $(kernel_words "$kver")"
	case $boot in
	lsm=*)
		case ",${boot#lsm=}," in
		*,bpf,*) label="$label, lsm= with bpf" ;;
		*) label="$label, lsm= without bpf" ;;
		esac
		;;
	?*) label="$label, $boot" ;;
	esac
	label="$label, $engine"
	log=$BUILD/vm/console-$name.log
	echo "vm: [$name] booting $kver${boot:+ with $boot} under QEMU (TCG, no KVM), timeout ${TIMEOUT} s, console log $log"
	start=$(date +%s)
	VM_APPEND="mguard.engine=$engine${tests:+ mguard.tests=$tests}${boot:+ $boot}" \
		vm_boot "$TIMEOUT" 1024 "$log" "vm| "
	elapsed=$(($(date +%s) - start))
	qemu_rc=$(cat "$WORK/qemu.rc" 2>/dev/null) || qemu_rc=unknown
	echo "vm: [$name] the VM ran for ${elapsed} s"
	COUNT=$((COUNT + 1))
	NAMES="$NAMES${NAMES:+, }$name"

	# Anchored, so that a test echoing the marker mid-line cannot fake a result.
	result=$(sed -n 's/^MGUARD-VM-RESULT: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$log" |
		tail -n 1)
	if [ -z "$result" ]; then
		case $qemu_rc in
		124 | 137) echo "vm: [$name] the VM was killed after ${TIMEOUT} s (MG_VM_TIMEOUT)" >&2 ;;
		0) ;;
		*) echo "vm: [$name] qemu exited with status $qemu_rc" >&2 ;;
		esac
		echo "vm tier ($label): 0 passed, 1 failed (configuration $name: no result line from the VM, ${elapsed} s)"
		TOTAL_FAIL=$((TOTAL_FAIL + 1))
		return
	fi
	passed=${result% *}
	failed=${result#* }
	echo "vm tier ($label): $passed passed, $failed failed (configuration $name${tests:+, only $tests}, ${elapsed} s)"
	TOTAL_PASS=$((TOTAL_PASS + passed))
	TOTAL_FAIL=$((TOTAL_FAIL + failed))
}

# Read from a file descriptor other than stdin: QEMU must not see the list.
exec 3<<EOF
$LINES
EOF
while IFS=" $TAB" read -r name meta boot engine tests <&3; do
	[ -n "$name" ] || continue
	if [ -n "$WANT" ]; then
		case " $WANT " in *" $name "*) ;; *) continue ;; esac
	fi
	run_config "$name" "$meta" "$boot" "$engine" "$tests"
done
exec 3<&-

echo "vm tier: $TOTAL_PASS passed, $TOTAL_FAIL failed ($COUNT configurations: $NAMES)"
[ "$TOTAL_FAIL" -eq 0 ]
