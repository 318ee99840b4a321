#!/bin/bash
# mguard, shown in one minute: small weight files of each tier, a policy, the
# guard, and a process in a scope trying things. As root:  make demo
#
# Everything it makes is named after its pid (cgroup, pin folder, temp folder)
# and removed on exit. Network tries stay on the loopback range.
set -u
MGUARD=${MGUARD:-build/mguard}
[ "$(id -u)" -eq 0 ] || { echo "demo: run it as root (sudo make demo)" >&2; exit 1; }
[ -x "$MGUARD" ] || { echo "demo: '$MGUARD' not found; run make first" >&2; exit 1; }

TMP=$(mktemp -d /tmp/mguard-demo.XXXXXX)
PIN=/sys/fs/bpf/mguard-demo-$$
CGROOT=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' /proc/self/mountinfo | head -n 1)
CG_REL=/mguard-demo-$$/assistant
bold=$(tput bold 2>/dev/null || true)
plain=$(tput sgr0 2>/dev/null || true)

cleanup() {
	"$MGUARD" stop --pin-dir "$PIN" >/dev/null 2>&1
	rmdir "$CGROOT$CG_REL" "$CGROOT/mguard-demo-$$" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n%s%s%s\n' "$bold" "$*" "$plain"; }

# --- weights: real headers, tiny bodies ---------------------------------------------
mkdir -p "$TMP/models/tiny-1b" "$TMP/models/mid-70b" "$TMP/models/frontier-x" "$TMP/outputs" "$TMP/dev" "$TMP/policy"
safetensors() { # a valid safetensors file: 8-byte header length, JSON header, data
	hdr='{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
	printf "$(printf '\\x%02x' "${#hdr}")\\0\\0\\0\\0\\0\\0\\0%s" "$hdr" >"$1"
	head -c 8 /dev/urandom >>"$1"
}
safetensors "$TMP/models/tiny-1b/model.safetensors"
safetensors "$TMP/models/frontier-x/model-00001-of-00002.safetensors"
printf 'GGUF\3\0\0\0' >"$TMP/models/mid-70b/mid-70b-q4_k_m.gguf"	# GGUF v3
head -c 64 /dev/urandom >>"$TMP/models/mid-70b/mid-70b-q4_k_m.gguf"
mknod "$TMP/dev/nvidia0" c 195 0
mknod "$TMP/dev/nvidia1" c 195 1

# --- a licence for the controlled model -----------------------------------------------
"$MGUARD" license keygen "$TMP/issuer.key" "$TMP/policy/issuer.pub" >/dev/null
cat >"$TMP/draft.yaml" <<YAML
apiVersion: mguard/v1
kind: License
id: lic-demo-001
useCase: customer-support
scope: assistant
models: [mid-70b]
notBefore: $(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
notAfter: $(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
issuer: demo-compliance
YAML
"$MGUARD" license sign --key "$TMP/issuer.key" "$TMP/draft.yaml" -o "$TMP/policy/assistant.lic" 2>/dev/null

cat >"$TMP/policy/policy.yaml" <<YAML
apiVersion: mguard/v1
mode: enforce
trustedKeys: [issuer.pub]
tiers:
  - {name: general, level: 1}
  - {name: controlled, level: 2, requiresLicense: true, when: ["mmlu >= 85"]}
  - {name: prohibited, level: 3, when: ["trainingFlops >= 1e26"]}
models:
  - {name: tiny-1b, tier: general, files: [$TMP/models/tiny-1b/]}
  - {name: mid-70b, files: [$TMP/models/mid-70b/], metrics: {mmlu: 86.0, trainingFlops: 8e24}}
  - {name: frontier-x, files: [$TMP/models/frontier-x/], metrics: {mmlu: 92.1, trainingFlops: 3e26}}
scopes:
  - name: assistant
    cgroup: $CG_REL
    maxTier: controlled
    licenses: [assistant.lic]
    egress: ["127.0.0.1:8080/tcp"]
    outputs: [$TMP/outputs/]
    gpus: [0]
YAML

say "The policy, compiled (mguard policy show):"
"$MGUARD" policy show "$TMP/policy" 2>/dev/null

say "Starting the guard (mguard start):"
"$MGUARD" start --policy "$TMP/policy" --pin-dir "$PIN" --log-dir "$TMP/log" || exit 1
sleep 1

# try WHAT COMMAND...: run COMMAND in the scope with mguard run, say what happened.
try() {
	what=$1
	shift
	out=$("$MGUARD" run --policy "$TMP/policy" --scope assistant -- "$@" 2>&1 >/dev/null)
	st=$?
	case $st in
	0) printf '  %-58s %sallowed%s\n' "$what" "$bold" "$plain" ;;
	137) printf '  %-58s %sDENIED%s (killed before it could read or write)\n' "$what" "$bold" "$plain" ;;
	*) case $out in
	   *"Operation not permitted"*) printf '  %-58s %sDENIED%s (EPERM)\n' "$what" "$bold" "$plain" ;;
	   *) printf '  %-58s allowed by mguard; the call itself said: %s\n' "$what" "$(echo "$out" | tail -n 1)" ;;
	   esac ;;
	esac
}

say "A process in scope 'assistant' (max tier controlled, one licence) tries:"
try "load tiny-1b (general)" head -c 16 "$TMP/models/tiny-1b/model.safetensors"
try "load mid-70b (controlled, licensed by lic-demo-001)" head -c 16 "$TMP/models/mid-70b/mid-70b-q4_k_m.gguf"
try "load frontier-x (prohibited)" head -c 16 "$TMP/models/frontier-x/model-00001-of-00002.safetensors"
ln -s "$TMP/models/frontier-x/model-00001-of-00002.safetensors" "$TMP/innocent.txt"
try "load frontier-x through a symlink named innocent.txt" head -c 16 "$TMP/innocent.txt"
cp "$TMP/models/frontier-x/model-00001-of-00002.safetensors" "$TMP/notes.txt"
try "load a copy of frontier-x renamed notes.txt (unknown weights)" head -c 16 "$TMP/notes.txt"
try "write an answer to its output folder" sh -c "echo answer > $TMP/outputs/answer.txt"
try "write the answer anywhere else" sh -c "echo answer > $TMP/leak.txt"
try "connect to 127.0.0.1:8080 (allowed; nothing listens)" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080'
try "connect to 127.0.0.2:443 (not in its egress list)" bash -c 'exec 3<>/dev/tcp/127.0.0.2/443'
try "open GPU 0 (its GPU; no driver here)" head -c 1 "$TMP/dev/nvidia0"
try "open GPU 1 (not its GPU)" head -c 1 "$TMP/dev/nvidia1"

say "The same prohibited file, from a process outside every scope:"
head -c 16 "$TMP/models/frontier-x/model-00001-of-00002.safetensors" >/dev/null && echo "  read it: processes outside every scope are not touched"

say "Kill switch on (mguard killswitch on): even the general model is denied"
"$MGUARD" killswitch on --pin-dir "$PIN" 2>/dev/null
try "load tiny-1b (general)" head -c 16 "$TMP/models/tiny-1b/model.safetensors"
"$MGUARD" killswitch off --pin-dir "$PIN" 2>/dev/null
try "load tiny-1b again, kill switch off" head -c 16 "$TMP/models/tiny-1b/model.safetensors"

sleep 1
say "What the guard saw (mguard events):"
"$MGUARD" events --log-dir "$TMP/log" -n 20
say "Its state (mguard status):"
"$MGUARD" status --pin-dir "$PIN"
say "Stopping (mguard stop): every hook detached, nothing left behind."
