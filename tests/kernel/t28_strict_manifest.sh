# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# strict-1b is a general model with 'manifest: strict': its folder holds one
# listed file; anything else there is no file of the model.

# --- strict manifests -------------------------------------------------------------
STRICT=$TMP/models/strict
try_in_scope "$TMP/out" open "$STRICT/model.safetensors" >/dev/null
check "the scope loads the file a strict manifest lists" grep -qx 'ok read=1' "$TMP/out"
printf 'planted-weights' >"$STRICT/planted.safetensors"
expect_file_denied "a file planted in a strict model's folder" "$STRICT/planted.safetensors"
check "event for the planted file, reason not-in-manifest" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"file_open"' '"reason":"not-in-manifest"' '"name":"planted.safetensors"' '"model":"strict-1b"'
try_outside "$TMP/out" open "$STRICT/planted.safetensors" >/dev/null
check "outside every scope the planted file opens" grep -qx 'ok read=1' "$TMP/out"
mkdir -p "$STRICT/sub"
printf 'deeper' >"$STRICT/sub/shard.bin"
expect_file_denied "a file planted in a subfolder of a strict model's folder" "$STRICT/sub/shard.bin"
try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "a model without a strict manifest still loads" grep -qx 'ok read=1' "$TMP/out"
