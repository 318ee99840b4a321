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

# The kernel images extracted under the directories given (globs), newest last.
kernels_in() {
	for f in "$@"; do
		for k in "$f"/boot/vmlinuz-*; do
			[ -f "$k" ] && echo "$k"
		done
	done | sort -V
}

# The image that linux-image-amd64 depends on today. apt-cache reads the local
# package lists only, so this works offline too (and is empty without lists).
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/{print $2; exit}') || pkg=
mkdir -p "$CACHE"

vmlinuz=
if [ -n "$pkg" ]; then
	vmlinuz=$(kernels_in "$CACHE/$pkg" | tail -n 1)
fi
if [ -z "$vmlinuz" ]; then
	DL=$(mktemp -d "$CACHE/download.XXXXXX")
	# apt-get download writes into the current directory; as root it warns that
	# the download is unsandboxed, which is harmless, so its chatter is kept
	# out of the way and shown only on failure.
	if [ -n "$pkg" ] && (cd "$DL" && apt-get -q download "$pkg") >"$DL/apt.log" 2>&1; then
		echo "vm: downloaded $pkg"
		dpkg -x "$DL/${pkg}"_*.deb "$DL/x" || die "failed to extract '$pkg'"
		# Keep the .deb (modules, if a test ever needs one) and the kernel
		# image; the rest of the tree is ~400 MB of modules nobody loads.
		# Older kernels are dropped so the cache does not grow with updates.
		rm -rf "$CACHE"/linux-image-*
		mkdir -p "$CACHE/$pkg"
		mv "$DL/x/boot" "$CACHE/$pkg/boot"
		mv "$DL/${pkg}"_*.deb "$CACHE/"
		vmlinuz=$(kernels_in "$CACHE/$pkg" | tail -n 1)
		[ -n "$vmlinuz" ] || die "'$pkg' holds no boot/vmlinuz-*"
	else
		# Offline, or the lists are stale: any kernel already cached will do.
		[ -z "$pkg" ] || sed 's/^/vm: apt-get: /' "$DL/apt.log" >&2
		vmlinuz=$(kernels_in "$CACHE"/linux-image-* | tail -n 1)
		[ -n "$vmlinuz" ] || [ -n "$pkg" ] ||
			die "cannot tell which kernel linux-image-amd64 depends on; run apt-get update"
		[ -n "$vmlinuz" ] || die "failed to download '$pkg'"
		echo "vm: cannot download '${pkg:-linux-image-amd64}'; using the cached ${vmlinuz##*/}" >&2
	fi
	rm -rf "$DL"
	DL=
fi
KVER=${vmlinuz##*/vmlinuz-}

# --- initramfs -----------------------------------------------------------------

mkdir -p "$BUILD/vm"
WORK=$(mktemp -d "$BUILD/vm/initramfs.XXXXXX")
R=$WORK/root
LOG=$BUILD/vm/console.log

mkdir -p "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/run" "$R/root" "$R/etc" \
	"$R/mguard/build/tests/helpers" "$R/mguard/tests/kernel" "$R/mguard/policies"
chmod 1777 "$R/tmp"

# Copy a dynamically linked program's libraries and loader to the same absolute
# paths inside the initramfs. ldd fails on static programs: nothing to copy.
copy_libs() {
	libs=$(ldd "$1" 2>/dev/null) || return 0
	for lib in $(printf '%s\n' "$libs" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
		[ -e "$R$lib" ] && continue
		mkdir -p "$R${lib%/*}"
		cp -L "$lib" "$R$lib" || die "failed to copy '$lib' (needed by '$1')"
	done
}

# busybox, with one symlink per applet at the path it expects (bin/sh, sbin/ip...).
bb=$(command -v busybox)
mkdir -p "$R/bin"
cp -L "$bb" "$R/bin/busybox"
copy_libs "$bb"
for applet in $(busybox --list-full); do
	[ "$applet" = bin/busybox ] && continue
	mkdir -p "$R/${applet%/*}"
	ln -sf /bin/busybox "$R/$applet"
done

cp "$ROOT/tests/vm/init.sh" "$R/init"
chmod 0755 "$R/init"

# Just enough of /etc for tools that look up users or localhost.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$R/etc/hosts"

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
cp -a "$ROOT/tests/kernel/." "$R/mguard/tests/kernel/"
[ ! -d "$ROOT/policies" ] || cp -a "$ROOT/policies/." "$R/mguard/policies/"

(cd "$R" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -6) >"$WORK/initrd.gz" ||
	die "failed to build the initramfs"

# --- boot ----------------------------------------------------------------------

echo "vm: booting $KVER under QEMU (TCG, no KVM), timeout ${TIMEOUT} s, console log $LOG"
start=$(date +%s)
# The serial console is both logged and streamed with a prefix, without the CRs
# and the firmware's terminal escapes (screen clears); sed -u so that lines show
# up as they come, not at exit. stdin is /dev/null so that QEMU leaves the
# terminal alone. No NIC: the tests use loopback only, and it spares the
# network boot ROM's banner.
cr=$(printf '\r')
esc=$(printf '\033')
{
	rc=0
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel tcg -m 1024 -smp 2 \
		-nographic -no-reboot -nic none -pidfile "$WORK/qemu.pid" \
		-kernel "$vmlinuz" -initrd "$WORK/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1" </dev/null 2>&1 || rc=$?
	echo "$rc" >"$WORK/qemu.rc"
} | sed -u "s/$cr\$//; s/${esc}\[[0-9;?]*[A-Za-z]//g; s/${esc}c//g" |
	tee "$LOG" | sed -u 's/^/vm| /' &
# Waiting on a background job, unlike on a foreground one, lets a signal
# (Ctrl-C, a cancelled CI job) run the traps at once, and cleanup stops QEMU.
BOOTING=$!
wait "$BOOTING" || true
BOOTING=
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
