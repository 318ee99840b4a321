# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.

# --- status --------------------------------------------------------------------
"$MGUARD" status --pin-dir "$PIN" >"$TMP/status.txt" 2>&1
check "status names the engine per hook" grep -Eq "^file_open +$ENGINE" "$TMP/status.txt"
check "status shows the denied connects" grep -Eq '^connect4 +cgroup +[0-9]+ +[1-9]' "$TMP/status.txt"
"$MGUARD" status --json --pin-dir "$PIN" >"$TMP/status.json" 2>&1
check "status --json shows generation 1" grep -q '"generation":1' "$TMP/status.json"
