# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- mguard report: this run's events, and the policy the daemon has in force ------
# A refused load and an allowed one, and the kill switch on and off: then the
# report of the event file must count what the kernel decided, name the
# running daemon, and say what the scope may load from the policy in force.
expect_file_denied "report: a prohibited model" "$PROHIBITED"
try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "report: the general model still loads in scope" grep -qx 'ok read=1' "$TMP/out"
# Kill-switch writes on record so far (a line may carry several: "changes":N).
ks_changes() {
	sed -n 's/.*"type":"killswitch".*"changes":\([0-9]*\)[,}].*/\1/p' "$TMP/events.jsonl" |
		awk '{ n += $1 } END { print n + 0 }'
}
KS_BEFORE=$(ks_changes)
"$MGUARD" killswitch on --pin-dir "$PIN" >/dev/null 2>&1
check "report: killswitch on succeeds" [ $? = 0 ]
"$MGUARD" killswitch off --pin-dir "$PIN" >/dev/null 2>&1
check "report: killswitch off succeeds" [ $? = 0 ]
# Both of this test's writes seen (an earlier test's last line is off too).
report_last_switch_off() {
	[ "$(ks_changes)" -ge $((KS_BEFORE + 2)) ] &&
		grep '"type":"killswitch"' "$TMP/events.jsonl" | tail -n 1 | grep -q '"state":"off"'
}
report_denial_logged() {
	has_line "$TMP/events.jsonl" '"hook":"file_open"' '"reason":"tier"' '"scope":"guarded"' \
		"\"path\":\"$PROHIBITED\""
}
check "report: the denial is in the event file" wait_for 5 report_denial_logged
check "report: the kill switch's last change is in the event file" wait_for 5 report_last_switch_off

"$MGUARD" report --json --pin-dir "$PIN" "$TMP/events.jsonl" >"$TMP/report.json" 2>"$TMP/report.err"
check "report --json on this run's event file exits 0" [ $? = 0 ]
check "report: no line of the daemon's file is malformed" grep -q '"malformed":0,"malformed_lines":\[\]' \
	"$TMP/report.json"
check "report: the running daemon is named, with its pid" \
	grep -q "\"daemon\":{\"running\":true,\"pid\":$DPID,\"policy_dir\":\"$TMP/policy\"" "$TMP/report.json"
check "report: the policy folder is the one loaded" grep -q '"policy_folder_matches":true,"note":null' \
	"$TMP/report.json"

# One line per scope object, to look at the guarded scope alone.
awk '{ gsub(/"scopes":\[\{"name":/, "\n{\"name\":"); gsub(/\},\{"name":/, "}\n{\"name\":"); print }' \
	"$TMP/report.json" | grep '^{"name":"guarded"' >"$TMP/report-guarded.json"
check "report: the guarded scope, its cgroup and tier ceiling from the policy in force" \
	grep -q "\"in_policy\":true,\"cgroup\":\"$CG_REL/guarded\",\"max_tier\":\"controlled\"" \
	"$TMP/report-guarded.json"
sed 's/.*"may_load":\[\([^]]*\)\].*/\1/' "$TMP/report-guarded.json" >"$TMP/report-may-load"
check "report: the scope may load its general model, with no licence" \
	grep -q '{"model":"small-1b","tier":"general","license":null}' "$TMP/report-may-load"
check "report: ... its controlled model under its licence" \
	grep -q '{"model":"licensed-70b","tier":"controlled","license":"lic-long"}' "$TMP/report-may-load"
check "report: ... not the prohibited model, nor the one whose licence was forged" \
	all "! grep -q 'frontier-x\|unlicensed-70b' '$TMP/report-may-load'"
check "report: the scope's licence, its notAfter and days left" \
	grep -q "{\"id\":\"lic-long\",\"not_after\":\"$(rfc3339 $((NOW + 3600)))\",\"days_left\":0}" \
	"$TMP/report-guarded.json"
N=$(count_lines "$TMP/events.jsonl" '"type":"decision"' '"hook":"file_open"' '"reason":"tier"' \
	'"scope":"guarded"')
check "report: file_open/tier violations of the scope are those of the event file ($N)" \
	grep -q "{\"hook\":\"file_open\",\"reason\":\"tier\",\"count\":$N," "$TMP/report-guarded.json"
check "report: the prohibited model is among the refused" \
	grep -q '"refused":\[[^]]*{"model":"frontier-x","tier":"prohibited","attempts":[1-9]' \
	"$TMP/report-guarded.json"
# The open that passed is no violation: the general model counts only the
# refusals of the file (earlier tests' kill switch), none when run alone.
S=$(count_lines "$TMP/events.jsonl" '"type":"decision"' '"scope":"guarded"' '"model":"small-1b"')
if [ "$S" = 0 ]; then
	check "report: the general model that loaded is not among the refused" \
		all "! grep -q '\"refused\":\[[^]]*\"model\":\"small-1b\"' '$TMP/report-guarded.json'"
else
	check "report: the general model counts only its $S refusals of the file, not its loads" \
		grep -q "\"refused\":\[[^]]*{\"model\":\"small-1b\",\"tier\":\"general\",\"attempts\":$S," \
		"$TMP/report-guarded.json"
fi
# Two writes close together may be one line ("changes":2): the writes are what counts.
K=$(ks_changes)
check "report: every kill-switch write of the file ($K), the last line off" \
	all "[ $K -ge 2 ] && grep -q '\"killswitch_changes\":$K}' '$TMP/report.json' &&
		grep -q '\"state\":\"off\",\"previous\":\"[a-z]*\",\"changes\":[0-9]*}\]},\"daemon_events\"' '$TMP/report.json'"
grep -q "\"killswitch_changes\":$K}" "$TMP/report.json" ||
	sed -n 's/.*\("killswitch":.*"daemon_events"\).*/# report: \1/p; s/.*\("killswitch_changes":[0-9]*\).*/# report: \1/p' "$TMP/report.json"
check "report: the policy put in force at start is a reload, with its generation" \
	grep -q '"reloads":\[{"time":"[^"]*","result":"loaded","generation":[0-9]' "$TMP/report.json"

"$MGUARD" report --html --pin-dir "$PIN" "$TMP/events.jsonl" >"$TMP/report.html" 2>"$TMP/report.err"
check "report --html on this run's event file exits 0" [ $? = 0 ]
check "report --html: a section for the guarded scope, with its chart" \
	all "grep -q '<section class=\"scope\" data-scope=\"guarded\">' '$TMP/report.html' &&
		grep -q '<svg class=\"chart violations\"' '$TMP/report.html'"
check "report --html: nothing outside the file is referred to" \
	all "! grep -qiE 'https?:|src=|<script' '$TMP/report.html'"
"$MGUARD" report --since 'last week' "$TMP/events.jsonl" >"$TMP/out" 2>&1
check "report: a bad --since is a usage error (exit 2)" [ $? = 2 ]
