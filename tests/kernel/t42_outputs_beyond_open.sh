# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# Outputs beyond open(2): data that would end up outside the output folders
# without an open for writing there.
. tests/kernel/routes_lib.sh

OUT=$TMP/outputs
mkdir -p "$OUT/a" "$OUT/b"
fresh() { printf 'scope-data' >"$OUT/a/f"; rm -f "$OUT/b/f" "$TMP/leak" "$OUT/a/l"; }
R_SETUP=fresh
RT_ENGINE=$ENGINE_PATHS

fresh
rt_refused "rename of an output file out of the output folders" 'errno EPERM' "$ROUTE" rename "$OUT/a/f" "$TMP/leak"
# An entry tracepoint kills the caller but cannot undo its call: on the
# fallback engine the name is made (a gap named by probe and status).
refuses "$ENGINE_PATHS" && check "... and the data did not leave them" [ ! -e "$TMP/leak" ]
fresh
rt_on_lsm "rename from one output folder into another still works" 'ok rename' "$ROUTE" rename "$OUT/a/f" "$OUT/b/f"
fresh
rt_refused "hard link of an output file out of the output folders" 'errno EPERM' "$ROUTE" link "$OUT/a/f" "$TMP/leak"
fresh
rt_on_lsm "hard link within the output folders still works" 'ok link' "$ROUTE" link "$OUT/a/f" "$OUT/b/f"
fresh
rt_refused "O_TMPFILE in outputs, then linkat outside them" 'errno EPERM' "$ROUTE" tmpfile-link "$OUT/a" "$TMP/leak"
refuses "$ENGINE_PATHS" && check "... and no file was made outside" [ ! -e "$TMP/leak" ]
fresh
rt_on_lsm "O_TMPFILE in outputs, linked into outputs, still works" 'ok linked' "$ROUTE" tmpfile-link "$OUT/a" "$OUT/b/f"
fresh
# A name is not an output (a container runtime makes its /dev's links); named as a gap.
rt_both "a symlink outside the output folders is made: names are not outputs" 'ok symlink' \
	"$ROUTE" symlink "a-name" "$TMP/leak"
rm -f "$TMP/leak"
fresh
rt_both "a symlink inside the output folders works" 'ok symlink' "$ROUTE" symlink "x" "$OUT/a/l"
cp "$TMP/notes.txt" "$TMP/victim.txt"
rt_refused "truncate(2) of a file outside the output folders" 'errno EPERM' "$ROUTE" truncate "$TMP/victim.txt"
case "$ENGINE_PATHS" in
bpf-lsm | fmod-ret) check "... and the file kept its data" [ -s "$TMP/victim.txt" ] ;;
esac
fresh
rt_on_lsm "truncate(2) of an output file still works" 'ok truncate' "$ROUTE" truncate "$OUT/a/f"
rt_refused "an extended attribute set on a file outside the output folders" 'errno EPERM' \
	"$ROUTE" setxattr "$TMP/victim.txt"
fresh
rt_on_lsm "an extended attribute on an output file still works" 'ok setxattr' "$ROUTE" setxattr "$OUT/a/f"
fresh
rt_both "fsetxattr on an output file opened for writing works on both engines" 'ok fsetxattr' \
	"$ROUTE" fsetxattr "$OUT/a/f"
case "$ENGINE_PATHS" in
bpf-lsm | fmod-ret)
	rm -f "$TMP/fifo"
	rt_placed cg "$ROUTE" mkfifo "$TMP/fifo"
	check "a FIFO outside the output folders is made: it stores no bytes (cg)" grep -qx 'ok mkfifo' "$TMP/out"
	rm -f "$TMP/fifo"
	rm -f "$OUT/a/fifo"
	rt_placed cg "$ROUTE" mkfifo "$OUT/a/fifo"
	check "a FIFO inside the output folders still works (cg)" grep -qx 'ok mkfifo' "$TMP/out"
	;;
esac
R_SETUP=
RT_ENGINE=
rm -rf "$OUT/a" "$OUT/b" "$TMP/victim.txt" "$TMP/fifo"

# Outside every scope nothing changed.
printf 'x' >"$TMP/outside-a"
"$ROUTE" rename "$TMP/outside-a" "$TMP/outside-b" >"$TMP/out" 2>/dev/null
check "outside every scope, a rename anywhere works" grep -qx 'ok rename' "$TMP/out"
rm -f "$TMP/outside-b"
