# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- weight loads --------------------------------------------------------------
expect_file_denied "open of a prohibited model file" "$PROHIBITED"
VERDICT="kill"
[ "$ENGINE" = tracepoint-kill ] || VERDICT=deny
check "event for the denied open names file, model, tier and engine" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"file_open"' "\"verdict\":\"$VERDICT\"" "\"engine\":\"$ENGINE\"" \
	"\"path\":\"$PROHIBITED\"" '"model":"frontier-x"' '"tier":"prohibited"' '"scope":"guarded"'
expect_file_denied "open of a file deep in a prohibited model folder" "$TMP/models/frontier/sub/shard.bin"
expect_file_denied "open through a symlink to a prohibited file" "$TMP/alias.safetensors"
expect_file_denied "open through a hard link to a prohibited file" "$TMP/hardlink.bin"

try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "open of a general model in scope works" grep -qx 'ok read=1' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/notes.txt" >/dev/null
check "open of an ordinary file in scope works" grep -qx 'ok read=1' "$TMP/out"

try_outside "$TMP/out" open "$PROHIBITED" >/dev/null
check "open of a prohibited file outside every scope works" grep -qx 'ok read=1' "$TMP/out"

# Licences: a controlled model loads only through a valid licence that covers it.
try_in_scope "$TMP/out" open "$TMP/models/licensed/model.safetensors" >/dev/null
check "a controlled model covered by a valid licence loads in scope" grep -qx 'ok read=1' "$TMP/out"
expect_file_denied "a controlled model with no licence" "$TMP/models/unlicensed/model.safetensors"
check "event names the missing licence" wait_for 5 has_line "$TMP/events.jsonl" \
	'"reason":"unlicensed"' '"model":"unlicensed-70b"' '"tier":"controlled"'
try_in_scope "$TMP/out" open "$TMP/models/short/model.safetensors" >/dev/null
check "a controlled model whose licence has not expired yet loads" grep -qx 'ok read=1' "$TMP/out"

# Folder rules hold for files that did not exist when the policy loaded.
printf 'late-weights' > "$TMP/models/frontier/added-later.bin"
expect_file_denied "open of a file created in a model folder after the policy loaded" \
	"$TMP/models/frontier/added-later.bin"
printf 'moved-weights' > "$TMP/moved.bin"
try_in_scope "$TMP/out" open "$TMP/moved.bin" >/dev/null
check "open of a file outside every model folder works" grep -qx 'ok read=1' "$TMP/out"
mv "$TMP/moved.bin" "$TMP/models/frontier/sub/moved.bin"
expect_file_denied "open of that file once renamed into a model folder" "$TMP/models/frontier/sub/moved.bin"

# The Hugging Face cache: the model lists a snapshot folder of links to blobs.
expect_file_denied "open through a Hugging Face snapshot link" "$HF/snapshots/0123abcd/model.safetensors"
expect_file_denied "open of the blob the snapshot links to" "$HF/blobs/9f86d081884c7d65"
