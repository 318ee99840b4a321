#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Kernel tier: run mguard for real on the running kernel, as root, and try
# each hook from inside a scope and from outside it.
#
#   tests/kernel/run.sh BUILD_DIR
#
# MG_EXPECT_ENGINE names the file engine this kernel must get: bpf-lsm (the
# test VM) or tracepoint-kill (hosts without BPF LSM, the default).
# Safety: everything this creates is named after its pid (pin folder, cgroup),
# programs attach only to that cgroup, and every exit path cleans up.
set -u
cd "$(dirname "$0")/../.."
. tests/kernel/lib.sh

BUILD=${1:-build}
MGUARD=$BUILD/mguard
TRY=$BUILD/tests/helpers/mg-try
ENGINE=${MG_EXPECT_ENGINE:-tracepoint-kill}
KERNEL=$(uname -r)

summary() {
	echo "kernel tier: $MG_PASS passed, $MG_FAIL failed (kernel $KERNEL, file engine $ENGINE)"
}

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
PIN=/sys/fs/bpf/mguard-test-$$
CG_REL=/mguard-test-$$
CG=$CGROOT$CG_REL
SCOPE_CG=$CG/guarded
DPID=

cleanup() {
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	[ -d "$PIN" ] && "$MGUARD" stop --pin-dir "$PIN" >/dev/null 2>&1
	[ -d "$SCOPE_CG" ] && rmdir "$SCOPE_CG" 2>/dev/null
	[ -d "$CG" ] && rmdir "$CG" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Weights: a prohibited model, a general one, and an ordinary file.
mkdir -p "$TMP/models/frontier/sub" "$TMP/models/small" "$TMP/policy"
printf 'weights-of-a-prohibited-model' > "$TMP/models/frontier/model-00001.safetensors"
printf 'deeper-weights' > "$TMP/models/frontier/sub/shard.bin"
printf 'weights-of-a-general-model' > "$TMP/models/small/model.gguf"
printf 'not weights' > "$TMP/notes.txt"
ln -s "$TMP/models/frontier/model-00001.safetensors" "$TMP/alias.safetensors"
ln "$TMP/models/frontier/model-00001.safetensors" "$TMP/hardlink.bin"
PROHIBITED=$TMP/models/frontier/model-00001.safetensors
PORT_OK=18443
PORT_DENIED=18444
PORT_UDP=18445

# Licences: a key pair, a licence for one controlled model, one that expires
# a few seconds after the start (the kernel must end it with no daemon help),
# and one signed by a key the policy does not trust.
mkdir -p "$TMP/keys" "$TMP/models/licensed" "$TMP/models/unlicensed" "$TMP/models/short"
printf 'controlled-weights' > "$TMP/models/licensed/model.safetensors"
printf 'controlled-weights' > "$TMP/models/unlicensed/model.safetensors"
printf 'controlled-weights' > "$TMP/models/short/model.safetensors"
"$MGUARD" license keygen "$TMP/keys/issuer.key" "$TMP/policy/issuer.pub" >/dev/null 2>&1
"$MGUARD" license keygen "$TMP/keys/rogue.key" "$TMP/keys/rogue.pub" >/dev/null 2>&1
NOW=$(date +%s)
rfc3339() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
SHORT_UNTIL=$((NOW + 8))
write_license() { # FILE ID MODEL NOT_AFTER
	cat > "$1" <<LIC
apiVersion: mguard/v1
kind: License
id: $2
useCase: kernel-tier-test
scope: guarded
models: [$3]
notBefore: $(rfc3339 $((NOW - 60)))
notAfter: $(rfc3339 "$4")
issuer: mguard-tests
LIC
}
write_license "$TMP/keys/long.draft" lic-long licensed-70b $((NOW + 3600))
write_license "$TMP/keys/short.draft" lic-short short-lived $SHORT_UNTIL
write_license "$TMP/keys/forged.draft" lic-forged unlicensed-70b $((NOW + 3600))
"$MGUARD" license sign --key "$TMP/keys/issuer.key" "$TMP/keys/long.draft" -o "$TMP/policy/long.lic" 2>/dev/null
"$MGUARD" license sign --key "$TMP/keys/issuer.key" "$TMP/keys/short.draft" -o "$TMP/policy/short.lic" 2>/dev/null
"$MGUARD" license sign --key "$TMP/keys/rogue.key" "$TMP/keys/forged.draft" -o "$TMP/policy/forged.lic" 2>/dev/null

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
  - name: small-1b
    tier: general
    files: [$TMP/models/small/model.gguf]
  - name: licensed-70b
    files: [$TMP/models/licensed/]
    metrics: {mmlu: 86.0}
  - name: unlicensed-70b
    files: [$TMP/models/unlicensed/]
    metrics: {mmlu: 88.5}
  - name: short-lived
    tier: controlled
    files: [$TMP/models/short/]
scopes:
  - name: guarded
    cgroup: $CG_REL/guarded
    maxTier: controlled
    licenses: [long.lic, short.lic, forged.lic]
    egress: ["127.0.0.1:$PORT_OK/tcp", "[::1]:$PORT_OK/tcp", "127.0.0.1:$PORT_UDP/udp", "[::1]:$PORT_UDP/udp"]
    gpus: [0]
    outputs: [$TMP/outputs/]
YAML
mkdir -p "$TMP/outputs/deep/er"

# Fake GPU nodes (no driver needed): the cgroup check comes before the driver,
# so an allowed node fails with ENXIO and a denied one with EPERM.
mkdir -p "$TMP/dev"
mknod "$TMP/dev/nvidia0" c 195 0
mknod "$TMP/dev/nvidia1" c 195 1
mknod "$TMP/dev/renderD129" c 226 129
mknod "$TMP/dev/null" c 1 3

mkdir -p "$CG"
"$MGUARD" start --foreground --policy "$TMP/policy" --pin-dir "$PIN" \
	>"$TMP/events.jsonl" 2>"$TMP/daemon.log" &
DPID=$!
if ! wait_for 60 grep -qs 'mguard: ready' "$TMP/daemon.log"; then
	fail "mguard starts on the test policy" "$(cat "$TMP/daemon.log")"
	summary
	exit 1
fi
pass "mguard starts on the test policy"
check "the forged licence is refused at start, with its reason" \
	grep -q "licence '$TMP/policy/forged.lic' refused: signature matches no trusted key" "$TMP/daemon.log"

# --- probe -------------------------------------------------------------------
"$MGUARD" probe >"$TMP/probe.txt" 2>&1
check "probe names the $ENGINE engine for file_open" \
	grep -Eq "file_open +$ENGINE" "$TMP/probe.txt"
check "probe names cgroup programs for connect4" grep -Eq "connect4 +cgroup" "$TMP/probe.txt"
"$MGUARD" probe --json >"$TMP/probe.json" 2>&1
check "probe --json names the engine" grep -q "\"file_open\": *\"$ENGINE\"" "$TMP/probe.json"

# --- weight loads --------------------------------------------------------------
# try_in_scope OUTFILE ARGS...: run mg-try inside the scope; prints its exit status.
try_in_scope() {
	out=$1
	shift
	"$TRY" --cgroup "$SCOPE_CG" "$@" >"$out" 2>/dev/null
	echo $?
}
try_outside() {
	out=$1
	shift
	"$TRY" "$@" >"$out" 2>/dev/null
	echo $?
}

# expect_denied NAME PATH: the open fails (LSM) or the process dies before reading (fallback).
expect_file_denied() {
	st=$(try_in_scope "$TMP/out" open "$2")
	case "$ENGINE" in
	bpf-lsm) check "$1: EPERM in scope" grep -qx 'errno EPERM' "$TMP/out" ;;
	*) check "$1: killed in scope before reading" [ "$st" = 137 ] && ! grep -q read= "$TMP/out" ;;
	esac
}

expect_file_denied "open of a prohibited model file" "$PROHIBITED"
VERDICT=kill
[ "$ENGINE" = bpf-lsm ] && VERDICT=deny
check "event for the denied open names file, model, tier and engine" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"file_open"' "\"verdict\":\"$VERDICT\"" "\"engine\":\"$ENGINE\"" \
	"\"path\":\"$PROHIBITED\"" '"model":"frontier-x"' '"tier":"prohibited"' '"scope":"guarded"'
expect_file_denied "open of a file deep in a prohibited model folder" "$TMP/models/frontier/sub/shard.bin"
expect_file_denied "open through a symlink to a prohibited file" "$TMP/alias.safetensors"
expect_file_denied "open through a hard link to a prohibited file" "$TMP/hardlink.bin"

try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "open of a general model in scope works" grep -qx 'ok read=1' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/notes.txt" >/dev/null
check "open of an ordinary file in scope works" grep -qx 'ok read=1' "$TMP/out"

try_outside "$TMP/out" open "$PROHIBITED" >/dev/null
check "open of a prohibited file outside every scope works" grep -qx 'ok read=1' "$TMP/out"

# Licences: a controlled model loads only through a valid licence that covers it.
try_in_scope "$TMP/out" open "$TMP/models/licensed/model.safetensors" >/dev/null
check "a controlled model covered by a valid licence loads in scope" grep -qx 'ok read=1' "$TMP/out"
expect_file_denied "a controlled model with no licence" "$TMP/models/unlicensed/model.safetensors"
check "event names the missing licence" wait_for 5 has_line "$TMP/events.jsonl" \
	'"reason":"unlicensed"' '"model":"unlicensed-70b"' '"tier":"controlled"'
try_in_scope "$TMP/out" open "$TMP/models/short/model.safetensors" >/dev/null
check "a controlled model whose licence has not expired yet loads" grep -qx 'ok read=1' "$TMP/out"

# Folder rules hold for files that did not exist when the policy loaded.
printf 'late-weights' > "$TMP/models/frontier/added-later.bin"
expect_file_denied "open of a file created in a model folder after the policy loaded" \
	"$TMP/models/frontier/added-later.bin"
printf 'moved-weights' > "$TMP/moved.bin"
try_in_scope "$TMP/out" open "$TMP/moved.bin" >/dev/null
check "open of a file outside every model folder works" grep -qx 'ok read=1' "$TMP/out"
mv "$TMP/moved.bin" "$TMP/models/frontier/sub/moved.bin"
expect_file_denied "open of that file once renamed into a model folder" "$TMP/models/frontier/sub/moved.bin"

# --- every other route to a file ----------------------------------------------------------
# expect_route_denied NAME LSM-OUTPUT ARGS...: on BPF LSM the call fails with LSM-OUTPUT;
# on the fallback engine the process dies before it can read a byte.
expect_route_denied() {
	name=$1
	want=$2
	shift 2
	st=$(try_in_scope "$TMP/out" "$@")
	case "$ENGINE" in
	bpf-lsm) check "$name: refused in scope" grep -qx "$want" "$TMP/out" ;;
	*) check "$name: killed in scope before reading" [ "$st" = 137 ] && ! grep -Eq 'read=|mapped=' "$TMP/out" ;;
	esac
}
mkdir -p "$TMP/bind"
if mount --bind "$TMP/models/frontier" "$TMP/bind"; then
	expect_file_denied "open through a bind mount of a model folder" "$TMP/bind/model-00001.safetensors"
	umount "$TMP/bind"
else
	fail "bind mount for the bind-mount route"
fi
expect_route_denied "O_PATH, then reopen through /proc/self/fd" 'errno EPERM' opath-reopen "$PROHIBITED"
try_in_scope "$TMP/out" opath-reopen "$TMP/notes.txt" >/dev/null
check "O_PATH and reopen of an ordinary file works" grep -qx 'ok read=1' "$TMP/out"
expect_route_denied "mmap of a descriptor opened before entering the scope" 'errno EPERM' mmap-inherited "$PROHIBITED"
try_in_scope "$TMP/out" mmap-inherited "$TMP/models/small/model.gguf" >/dev/null
check "mmap of an allowed model opened before entering the scope works" grep -qx 'ok mapped=1' "$TMP/out"
expect_route_denied "a descriptor passed over a UNIX socket" 'denied no-fd' recv-fd "$PROHIBITED"
try_in_scope "$TMP/out" recv-fd "$TMP/notes.txt" >/dev/null
check "an ordinary file's descriptor passed over a UNIX socket works" grep -qx 'ok read=1' "$TMP/out"
expect_route_denied "open through io_uring" 'errno EPERM' uring-open "$PROHIBITED"
case "$ENGINE" in
bpf-lsm)
	try_in_scope "$TMP/out" uring-open "$TMP/notes.txt" >/dev/null
	check "io_uring open of an ordinary file works (its opens reach file_open)" grep -qx 'ok read=1' "$TMP/out"
	;;
*)
	check "event for the closed io_uring route" wait_for 5 has_line "$TMP/events.jsonl" \
		'"hook":"io_uring"' '"verdict":"kill"' '"reason":"io_uring"'
	;;
esac

# --- outputs ---------------------------------------------------------------------------
try_in_scope "$TMP/out" write "$TMP/outputs/deep/er/answer.txt" >/dev/null
check "a write under the scope's output folder works" grep -qx 'ok wrote=1' "$TMP/out"
expect_write_denied() {
	st=$(try_in_scope "$TMP/out" write "$2")
	case "$ENGINE" in
	bpf-lsm) check "$1: EPERM in scope" grep -qx 'errno EPERM' "$TMP/out" ;;
	*) check "$1: killed in scope before writing" [ "$st" = 137 ] && ! grep -q wrote= "$TMP/out" ;;
	esac
}
expect_write_denied "a write outside the output folders" "$TMP/exfiltrated.txt"
check "event for the write outside the output folders" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"file_open"' '"reason":"output"' '"name":"exfiltrated.txt"'
expect_write_denied "a write over a model file" "$TMP/models/small/model.gguf"
try_in_scope "$TMP/out" write "$TMP/dev/null" >/dev/null
check "a write to a character device (/dev/null) is not an output" grep -qx 'ok wrote=1' "$TMP/out"
try_outside "$TMP/out" write "$TMP/exfiltrated.txt" >/dev/null
check "a write outside every scope works" grep -qx 'ok wrote=1' "$TMP/out"

# --- network -----------------------------------------------------------------
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "connect4 to a port not in the allow-list: EPERM" grep -qx 'errno EPERM' "$TMP/out"
check "event for the denied connect4" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"connect4"' '"verdict":"deny"' '"engine":"cgroup"' '"addr":"127.0.0.1"' "\"port\":$PORT_DENIED"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_OK" >/dev/null
check "connect4 to an allowed address passes the hook (ECONNREFUSED)" grep -qx 'errno ECONNREFUSED' "$TMP/out"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_OK" udp >/dev/null
check "connect4 over udp to a tcp-only entry: EPERM" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" connect ::1 "$PORT_DENIED" >/dev/null
check "connect6 to a port not in the allow-list: EPERM" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" connect ::1 "$PORT_OK" >/dev/null
check "connect6 to an allowed address passes the hook" grep -qx 'errno ECONNREFUSED' "$TMP/out"

try_in_scope "$TMP/out" sendto 127.0.0.1 "$PORT_UDP" >/dev/null
check "udp sendto an allowed address and port works" grep -qx 'ok sent' "$TMP/out"
try_in_scope "$TMP/out" sendto 127.0.0.1 "$PORT_DENIED" >/dev/null
check "udp sendto a port not in the allow-list: EPERM" grep -qx 'errno EPERM' "$TMP/out"
check "event for the denied sendmsg4" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"sendmsg4"' '"verdict":"deny"' "\"port\":$PORT_DENIED" '"protocol":"udp"'
try_in_scope "$TMP/out" sendto ::1 "$PORT_UDP" >/dev/null
check "udp sendto over IPv6 to an allowed port works" grep -qx 'ok sent' "$TMP/out"
try_in_scope "$TMP/out" sendto ::1 "$PORT_DENIED" >/dev/null
check "udp sendto over IPv6 to a port not allowed: EPERM" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" sendto 127.0.0.53 53 >/dev/null
check "DNS is no bypass: a query to a resolver the scope may not reach: EPERM" grep -qx 'errno EPERM' "$TMP/out"

sleep 1
before=$(wc -l <"$TMP/events.jsonl")
try_outside "$TMP/out" open "$PROHIBITED" >/dev/null
try_outside "$TMP/out" open "$TMP/dev/nvidia1" >/dev/null
try_outside "$TMP/out" mmap-inherited "$PROHIBITED" >/dev/null
check "mmap of a prohibited file outside every scope works" grep -qx 'ok mapped=1' "$TMP/out"
try_outside "$TMP/out" recv-fd "$PROHIBITED" >/dev/null
check "receiving a prohibited file's descriptor outside every scope works" grep -qx 'ok read=1' "$TMP/out"
try_outside "$TMP/out" uring-open "$PROHIBITED" >/dev/null
check "io_uring outside every scope works" grep -qx 'ok read=1' "$TMP/out"
try_outside "$TMP/out" sendto 127.0.0.1 "$PORT_DENIED" >/dev/null
check "udp sendto outside every scope works" grep -qx 'ok sent' "$TMP/out"
try_outside "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "connect4 outside every scope is untouched" grep -qx 'errno ECONNREFUSED' "$TMP/out"
sleep 1
check "no event for what processes outside every scope did" [ "$(wc -l <"$TMP/events.jsonl")" = "$before" ]
check "the port not allowed shows in exactly the in-scope events" \
	[ "$(count_lines "$TMP/events.jsonl" "\"port\":$PORT_DENIED")" = 4 ]

# --- GPUs ------------------------------------------------------------------------------
try_in_scope "$TMP/out" open "$TMP/dev/nvidia0" >/dev/null
check "GPU 0, given to the scope, passes the device hook (ENXIO: no driver)" grep -qx 'errno ENXIO' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/dev/nvidia1" >/dev/null
check "GPU 1, not given to the scope: EPERM" grep -qx 'errno EPERM' "$TMP/out"
check "event for the denied GPU node" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"device"' '"verdict":"deny"' '"reason":"gpu"' '"major":195,"minor":1' '"driver":"nvidia"'
try_in_scope "$TMP/out" open "$TMP/dev/renderD129" >/dev/null
check "the render node of GPU 1: EPERM" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/dev/null" >/dev/null
check "a device that is not a GPU is left alone in scope" grep -qx 'ok read=0' "$TMP/out"
try_outside "$TMP/out" open "$TMP/dev/nvidia1" >/dev/null
check "GPU 1 outside every scope passes the device hook" grep -qx 'errno ENXIO' "$TMP/out"

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

# --- licence expiry, with no help from the daemon -------------------------------------
kill -STOP "$DPID"	# the daemon does nothing from here: the kernel's clock decides
while [ "$(date +%s)" -le "$SHORT_UNTIL" ]; do sleep 0.5; done
expect_file_denied "a controlled model once its licence expired (daemon stopped)" "$TMP/models/short/model.safetensors"
try_in_scope "$TMP/out" open "$TMP/models/licensed/model.safetensors" >/dev/null
check "the model of the licence still valid loads" grep -qx 'ok read=1' "$TMP/out"
kill -CONT "$DPID"
check "event says the licence expired" wait_for 5 has_line "$TMP/events.jsonl" \
	'"reason":"license-expired"' '"model":"short-lived"'

# --- status --------------------------------------------------------------------
"$MGUARD" status --pin-dir "$PIN" >"$TMP/status.txt" 2>&1
check "status names the engine per hook" grep -Eq "^file_open +$ENGINE" "$TMP/status.txt"
check "status shows the denied connects" grep -Eq '^connect4 +cgroup +[0-9]+ +[1-9]' "$TMP/status.txt"
"$MGUARD" status --json --pin-dir "$PIN" >"$TMP/status.json" 2>&1
check "status --json shows generation 1" grep -q '"generation":1' "$TMP/status.json"

# --- stop ------------------------------------------------------------------------
kill "$DPID"
wait "$DPID"
check "daemon exits cleanly on SIGTERM" [ $? = 0 ]
DPID=
check "nothing is left pinned after the daemon stops" [ ! -e "$PIN" ]
mkdir -p "$SCOPE_CG"
try_in_scope "$TMP/out" open "$PROHIBITED" >/dev/null
check "after stop the scope is no longer guarded" grep -qx 'ok read=1' "$TMP/out"

summary
[ "$MG_FAIL" -eq 0 ]
