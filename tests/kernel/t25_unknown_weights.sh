# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# --- unknown weights: renamed or copied weights are still not loadable ----------------
# A scope reads its models (by their rules), its own folders and the system's;
# any other regular file may be weights under another name, and is denied.
cp "$PROHIBITED" "$UNK/notes.txt"
expect_file_denied "weights copied elsewhere and renamed to .txt" "$UNK/notes.txt"
check "event says unknown weights" wait_for 5 has_line "$TMP/events.jsonl" \
	'"hook":"file_open"' '"reason":"unknown-weights"' '"name":"notes.txt"'
printf 'plain text' >"$UNK/readme.md"
expect_file_denied "any other file outside every readable folder" "$UNK/readme.md"
try_in_scope "$TMP/out" open /etc/passwd >/dev/null
check "system configuration (/etc) is readable in scope" grep -qx 'ok read=1' "$TMP/out"
try_in_scope "$TMP/out" open /proc/self/status >/dev/null
check "the process's own /proc files are readable in scope" grep -qx 'ok read=1' "$TMP/out"
try_in_scope "$TMP/out" open "$TMP/notes.txt" >/dev/null
check "a file in a folder the scope may read is readable" grep -qx 'ok read=1' "$TMP/out"
try_outside "$TMP/out" open "$UNK/notes.txt" >/dev/null
check "outside every scope the same file is readable" grep -qx 'ok read=1' "$TMP/out"
