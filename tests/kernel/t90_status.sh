# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- status --------------------------------------------------------------------
# A denied connect of its own, so the counters below need no earlier test file.
try_in_scope "$TMP/out" connect 127.0.0.1 "$PORT_DENIED" >/dev/null
"$MGUARD" status --pin-dir "$PIN" >"$TMP/status.txt" 2>&1
check "status names the engine per hook" grep -Eq "^file_open +$ENGINE" "$TMP/status.txt"
check "status names the same file engine for mmap and file_receive" \
	all "grep -Eq '^mmap +$ENGINE ' '$TMP/status.txt' && grep -Eq '^file_receive +$ENGINE ' '$TMP/status.txt'"
check "status shows the denied connects" grep -Eq '^connect4 +cgroup +[0-9]+ +[1-9]' "$TMP/status.txt"
"$MGUARD" status --json --pin-dir "$PIN" >"$TMP/status.json" 2>&1
check "status --json shows the generation in force" grep -Eq '"generation":[1-9][0-9]*,' "$TMP/status.json"
check "status names the running daemon" grep -q "^daemon: running, pid $DPID" "$TMP/status.txt"
check "status names the policy, its digest and load time" \
	all "grep -q '^policy $TMP/policy' '$TMP/status.txt' && grep -Eq '^  sha256 [0-9a-f]{64}' '$TMP/status.txt'"
check "status lists the scope with its cgroup and highest tier" \
	grep -Eq "^  guarded +$CG_REL/guarded +[0-9]+ processes +max tier controlled" "$TMP/status.txt"
check "status lists the licences in force" grep -Eq '^  lic-long +scope guarded +until' "$TMP/status.txt"
check "status --json has the daemon, scopes and licences" \
	all "grep -q '\"daemon_pid\":$DPID' '$TMP/status.json' && grep -q '\"scope_list\":\[{\"name\":\"guarded\"' '$TMP/status.json' && grep -q '\"id\":\"lic-long\"' '$TMP/status.json'"
