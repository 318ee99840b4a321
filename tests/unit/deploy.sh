#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The unit tier's checks of the deployment files, all offline (no cluster, no
# systemd as PID 1): the systemd unit, the OCI hook files, the Kubernetes
# manifests and the ConfigMap made from the policy folder. TAP lines.
#   tests/unit/deploy.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
export KUBECONFIG=/dev/null
TMPD=$(mktemp -d /tmp/mguard-deploy.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT
K8S=deploy/kubernetes

ok() { echo "ok - $1"; }
nok() {
	echo "not ok - $1"
	[ -z "${2:-}" ] || echo "#   $2"
}
check() {
	name=$1
	shift
	if "$@" >"$TMPD/out" 2>&1; then ok "$name"; else nok "$name" "$(head -c 600 "$TMPD/out")"; fi
}
need() {
	command -v "$1" >/dev/null 2>&1 || nok "$1 is installed" "scripts/install-deps.sh installs it"
}
need kubectl
need systemd-analyze
need python3

# --- systemd ------------------------------------------------------------------
unit=scripts/systemd/mguard.service
check "the systemd unit has no ExecStop (a crash must not detach)" sh -c "! grep -q '^ExecStop' $unit"
check "the systemd unit restarts the daemon on failure" grep -qx 'Restart=on-failure' "$unit"
sed -e 's|@SBINDIR@|/usr/sbin|g' -e 's|@SYSCONFDIR@|/etc|g' -e 's|@LOGDIR@|/var/log/mguard|g' \
	-e 's|@RUNDIR@|/run/mguard|g' "$unit" >"$TMPD/mguard.service"
# Only what this machine lacks may be reported: the binary and the man pages.
verify_unit() {
	systemd-analyze verify "$TMPD/mguard.service" 2>&1 |
		grep -v -e 'is not executable' -e "Command 'man " -e '^$' && return 1
	return 0
}
check "systemd-analyze verify finds nothing wrong in the unit" verify_unit

# --- OCI hooks ----------------------------------------------------------------
hook_ok() { # FILE: a hooks.d entry that runs 'mguard oci-hook' at createRuntime for annotated containers
	python3 - "$1" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
assert h["version"] == "1.0.0", "version"
assert h["hook"]["args"][:2] == ["mguard", "oci-hook"], "args"
assert h["hook"]["path"].endswith("/mguard"), "path"
assert "createRuntime" in h["stages"], "stages"
assert h["when"]["annotations"] == {"^mguard\\.io/scope$": ".+"}, "when"
PY
}
check "deploy/oci/mguard-hook.json is a hooks.d entry for annotated containers" hook_ok deploy/oci/mguard-hook.json
python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["data"]["mguard-hook.json"])' \
	"$K8S/hook-configmap.yaml" >"$TMPD/hook.json" 2>"$TMPD/err"
check "the hook ConfigMap holds the same kind of entry" hook_ok "$TMPD/hook.json"

# --- Kubernetes, client side ----------------------------------------------------
# 'kubectl set env --local' decodes workloads into their typed objects (a field
# of the wrong type fails); 'kubectl label --local' reads every object. Typed
# decoding drops unknown fields silently, so every field written must survive.
fields_survive() { # FILE
	kubectl set env --local --dry-run=client -o json -f "$1" MGUARD_CHECK=1 >"$TMPD/typed.json" || return 1
	python3 - "$1" "$TMPD/typed.json" <<'PY'
import json, sys, yaml
src = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
out = json.load(open(sys.argv[2]))
out = out["items"] if out.get("kind") == "List" else [out]
def walk(a, b, path):
    if isinstance(a, dict):
        assert isinstance(b, dict), path
        for k, v in a.items():
            assert k in b, "unknown field %s.%s" % (path, k)
            walk(v, b[k], path + "." + k)
    elif isinstance(a, list):
        assert isinstance(b, list) and len(b) >= len(a), path
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, "%s[%d]" % (path, i))
for s, o in zip(src, out):
    walk(s, o, s["kind"])
PY
}
for f in "$K8S/daemonset.yaml" "$K8S/example-pod.yaml"; do
	check "kubectl decodes $f; every field is known" fields_survive "$f"
done
check "kubectl reads every manifest in $K8S" \
	kubectl label --local --dry-run=client -o name -f "$K8S/" mguard-check=1
# The check can fail: a field of the wrong type, a field that does not exist.
sed 's/hostPID: true/hostPID: "yes"/' "$K8S/daemonset.yaml" >"$TMPD/bad1.yaml"
check "a DaemonSet with hostPID: \"yes\" is refused by the same check" \
	sh -c "! kubectl set env --local --dry-run=client -o name -f $TMPD/bad1.yaml X=1"
sed 's/hostPID: true/hostPID: true\n      hostPIDs: true/' "$K8S/daemonset.yaml" >"$TMPD/bad2.yaml"
if fields_survive "$TMPD/bad2.yaml" >/dev/null 2>&1; then
	nok "a DaemonSet with an unknown field is refused by the same check"
else
	ok "a DaemonSet with an unknown field is refused by the same check"
fi
check "the DaemonSet is privileged, in the host's PID namespace, with bpffs and cgroups mounted" \
	python3 - "$K8S/daemonset.yaml" <<'PY'
import sys, yaml
ds = yaml.safe_load(open(sys.argv[1]))
spec = ds["spec"]["template"]["spec"]
assert spec["hostPID"] is True
c = spec["containers"][0]
assert c["securityContext"]["privileged"] is True
mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
assert mounts["/sys/fs/bpf"]["mountPropagation"] == "Bidirectional"
assert "/sys/fs/cgroup" in mounts and "/etc/mguard" in mounts
vols = {v["name"]: v for v in spec["volumes"]}
assert vols["policy"]["configMap"]["name"] == "mguard-policy"
assert vols["bpffs"]["hostPath"]["path"] == "/sys/fs/bpf"
PY
scripts/k8s-configmap.sh >"$TMPD/configmap.yaml" 2>"$TMPD/err"
check "deploy/kubernetes/configmap.yaml is what kubectl makes of the policy folder" \
	cmp "$TMPD/configmap.yaml" "$K8S/configmap.yaml"
