# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Containers for the kernel tier, sourced by the container test files: an OCI
# bundle built from busybox and mg-try (no image registry needed), and runc
# to run one command in it, in a cgroup under a scope. POSIX sh.
#
#   oci_bundle DIR                     rootfs and a config.json writer in DIR
#   oci_config DIR CGROUP HOOK ARGS... config.json: ARGS in CGROUP-N (below the
#                                      cgroup2 mount; N counts the containers), /models bind-mounted from
#                                      $TMP/models, the fake GPU nodes; HOOK is a
#                                      createRuntime hook command or "-"
#   oci_run DIR ID OUTFILE             run it with runc; prints runc's exit status
#   oci_done                           undo what runc did to the test's cgroups

RUNC=$(command -v runc 2>/dev/null)
OCI_STATE=$TMP/runc-state
OCI_N=0	# each container gets an id and a cgroup of its own: CGROUP-N

oci_bundle() {
	mkdir -p "$1/rootfs/bin" "$1/rootfs/proc" "$1/rootfs/dev" "$1/rootfs/sys" \
		"$1/rootfs/models" "$1/rootfs/tmp" "$1/rootfs/etc"
	cp -L "$(command -v busybox)" "$1/rootfs/bin/busybox"
	ln -sf busybox "$1/rootfs/bin/sh"
	cp "$TRY" "$1/rootfs/bin/mg-try"
	printf 'weights-baked-into-the-image' >"$1/rootfs/etc/image-file.bin"
}

# JSON string list of the arguments.
oci_json_args() {
	sep=
	for a in "$@"; do
		printf '%s"%s"' "$sep" "$a"
		sep=', '
	done
}

oci_config() {
	OCI_N=$((OCI_N + 1))
	dir=$1
	cgroup=$2-$OCI_N
	hook=$3
	shift 3
	hooks=
	annotation=
	[ -z "${OCI_SCOPE:-}" ] || annotation="\"mguard.io/scope\": \"$OCI_SCOPE\""
	if [ "$hook" != - ]; then
		hooks="\"hooks\": { \"createRuntime\": [ { \"path\": \"$hook\", \"args\": [\"mguard\", \"oci-hook\", \"--pin-dir\", \"${OCI_PIN:-$PIN}\"], \"timeout\": 10 } ] },"
	fi
	cat >"$dir/config.json" <<JSON
{
	"ociVersion": "1.0.2-dev",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": [ $(oci_json_args "$@") ],
		"env": [ "PATH=/bin" ],
		"cwd": "/",
		"capabilities": { "bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"] },
		"noNewPrivileges": true
	},
	"root": { "path": "rootfs", "readonly": true },
	"hostname": "mguard-test",
	"annotations": { $annotation },
	$hooks
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=1024k"] },
		{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=1024k"] },
		{ "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"] },
		{ "destination": "/models", "type": "bind", "source": "$TMP/models", "options": ["rbind", "ro"] }
	],
	"linux": {
		"cgroupsPath": "$cgroup",
		"devices": [
			{ "path": "/dev/nvidia0", "type": "c", "major": 195, "minor": 0, "fileMode": 438, "uid": 0, "gid": 0 },
			{ "path": "/dev/nvidia1", "type": "c", "major": 195, "minor": 1, "fileMode": 438, "uid": 0, "gid": 0 }
		],
		"resources": { "devices": [ { "allow": false, "access": "rwm" }, { "allow": true, "type": "c", "major": 195, "access": "rwm" } ] },
		"namespaces": [ { "type": "pid" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" } ]
	}
}
JSON
}

# The test VM's root is the initramfs (rootfs), which pivot_root(2) refuses:
# there runc moves the container's root instead (--no-pivot).
OCI_RUN_OPTS=
case "$(stat -f -c %T / 2>/dev/null)" in
ramfs | tmpfs | rootfs) OCI_RUN_OPTS=--no-pivot ;;
esac

oci_run() {
	# shellcheck disable=SC2086 # no option, or one
	"$RUNC" --root "$OCI_STATE" run $OCI_RUN_OPTS --bundle "$1" "$2-$OCI_N" >"$3" 2>"$3.err" </dev/null
	st=$?
	"$RUNC" --root "$OCI_STATE" delete --force "$2-$OCI_N" >/dev/null 2>&1
	echo "$st"
}

# On a pure cgroup v2 host runc enables the controllers in the
# cgroup.subtree_control of every ancestor of a container's cgroup, and a
# cgroup with controllers enabled takes no process of its own: the tests that
# come next place processes in the scope's cgroup. Children first.
oci_done() {
	for cg in "$SCOPE_CG" "$CG"; do
		# shellcheck disable=SC2013 # one controller name a word
		for c in $(cat "$cg/cgroup.subtree_control" 2>/dev/null); do
			echo "-$c" >"$cg/cgroup.subtree_control" 2>/dev/null
		done
	done
}
