# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- the OCI runtime hook ------------------------------------------------------------
# config.json names 'mguard oci-hook' as a createRuntime hook and the scope in
# the annotation mguard.io/scope. runc runs the hook once the container's
# process is in its cgroup, before the container's program starts, and aborts
# the start when the hook refuses.
. tests/kernel/oci.sh
MGUARD_ABS=$(cd "$(dirname "$MGUARD")" && pwd)/mguard
if [ -z "$RUNC" ]; then
	fail "runc is installed" "scripts/install-deps.sh installs it"
else
	B=$TMP/bundle-hook
	oci_bundle "$B"
	CTR_CG=$CG_REL/guarded/hooked-$$
	OCI_SCOPE=guarded
	oci_config "$B" "$CTR_CG" "$MGUARD_ABS" /bin/mg-try open /models/small/model.gguf
	st=$(oci_run "$B" mg-t68-$$ "$TMP/ctr.out")
	check "a container with the hook starts in its scope and loads the allowed model" \
		all "[ $st = 0 ] && grep -qx 'ok read=1' '$TMP/ctr.out'"
	[ "$st" = 0 ] || echo "#   runc: $(cat "$TMP/ctr.out.err")"
	OCI_SCOPE=guarded
	oci_config "$B" "$CTR_CG" "$MGUARD_ABS" /bin/mg-try connect 127.0.0.1 "$PORT_DENIED"
	oci_run "$B" mg-t68-$$ "$TMP/ctr.out" >/dev/null
	check "the hooked container is refused a connect outside its egress list" \
		grep -qx 'errno EPERM' "$TMP/ctr.out"

	# A scope the guard does not enforce: the container does not start.
	OCI_SCOPE=no-such-scope
	oci_config "$B" "$CTR_CG" "$MGUARD_ABS" /bin/mg-try open /models/small/model.gguf
	st=$(oci_run "$B" mg-t68-$$ "$TMP/ctr.out")
	check "a container naming a scope the guard does not enforce does not start" \
		all "[ $st != 0 ] && ! grep -q 'ok' '$TMP/ctr.out'"
	check "and the hook says why" grep -q "does not enforce scope 'no-such-scope'" "$TMP/ctr.out.err"

	# A cgroup the scope's programs do not reach: refused, not silently unguarded.
	OCI_SCOPE=guarded
	oci_config "$B" "$CG_REL/elsewhere-$$" "$MGUARD_ABS" /bin/mg-try open /models/small/model.gguf
	st=$(oci_run "$B" mg-t68-$$ "$TMP/ctr.out")
	check "a container outside the named scope's cgroups does not start" \
		all "[ $st != 0 ] && ! grep -q 'ok' '$TMP/ctr.out'"
	check "and the hook names its cgroup" grep -q "is in cgroup '$CG_REL/elsewhere-$$-$OCI_N'" "$TMP/ctr.out.err"

	# The guard is not running (its pins are not there): the container does not start.
	OCI_SCOPE=guarded
	OCI_PIN=$PIN-gone
	oci_config "$B" "$CTR_CG" "$MGUARD_ABS" /bin/mg-try open /models/small/model.gguf
	st=$(oci_run "$B" mg-t68-$$ "$TMP/ctr.out")
	check "with no guard running, a container naming a scope does not start" \
		all "[ $st != 0 ] && ! grep -q 'ok' '$TMP/ctr.out'"
	check "and the hook says no guard runs" grep -q "no guard runs with pin folder '$PIN-gone'" "$TMP/ctr.out.err"
	# The neighbour: a container naming no scope starts whatever the guard.
	OCI_SCOPE=''
	oci_config "$B" "$CG_REL/plain-$$" "$MGUARD_ABS" /bin/mg-try open /models/small/model.gguf
	st=$(oci_run "$B" mg-t68-$$ "$TMP/ctr.out")
	OCI_PIN=''
	check "a container naming no scope starts with the hook, guard or not" \
		all "[ $st = 0 ] && grep -qx 'ok read=1' '$TMP/ctr.out'"
fi

# --- scopes bound by annotation ----------------------------------------------------------
# Two scopes share one pattern with 'bind: annotation': the kernel binds
# neither by itself, and each container's annotation says which it is.
if [ -n "$RUNC" ]; then
	ANN_PIN=/sys/fs/bpf/mguard-test-ann-$$
	ANN_POL=$TMP/policy-ann
	mkdir -p "$ANN_POL" "$CG/ctrs"
	cat >"$ANN_POL/policy.yaml" <<YAML
apiVersion: mguard/v1
tiers: [{name: general, level: 1}, {name: prohibited, level: 3}]
models:
  - {name: frontier-x, tier: prohibited, files: [$TMP/models/frontier/]}
  - {name: small-1b, tier: general, files: [$TMP/models/small/model.gguf]}
scopes:
  - name: narrow
    cgroupPattern: $CG_REL/ctrs/ctr-*
    bind: annotation
    maxTier: general
    egress: ["127.0.0.1:$PORT_OK/tcp"]
    gpus: [0]
    reads: [$TMP/, $BUILD_ABS/]
    outputs: [$TMP/runc-state/]
  - name: wide
    cgroupPattern: $CG_REL/ctrs/ctr-*
    bind: annotation
    maxTier: prohibited
    reads: [$TMP/, $BUILD_ABS/]
    outputs: [$TMP/runc-state/]
YAML
	"$MGUARD" start --foreground --policy "$ANN_POL" --pin-dir "$ANN_PIN" >"$TMP/ann.events" 2>"$TMP/ann.log" &
	ANN_DPID=$!
	check "a guard starts with two scopes bound by annotation on one pattern" \
		wait_for 60 grep -qs 'mguard: ready' "$TMP/ann.log"
	B=$TMP/bundle-ann
	oci_bundle "$B"
	OCI_PIN=$ANN_PIN
	OCI_SCOPE=narrow
	oci_config "$B" "$CG_REL/ctrs/ctr" "$MGUARD_ABS" /bin/mg-try open /models/frontier/model-00001.safetensors
	st=$(oci_run "$B" mg-t68a-$$ "$TMP/ctr.out")
	case "$ENGINE" in
	bpf-lsm | fmod-ret) check "a container annotated 'narrow' is denied the prohibited model" grep -qx 'errno EPERM' "$TMP/ctr.out" ;;
	*) check "a container annotated 'narrow' is killed opening the prohibited model" \
		all "[ $st = 137 ] && ! grep -q read= '$TMP/ctr.out'" ;;
	esac
	OCI_SCOPE=narrow
	oci_config "$B" "$CG_REL/ctrs/ctr" "$MGUARD_ABS" /bin/mg-try open /models/small/model.gguf
	oci_run "$B" mg-t68a-$$ "$TMP/ctr.out" >/dev/null
	check "and loads its allowed model" grep -qx 'ok read=1' "$TMP/ctr.out"
	OCI_SCOPE=narrow
	oci_config "$B" "$CG_REL/ctrs/ctr" "$MGUARD_ABS" /bin/mg-try connect 127.0.0.1 "$PORT_DENIED"
	oci_run "$B" mg-t68a-$$ "$TMP/ctr.out" >/dev/null
	check "and is refused a connect outside its egress list" grep -qx 'errno EPERM' "$TMP/ctr.out"
	OCI_SCOPE=narrow
	oci_config "$B" "$CG_REL/ctrs/ctr" "$MGUARD_ABS" /bin/mg-try connect 127.0.0.1 "$PORT_OK"
	oci_run "$B" mg-t68a-$$ "$TMP/ctr.out" >/dev/null
	check "and reaches its egress list" grep -qx 'errno ECONNREFUSED' "$TMP/ctr.out"
	OCI_SCOPE=narrow
	oci_config "$B" "$CG_REL/ctrs/ctr" "$MGUARD_ABS" /bin/mg-try open /dev/nvidia1
	oci_run "$B" mg-t68a-$$ "$TMP/ctr.out" >/dev/null
	check "and opens only its GPU (the other: EPERM)" grep -qx 'errno EPERM' "$TMP/ctr.out"
	OCI_SCOPE=wide
	oci_config "$B" "$CG_REL/ctrs/ctr" "$MGUARD_ABS" /bin/mg-try open /models/frontier/model-00001.safetensors
	oci_run "$B" mg-t68a-$$ "$TMP/ctr.out" >/dev/null
	check "a container on the same pattern annotated 'wide' loads the prohibited model" \
		grep -qx 'ok read=1' "$TMP/ctr.out"
	OCI_SCOPE=''
	oci_config "$B" "$CG_REL/ctrs/ctr" "$MGUARD_ABS" /bin/mg-try open /models/frontier/model-00001.safetensors
	oci_run "$B" mg-t68a-$$ "$TMP/ctr.out" >/dev/null
	check "a container on the pattern with no annotation is no scope's" grep -qx 'ok read=1' "$TMP/ctr.out"
	kill "$ANN_DPID"
	wait "$ANN_DPID" 2>/dev/null
	OCI_SCOPE=narrow
	oci_config "$B" "$CG_REL/ctrs/ctr" "$MGUARD_ABS" /bin/mg-try open /models/small/model.gguf
	st=$(oci_run "$B" mg-t68a-$$ "$TMP/ctr.out")
	check "with that guard stopped, a container annotated 'narrow' does not start" \
		all "[ $st != 0 ] && ! grep -q ok '$TMP/ctr.out'"
	OCI_PIN=''
	OCI_SCOPE=''
	"$MGUARD" stop --pin-dir "$ANN_PIN" >/dev/null 2>&1
	rmdir "$CG/ctrs" 2>/dev/null
fi
oci_done
try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "after the containers, the scope's own cgroup takes processes again" grep -qx 'ok read=1' "$TMP/out"
