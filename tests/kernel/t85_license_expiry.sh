# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- licence expiry, with no help from the daemon -------------------------------------
# A short licence of its own, put in force now, so that when it ends does not hang on
# how long the earlier test files took (a licence already ended at a reload is refused
# there, and the denial would then say "unlicensed").
SHORT_UNTIL=$(($(date +%s) + 20))
write_license "$TMP/keys/short.draft" lic-short short-lived $SHORT_UNTIL
"$MGUARD" license sign --key "$TMP/keys/issuer.key" "$TMP/keys/short.draft" \
	-o "$TMP/policy/short.lic" 2>/dev/null
"$MGUARD" reload --policy "$TMP/policy" --pin-dir "$PIN" >/dev/null 2>&1
check "a short licence is put in force by a reload" [ $? = 0 ]
try_in_scope "$TMP/out" open "$TMP/models/short/model.safetensors" >/dev/null
check "the short licence's model loads before it ends" grep -qx 'ok read=1' "$TMP/out"
kill -STOP "$DPID"	# the daemon does nothing from here: the kernel's clock decides
while [ "$(date +%s)" -le "$SHORT_UNTIL" ]; do sleep 0.5; done
expect_file_denied "a controlled model once its licence expired (daemon stopped)" "$TMP/models/short/model.safetensors"
try_in_scope "$TMP/out" open "$TMP/models/licensed/model.safetensors" >/dev/null
check "the model of the licence still valid loads" grep -qx 'ok read=1' "$TMP/out"
kill -CONT "$DPID"
check "event says the licence expired" wait_for 5 has_line "$TMP/events.jsonl" \
	'"reason":"license-expired"' '"model":"short-lived"'
