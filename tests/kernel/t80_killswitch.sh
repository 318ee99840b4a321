# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- kill switch -------------------------------------------------------------------
"$MGUARD" killswitch on --pin-dir "$PIN" >/dev/null 2>&1
check "killswitch on succeeds" [ $? = 0 ]
expect_file_denied "kill switch: a general model is denied in scope" "$TMP/models/small/model.gguf"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_OK" >/dev/null
check "kill switch: an allowed connect is denied in scope" grep -qx 'errno EPERM' "$TMP/out"
try_outside "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "kill switch: processes outside every scope are untouched" grep -qx 'ok read=1' "$TMP/out"
"$MGUARD" status --pin-dir "$PIN" >"$TMP/status.txt" 2>&1
check "status shows the kill switch on" grep -q 'kill switch on' "$TMP/status.txt"
"$MGUARD" killswitch off --pin-dir "$PIN" >/dev/null 2>&1
try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "kill switch off: the general model loads again" grep -qx 'ok read=1' "$TMP/out"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_OK" >/dev/null
check "kill switch off: the allowed connect passes again" grep -qx 'errno ECONNREFUSED' "$TMP/out"
