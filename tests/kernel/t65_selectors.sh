# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- scope selectors: cgroupPattern, in the kernel and at load ------------------------
# A second guard, on a policy with one pattern scope per line of the case table
# shared with the unit tier (tests/data/cgroup_glob_cases.txt), each below a
# folder of its own. Phase 1: the cgroups exist before the guard starts (the
# loader's walk binds them). Phase 2: with that guard SIGKILLed, each is
# removed and made again (the kernel's cgroup_mkdir program binds it). Each
# path must be bound exactly when the table says it matches.
SEL_PIN=/sys/fs/bpf/mguard-test-sel-$$
SEL_POL=$TMP/policy-sel
SEL_CG=$CG/sel
mkdir -p "$SEL_POL" "$SEL_CG"
{
	printf 'apiVersion: mguard/v1\ntiers: [{name: general, level: 1}, {name: prohibited, level: 3}]\n'
	printf 'models: [{name: frontier-x, tier: prohibited, files: [%s/models/frontier/]}]\nscopes:\n' "$TMP"
} >"$SEL_POL/policy.yaml"
k=0
grep -v '^#' tests/data/cgroup_glob_cases.txt | while read -r pat path want; do
	[ -n "$pat" ] || continue
	k=$((k + 1))
	printf '  - {name: case%s, maxTier: general, cgroupPattern: "%s/sel/c%s%s", reads: ["%s/", "%s/"]}\n' \
		"$k" "$CG_REL" "$k" "$pat" "$TMP" "$BUILD_ABS" >>"$SEL_POL/policy.yaml"
	mkdir -p "$SEL_CG/c$k$path"
done
sel_check() { # PHASE
	k=0
	bad=0
	n=0
	grep -v '^#' tests/data/cgroup_glob_cases.txt | {
		while read -r pat path want; do
			[ -n "$pat" ] || continue
			k=$((k + 1))
			got=$("$TRY" bound "$SEL_PIN" "$SEL_CG/c$k$path")
			case "$want:$got" in
			"yes:ok scope $k" | "no:ok unbound") n=$((n + 1)) ;;
			*)
				bad=$((bad + 1))
				echo "#   case $k: $pat $path: want $want, got '$got'"
				;;
			esac
		done
		[ "$bad" = 0 ] && [ "$n" -ge 20 ]
	}
}
"$MGUARD" start --foreground --policy "$SEL_POL" --pin-dir "$SEL_PIN" >"$TMP/sel.events" 2>"$TMP/sel.log" &
SEL_DPID=$!
if check "a guard starts on a policy of cgroupPattern scopes" wait_for 60 grep -qs 'mguard: ready' "$TMP/sel.log"; then
	check "at load, exactly the existing cgroups the table says match are bound" sel_check
	kill -KILL "$SEL_DPID"
	wait "$SEL_DPID" 2>/dev/null
	grep -v '^#' tests/data/cgroup_glob_cases.txt | {
		k=0
		while read -r pat path want; do
			[ -n "$pat" ] || continue
			k=$((k + 1))
			rmdir "$SEL_CG/c$k$path"
			mkdir "$SEL_CG/c$k$path"
		done
	}
	check "with the guard dead, the kernel binds exactly the new cgroups that match" sel_check
	# What being bound means: a podman-style container cgroup made now is guarded,
	# its sibling that matches nothing is not.
	mkdir "$SEL_CG/c7/machine.slice/libpod-feedbeef.scope" "$SEL_CG/c7/machine.slice/other.scope"
	guarded_cg=$SCOPE_CG
	SCOPE_CG=$SEL_CG/c7/machine.slice/libpod-feedbeef.scope
	expect_file_denied "a container cgroup made by pattern, guard dead: the prohibited model" "$PROHIBITED"
	SCOPE_CG=$guarded_cg
	"$TRY" --cgroup "$SEL_CG/c7/machine.slice/libpod-feedbeef.scope" open "$TMP/models/small/model.gguf" >"$TMP/out" 2>&1
	check "the same container reads a file of its readable folders" grep -qx 'ok read=1' "$TMP/out"
	"$TRY" --cgroup "$SEL_CG/c7/machine.slice/other.scope" open "$PROHIBITED" >"$TMP/out" 2>&1
	check "its sibling that matches no pattern reads it" grep -qx 'ok read=1' "$TMP/out"
	"$TRY" --cgroup "$SEL_CG/c7/machine.slice/libpod-feedbeef.scope" connect 127.0.0.1 "$PORT_OK" >"$TMP/out" 2>&1
	check "the pattern scope, which has no egress list, reaches nothing" grep -qx 'errno EPERM' "$TMP/out"
	"$TRY" --cgroup "$SEL_CG/c7/machine.slice/other.scope" connect 127.0.0.1 "$PORT_OK" >"$TMP/out" 2>&1
	check "its sibling connects" grep -qx 'errno ECONNREFUSED' "$TMP/out"
else
	echo "#   $(cat "$TMP/sel.log")"
	kill "$SEL_DPID" 2>/dev/null
	wait "$SEL_DPID" 2>/dev/null
fi
"$MGUARD" stop --pin-dir "$SEL_PIN" >/dev/null 2>&1
check "the selector guard's pins are gone after stop" [ ! -e "$SEL_PIN" ]
find "$SEL_CG" -depth -type d -exec rmdir {} + 2>/dev/null
