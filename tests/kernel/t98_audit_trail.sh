# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# --- the audit trail: a signed hash chain through rotated event files, then tampered with ---

AUD=$TMP/audit
mkdir -p "$AUD"
"$MGUARD" audit keygen --out "$AUD/host.key" --pub "$AUD/host.pub" 2>"$AUD/keygen.err"
check "audit keygen makes a private key of mode 0600 and a public key" \
	all "[ \"\$(stat -c %a '$AUD/host.key')\" = 600 ] && grep -q 'BEGIN PUBLIC KEY' '$AUD/host.pub'"
"$MGUARD" audit keygen --out "$AUD/other.key" --pub "$AUD/other.pub" 2>/dev/null

# This test needs a daemon of its own options: the one running makes way for it.
kill "$DPID"
wait "$DPID"
DPID=

# A key that every user may read, or that is not a key, is refused before anything loads.
cp "$AUD/host.key" "$AUD/open.key"
chmod 0644 "$AUD/open.key"
"$MGUARD" start --foreground --policy "$TMP/policy" --pin-dir "$PIN" --log-dir "$AUD/log0" \
	--audit-key "$AUD/open.key" >/dev/null 2>"$AUD/open.err"
rc=$?
check "a world-readable audit key is refused, with why" \
	all "[ $rc = 1 ] && grep -q 'open.key: private key is accessible to every user (mode 0644)' '$AUD/open.err' && [ ! -e '$PIN' ]"
cp "$AUD/host.pub" "$AUD/pub.key"
chmod 0600 "$AUD/pub.key"
"$MGUARD" start --foreground --policy "$TMP/policy" --pin-dir "$PIN" --log-dir "$AUD/log0" \
	--audit-key "$AUD/pub.key" >/dev/null 2>"$AUD/pub.err"
rc=$?
check "a public key given as the audit key is refused, with why" \
	all "[ $rc = 1 ] && grep -q 'pub.key: not an unencrypted PEM private key' '$AUD/pub.err'"
"$MGUARD" start --foreground --policy "$TMP/policy" --pin-dir "$PIN" \
	--audit-key "$AUD/host.key" >/dev/null 2>"$AUD/nolog.err"
rc=$?
check "--audit-key without an event file is a usage error" \
	all "[ $rc = 2 ] && grep -q 'need --log-dir' '$AUD/nolog.err'"

# The guard with the audit trail on: small files, a checkpoint every second.
LOG=$AUD/log
audit_start() { # DAEMON-LOG
	"$MGUARD" start --foreground --policy "$TMP/policy" --pin-dir "$PIN" --log-dir "$LOG" \
		--audit-key "$AUD/host.key" --audit-interval 1 --log-max-size 20000 \
		>/dev/null 2>"$1" &
	DPID=$!
	wait_for 60 grep -qs 'mguard: ready' "$1"
}
check "the guard starts with --audit-key" audit_start "$AUD/daemon1.log"
check "it says which key signs" grep -q 'audit checkpoints signed with key ed25519:' "$AUD/daemon1.log"
for _ in $(seq 60); do
	try_in_scope "$TMP/out" open "$PROHIBITED" >/dev/null
done
expect_file_denied "with the audit trail on a prohibited open is still denied" "$PROHIBITED"
try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "with the audit trail on an allowed open still works" grep -qx 'ok read=1' "$TMP/out"
check "the event file was rotated" wait_for 10 test -e "$LOG/events.jsonl.1"
check "a checkpoint is written within the interval" \
	wait_for 5 all "tail -n 1 '$LOG/events.jsonl' | grep -q '\"type\":\"checkpoint\"'"
kill "$DPID"
wait "$DPID"
check "the guard stops cleanly" [ $? = 0 ]
DPID=
check "the last line is the checkpoint written at stop" \
	all "tail -n 1 '$LOG/events.jsonl' | grep -q '\"type\":\"checkpoint\"'"
check "each line ends with its seq and the hash of the line before" \
	all "! grep -hvE ',\"seq\":[0-9]+,\"prev\":\"[0-9a-f]{64}\"}\$' '$LOG'/events.jsonl*"

# A second lifetime continues the chain of the first.
check "the guard starts again on the same event folder" audit_start "$AUD/daemon2.log"
check "it continues the chain" grep -q 'audit chain continues from' "$AUD/daemon2.log"
try_in_scope "$TMP/out" open "$PROHIBITED" >/dev/null
kill "$DPID"
wait "$DPID"
DPID=

verify() { # OUT FILE... -> exit status of mguard audit verify --key
	out=$1
	shift
	"$MGUARD" audit verify --key "$AUD/host.pub" "$@" >"$out" 2>&1
	echo $?
}
# shellcheck disable=SC2012 # names made by the event log: no odd characters
FILES=$(ls "$LOG"/events.jsonl*)
NFILES=$(echo "$FILES" | wc -l)
# shellcheck disable=SC2086
rc=$(verify "$AUD/v.out" $FILES)
check "audit verify passes the untouched files ($NFILES, any order)" \
	all "[ $rc = 0 ] && grep -q '^intact: ' '$AUD/v.out' && [ $NFILES -ge 3 ]"
# shellcheck disable=SC2086
NLINES=$(cat $FILES | wc -l)
check "audit verify counts the lines of both lifetimes" \
	grep -q "^intact: $NLINES lines, seq 1 to $NLINES in $NFILES files" "$AUD/v.out"
# shellcheck disable=SC2086 # as above
grep -q "^intact: $NLINES lines, seq 1 to $NLINES in $NFILES files" "$AUD/v.out" ||
	{ sed 's/^/#   verify: /' "$AUD/v.out"; wc -l $FILES | sed 's/^/#   wc: /'; }

# Tampering, one kind at a time, on a copy of the files.
tamper() { # SED-SCRIPT FILE
	rm -rf "$AUD/t" && cp -a "$LOG" "$AUD/t"
	sed -i "$1" "$AUD/t/$2"
}
OLD=events.jsonl.1
tamper '5s/"pid":\([0-9]\)/"pid":9\1/' "$OLD"
rc=$(verify "$AUD/v.out" "$AUD"/t/events.jsonl*)
check "an altered line fails verify (exit 1), named by file and line" \
	all "[ $rc = 1 ] && grep -q '/t/$OLD:5: tampered: line altered' '$AUD/v.out'"
tamper '7d' "$OLD"
rc=$(verify "$AUD/v.out" "$AUD"/t/events.jsonl*)
check "a removed line fails verify, named by file and line" \
	all "[ $rc = 1 ] && grep -q '/t/$OLD:7: tampered: 1 lines removed before this one' '$AUD/v.out'"
tamper '3{h;d};4G' "$OLD"
rc=$(verify "$AUD/v.out" "$AUD"/t/events.jsonl*)
check "two lines swapped fail verify" \
	all "[ $rc = 1 ] && grep -q '/t/$OLD:3: tampered: lines out of order' '$AUD/v.out'"
tamper 's/"signature":"A/"signature":"B/;t;s/"signature":"[^A]/"signature":"A/' events.jsonl
rc=$(verify "$AUD/v.out" "$AUD"/t/events.jsonl*)
check "a checkpoint with a forged signature fails verify" \
	all "[ $rc = 1 ] && grep -q 'tampered: checkpoint signature does not verify' '$AUD/v.out'"
rm -rf "$AUD/t" && cp -a "$LOG" "$AUD/t" && rm "$AUD/t/$OLD"
rc=$(verify "$AUD/v.out" "$AUD"/t/events.jsonl*)
check "a rotated file missing between two others fails verify" \
	all "[ $rc = 1 ] && grep -q 'tampered: a rotated file is missing before this one' '$AUD/v.out'"
"$MGUARD" audit verify --key "$AUD/other.pub" "$LOG"/events.jsonl* >"$AUD/v.out" 2>&1
check "files checked against another key fail verify" \
	all "[ $? = 1 ] && grep -q 'tampered: checkpoint signed by key' '$AUD/v.out'"
"$MGUARD" audit verify --key "$AUD/host.pub" "$AUD/none.jsonl" >"$AUD/v.out" 2>&1
check "a file that cannot be read is exit 2" \
	all "[ $? = 2 ] && grep -q 'none.jsonl: cannot read file' '$AUD/v.out'"

# The guard the other tests expect, back as it was.
"$MGUARD" start --foreground --policy "$TMP/policy" --pin-dir "$PIN" \
	>>"$TMP/events.jsonl" 2>"$AUD/daemon3.log" &
DPID=$!
check "the test policy's guard starts again" wait_for 60 grep -qs 'mguard: ready' "$AUD/daemon3.log"
