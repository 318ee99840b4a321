#!/bin/sh
# /init of the benchmark VM's initramfs (busybox sh, PID 1): mounts what
# mguard needs, runs the ratio rounds of bench/run.sh, prints its JSON between
# two marker lines for bench/vm.sh to read from the serial console, and
# powers off. Never exits: PID 1 exiting would panic the kernel.
set -u
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root

finish() {
	dmesg -n 1 2>/dev/null
	echo "MGUARD-BENCH-END: $1"
	sync
	poweroff -f
	sleep 1000000
}

mount -t proc proc /proc || finish "cannot mount /proc"
mount -t sysfs sysfs /sys || finish "cannot mount /sys"
mount -t devtmpfs devtmpfs /dev || finish "cannot mount /dev"
exec </dev/console >/dev/console 2>&1
mount -t cgroup2 cgroup2 /sys/fs/cgroup || finish "cannot mount cgroup2"
mount -t bpf bpf /sys/fs/bpf || finish "cannot mount bpf"
mount -t securityfs securityfs /sys/kernel/security || finish "cannot mount securityfs"
mount -t tracefs tracefs /sys/kernel/tracing || finish "cannot mount tracefs"
mkdir -p /tmp /run
# Room for the mapped weight file (bench/vm.sh gives the VM its size in RAM and more).
mount -t tmpfs -o mode=1777,size=90% tmpfs /tmp || finish "cannot mount /tmp"
mount -t tmpfs -o mode=0755 tmpfs /run || finish "cannot mount /run"
ip link set lo up || finish "cannot bring up the loopback interface"

echo
echo "vm-init: kernel $(uname -r), lsm: $(cat /sys/kernel/security/lsm)"
cd /mguard || finish "no /mguard in the initramfs"
# The settings come from the host, in /mguard/bench-env.
# shellcheck disable=SC1091
. ./bench-env
sh bench/run.sh build
rc=$?
if [ -f build/bench/results.json ]; then
	echo "MGUARD-BENCH-JSON-BEGIN"
	cat build/bench/results.json
	echo "MGUARD-BENCH-JSON-END"
fi
finish "status $rc"
