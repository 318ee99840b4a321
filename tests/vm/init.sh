#!/bin/sh
# /init of the VM tier's initramfs (busybox sh, PID 1). Mounts what mguard needs,
# runs the kernel tier with the file engine its configuration names (on the
# kernel command line), prints one result line
# for tests/vm/run.sh to read from the serial console, and powers off.
#
# No set -e: PID 1 must always reach the result line and poweroff; if it
# exited instead, the kernel would panic and the host would see no result.
set -u
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root

result() {
	# Keep kernel messages off the console from here on, so that none can
	# land in the middle of the line the host looks for.
	dmesg -n 1 2>/dev/null
	echo "MGUARD-VM-RESULT: $1 passed, $2 failed"
	sync
	poweroff -f
	# Only if poweroff failed: the host's timeout ends QEMU.
	sleep 1000000
}

fail() {
	echo "vm-init: $*"
	result 0 1
}

mount -t proc proc /proc || fail "cannot mount /proc"
mount -t sysfs sysfs /sys || fail "cannot mount /sys"
mount -t devtmpfs devtmpfs /dev || fail "cannot mount /dev"
# The kernel may have started us without a console (no /dev/console in the
# initramfs); now that devtmpfs is there, make sure all output reaches ttyS0.
exec </dev/console >/dev/console 2>&1

# sysfs provides these mount points; tmpfs ones are created if missing.
mount -t cgroup2 cgroup2 /sys/fs/cgroup || fail "cannot mount cgroup2 at /sys/fs/cgroup"
mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpf at /sys/fs/bpf"
mount -t securityfs securityfs /sys/kernel/security || fail "cannot mount securityfs"
mount -t tracefs tracefs /sys/kernel/tracing || fail "cannot mount tracefs"
mkdir -p /tmp /run
mount -t tmpfs -o mode=1777 tmpfs /tmp || fail "cannot mount /tmp"
mount -t tmpfs -o mode=0755 tmpfs /run || fail "cannot mount /run"
mkdir -p /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /dev/shm || fail "cannot mount /dev/shm"	# POSIX shared memory (podman)
ip link set lo up || fail "cannot bring up the loopback interface"

# A newline first: the firmware leaves the console mid-line.
echo
read -r up _ </proc/uptime
echo "vm-init: kernel $(uname -r), up ${up} s"
echo "vm-init: lsm: $(cat /sys/kernel/security/lsm)"

cd /mguard || fail "no /mguard in the initramfs"
# Kernel modules the tests need (overlayfs), from this kernel's package.
for ko in modules/"$(uname -r)"/*.ko; do
	[ -f "$ko" ] && { insmod "$ko" || echo "vm-init: cannot load $ko"; }
done
# The configuration (tests/vm/configs) comes on the kernel command line:
# mguard.engine=ENGINE (the file engine this kernel must get) and
# mguard.tests=t20,t30 (the test files; all when absent).
MG_EXPECT_ENGINE=
MG_KERNEL_TESTS=
read -r cmdline </proc/cmdline
for word in $cmdline; do
	case $word in
	mguard.engine=*) MG_EXPECT_ENGINE=${word#*=} ;;
	mguard.tests=*) MG_KERNEL_TESTS=$(echo "${word#*=}" | tr ',' ' ') ;;
	esac
done
[ -n "$MG_EXPECT_ENGINE" ] || fail "no mguard.engine= on the kernel command line"
# Emulation is slow: t97 makes 100 reloads here instead of 1000.
MG_RELOADS=${MG_RELOADS:-100}
# MG_VM: the tests run in the emulated VM (slower, and no Prometheus there).
MG_VM=1
export MG_EXPECT_ENGINE MG_KERNEL_TESTS MG_RELOADS MG_VM
echo "vm-init: expecting file engine $MG_EXPECT_ENGINE, tests: ${MG_KERNEL_TESTS:-all}"
# Output is teed to a file so the summary can be parsed; the exit status goes
# through a file because a pipeline only returns its last command's.
{
	sh tests/kernel/run.sh build
	echo $? >/tmp/kernel-tier.rc
} 2>&1 | tee /tmp/kernel-tier.log
rc=$(cat /tmp/kernel-tier.rc 2>/dev/null || echo unknown)

read -r up _ </proc/uptime
echo "vm-init: tests/kernel/run.sh exited with status $rc, up ${up} s"

summary=$(sed -n 's/^kernel tier: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1 \2/p' \
	/tmp/kernel-tier.log | tail -n 1)
[ -n "$summary" ] || fail "tests/kernel/run.sh printed no summary line"
passed=${summary% *}
failed=${summary#* }
# A summary with no failures but a failing exit status means run.sh broke after
# counting: never let that pass.
if [ "$failed" -eq 0 ] && [ "$rc" != 0 ]; then
	echo "vm-init: tests/kernel/run.sh reported no failures but exited with status $rc"
	failed=1
fi
result "$passed" "$failed"
