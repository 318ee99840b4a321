# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# --- the daemon: reload, a dead daemon, adoption, a flood, cgroups that move ------------

status_field() { # HOOK VERDICT -> the counter from status --json
	"$MGUARD" status --json --pin-dir "$PIN" | sed -n "s/.*\"$1\":{[^}]*\"$2\":\([0-9]*\).*/\1/p"
}
generation() {
	"$MGUARD" status --json --pin-dir "$PIN" | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'
}

# A broken policy is refused as a whole; the policy in force stays.
printf 'apiVersion: mguard/v1\nscopes: [\n' >"$TMP/policy/broken.yaml"
gen0=$(generation)
"$MGUARD" reload --policy "$TMP/policy" --pin-dir "$PIN" >"$TMP/reload.out" 2>&1
rc=$?
check "reload of a broken policy is refused, with its errors" \
	all "[ $rc = 1 ] && grep -q 'broken.yaml:' '$TMP/reload.out'"
[ "$rc" = 1 ] || sed 's/^/#   reload: /' "$TMP/reload.out"
check "the refused reload left the generation alone" [ "$(generation)" = "$gen0" ]
expect_file_denied "after a refused reload the policy in force still denies" "$PROHIBITED"
rm -f "$TMP/policy/broken.yaml"

# A reload that adds a model: denied from the new generation on.
mkdir -p "$TMP/models/newly"
printf 'new-weights' >"$TMP/models/newly/w.safetensors"
try_in_scope "$TMP/out" open "$TMP/models/newly/w.safetensors" >/dev/null
check "a file of no model loads before the reload" grep -qx 'ok read=1' "$TMP/out"
cat >"$TMP/policy/extra.yaml" <<YAML
apiVersion: mguard/v1
models:
  - {name: newly-prohibited, tier: prohibited, files: [$TMP/models/newly/]}
YAML
"$MGUARD" reload --policy "$TMP/policy" --pin-dir "$PIN" >"$TMP/reload.out" 2>&1
check "reload of a good policy succeeds" [ $? = 0 ]
check "the reload is generation $((gen0 + 1))" [ "$(generation)" = $((gen0 + 1)) ]
expect_file_denied "a model added by a reload is denied" "$TMP/models/newly/w.safetensors"

# Many reloads while a guarded process opens an allowed and a denied file in a
# loop: not one wrong verdict. Fewer in the emulated VM.
RELOADS=${MG_RELOADS:-1000}
[ -n "${MG_VM:-}" ] && RELOADS=${MG_RELOADS:-100}
rm -f "$TMP/opener.stop"
(
	n=0 wrong=0
	while [ ! -e "$TMP/opener.stop" ]; do
		"$TRY" --cgroup "$SCOPE_CG" open "$TMP/models/small/model.gguf" >"$TMP/o1" 2>/dev/null
		grep -qx 'ok read=1' "$TMP/o1" || wrong=$((wrong + 1))
		"$TRY" --cgroup "$SCOPE_CG" open "$PROHIBITED" >"$TMP/o2" 2>/dev/null
		grep -q 'read=' "$TMP/o2" && wrong=$((wrong + 1))
		n=$((n + 1))
	done
	echo "$n $wrong" >"$TMP/opener.result"
) &
OPENER=$!
gen1=$(generation)
failed=0
i=0
while [ "$i" -lt "$RELOADS" ]; do
	# mguard reload waits for the daemon to take each one.
	if ! "$MGUARD" reload --policy "$TMP/policy" --pin-dir "$PIN" >"$TMP/reload.out" 2>&1; then
		failed=$((failed + 1))
		[ "$failed" = 1 ] && sed 's/^/#   first failed reload: /' "$TMP/reload.out"
	fi
	i=$((i + 1))
done
touch "$TMP/opener.stop"
wait "$OPENER"
read -r opens wrong <"$TMP/opener.result"
gen_now=$(generation)
check "$RELOADS reloads all took effect" all "[ $failed = 0 ] && [ $gen_now = $((gen1 + RELOADS)) ]"
check "no wrong verdict in $opens open pairs during $RELOADS reloads" all "[ $opens -gt 0 ] && [ $wrong = 0 ]"

# Two daemons at once: the second refuses.
"$MGUARD" start --foreground --policy "$TMP/policy" --pin-dir "$PIN" >/dev/null 2>"$TMP/second.log"
rc=$?
check "a second daemon on the same pin folder refuses" all "[ $rc = 1 ] && grep -q 'already running' '$TMP/second.log'"

# A flood of events while the daemon reads nothing: drops are counted exactly.
kill -STOP "$DPID"
deny0=$(status_field sendmsg4 deny)
lines0=$(count_lines "$TMP/events.jsonl" '"hook":"sendmsg4"')
drop0=$("$MGUARD" status --json --pin-dir "$PIN" | sed -n 's/.*"events_dropped":\([0-9]*\).*/\1/p')
FLOOD=60000
"$BUILD/tests/helpers/mg-flood" "$SCOPE_CG" $FLOOD 127.0.0.1 "$PORT_DENIED" >"$TMP/flood.out"
kill -CONT "$DPID"
check "the flood was denied in full" grep -qx "denied $FLOOD of $FLOOD" "$TMP/flood.out"
sleep 2
deny1=$(status_field sendmsg4 deny)
drop1=$("$MGUARD" status --json --pin-dir "$PIN" | sed -n 's/.*"events_dropped":\([0-9]*\).*/\1/p')
lines1=$(count_lines "$TMP/events.jsonl" '"hook":"sendmsg4"')
check "the denials were all counted" [ $((deny1 - deny0)) = $FLOOD ]
check "events dropped by the full ring buffer are counted (some were)" [ $((drop1 - drop0)) -gt 0 ]
check "events written + events dropped = denials, exactly" \
	[ $((lines1 - lines0 + drop1 - drop0)) = $FLOOD ]
check "the drops are reported as an event, with their exact count" wait_for 5 has_line "$TMP/events.jsonl" \
	'"type":"events_dropped"' "\"dropped\":$((drop1 - drop0))," "\"dropped_total\":$drop1}"

# Whoever owns the scope's cgroup (a unit's service manager, a container
# runtime) replaces the programs there: mguard has none there. Its programs sit
# on the parent, which that owner does not own, and hold below it.
cgid=$(stat -c %i "$SCOPE_CG")
check "no mguard program is attached on the scope's own cgroup" \
	[ -z "$(find "$PIN" -name "link_*_$cgid")" ]
check "the device program is attached on the scope's parent" \
	[ -e "$PIN/link_device_$(stat -c %i "$CG")" ]
try_in_scope "$TMP/out" open "$TMP/dev/nvidia1" >/dev/null
check "GPU 1 is denied by the program on the parent" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/dev/nvidia0" >/dev/null
check "and GPU 0 still passes" grep -qx 'errno ENXIO' "$TMP/out"

# The daemon dies: enforcement holds, and a new daemon adopts what is pinned.
# The new one runs with a low event rate, for the rate-limit test below.
gen2=$(generation)
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null
expect_file_denied "with the daemon killed, a prohibited open is still denied" "$PROHIBITED"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "with the daemon killed, a denied connect is still denied" grep -qx 'errno EPERM' "$TMP/out"
st=$(attack_in "$TMP/out" bpf-obj-get "$(find "$PIN" -maxdepth 1 -name 'link_*' | head -n 1)")
check "with the daemon killed, bpf() on a pin from the scope is still $REFUSED" \
	refused "$st" "$TMP/out" 'errno EPERM'
st=$(attack_in "$TMP/out" signal kill $$)
check "with the daemon killed, a signal from the scope to outside is still $REFUSED" \
	refused "$st" "$TMP/out" 'errno EPERM'
"$MGUARD" start --foreground --policy "$TMP/policy" --pin-dir "$PIN" \
	--event-rate 1000 --metrics-file "$TMP/mguard.prom" >>"$TMP/events.jsonl" 2>"$TMP/daemon2.log" &
DPID=$!
check "a new daemon starts and adopts the pinned state" \
	wait_for 60 grep -qs 'mguard: ready' "$TMP/daemon2.log"
check "it said it adopted" grep -q 'adopting the maps and links pinned' "$TMP/daemon2.log"
check "the generation went on from where it was" [ "$(generation)" = $((gen2 + 1)) ]
expect_file_denied "after adoption a prohibited open is denied" "$PROHIBITED"
try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "after adoption an allowed open works" grep -qx 'ok read=1' "$TMP/out"
check "the metrics file is written, with the generation and the decisions" wait_for 5 \
	all "grep -qx 'mguard_policy_generation $((gen2 + 1))' '$TMP/mguard.prom' && grep -q '^mguard_decisions_total{hook=\"file_open\",verdict=\"allow\"' '$TMP/mguard.prom'"
check "after adoption exactly one set of links is pinned (two scopes share their parent's)" \
	all "[ $(find "$PIN" -maxdepth 1 -name "link_connect4_$(stat -c %i "$CG")" | wc -l) = 1 ] && [ $(find "$PIN" -maxdepth 1 -name 'link_connect4_*' | wc -l) = 1 ]"

# A noisy scope is rate-limited in the kernel, with a summary when the limit
# kicks in and when it lifts; every decision is still made.
sleep 1.1
limited0=$("$MGUARD" status --json --pin-dir "$PIN" | sed -n 's/.*"events_rate_limited":\([0-9]*\).*/\1/p')
deny0=$(status_field sendmsg4 deny)
"$BUILD/tests/helpers/mg-flood" "$SCOPE_CG" 5000 127.0.0.1 "$PORT_DENIED" >"$TMP/flood.out"
check "a flood over the rate is still denied in full" grep -qx 'denied 5000 of 5000' "$TMP/flood.out"
check "every one of them was decided and counted" [ $(($(status_field sendmsg4 deny) - deny0)) = 5000 ]
check "a summary event says the scope is rate-limited" wait_for 5 has_line "$TMP/events.jsonl" \
	'"reason":"rate-limited"' '"scope":"guarded"' '"limit":1000'
sleep 1.1
try_in_scope "$TMP/out" sendto 127.0.0.1 "$PORT_DENIED" >/dev/null
limited1=$("$MGUARD" status --json --pin-dir "$PIN" | sed -n 's/.*"events_rate_limited":\([0-9]*\).*/\1/p')
check "status counts the suppressed events" [ $((limited1 - limited0)) -ge 3000 ]
check "a summary event says the limit lifted, with how many were suppressed" wait_for 5 has_line \
	"$TMP/events.jsonl" '"reason":"rate-resumed"' "\"suppressed\":$((limited1 - limited0))}"

# The scope's cgroup is removed and made again: guarded again.
rmdir "$SCOPE_CG" 2>/dev/null
mkdir -p "$SCOPE_CG"
sleep 3
expect_file_denied "after the scope's cgroup was re-created, a prohibited open is denied" "$PROHIBITED"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "after the scope's cgroup was re-created, a denied connect is denied" grep -qx 'errno EPERM' "$TMP/out"
