# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# taint-1b is a general model the guarded scope may load; its files are
# written to here from outside every scope, with the daemon stopped.

# --- taint on write ----------------------------------------------------------------
TAINT=$TMP/models/taint

try_in_scope "$TMP/out" open "$TAINT/written.bin" >/dev/null
check "the scope loads a file of a general model" grep -qx 'ok read=1' "$TMP/out"
try_outside "$TMP/out" open "$TAINT/written.bin" >/dev/null
check "a process outside every scope reads it" grep -qx 'ok read=1' "$TMP/out"
try_in_scope "$TMP/out" open "$TAINT/written.bin" >/dev/null
check "a read-only open from outside marks nothing: the scope still loads it" \
	grep -qx 'ok read=1' "$TMP/out"

"$MGUARD" status --pin-dir "$PIN" >"$TMP/status.txt" 2>&1
marked=$(sed -n 's/^tainted model files: \([0-9]*\).*/\1/p' "$TMP/status.txt")

# The mark is the kernel's: it holds while the daemon cannot run.
kill -STOP "$DPID"
try_outside "$TMP/out" write "$TAINT/written.bin" >/dev/null
check "a process outside every scope may write a model's file" grep -q '^ok wrote=' "$TMP/out"
: >"$TAINT/truncated.bin"	# the shell's open with O_TRUNC
expect_file_denied "a model file written from outside, daemon stopped" "$TAINT/written.bin"
expect_file_denied "a model file truncated from outside, daemon stopped" "$TAINT/truncated.bin"
try_in_scope "$TMP/out" open "$TAINT/untouched.bin" >/dev/null
check "the model's file nobody wrote still loads" grep -qx 'ok read=1' "$TMP/out"

# Bytes that were never verified, given a name in the model's folder without a
# write-open there: truncate(2) by path, a rename and a hard link from outside.
"$BUILD/tests/helpers/mg-route" truncate "$TAINT/cut.bin" >"$TMP/out" 2>&1
check "a process outside every scope truncates a model's file by path" grep -qx 'ok truncate' "$TMP/out"
printf 'planted-bytes' >"$TMP/planted-r.bin"
printf 'planted-bytes' >"$TMP/planted-l.bin"
mv "$TMP/planted-r.bin" "$TAINT/renamed.bin"
ln "$TMP/planted-l.bin" "$TAINT/linked.bin"
if refuses "$ENGINE_PATHS"; then
	expect_file_denied "a model file truncated by path from outside, daemon stopped" "$TAINT/cut.bin"
	expect_file_denied "a file renamed into the model's folder from outside" "$TAINT/renamed.bin"
	expect_file_denied "a file hard-linked into the model's folder from outside" "$TAINT/linked.bin"
else
	"$MGUARD" probe >"$TMP/probe.txt" 2>&1
	check "the fallback engine names the gap: these mark nothing" grep -q 'taint-beyond-open' "$TMP/probe.txt"
	try_in_scope "$TMP/out" open "$TAINT/renamed.bin" >/dev/null
	check "... and a renamed-in file is the model's unmarked (the gap, as named)" \
		grep -qx 'ok read=1' "$TMP/out"
fi
try_in_scope "$TMP/out" open "$TAINT/untouched.bin" >/dev/null
check "the model's untouched file still loads after them" grep -qx 'ok read=1' "$TMP/out"
kill -CONT "$DPID"

check "event for the load of a written file" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"file_open"' '"reason":"tainted"' '"name":"written.bin"' '"model":"taint-1b"'
"$MGUARD" status --pin-dir "$PIN" >"$TMP/status.txt" 2>&1
more=2
refuses "$ENGINE_PATHS" && more=5
check "status counts the files marked ($marked before, $more more)" \
	grep -q "^tainted model files: $((marked + more)) " "$TMP/status.txt"

"$MGUARD" model reseal --pin-dir "$PIN" "$TAINT/written.bin" >"$TMP/reseal.txt" 2>&1
check "model reseal clears the mark" [ $? = 0 ]
try_in_scope "$TMP/out" open "$TAINT/written.bin" >/dev/null
check "a re-sealed file loads again" grep -qx 'ok read=1' "$TMP/out"
expect_file_denied "the other written file stays denied" "$TAINT/truncated.bin"
"$MGUARD" model reseal --pin-dir "$PIN" "$TAINT/written.bin" >"$TMP/reseal.txt" 2>&1
check "re-sealing a file with no mark says so" grep -q 'is not marked' "$TMP/reseal.txt"
"$MGUARD" model reseal --pin-dir "$PIN" "$TAINT/truncated.bin" >/dev/null 2>&1
try_in_scope "$TMP/out" open "$TAINT/truncated.bin" >/dev/null
check "the truncated file, re-sealed, opens again (ok, empty)" grep -qx 'ok read=0' "$TMP/out"
