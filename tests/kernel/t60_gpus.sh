# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- GPUs ------------------------------------------------------------------------------
try_in_scope "$TMP/out" open "$TMP/dev/nvidia0" >/dev/null
check "GPU 0, given to the scope, passes the device hook (ENXIO: no driver)" grep -qx 'errno ENXIO' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/dev/nvidia1" >/dev/null
check "GPU 1, not given to the scope: EPERM" grep -qx 'errno EPERM' "$TMP/out"
check "event for the denied GPU node" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"device"' '"verdict":"deny"' '"reason":"gpu"' '"major":195,"minor":1' '"driver":"nvidia"'
check "one denied open, one event (the parent's backstop reports nothing)" \
	[ "$(count_lines "$TMP/events.jsonl" '"hook":"device"')" = 1 ]
try_in_scope "$TMP/out" open "$TMP/dev/renderD129" >/dev/null
check "the render node of GPU 1: EPERM" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/dev/null" >/dev/null
check "a device that is not a GPU is left alone in scope" grep -qx 'ok read=0' "$TMP/out"
try_outside "$TMP/out" open "$TMP/dev/nvidia1" >/dev/null
check "GPU 1 outside every scope passes the device hook" grep -qx 'errno ENXIO' "$TMP/out"
