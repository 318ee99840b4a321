# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# Files beyond open(2): 32-bit syscalls, kernel memory, mounts built on model
# folders, notification descriptors, and names made after the policy loaded.
. tests/kernel/routes_lib.sh

# --- 32-bit syscalls (int $0x80): the fallback engine's tracepoints do not see them ------
# The syscall classes the fallback closes in scopes reach the LSM hooks, or the
# security_* functions, like any other where every such hook refuses: "covered".
# mguard run's seccomp filter admits the native architecture only: SIGSYS there.
rt_placed run "$ROUTE" compat-open "$PROHIBITED"
check "a prohibited model opened through int \$0x80 (run): killed" rt_killed
rt_placed cg "$ROUTE" compat-open "$PROHIBITED"
case "$ENGINE_SYSCALLS" in
covered) check "a prohibited model opened through int \$0x80 (cg): refused" grep -qx 'errno EPERM' "$TMP/out" ;;
*) check "a prohibited model opened through int \$0x80 (cg): killed" rt_killed ;;
esac
rt_placed cg "$ROUTE" compat-open "$TMP/notes.txt"
case "$ENGINE_SYSCALLS" in
covered)
	check "an ordinary file opened through int \$0x80 is read (cg)" grep -qx 'ok read=1' "$TMP/out"
	;;
*)
	check "any 32-bit syscall in a scope is killed: an ordinary open too (cg)" rt_killed
	rt_placed cg "$ROUTE" compat-getpid
	check "32-bit getpid in a scope is killed (cg)" rt_killed
	check "event for the 32-bit syscall" wait_for 5 has_line "$TMP/events.jsonl" \
		'"hook":"syscalls"' '"verdict":"kill"' '"reason":"closed"' '"compat":"ia32"'
	;;
esac
"$ROUTE" compat-open "$PROHIBITED" >"$TMP/out" 2>/dev/null
check "outside every scope, int \$0x80 works as before" grep -qx 'ok read=1' "$TMP/out"
rt_both "a 64-bit open of an ordinary file in a scope still works" 'ok read=1' "$TRY" open "$TMP/notes.txt"

# --- kernel memory ---------------------------------------------------------------------
if [ -e /proc/kcore ]; then
	rt_refused "/proc/kcore (the kernel's memory, page cache of weights included)" 'errno EPERM' \
		"$TRY" open /proc/kcore
	try_outside "$TMP/out" open /proc/kcore >/dev/null
	check "/proc/kcore outside every scope is read as before" grep -qx 'ok read=1' "$TMP/out"
else
	echo "# skip - /proc/kcore: not built into this kernel (CONFIG_PROC_KCORE unset)"
fi
rt_both "another /proc file at its root is still read" 'ok read=1' "$TRY" open /proc/version

# --- mounts built on model folders -----------------------------------------------------
mkdir -p "$TMP/ovl"
rt_placed cg "$ROUTE" overlay-read "$TMP/models/frontier" "$TMP/ovl" model-00001.safetensors
case "$ENGINE_SYSCALLS" in
covered) check "overlay on a model folder: the model's file is refused through it (cg)" \
	grep -qx 'errno EPERM' "$TMP/out" ;;
*) check "overlay mount in a scope is killed (cg)" rt_killed
	check "event for the overlay mount" wait_for 5 has_line "$TMP/events.jsonl" \
		'"hook":"syscalls"' '"verdict":"kill"' '"reason":"closed"' ;;
esac
rt_placed run "$ROUTE" overlay-read "$TMP/models/frontier" "$TMP/ovl" model-00001.safetensors
check "overlay on a model folder under mguard run: mount is refused (run)" grep -qx 'errno EPERM' "$TMP/out"
mkdir -p "$TMP/ovl/t"
rt_placed cg "$ROUTE" tmpfs-mount "$TMP/ovl/t"
check "a tmpfs in a private mount namespace still mounts in a scope, as runc does (cg)" \
	grep -qx 'ok mounted' "$TMP/out"

# --- fanotify: the kernel opens the file for the reader ---------------------------------
# fanotify_try HOW PATH: the watcher in the scope, the opens from outside it.
fanotify_try() {
	rt_placed "$1" "$ROUTE" fanotify-fd "$2" 20 &
	fpid=$!
	n=0
	while kill -0 "$fpid" 2>/dev/null && [ "$n" -lt 200 ]; do
		cat "$2" >/dev/null 2>&1
		sleep 0.1
		n=$((n + 1))
	done
	wait "$fpid"
	ST=$?
}
for how in cg run; do
	fanotify_try "$how" "$PROHIBITED"
	case "$ENGINE_SYSCALLS" in
	covered) check "fanotify event on a prohibited model carries no descriptor ($how)" \
		grep -Eqx 'denied no-fd|errno EPERM' "$TMP/out" ;;
	*) check "fanotify in a scope is killed ($how)" rt_killed ;;
	esac
done
case "$ENGINE_SYSCALLS" in
covered)
	fanotify_try cg "$TMP/notes.txt"
	check "fanotify event on an ordinary file still gives a readable descriptor (cg)" \
		grep -qx 'ok read=1' "$TMP/out"
	;;
esac

# --- names made after the policy loaded ----------------------------------------------
# A new shard in a model folder: no entry of its own, the folder makes it the model's.
printf 'late-weights' >"$TMP/models/frontier/late.bin"
RT_ENGINE=$ENGINE_PATHS
rt_refused "hard link of a new model file into a readable folder" 'errno EPERM' \
	"$ROUTE" link "$TMP/models/frontier/late.bin" "$TMP/late-link.bin"
rt_refused "rename of a new model file into a readable folder" 'errno EPERM' \
	"$ROUTE" rename "$TMP/models/frontier/late.bin" "$TMP/late-moved.bin"
RT_ENGINE=
case "$ENGINE_PATHS" in
bpf-lsm | fmod-ret)
	check "neither name was made" all "[ ! -e '$TMP/late-link.bin' ] && [ ! -e '$TMP/late-moved.bin' ]"
	rt_both "the new model file itself is refused" 'errno EPERM' "$TRY" open "$TMP/models/frontier/late.bin"
	;;
*)
	# An entry tracepoint kills the caller but cannot undo the call: named as a gap.
	rm -f "$TMP/late-link.bin"
	[ -e "$TMP/late-moved.bin" ] && mv "$TMP/late-moved.bin" "$TMP/models/frontier/late.bin"
	;;
esac
rm -f "$TMP/models/frontier/late.bin"
