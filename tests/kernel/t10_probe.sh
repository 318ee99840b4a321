# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- probe -------------------------------------------------------------------
"$MGUARD" probe >"$TMP/probe.txt" 2>&1
check "probe names the $ENGINE engine for file_open" \
	grep -Eq "file_open +$ENGINE" "$TMP/probe.txt"
check "probe names cgroup programs for connect4" grep -Eq "connect4 +cgroup" "$TMP/probe.txt"
"$MGUARD" probe --json >"$TMP/probe.json" 2>&1
check "probe --json names the engine" grep -q "\"file_open\": *\"$ENGINE\"" "$TMP/probe.json"
