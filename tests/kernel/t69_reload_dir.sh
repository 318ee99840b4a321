# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- reload --policy DIR loads DIR ------------------------------------------------------
# A second folder whose scope may also reach $PORT_DENIED: after a reload
# with it, that port passes; a reload without --policy reloads the folder in
# force (the second); a reload naming the first puts it back.
rm -rf "$TMP/policy-b"
cp -a "$TMP/policy" "$TMP/policy-b"
sed -i "s|egress: \[\"127.0.0.1:$PORT_OK/tcp\"|egress: [\"127.0.0.1:$PORT_DENIED/tcp\", \"127.0.0.1:$PORT_OK/tcp\"|" \
	"$TMP/policy-b/policy.yaml"
check "the second folder differs in its egress list" grep -q "127.0.0.1:$PORT_DENIED/tcp" "$TMP/policy-b/policy.yaml"
"$MGUARD" reload --policy "$TMP/policy-b" --pin-dir "$PIN" >"$TMP/reload.out" 2>&1
check "reload --policy with another folder succeeds and names it" \
	all "[ $? = 0 ] && grep -q \"policy '$TMP/policy-b' generation\" '$TMP/reload.out'"
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "the other folder's rules are in force (its extra port passes)" grep -qx 'errno ECONNREFUSED' "$TMP/out"
"$MGUARD" reload --pin-dir "$PIN" >"$TMP/reload.out" 2>&1
check "reload without --policy succeeds" [ $? = 0 ]
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "and reloads the folder in force, not the one the daemon started with" \
	grep -qx 'errno ECONNREFUSED' "$TMP/out"
"$MGUARD" reload --policy "$TMP/no-such-folder" --pin-dir "$PIN" >"$TMP/reload.out" 2>&1
check "reload --policy of a folder that is not there is refused" \
	all "[ $? != 0 ] && grep -q \"policy folder '$TMP/no-such-folder'\" '$TMP/reload.out'"
"$MGUARD" reload --policy "$TMP/policy" --pin-dir "$PIN" >"$TMP/reload.out" 2>&1
check "reload --policy with the first folder succeeds" [ $? = 0 ]
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
check "the first folder's rules are back (the port is denied)" grep -qx 'errno EPERM' "$TMP/out"
rm -rf "$TMP/policy-b"

# --- mguard run refuses a scope no guard enforces ----------------------------------------
"$MGUARD" run --policy "$TMP/policy" --scope guarded --pin-dir "$PIN" -- "$TRY" open "$TMP/models/small/model.gguf" \
	>"$TMP/out" 2>"$TMP/err"
check "mguard run in a scope the guard enforces runs the command" \
	all "[ $? = 0 ] && grep -qx 'ok read=1' '$TMP/out'"
"$MGUARD" run --policy "$TMP/policy" --scope guarded --pin-dir "$PIN-gone" -- "$TRY" open "$PROHIBITED" \
	>"$TMP/out" 2>"$TMP/err"
check "mguard run with no guard at its pin folder refuses, and runs nothing" \
	all "[ $? != 0 ] && [ ! -s '$TMP/out' ] && grep -q 'no guard is running with pin folder' '$TMP/err'"
mkdir -p "$TMP/policy-c"
cat >"$TMP/policy-c/policy.yaml" <<YAML
apiVersion: mguard/v1
tiers: [{name: general, level: 1}]
scopes: [{name: stray, cgroup: $CG_REL/stray, maxTier: general}]
YAML
mkdir -p "$CG/stray"
"$MGUARD" run --policy "$TMP/policy-c" --scope stray -- "$TRY" open "$PROHIBITED" >"$TMP/out" 2>"$TMP/err"
check "mguard run in a scope that no running guard enforces refuses, and runs nothing" \
	all "[ $? != 0 ] && [ ! -s '$TMP/out' ] && grep -q \"no guard enforces scope 'stray'\" '$TMP/err'"
rmdir "$CG/stray"
rm -rf "$TMP/policy-c"
