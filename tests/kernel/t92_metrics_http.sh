# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# For operators: /metrics scraped by a real Prometheus, /healthz and /readyz,
# sd_notify READY=1 and STOPPING=1, the event file reopened on SIGUSR2 after
# logrotate's rename, and the daemon enforcing with only the capabilities the
# systemd unit grants.

OPS=$BUILD/tests/helpers/mg-ops
UNIT_CAPS=bpf,perfmon,net_admin,sys_admin,dac_read_search	# CapabilityBoundingSet= of mguard.service
LOG92=$TMP/log92
PROM=

BGPIN=/sys/fs/bpf/mguard-test-bg-$$

# Prometheus and the background daemon are stopped on every way out of the
# run, as the rest is by cleanup.
stop_prometheus() {
	if [ -n "$PROM" ]; then
		kill "$PROM" 2>/dev/null
		wait "$PROM" 2>/dev/null
		PROM=
	fi
}
stop_background() { [ -d "$BGPIN" ] && "$MGUARD" stop --pin-dir "$BGPIN" >/dev/null 2>&1; }
trap 'stop_prometheus; stop_background; cleanup' EXIT

http() { "$OPS" http "$@"; }
# A daemon with the options under test takes over: the running one exits
# leaving everything enforcing (SIGUSR1), the new one adopts it.
kill -USR1 "$DPID"
wait "$DPID"
check "the daemon hands over on SIGUSR1" [ $? = 0 ]
"$OPS" notify-listen "$TMP/notify.sock" 120 >"$TMP/notify.log" 2>&1 &
LISTENER=$!
wait_for 5 [ -S "$TMP/notify.sock" ]
NOTIFY_SOCKET=$TMP/notify.sock "$OPS" caps "$UNIT_CAPS" -- "$MGUARD" start --foreground \
	--policy "$TMP/policy" --pin-dir "$PIN" --log-dir "$LOG92" --journal \
	--metrics-listen 127.0.0.1:0 >>"$TMP/events.jsonl" 2>"$TMP/daemon92.log" &
DPID=$!
check "with only $UNIT_CAPS the daemon starts and adopts the pinned state" \
	all "wait_for 60 grep -qs 'mguard: ready' '$TMP/daemon92.log' && grep -q 'adopting the maps and links pinned' '$TMP/daemon92.log'"
grep -qs 'mguard: ready' "$TMP/daemon92.log" || sed 's/^/#   /' "$TMP/daemon92.log" | tail -n 15
check "it tells the service manager READY=1 once enforcing" \
	wait_for 5 grep -q "READY=1 MAINPID=$DPID STATUS=enforcing policy generation [1-9]" "$TMP/notify.log"
PORT=$(sed -n 's/.*serving \/metrics, \/healthz and \/readyz on port \([0-9]*\)$/\1/p' "$TMP/daemon92.log")
check "it says which port it serves" [ -n "$PORT" ]
PORT=${PORT:-1}
expect_file_denied "with those capabilities a prohibited open is denied" "$PROHIBITED"
try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "and an allowed open works" grep -qx 'ok read=1' "$TMP/out"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "and a denied connect is denied" grep -qx 'errno EPERM' "$TMP/out"

# --- /healthz, /readyz, /metrics -------------------------------------------------
http "$PORT" /healthz >"$TMP/h.out"
check "/healthz answers 200 ok" all "grep -qx 'status 200' '$TMP/h.out' && grep -qx ok '$TMP/h.out'"
http "$PORT" /readyz >"$TMP/h.out"
check "/readyz answers 200: enforcing" all "grep -qx 'status 200' '$TMP/h.out' && grep -qx 'ready: enforcing' '$TMP/h.out'"
http "$PORT" /nothing >"$TMP/h.out"
check "another path is 404" grep -qx 'status 404' "$TMP/h.out"
scope_denials() {
	http "$PORT" /metrics >"$TMP/m.out"
	sed -n 's/^mguard_scope_events_total{scope="guarded",hook="connect4",verdict="deny"} \([0-9]*\)$/\1/p' "$TMP/m.out"
}
# shellcheck disable=SC2016 # expanded by all, at each try
check "/metrics counts the denied connect for the scope and hook" \
	wait_for 5 all '[ "$(scope_denials)" -ge 1 ]'
check "/metrics has mguard_build_info with the version and the file engine" \
	grep -qx "mguard_build_info{version=\"0.1.0\",engine=\"$ENGINE\"} 1" "$TMP/m.out"
check "/metrics has the scope and its cgroup" \
	grep -qx "mguard_scope_info{scope=\"guarded\",cgroup=\"$CG_REL/guarded\"} 1" "$TMP/m.out"
check "/metrics has the licence's expiry as a timestamp" \
	grep -Eqx 'mguard_license_expiry_timestamp_seconds\{license="lic-long",scope="guarded",model="licensed-70b"\} [0-9]{10}' "$TMP/m.out"
check "/metrics counts drops and links" \
	all "grep -Eqx 'mguard_events_dropped_total [0-9]+' '$TMP/m.out' && grep -Eqx 'mguard_links [1-9][0-9]*' '$TMP/m.out'"

# --- a real Prometheus scrapes it (not in the test VM: no prometheus there) ------
if [ -n "${MG_VM:-}" ] && ! command -v prometheus >/dev/null 2>&1; then
	echo "# t92: Prometheus scrape and promtool run on the host tier only (not in the VM image)"
else
	sed 1d "$TMP/m.out" | promtool check metrics >"$TMP/promtool.out" 2>&1	# less the status line
	check "promtool check metrics accepts the scraped text" [ $? = 0 ]
	[ -s "$TMP/promtool.out" ] && sed 's/^/#   /' "$TMP/promtool.out"
	PPORT=$((19090 + $$ % 500))
	mkdir -p "$TMP/prom"
	cat >"$TMP/prom/prometheus.yml" <<PROMCFG
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mguard
    static_configs:
      - targets: ["127.0.0.1:$PORT"]
PROMCFG
	prometheus --config.file="$TMP/prom/prometheus.yml" --storage.tsdb.path="$TMP/prom/data" \
		--web.listen-address="127.0.0.1:$PPORT" >"$TMP/prom/log" 2>&1 &
	PROM=$!
	query() { http "$PPORT" "/api/v1/query?query=$1"; }
	check "Prometheus scrapes mguard: mguard_build_info arrives with its labels" wait_for 60 \
		all "query mguard_build_info | grep -q '\"__name__\":\"mguard_build_info\"' && query mguard_build_info | grep -q '\"version\":\"0.1.0\"'"
	check "the target is up" wait_for 10 all "query 'up%7Bjob%3D%22mguard%22%7D' | grep -q '\"value\":\[[0-9.]*,\"1\"\]'"
	check "the per-scope denials arrive" wait_for 10 \
		all "query 'mguard_scope_events_total%7Bscope%3D%22guarded%22%2Chook%3D%22connect4%22%2Cverdict%3D%22deny%22%7D' | grep -q '\"scope\":\"guarded\"'"
	stop_prometheus
fi

# --- logrotate's mv, then SIGUSR2: the next event lands in a new file ------------
EV=$LOG92/events.jsonl
check "the event file has the denied connect" wait_for 5 has_line "$EV" '"hook":"connect4"'
mv "$EV" "$EV-20261201"
before=$(count_lines "$EV-20261201" '"hook":"connect4"')
kill -USR2 "$DPID"
check "the daemon reopens its files on SIGUSR2" wait_for 5 grep -q 'reopened the log files on SIGUSR2' "$TMP/daemon92.log"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "after the rename and SIGUSR2 the next event lands in a new events.jsonl" \
	wait_for 5 has_line "$EV" '"hook":"connect4"' '"verdict":"deny"'
check "and not in the renamed file" [ "$(count_lines "$EV-20261201" '"hook":"connect4"')" = "$before" ]

# --- in the background: mguard.log lines carry their RFC 3339 time -------------
mkdir -p "$TMP/bgpolicy"
cat >"$TMP/bgpolicy/policy.yaml" <<BGYAML
apiVersion: mguard/v1
mode: enforce
tiers:
  - {name: general, level: 1}
scopes:
  - name: bg
    cgroup: $CG_REL/bg
    maxTier: general
BGYAML
"$MGUARD" start --policy "$TMP/bgpolicy" --pin-dir "$BGPIN" --log-dir "$TMP/bglog" >/dev/null 2>&1
check "a daemon goes to the background" [ $? = 0 ]
check "its mguard.log lines start with an RFC 3339 time" wait_for 10 \
	grep -Eqs '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z mguard: ready \(pid [0-9]+\)$' "$TMP/bglog/mguard.log"
mv "$TMP/bglog/mguard.log" "$TMP/bglog/mguard.log-20261201"
kill -USR2 "$(cat "/run/mguard/${BGPIN##*/}.pid")"
check "after its rename and SIGUSR2, mguard.log is a new file" wait_for 5 \
	grep -Eqs '^[0-9-]{10}T[0-9:.]{12}Z mguard: reopened the log files on SIGUSR2$' "$TMP/bglog/mguard.log"
"$MGUARD" stop --pin-dir "$BGPIN" >/dev/null 2>&1
check "the background daemon stops and takes its pins" [ ! -e "$BGPIN" ]

# --- stop: STOPPING=1, then the usual daemon again for the tests after this one --
kill -USR1 "$DPID"
wait "$DPID"
check "the daemon exits on SIGUSR1" [ $? = 0 ]
check "it told the service manager STOPPING=1" wait_for 5 grep -q 'STOPPING=1' "$TMP/notify.log"
wait "$LISTENER" 2>/dev/null
check "the pid file went with it" [ ! -e "/run/mguard/${PIN##*/}.pid" ]
"$MGUARD" start --foreground --policy "$TMP/policy" --pin-dir "$PIN" \
	>>"$TMP/events.jsonl" 2>"$TMP/daemon.log" &
DPID=$!
check "the usual daemon takes over again" wait_for 60 grep -qs 'mguard: ready' "$TMP/daemon.log"
trap cleanup EXIT
