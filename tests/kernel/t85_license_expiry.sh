# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- licence expiry, with no help from the daemon -------------------------------------
kill -STOP "$DPID"	# the daemon does nothing from here: the kernel's clock decides
while [ "$(date +%s)" -le "$SHORT_UNTIL" ]; do sleep 0.5; done
expect_file_denied "a controlled model once its licence expired (daemon stopped)" "$TMP/models/short/model.safetensors"
try_in_scope "$TMP/out" open "$TMP/models/licensed/model.safetensors" >/dev/null
check "the model of the licence still valid loads" grep -qx 'ok read=1' "$TMP/out"
kill -CONT "$DPID"
check "event says the licence expired" wait_for 5 has_line "$TMP/events.jsonl" \
	'"reason":"license-expired"' '"model":"short-lived"'
