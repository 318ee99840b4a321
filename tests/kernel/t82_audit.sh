# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# --- audit mode: every would-be denial is logged, nothing is denied -------------------
sed -i 's/^mode: enforce$/mode: audit/' "$TMP/policy/policy.yaml"
"$MGUARD" reload --policy "$TMP/policy" --pin-dir "$PIN" >/dev/null 2>&1
check "reload into audit mode" [ $? = 0 ]
try_in_scope "$TMP/out" open "$PROHIBITED" >/dev/null
check "audit: a prohibited open goes through" grep -qx 'ok read=1' "$TMP/out"
check "audit: and is logged with verdict audit" wait_for 5 has_line "$TMP/events.jsonl" \
	'"verdict":"audit"' '"reason":"tier"' '"model":"frontier-x"'
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "audit: a denied connect goes through" grep -qx 'errno ECONNREFUSED' "$TMP/out"
check "audit: and is logged" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"connect4"' '"verdict":"audit"' "\"port\":$PORT_DENIED"
sed -i 's/^mode: audit$/mode: enforce/' "$TMP/policy/policy.yaml"
"$MGUARD" reload --policy "$TMP/policy" --pin-dir "$PIN" >/dev/null 2>&1
expect_file_denied "back in enforce mode, the prohibited open is denied again" "$PROHIBITED"
