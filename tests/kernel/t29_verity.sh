# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# fs-verity digests. A model 'verity-1b' gives its files fs-verity digests
# next to their SHA-256: good.bin (sealed, the policy's digest), wrong.bin
# (sealed, the policy gives another digest) and plain.bin (no fs-verity).
# Where the kernel checks fs-verity (BPF LSM, bpf_get_fsverity_digest and
# file_post_open: 6.9+) the last two are denied at every open; elsewhere
# probe names the gap and the SHA-256 digests and taint on write serve.
# The ext4 image with '-O verity' is loop-mounted in the VM only; on the host
# the files live on its own file system, where seal must refuse cleanly.

# --- fs-verity -------------------------------------------------------------------
VROOT=$TMP/verity
mkdir -p "$VROOT"
VIMG=
if [ "$ENGINE" = bpf-lsm ]; then
	VIMG=$TMP/verity.img
	if ! { truncate -s 32M "$VIMG" && mkfs.ext4 -q -F -b 4096 -O verity "$VIMG" &&
		mount -o loop "$VIMG" "$VROOT"; } >"$TMP/verity-mkfs.log" 2>&1; then
		fail "an ext4 image with -O verity is made and mounted" "$(cat "$TMP/verity-mkfs.log")"
		VIMG=
	else
		pass "an ext4 image with -O verity is made and mounted"
	fi
fi
# Does this kernel check fs-verity digests? BPF LSM and a kernel of 6.9 or later.
KMAJ=${KERNEL%%.*}
KMIN=${KERNEL#*.}
KMIN=${KMIN%%.*}
VERITY_KERNEL=no
[ "$ENGINE" = bpf-lsm ] && { [ "$KMAJ" -gt 6 ] || [ "$KMIN" -ge 9 ]; } && VERITY_KERNEL=yes

"$MGUARD" probe >"$TMP/probe.txt" 2>&1
if [ "$VERITY_KERNEL" = yes ]; then
	check "probe: the verity hook gets bpf-lsm" grep -Eq '^  verity +bpf-lsm$' "$TMP/probe.txt"
	check "probe: the verity program loads" grep -q '^  verity_loads .*yes' "$TMP/probe.txt"
	check "probe names no verity gap" all "! grep -q '^  verity  .*not checked' '$TMP/probe.txt'"
else
	check "probe: fs-verity is not checked by this kernel, SHA-256 serves" \
		grep -Eq '^  verity +none .*SHA-256 digests and taint on write serve' "$TMP/probe.txt"
	check "probe names the gap 'verity'" grep -Eq '^  verity +fs-verity digests in the policy' "$TMP/probe.txt"
fi
"$MGUARD" status --pin-dir "$PIN" >"$TMP/status.txt" 2>&1
check "status names the same verity engine as probe" \
	all "grep -E '^  verity ' '$TMP/probe.txt' | head -1 | awk '{print \$2}' | grep -qx \"\$(grep -E '^ *verity ' '$TMP/status.txt' | head -1 | awk '{print \$2}')\""

mkdir -p "$VROOT/sealed" "$VROOT/plain"
printf 'verity-weights-good' >"$VROOT/sealed/good.bin"
printf 'verity-weights-wrong' >"$VROOT/sealed/wrong.bin"
printf 'verity-weights-plain' >"$VROOT/plain/plain.bin"
"$MGUARD" model seal "$VROOT/sealed" >"$TMP/seal.out" 2>"$TMP/seal.err"
SEAL_RC=$?
if [ -n "$VIMG" ]; then
	check "model seal enables fs-verity on the model's files" [ "$SEAL_RC" = 0 ]
	check "model seal prints a verity entry per file" \
		all "grep -Eq '^      good.bin: sha256:[0-9a-f]{64}$' '$TMP/seal.out' && grep -Eq '^      wrong.bin: sha256:[0-9a-f]{64}$' '$TMP/seal.out'"
	check "model seal prints the SHA-256 of each file" \
		grep -qx "      good.bin: $(sha256sum "$VROOT/sealed/good.bin" | cut -d' ' -f1)" "$TMP/seal.out"
	GOOD_V=$(sed -n 's/^      good.bin: sha256:\([0-9a-f]*\)$/\1/p' "$TMP/seal.out")
	WRONG_V=$(sed -n 's/^      wrong.bin: sha256:\([0-9a-f]*\)$/\1/p' "$TMP/seal.out")
	printf x 2>/dev/null >>"$VROOT/sealed/good.bin"
	check "a sealed file can no longer be written" \
		[ "$(cat "$VROOT/sealed/good.bin")" = verity-weights-good ]
	"$MGUARD" model seal "$VROOT/sealed" >"$TMP/seal2.out" 2>&1
	check "sealing again measures the files as they are" \
		grep -qx "      good.bin: sha256:$GOOD_V" "$TMP/seal2.out"
else
	check "model seal refuses a file system without fs-verity, exit 1" [ "$SEAL_RC" = 1 ]
	check "and says so, with nothing sealed" \
		all "grep -q 'has no fs-verity support' '$TMP/seal.err' && grep -q 'nothing was sealed' '$TMP/seal.err' && [ ! -s '$TMP/seal.out' ]"
	GOOD_V=1111111111111111111111111111111111111111111111111111111111111111
	WRONG_V=$GOOD_V
fi
# The policy's digest of wrong.bin is not the file's: its first digit changed.
case $WRONG_V in
0*) WRONG_V=1${WRONG_V#?} ;;
*) WRONG_V=0${WRONG_V#?} ;;
esac
sum() { sha256sum "$1" | cut -d' ' -f1; }
cat >"$TMP/policy/verity.yaml" <<YAML
apiVersion: mguard/v1
models:
  - name: verity-1b
    tier: general
    files: [$VROOT/sealed/, $VROOT/plain/]
    sha256:
      good.bin: $(sum "$VROOT/sealed/good.bin")
      wrong.bin: $(sum "$VROOT/sealed/wrong.bin")
      plain.bin: $(sum "$VROOT/plain/plain.bin")
    verity:
      good.bin: sha256:$GOOD_V
      wrong.bin: sha256:$WRONG_V
      plain.bin: sha256:$GOOD_V
YAML
"$MGUARD" policy check "$TMP/policy" >"$TMP/verity-check.out" 2>&1
check "policy check accepts the verity entries" [ $? = 0 ]
"$MGUARD" reload --policy "$TMP/policy" --pin-dir "$PIN" >"$TMP/reload.out" 2>&1
check "reload with fs-verity digests succeeds" [ $? = 0 ]

try_in_scope "$TMP/out" open "$VROOT/sealed/good.bin" >/dev/null
check "verity match: the scope loads the sealed file" grep -qx 'ok read=1' "$TMP/out"
"$MGUARD" run --policy "$TMP/policy" --scope guarded --pin-dir "$PIN" -- "$TRY" open "$VROOT/sealed/good.bin" \
	>"$TMP/out" 2>/dev/null
check "verity match: and under mguard run" grep -qx 'ok read=1' "$TMP/out"
if [ "$VERITY_KERNEL" = yes ]; then
	try_in_scope "$TMP/out" open "$VROOT/sealed/wrong.bin" >/dev/null
	check "verity mismatch: EPERM in scope" grep -qx 'errno EPERM' "$TMP/out"
	check "event for the mismatch, reason verity-mismatch" wait_for 10 has_line "$TMP/events.jsonl" \
		'"hook":"verity"' '"reason":"verity-mismatch"' '"name":"wrong.bin"' '"model":"verity-1b"'
	"$MGUARD" run --policy "$TMP/policy" --scope guarded --pin-dir "$PIN" -- "$TRY" open "$VROOT/sealed/wrong.bin" \
		>"$TMP/out" 2>/dev/null
	check "verity mismatch: EPERM under mguard run" grep -qx 'errno EPERM' "$TMP/out"
	try_in_scope "$TMP/out" open "$VROOT/plain/plain.bin" >/dev/null
	check "verity absent: EPERM in scope" grep -qx 'errno EPERM' "$TMP/out"
	check "event for the absent digest, reason verity-absent" wait_for 10 has_line "$TMP/events.jsonl" \
		'"hook":"verity"' '"reason":"verity-absent"' '"name":"plain.bin"' '"model":"verity-1b"'
	# A cold inode: dropped from the cache, its verity state is read again at open.
	sync
	echo 2 >/proc/sys/vm/drop_caches
	try_in_scope "$TMP/out" open "$VROOT/sealed/good.bin" >/dev/null
	check "verity match after the inode left the cache" grep -qx 'ok read=1' "$TMP/out"
	try_in_scope "$TMP/out" mmap-inherited "$VROOT/sealed/wrong.bin" >/dev/null
	check "verity mismatch: a descriptor opened before the scope cannot be mapped" \
		grep -qx 'errno EPERM' "$TMP/out"
else
	try_in_scope "$TMP/out" open "$VROOT/sealed/wrong.bin" >/dev/null
	check "no kernel check: the SHA-256 digest serves, the file loads" grep -qx 'ok read=1' "$TMP/out"
	try_in_scope "$TMP/out" open "$VROOT/plain/plain.bin" >/dev/null
	check "no kernel check: a file without fs-verity loads by its SHA-256" grep -qx 'ok read=1' "$TMP/out"
	check "no verity events where the kernel cannot check" \
		all "[ \$(count_lines '$TMP/events.jsonl' '\"hook\":\"verity\"') = 0 ]"
	if [ -z "$VIMG" ]; then
		# Taint on write serves: a write-open of the file marks it, from outside every scope.
		printf 'planted' >>"$VROOT/plain/plain.bin"
		expect_file_denied "no kernel check: a file written since verified" "$VROOT/plain/plain.bin"
		check "event for the written file, reason tainted" wait_for 10 has_line "$TMP/events.jsonl" \
			'"reason":"tainted"' '"name":"plain.bin"' '"model":"verity-1b"'
	fi
fi
try_outside "$TMP/out" open "$VROOT/sealed/wrong.bin" >/dev/null
check "outside every scope the file opens" grep -qx 'ok read=1' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "a model without verity digests still loads" grep -qx 'ok read=1' "$TMP/out"

# A wrong SHA-256 beside a verity digest refuses the model on every kernel.
printf 'tampered' >"$VROOT/plain/tampered.bin"
cat >"$TMP/policy/verity-tampered.yaml" <<YAML
apiVersion: mguard/v1
models:
  - name: verity-tampered
    tier: general
    files: [$VROOT/plain/tampered.bin]
    sha256: {$VROOT/plain/tampered.bin: $(printf 'original' | sha256sum | cut -d' ' -f1)}
    verity: {$VROOT/plain/tampered.bin: 'sha256:$GOOD_V'}
YAML
"$MGUARD" reload --policy "$TMP/policy" --pin-dir "$PIN" >"$TMP/reload.out" 2>&1
check "reload names the file whose SHA-256 is wrong" wait_for 10 grep -q "model 'verity-tampered' refused" "$TMP/daemon.log"
expect_file_denied "a verity-listed file of a refused model" "$VROOT/plain/tampered.bin"

# A file under 'verity' without its SHA-256: policy check says where.
cat >"$TMP/verity-bad.yaml" <<YAML
apiVersion: mguard/v1
models:
  - name: m
    tier: general
    files: [$VROOT/sealed/]
    verity: {good.bin: 'sha256:$GOOD_V'}
YAML
mkdir -p "$TMP/policy-verity-bad"
cp "$TMP/verity-bad.yaml" "$TMP/policy-verity-bad/p.yaml"
"$MGUARD" policy check "$TMP/policy-verity-bad" >"$TMP/verity-check.out" 2>&1
check "policy check refuses a verity digest without its SHA-256, at file:line:col" \
	all "[ $? = 1 ] && grep -q 'p.yaml:6:14: .*has an fs-verity digest but no SHA-256' '$TMP/verity-check.out'"

rm -f "$TMP/policy/verity.yaml" "$TMP/policy/verity-tampered.yaml"
"$MGUARD" reload --policy "$TMP/policy" --pin-dir "$PIN" >"$TMP/reload.out" 2>&1
check "reload back to the test policy" [ $? = 0 ]
[ -z "$VIMG" ] || umount "$VROOT" 2>/dev/null
