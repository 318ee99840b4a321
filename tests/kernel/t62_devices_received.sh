# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# Devices beyond the GPU nodes (block devices, kernel memory, packet
# injection), device descriptors passed in from outside the scope, and the
# PCI resource files of GPUs.
. tests/kernel/routes_lib.sh

# --- block devices and guarded character devices (cgroup/dev, both engines) ---------------
# Nodes of the test's own: the device check comes before the driver's open.
mknod "$TMP/dev/blockfake" b 7 250
mknod "$TMP/dev/mem" c 1 1
mknod "$TMP/dev/port" c 1 4
mknod "$TMP/dev/tun" c 10 200
rt_both "a block device (the raw blocks of a model file system): EPERM" 'errno EPERM' \
	"$TRY" open "$TMP/dev/blockfake"
check "event for the refused block device" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"device"' '"verdict":"deny"' '"reason":"device"' '"major":7,"minor":250'
try_outside "$TMP/out" open "$TMP/dev/blockfake" >/dev/null
check "the block device outside every scope passes the device hook" rt_not_eperm
for how in cg run; do
	rt_placed "$how" "$TRY" open "$TMP/dev/blocklisted"
	check "a block device the scope's 'devices' lists passes the device hook ($how)" rt_not_eperm
done
rt_both "/dev/mem (1:1): EPERM" 'errno EPERM' "$TRY" open "$TMP/dev/mem"
rt_both "/dev/port (1:4): EPERM" 'errno EPERM' "$TRY" open "$TMP/dev/port"
rt_both "/dev/net/tun (10:200, packets without a socket): EPERM" 'errno EPERM' "$TRY" open "$TMP/dev/tun"
try_outside "$TMP/out" open "$TMP/dev/tun" >/dev/null
check "/dev/net/tun outside every scope passes the device hook" rt_not_eperm
rt_both "/dev/zero, a device no rule names, is still read" 'ok read=1' "$TRY" open /dev/zero

# --- device descriptors passed in from outside the scope --------------------------------
serve_file() {
	"$ROUTE" fd-serve "$TMP/sockets/fd.sock" 60 file "$1" >/dev/null 2>&1 &
	SPID=$!
	wait_for 5 [ -S "$TMP/sockets/fd.sock" ]
}
unserve() { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; rm -f "$TMP/sockets/fd.sock"; }
# A block device that opens here (the VM has none: kernel memory, by the same rules).
RT_ENGINE=$ENGINE_RECEIVE
GUARDED=
for b in /dev/loop0 /dev/vda /dev/sda /dev/mem; do
	[ -e "$b" ] && "$TRY" open "$b" >"$TMP/out" 2>/dev/null && GUARDED=$b && break
done
if [ -n "$GUARDED" ]; then
	serve_file "$GUARDED"
	rt_refused "a guarded device's descriptor ($GUARDED) passed in" 'denied no-fd' \
		"$ROUTE" recv-use "$TMP/sockets/fd.sock"
	unserve
else
	fail "a block device or /dev/mem that opens outside the scope, to pass in"
fi
serve_file /dev/zero
rt_both "a /dev/zero descriptor passed in still arrives" 'ok read=1' "$ROUTE" recv-use "$TMP/sockets/fd.sock"
unserve
GPU_NODE=
for g in /dev/nvidia1 /dev/dri/renderD129 /dev/dri/card1; do
	"$TRY" open "$g" >"$TMP/out" 2>/dev/null && GPU_NODE=$g && break
done
if [ -n "$GPU_NODE" ]; then
	serve_file "$GPU_NODE"
	rt_refused "a descriptor of a GPU not given ($GPU_NODE) passed in" 'denied no-fd' \
		"$ROUTE" recv-use "$TMP/sockets/fd.sock"
	unserve
else
	echo "# skip - no GPU node beyond GPU 0 opens on this machine: a GPU descriptor passed in" \
		"is decided by the device rules the block device case above exercises"
fi
RT_ENGINE=

# --- PCI resource files of GPUs (sysfs) --------------------------------------------------
PCI_GPU=
for d in /sys/bus/pci/devices/*; do
	case "$(cat "$d/class" 2>/dev/null)" in 0x03* | 0x12*) PCI_GPU=$d && break ;; esac
done
if [ -n "$PCI_GPU" ]; then
	rt_refused "PCI config space of a GPU ($PCI_GPU/config)" 'errno EPERM' "$TRY" open "$PCI_GPU/config"
	for r in "$PCI_GPU"/resource[0-9]*; do
		[ -e "$r" ] || continue
		rt_refused "PCI resource file of a GPU ($r)" 'errno EPERM' "$TRY" open "$r"
		break
	done
	rt_both "the GPU's vendor id in sysfs is still read" 'ok read=1' "$TRY" open "$PCI_GPU/vendor"
	try_outside "$TMP/out" open "$PCI_GPU/config" >/dev/null
	check "the GPU's config space outside every scope is read as before" grep -qx 'ok read=1' "$TMP/out"
else
	echo "# skip - no display or accelerator PCI device on this machine (the VM tier has one)"
fi
rm -f "$TMP/dev/blockfake" "$TMP/dev/mem" "$TMP/dev/port" "$TMP/dev/tun"
