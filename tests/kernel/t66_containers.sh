# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- a runc container in a scope -------------------------------------------------
# runc puts the container in a new cgroup under the scope's (cgroupsPath), sets
# it up from inside (rootfs, /proc, /dev) and execs the command. The runtime's
# setup is not blocked; the image's files are readable (a folder the scope
# reads); the model folders bind-mounted at /models keep their tiers (same
# inodes); network and GPU rules hold in the container's cgroup.
. tests/kernel/oci.sh
if [ -z "$RUNC" ]; then
	fail "runc is installed" "scripts/install-deps.sh installs it"
else
	B=$TMP/bundle
	oci_bundle "$B"
	CTR_CG=$CG_REL/guarded/ctr-$$
	oci_config "$B" "$CTR_CG" - /bin/mg-try open /models/small/model.gguf
	st=$(oci_run "$B" mg-t66-$$ "$TMP/ctr.out")
	check "runc starts a container in the scope; it loads the allowed model" \
		all "[ $st = 0 ] && grep -qx 'ok read=1' '$TMP/ctr.out'"
	[ "$st" = 0 ] || echo "#   runc: $(cat "$TMP/ctr.out.err")"
	oci_config "$B" "$CTR_CG" - /bin/mg-try open /etc/image-file.bin
	st=$(oci_run "$B" mg-t66-$$ "$TMP/ctr.out")
	check "the container reads its own image's files" grep -qx 'ok read=1' "$TMP/ctr.out"
	oci_config "$B" "$CTR_CG" - /bin/mg-try open /models/frontier/model-00001.safetensors
	st=$(oci_run "$B" mg-t66-$$ "$TMP/ctr.out")
	case "$ENGINE" in
	bpf-lsm | fmod-ret) check "the container is denied the prohibited model (EPERM)" grep -qx 'errno EPERM' "$TMP/ctr.out" ;;
	*) check "the container is killed opening the prohibited model, before reading" \
		all "[ $st = 137 ] && ! grep -q read= '$TMP/ctr.out'" ;;
	esac
	oci_config "$B" "$CTR_CG" - /bin/mg-try connect 127.0.0.1 "$PORT_DENIED"
	oci_run "$B" mg-t66-$$ "$TMP/ctr.out" >/dev/null
	check "the container connects outside its egress list: EPERM" grep -qx 'errno EPERM' "$TMP/ctr.out"
	oci_config "$B" "$CTR_CG" - /bin/mg-try connect 127.0.0.1 "$PORT_OK"
	oci_run "$B" mg-t66-$$ "$TMP/ctr.out" >/dev/null
	check "the container reaches its egress list" grep -qx 'errno ECONNREFUSED' "$TMP/ctr.out"
	oci_config "$B" "$CTR_CG" - /bin/mg-try open /dev/nvidia1
	oci_run "$B" mg-t66-$$ "$TMP/ctr.out" >/dev/null
	check "the container opens the GPU not given: EPERM" grep -qx 'errno EPERM' "$TMP/ctr.out"
	oci_config "$B" "$CTR_CG" - /bin/mg-try open /dev/nvidia0
	oci_run "$B" mg-t66-$$ "$TMP/ctr.out" >/dev/null
	check "the container opens its GPU (ENXIO: no driver)" grep -qx 'errno ENXIO' "$TMP/ctr.out"
	# The same container outside every scope: nothing of mguard's applies.
	oci_config "$B" "$CG_REL/ctr-outside-$$" - /bin/mg-try open /models/frontier/model-00001.safetensors
	oci_run "$B" mg-t66-$$ "$TMP/ctr.out" >/dev/null
	check "a container outside every scope reads the prohibited model" grep -qx 'ok read=1' "$TMP/ctr.out"
fi
oci_done
try_in_scope "$TMP/out" open "$TMP/models/small/model.gguf" >/dev/null
check "after the containers, the scope's own cgroup takes processes again" grep -qx 'ok read=1' "$TMP/out"
