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

# --- the kill switch, the policy and the daemon leave a trace in the events ----------
check "the daemon's start is an event" has_line "$TMP/events.jsonl" '{"schema":1,' \
	'"type":"daemon_start"'
check "the policy put in force is an event, with its digest" has_line "$TMP/events.jsonl" \
	'"type":"policy_loaded"' '"policy_digest":"sha256:' '"mode":"enforce"'
# Both writes are on record, however close together: the "changes" of the
# kill-switch lines add up to 2, and the last line says off.
ks_changes_are_2() {
	[ "$(sed -n 's/.*"type":"killswitch".*"changes":\([0-9]*\)}$/\1/p' "$TMP/events.jsonl" |
		awk '{ n += $1 } END { print n + 0 }')" = 2 ]
}
ks_last_is_off() {
	grep '"type":"killswitch"' "$TMP/events.jsonl" | tail -n 1 | grep -q '"state":"off"'
}
check "both kill-switch changes are events" wait_for 5 ks_changes_are_2
check "the last kill-switch event says off" ks_last_is_off
check "a kill-switch denial names the host, uid, gid and cgroup path" has_line \
	"$TMP/events.jsonl" '"hook":"connect4"' '"reason":"killswitch"' \
	"\"host\":\"$(hostname)\"" "\"uid\":$(id -u),\"gid\":$(id -g)," \
	"\"cgroup_path\":\"$CG_REL/guarded\""
# This daemon runs in the foreground without --log-dir: 'mguard events' says where they went.
"$MGUARD" events --pin-dir "$PIN" >"$TMP/out" 2>&1
check "events in front of a foreground daemon exits 1" [ $? = 1 ]
check "... and says its events go to its standard output" grep -q 'standard output only' "$TMP/out"
check "... not that there are no events" all "! grep -q 'no events yet' '$TMP/out'"
