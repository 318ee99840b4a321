#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Kernel tier: run mguard for real on the running kernel, as root, and try
# each hook from inside a scope and from outside it.
#
#   tests/kernel/run.sh BUILD_DIR [TEST...]
#
# TEST names test files by their prefix (t50 runs t50_network.sh); several may
# be given, and MG_KERNEL_TESTS (space-separated) does the same for the VM and
# for `make test-kernel T=t50`. Without one, every t*.sh runs, in order. A name
# that matches no file fails the run.
#
# MG_EXPECT_ENGINE names the file engine this kernel must get: bpf-lsm or
# fmod-ret (the VMs of the kernel matrix) or tracepoint-kill (hosts without
# BPF LSM or trampolines, the default). The other hooks' engines are read
# from the running guard (ENGINE_GUARD, ENGINE_PATHS, ...: see lib.sh).
# Safety: everything this creates is named after its pid (pin folder, cgroup),
# programs attach only to that cgroup, and every exit path cleans up.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/kernel/lib.sh

BUILD=${1:-build}
[ $# -gt 0 ] && shift
ONLY="$* ${MG_KERNEL_TESTS:-}"
MGUARD=$BUILD/mguard
TRY=$BUILD/tests/helpers/mg-try
ATTACK=$BUILD/tests/helpers/mg-attack
ENGINE=${MG_EXPECT_ENGINE:-tracepoint-kill}
KERNEL=$(uname -r)

summary() {
	echo "kernel tier: $MG_PASS passed, $MG_FAIL failed (kernel $KERNEL, file engine $ENGINE${ONLY:+, only$ONLY})"
}

# The test files to source: all, or those named by prefix.
TESTS=
for name in $ONLY; do
	found=
	for t in tests/kernel/"$name"*.sh; do
		[ -f "$t" ] && found=1 && TESTS="$TESTS $t"
	done
	[ -n "$found" ] || fail "test '$name' names a file in tests/kernel/"
done
# shellcheck disable=SC2086 # word splitting trims the list
set -- $ONLY
ONLY=${*:+ $*}
[ -n "$TESTS" ] || [ -n "$ONLY" ] || TESTS=$(echo tests/kernel/t[0-9]*.sh)

if [ "$(id -u)" -ne 0 ]; then
	fail "kernel tier runs as root" "run 'sudo make test'"
	summary
	exit 1
fi
CGROOT=$(cgroup2_mount)
if [ -z "$CGROOT" ]; then
	fail "cgroup2 is mounted"
	summary
	exit 1
fi

# Leftovers of runs that died: their owner pid is gone.
for pin in /sys/fs/bpf/mguard-test-*; do
	[ -d "$pin" ] || continue
	owner=${pin##*-}
	kill -0 "$owner" 2>/dev/null || "$MGUARD" stop --pin-dir "$pin" >/dev/null 2>&1
done
for cg in "$CGROOT"/mguard-test-*; do
	[ -d "$cg" ] || continue
	owner=${cg##*-}
	kill -0 "$owner" 2>/dev/null && continue
	for sub in "$cg"/*/; do [ -d "$sub" ] && rmdir "$sub" 2>/dev/null; done
	rmdir "$cg" 2>/dev/null
done

TMP=$(mktemp -d /tmp/mguard-test.XXXXXX)
UNK=$(mktemp -d /tmp/mguard-unknown.XXXXXX)	# a folder no scope may read
BUILD_ABS=$(cd "$BUILD" && pwd)
PIN=/sys/fs/bpf/mguard-test-$$
CG_REL=/mguard-test-$$
CG=$CGROOT$CG_REL
SCOPE_CG=$CG/guarded
DEBUG_CG=$CG/debuggable	# a second scope, with allowDebug
BUDGET_CG=$CG/budgeted	# a scope of its own: its budget runs out in t88
LICB_CG=$CG/licbudget	# and one whose licence has a budget of its own (t89)
DPID=

cleanup() {
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	[ -d "$PIN" ] && "$MGUARD" stop --pin-dir "$PIN" >/dev/null 2>&1
	[ -d "$SCOPE_CG" ] && rmdir "$SCOPE_CG" 2>/dev/null
	[ -d "$DEBUG_CG" ] && rmdir "$DEBUG_CG" 2>/dev/null
	[ -d "$BUDGET_CG" ] && rmdir "$BUDGET_CG" 2>/dev/null
	[ -d "$LICB_CG" ] && rmdir "$LICB_CG" 2>/dev/null
	[ -d "$CG" ] && rmdir "$CG" 2>/dev/null
	rm -rf "$TMP" "$UNK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Weights: a prohibited model, a general one, and an ordinary file.
mkdir -p "$TMP/models/frontier/sub" "$TMP/models/small" "$TMP/policy"
printf 'weights-of-a-prohibited-model' > "$TMP/models/frontier/model-00001.safetensors"
printf 'deeper-weights' > "$TMP/models/frontier/sub/shard.bin"
printf 'weights-of-a-general-model' > "$TMP/models/small/model.gguf"
# A general model whose files t27 writes to from outside every scope.
mkdir -p "$TMP/models/taint"
for f in written truncated untouched cut; do printf 'general-weights' >"$TMP/models/taint/$f.bin"; done
# A general model with a strict manifest: only its listed file is the model.
mkdir -p "$TMP/models/strict"
printf 'strict-weights' >"$TMP/models/strict/model.safetensors"
STRICT_SUM=$(sha256sum "$TMP/models/strict/model.safetensors" | cut -d' ' -f1)
printf 'not weights' > "$TMP/notes.txt"
ln -s "$TMP/models/frontier/model-00001.safetensors" "$TMP/alias.safetensors"
ln "$TMP/models/frontier/model-00001.safetensors" "$TMP/hardlink.bin"
PROHIBITED=$TMP/models/frontier/model-00001.safetensors
# The Hugging Face cache layout: snapshots link to content-addressed blobs.
HF=$TMP/hf/models--acme--frontier-y
mkdir -p "$HF/blobs" "$HF/snapshots/0123abcd"
printf 'hf-weights' >"$HF/blobs/9f86d081884c7d65"
ln -s ../../blobs/9f86d081884c7d65 "$HF/snapshots/0123abcd/model.safetensors"
PORT_OK=18443
# shellcheck disable=SC2034 # used by the sourced test files
PORT_DENIED=18444
PORT_UDP=18445
# shellcheck disable=SC2034 # used by the sourced test files
PORT_BUDGET=18446
# shellcheck disable=SC2034 # used by the sourced test files
BUDGET_BYTES=1048576 # egressBudget of the budgeted scope: 1MiB per 20s
BUDGET_PER=20
# shellcheck disable=SC2034 # used by the sourced test files
LICB_BYTES=262144 # egressBudget of lic-budget: 256KiB per 10s, in a scope of 8MiB per 10s
LICB_PER=10

# Licences: a key pair, a licence for one controlled model, one that expires
# a few seconds after the start (the kernel must end it with no daemon help),
# and one signed by a key the policy does not trust.
mkdir -p "$TMP/keys" "$TMP/models/licensed" "$TMP/models/unlicensed" "$TMP/models/short" \
	"$TMP/models/budgetlic"
printf 'controlled-weights' > "$TMP/models/budgetlic/model.safetensors"
printf 'controlled-weights' > "$TMP/models/licensed/model.safetensors"
printf 'controlled-weights' > "$TMP/models/unlicensed/model.safetensors"
printf 'controlled-weights' > "$TMP/models/short/model.safetensors"
"$MGUARD" license keygen "$TMP/keys/issuer.key" "$TMP/policy/issuer.pub" >/dev/null 2>&1
"$MGUARD" license keygen "$TMP/keys/rogue.key" "$TMP/keys/rogue.pub" >/dev/null 2>&1
NOW=$(date +%s)
rfc3339() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# Long enough for the guard to start and reach its first check; under the VM's
# emulation (MG_VM, set by tests/vm/init.sh) loading and attaching every
# program takes far longer.
SHORT_UNTIL=$((NOW + 25))
[ -n "${MG_VM:-}" ] && SHORT_UNTIL=$((NOW + 60))
write_license() { # FILE ID MODEL NOT_AFTER [EGRESS-LINE]
	cat > "$1" <<LIC
apiVersion: mguard/v1
kind: License
id: $2
useCase: kernel-tier-test
scope: ${LIC_SCOPE:-guarded}
models: [$3]
notBefore: $(rfc3339 $((NOW - 60)))
notAfter: $(rfc3339 "$4")
issuer: mguard-tests
${5:-}
LIC
}
# The long licence narrows a process that loads its model to one UDP port.
write_license "$TMP/keys/long.draft" lic-long licensed-70b $((NOW + 3600)) \
	"egress: [\"127.0.0.1:$PORT_UDP/udp\"]"
write_license "$TMP/keys/short.draft" lic-short short-lived $SHORT_UNTIL
write_license "$TMP/keys/forged.draft" lic-forged unlicensed-70b $((NOW + 3600))
# lic-budget: what a process that loads its model may send, within its scope's budget.
LIC_SCOPE=licensed-budget write_license "$TMP/keys/budget.draft" lic-budget budget-70b \
	$((NOW + 3600)) "egressBudget: {bytes: 256KiB, per: ${LICB_PER}s}"
"$MGUARD" license sign --key "$TMP/keys/issuer.key" "$TMP/keys/long.draft" -o "$TMP/policy/long.lic" 2>/dev/null
"$MGUARD" license sign --key "$TMP/keys/issuer.key" "$TMP/keys/short.draft" -o "$TMP/policy/short.lic" 2>/dev/null
"$MGUARD" license sign --key "$TMP/keys/rogue.key" "$TMP/keys/forged.draft" -o "$TMP/policy/forged.lic" 2>/dev/null
"$MGUARD" license sign --key "$TMP/keys/issuer.key" "$TMP/keys/budget.draft" -o "$TMP/policy/budget.lic" 2>/dev/null

cat > "$TMP/policy/policy.yaml" <<YAML
apiVersion: mguard/v1
mode: enforce
trustedKeys: [issuer.pub]
tiers:
  - {name: general, level: 1}
  - {name: controlled, level: 2, requiresLicense: true, when: ["mmlu >= 85"]}
  - {name: prohibited, level: 3}
models:
  - name: frontier-x
    tier: prohibited
    files: [$TMP/models/frontier/]
  - name: frontier-y
    tier: prohibited
    files: [$HF/snapshots/0123abcd/]
  - name: small-1b
    tier: general
    files: [$TMP/models/small/model.gguf]
  - name: taint-1b
    tier: general
    files: [$TMP/models/taint/]
  - name: strict-1b
    tier: general
    manifest: strict
    files: [$TMP/models/strict/]
    sha256: {model.safetensors: $STRICT_SUM}
  - name: licensed-70b
    files: [$TMP/models/licensed/]
    metrics: {mmlu: 86.0}
  - name: unlicensed-70b
    files: [$TMP/models/unlicensed/]
    metrics: {mmlu: 88.5}
  - name: short-lived
    tier: controlled
    files: [$TMP/models/short/]
  - name: budget-70b
    files: [$TMP/models/budgetlic/]
    metrics: {mmlu: 86.0}
scopes:
  - name: guarded
    cgroup: $CG_REL/guarded
    maxTier: controlled
    licenses: [long.lic, short.lic, forged.lic]
    egress: ["127.0.0.1:$PORT_OK/tcp", "[::1]:$PORT_OK/tcp", "127.0.0.1:$PORT_UDP/udp", "[::1]:$PORT_UDP/udp"]
    gpus: [0]
    outputs: [$TMP/outputs/, $TMP/runc-state/]
    unixSockets: [$TMP/sockets/]
    reads: [$TMP/, $BUILD_ABS/]
    devices: [$TMP/dev/blocklisted]
  - name: debuggable
    cgroup: $CG_REL/debuggable
    maxTier: general
    allowDebug: true
    outputs: [$TMP/outputs/]
  - name: budgeted
    cgroup: $CG_REL/budgeted
    maxTier: general
    egress: ["127.0.0.1:$PORT_BUDGET"]
    egressBudget: {bytes: 1MiB, per: ${BUDGET_PER}s}
    reads: [$BUILD_ABS/]
  - name: licensed-budget
    cgroup: $CG_REL/licbudget
    maxTier: controlled
    licenses: [budget.lic]
    egress: ["127.0.0.1:$PORT_BUDGET"]
    egressBudget: {bytes: 8MiB, per: ${LICB_PER}s}
    reads: [$BUILD_ABS/]
YAML
mkdir -p "$TMP/sockets"
mkdir -p "$TMP/outputs/deep/er"
# A container runtime's state folder (runc --root): its setup may copy the
# runtime's binary there, from inside the container's cgroup.
mkdir -p "$TMP/runc-state"

# Fake GPU nodes (no driver needed): the cgroup check comes before the driver,
# so an allowed node fails with ENXIO and a denied one with EPERM.
mkdir -p "$TMP/dev"
mknod "$TMP/dev/nvidia0" c 195 0
mknod "$TMP/dev/nvidia1" c 195 1
mknod "$TMP/dev/renderD129" c 226 129
mknod "$TMP/dev/null" c 1 3
mknod "$TMP/dev/blocklisted" b 7 251	# in the scope's 'devices': a block device it may open

mkdir -p "$CG" "$DEBUG_CG"
"$MGUARD" start --foreground --policy "$TMP/policy" --pin-dir "$PIN" \
	>"$TMP/events.jsonl" 2>"$TMP/daemon.log" &
DPID=$!
if ! wait_for 60 grep -qs 'mguard: ready' "$TMP/daemon.log"; then
	fail "mguard starts on the test policy" "$(cat "$TMP/daemon.log")"
	summary
	exit 1
fi
pass "mguard starts on the test policy"
# The engine in force per hook, from status: a test of a hook expects what
# that hook's engine does, not the file engine's answer (t10 checks them).
"$MGUARD" status --json --pin-dir "$PIN" >"$TMP/engines.json" 2>&1
# shellcheck disable=SC2034 # used by the sourced test files
{
	ENGINE_RECEIVE=$(hook_engine file_receive)
	ENGINE_GUARD=$(hook_engine bpf)
	ENGINE_PATHS=$(hook_engine paths)
	ENGINE_SOCKET=$(hook_engine socket)
	ENGINE_SYSCALLS=$(hook_engine syscalls)
	# What a refusal of the guard's hooks is: an error, or the caller killed on the attempt.
	REFUSED="caller killed"
	refuses "$ENGINE_GUARD" && REFUSED=refused
}
check "the forged licence is refused at start, with its reason" \
	grep -q "licence '$TMP/policy/forged.lic' refused: signature matches no trusted key" "$TMP/daemon.log"

# The tests, in order: each file is sourced here, sharing the running guard.
for t in $TESTS; do
	# shellcheck source=/dev/null
	. "$t"
done

# --- stop ------------------------------------------------------------------------
kill "$DPID"
wait "$DPID"
check "daemon exits cleanly on SIGTERM" [ $? = 0 ]
DPID=
check "nothing is left pinned after the daemon stops" [ ! -e "$PIN" ]
mkdir -p "$SCOPE_CG"
# The kernel frees a detached program after a grace period: within seconds
# (6.12 in the emulated VM: under 3 s; 6.1 and 6.18 at once).
unguarded_after_stop() {
	try_in_scope "$TMP/out" open "$PROHIBITED" >/dev/null
	grep -qx 'ok read=1' "$TMP/out"
}
check "after stop the scope is no longer guarded" wait_for 10 unguarded_after_stop

summary
[ "$MG_FAIL" -eq 0 ]
