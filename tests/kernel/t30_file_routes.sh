# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- every other route to a file ----------------------------------------------------------
mkdir -p "$TMP/bind"
if mount --bind "$TMP/models/frontier" "$TMP/bind"; then
	expect_file_denied "open through a bind mount of a model folder" "$TMP/bind/model-00001.safetensors"
	umount "$TMP/bind"
else
	fail "bind mount for the bind-mount route"
fi
expect_route_denied "O_PATH, then reopen through /proc/self/fd" 'errno EPERM' opath-reopen "$PROHIBITED"
try_in_scope "$TMP/out" opath-reopen "$TMP/notes.txt" >/dev/null
check "O_PATH and reopen of an ordinary file works" grep -qx 'ok read=1' "$TMP/out"
expect_route_denied "mmap of a descriptor opened before entering the scope" 'errno EPERM' mmap-inherited "$PROHIBITED"
try_in_scope "$TMP/out" mmap-inherited "$TMP/models/small/model.gguf" >/dev/null
check "mmap of an allowed model opened before entering the scope works" grep -qx 'ok mapped=1' "$TMP/out"
expect_route_denied "a descriptor passed over a UNIX socket" 'denied no-fd' recv-fd "$PROHIBITED"
try_in_scope "$TMP/out" recv-fd "$TMP/notes.txt" >/dev/null
check "an ordinary file's descriptor passed over a UNIX socket works" grep -qx 'ok read=1' "$TMP/out"
expect_route_denied "a descriptor passed over a UNIX socket, received with recvmmsg" 'denied no-fd' \
	recvmmsg-fd "$PROHIBITED"
expect_route_denied "open through io_uring" 'errno EPERM' uring-open "$PROHIBITED"
case "$ENGINE" in
bpf-lsm | fmod-ret)
	try_in_scope "$TMP/out" uring-open "$TMP/notes.txt" >/dev/null
	check "io_uring open of an ordinary file works (its opens reach file_open)" grep -qx 'ok read=1' "$TMP/out"
	;;
*)
	check "event for the closed io_uring route" wait_for 5 has_line "$TMP/events.jsonl" \
		'"hook":"io_uring"' '"verdict":"kill"' '"reason":"io_uring"'
	;;
esac
