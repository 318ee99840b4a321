# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- outputs ---------------------------------------------------------------------------
try_in_scope "$TMP/out" write "$TMP/outputs/deep/er/answer.txt" >/dev/null
check "a write under the scope's output folder works" grep -qx 'ok wrote=1' "$TMP/out"
expect_write_denied "a write outside the output folders" "$TMP/exfiltrated.txt"
check "event for the write outside the output folders" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"file_open"' '"reason":"output"' '"name":"exfiltrated.txt"'
expect_write_denied "a write over a model file" "$TMP/models/small/model.gguf"
# The fallback engine kills the writer after its open succeeded, so the file
# was open for writing and the kernel marked it (taint on write): re-sealed
# here, as an operator would, so later tests load it. BPF LSM and fmod-ret
# refused the open.
if [ "$ENGINE" = tracepoint-kill ]; then
	"$MGUARD" model reseal --pin-dir "$PIN" "$TMP/models/small/model.gguf" >"$TMP/reseal.txt" 2>&1
	check "the model file the killed writer opened was marked, and is re-sealed" \
		grep -q "re-sealed '$TMP/models/small/model.gguf'" "$TMP/reseal.txt"
fi
try_in_scope "$TMP/out" write "$TMP/dev/null" >/dev/null
check "a write to a character device (/dev/null) is not an output" grep -qx 'ok wrote=1' "$TMP/out"
try_outside "$TMP/out" write "$TMP/exfiltrated.txt" >/dev/null
check "a write outside every scope works" grep -qx 'ok wrote=1' "$TMP/out"
