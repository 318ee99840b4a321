# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- a podman container in a scope --------------------------------------------------
# No registry: the image is imported from the test rootfs (busybox + mg-try).
# podman runs runc (crun refuses hybrid cgroup layouts), keeps its storage
# (vfs: plain folders, which the scope reads) and runc's state below $TMP,
# and puts the container's cgroup below the scope's (--cgroup-parent). The
# second half names the scope by annotation, with the OCI hook in a hooks.d.
. tests/kernel/oci.sh
PODMAN=$(command -v podman 2>/dev/null)
if [ -z "$PODMAN" ] || [ -z "$RUNC" ]; then
	fail "podman and runc are installed" "scripts/install-deps.sh installs them"
else
	PMB=$TMP/bundle-podman
	oci_bundle "$PMB"
	mkdir -p "$TMP/podman/tmp"
	# Where runc needs --no-pivot (the test VM's initramfs root), podman asks for it.
	printf '[engine]\nno_pivot_root = %s\n' "$([ -n "$OCI_RUN_OPTS" ] && echo true || echo false)" \
		>"$TMP/podman/containers.conf"
	pm() {
		CONTAINERS_CONF=$TMP/podman/containers.conf TMPDIR=$TMP/podman/tmp "$PODMAN" --root "$TMP/podman/root" --runroot "$TMP/podman/run" --storage-driver vfs \
			--runtime "$RUNC" --runtime-flag "root=$TMP/runc-state" --cgroup-manager cgroupfs \
			--events-backend none --hooks-dir "$TMP/podman/hooks.d" "$@"
	}
	# pm_run CGROUP-PARENT OUTFILE [ANNOTATION] -- ARGS: podman's own limits are
	# above what this host allows, so they are given.
	pm_run() {
		parent=$1
		out=$2
		shift 2
		pm run --rm --network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
			--cgroup-parent "$parent" -v "$TMP/models:/models:ro" "$@" >"$out" 2>"$out.err"
		echo $?
	}
	mkdir -p "$TMP/podman/hooks.d"
	MGUARD_ABS=$(cd "$(dirname "$MGUARD")" && pwd)/mguard
	cat >"$TMP/podman/hooks.d/mguard.json" <<JSON
{ "version": "1.0.0",
  "hook": { "path": "$MGUARD_ABS", "args": ["mguard", "oci-hook", "--pin-dir", "$PIN"], "timeout": 10 },
  "when": { "annotations": { "^mguard\\\\.io/scope\$": ".+" } },
  "stages": ["createRuntime"] }
JSON
	tar -C "$PMB/rootfs" -c . | pm import - localhost/mguard-test >/dev/null 2>"$TMP/pm-import.err"
	check "podman imports the test rootfs as an image" grep -q . "$TMP/podman/root/vfs-images/images.json"
	st=$(pm_run "$CG_REL/guarded" "$TMP/pm.out" localhost/mguard-test /bin/mg-try open /models/small/model.gguf)
	check "a podman container in the scope starts and loads the allowed model" \
		all "[ $st = 0 ] && grep -qx 'ok read=1' '$TMP/pm.out'"
	[ "$st" = 0 ] || echo "#   podman: $(tail -c 400 "$TMP/pm.out.err")"
	st=$(pm_run "$CG_REL/guarded" "$TMP/pm.out" localhost/mguard-test /bin/mg-try open /models/frontier/model-00001.safetensors)
	case "$ENGINE" in
	bpf-lsm | fmod-ret) check "the podman container is denied the prohibited model (EPERM)" grep -qx 'errno EPERM' "$TMP/pm.out" ;;
	*) check "the podman container is killed opening the prohibited model" \
		all "[ $st = 137 ] && ! grep -q read= '$TMP/pm.out'" ;;
	esac
	pm_run "$CG_REL/guarded" "$TMP/pm.out" localhost/mguard-test /bin/mg-try connect 127.0.0.1 "$PORT_DENIED" >/dev/null
	check "the podman container is refused a connect outside its egress list" grep -qx 'errno EPERM' "$TMP/pm.out"
	pm_run "$CG_REL/guarded" "$TMP/pm.out" localhost/mguard-test /bin/mg-try connect 127.0.0.1 "$PORT_OK" >/dev/null
	check "the podman container reaches its egress list" grep -qx 'errno ECONNREFUSED' "$TMP/pm.out"
	pm_run "$CG_REL/guarded" "$TMP/pm.out" --device "$TMP/dev/nvidia1:/dev/nvidia1" localhost/mguard-test \
		/bin/mg-try open /dev/nvidia1 >/dev/null
	check "the podman container opens the GPU not given: EPERM" grep -qx 'errno EPERM' "$TMP/pm.out"
	pm_run "$CG_REL/guarded" "$TMP/pm.out" --device "$TMP/dev/nvidia0:/dev/nvidia0" localhost/mguard-test \
		/bin/mg-try open /dev/nvidia0 >/dev/null
	check "the podman container opens its GPU (ENXIO)" grep -qx 'errno ENXIO' "$TMP/pm.out"
	# By annotation: a container outside the scope's cgroups naming it is refused;
	# one in them is bound; one naming a scope no guard enforces does not start.
	pm_run "$CG_REL/guarded" "$TMP/pm.out" --annotation mguard.io/scope=guarded localhost/mguard-test \
		/bin/mg-try connect 127.0.0.1 "$PORT_DENIED" >/dev/null
	check "a podman container annotated with its scope runs the hook and is guarded" \
		all "grep -qx 'errno EPERM' '$TMP/pm.out' && ! grep -q 'oci-hook' '$TMP/pm.out.err'"
	st=$(pm_run "$CG_REL/guarded" "$TMP/pm.out" --annotation mguard.io/scope=no-such localhost/mguard-test \
		/bin/mg-try open /models/small/model.gguf)
	check "a podman container naming a scope the guard does not enforce does not start" \
		all "[ $st != 0 ] && ! grep -q ok '$TMP/pm.out' && grep -q \"does not enforce scope 'no-such'\" '$TMP/pm.out.err'"
	pm_run "$CG_REL/podman-outside" "$TMP/pm.out" localhost/mguard-test \
		/bin/mg-try open /models/frontier/model-00001.safetensors >/dev/null
	check "a podman container outside every scope reads the prohibited model" grep -qx 'ok read=1' "$TMP/pm.out"
	pm rmi -a -f >/dev/null 2>&1
	rmdir "$CGROOT$CG_REL/podman-outside" 2>/dev/null
fi
oci_done
try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "after podman, the scope's own cgroup takes processes again" grep -qx 'ok read=1' "$TMP/out"
