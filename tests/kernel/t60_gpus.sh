# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- GPUs ------------------------------------------------------------------------------
try_in_scope "$TMP/out" open "$TMP/dev/nvidia0" >/dev/null
check "GPU 0, given to the scope, passes the device hook (ENXIO: no driver)" grep -qx 'errno ENXIO' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/dev/nvidia1" >/dev/null
check "GPU 1, not given to the scope: EPERM" grep -qx 'errno EPERM' "$TMP/out"
check "event for the denied GPU node" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"device"' '"verdict":"deny"' '"reason":"gpu"' '"major":195,"minor":1' '"driver":"nvidia"'
check "one denied open, one event" \
	[ "$(count_lines "$TMP/events.jsonl" '"hook":"device"')" = 1 ]
try_in_scope "$TMP/out" open "$TMP/dev/renderD129" >/dev/null
check "the render node of GPU 1: EPERM" grep -qx 'errno EPERM' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/dev/null" >/dev/null
check "a device that is not a GPU is left alone in scope" grep -qx 'ok read=0' "$TMP/out"
try_outside "$TMP/out" open "$TMP/dev/nvidia1" >/dev/null
check "GPU 1 outside every scope passes the device hook" grep -qx 'errno ENXIO' "$TMP/out"

# More sibling scopes under one parent cgroup than the kernel takes programs
# of one hook on a cgroup (64): the device program goes on the parent once.
mkdir -p "$CG/sib"
{
	printf 'apiVersion: mguard/v1\nscopes:\n'
	for i in $(seq -w 1 70); do
		mkdir -p "$CG/sib/s$i"
		printf '  - {name: sib%s, cgroup: %s/sib/s%s, maxTier: general, gpus: [0]}\n' "$i" "$CG_REL" "$i"
	done
} >"$TMP/policy/siblings.yaml"
"$MGUARD" reload --policy "$TMP/policy" --pin-dir "$PIN" >"$TMP/reload.out" 2>&1
check "a reload with 70 sibling scopes under one parent cgroup succeeds" [ $? = 0 ]
check "the device program is attached to their parent once" \
	[ "$(find "$PIN" -name "link_device_$(stat -c %i "$CG/sib")" | wc -l)" = 1 ]
"$TRY" --cgroup "$CG/sib/s70" open "$TMP/dev/nvidia1" >"$TMP/out" 2>&1
check "the 70th sibling scope is denied the GPU it was not given" grep -qx 'errno EPERM' "$TMP/out"
"$TRY" --cgroup "$CG/sib/s70" open "$TMP/dev/nvidia0" >"$TMP/out" 2>&1
check "and reaches the one it was given" grep -qx 'errno ENXIO' "$TMP/out"
guarded_cg=$SCOPE_CG
SCOPE_CG=$CG/sib/s70
expect_file_denied "the 70th sibling scope's file hook" "$PROHIBITED"
SCOPE_CG=$guarded_cg
rm -f "$TMP/policy/siblings.yaml"
"$MGUARD" reload --policy "$TMP/policy" --pin-dir "$PIN" >"$TMP/reload.out" 2>&1
check "the reload without them succeeds and detaches the parent's programs" \
	all "[ $? = 0 ] && [ -z \"\$(find '$PIN' -name 'link_*_$(stat -c %i "$CG/sib")')\" ]"
for i in $(seq -w 1 70); do rmdir "$CG/sib/s$i"; done
rmdir "$CG/sib"
