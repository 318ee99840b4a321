# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Sourced by tests/kernel/run.sh, with mguard running on its test policy.
# --- descriptors shared or passed around: the fallback engine's window ---------------------

# A descriptor table shared with another process (CLONE_FILES without CLONE_THREAD).
rm -f "$TMP/outputs/shared"
st=$(attack_in "$TMP/out" clone-files "$TMP/outputs/shared")
case "$ENGINE_GUARD" in
bpf-lsm | fmod-ret)
	check "CLONE_FILES: allowed with BPF LSM and fmod-ret (a denied open installs nothing to share)" \
		all "grep -qx 'ok cloned' '$TMP/out' && [ -e '$TMP/outputs/shared' ]"
	;;
*)
	check "CLONE_FILES: the parent and the child are killed before the child runs" \
		all "[ $st = 137 ] && ! grep -q '^ok' '$TMP/out' && [ ! -e '$TMP/outputs/shared' ]"
	check "CLONE_FILES: an event says so" wait_for 5 has_line "$TMP/events.jsonl" \
		'"hook":"fd_share"' '"verdict":"kill"' '"reason":"fd-share"'
	;;
esac
st=$(attack_outside "$TMP/out" clone-files "$TMP/shared-outside")
check "CLONE_FILES: still works outside every scope" \
	all "grep -qx 'ok cloned' '$TMP/out' && [ -e '$TMP/shared-outside' ]"
rm -f "$TMP/shared-outside" "$TMP/outputs/shared"
st=$(attack_in "$TMP/out" threads)
check "threads (they share the table as one process) still work in a scope" grep -qx 'ok threads' "$TMP/out"
st=$(attack_run "$TMP/out" threads)
check "... and under mguard run" grep -qx 'ok threads' "$TMP/out"

# Descriptors passed over a UNIX socket: every one is examined, however many.
st=$(attack_in "$TMP/out" recv-many 200 "$TMP/notes.txt" "$TMP/notes.txt")
check "200 ordinary descriptors in one message are all received and read" \
	grep -qx 'ok cmsgs=1 received=200 read=200 ctrunc=0' "$TMP/out"
st=$(attack_in "$TMP/out" recv-many 200 "$TMP/notes.txt" "$PROHIBITED")
case "$ENGINE" in
bpf-lsm | fmod-ret) check "the prohibited 200th of 200 descriptors is not installed" \
	grep -qx 'ok cmsgs=1 received=199 read=199 ctrunc=1' "$TMP/out" ;;
*) check "the prohibited 200th of 200 descriptors kills the receiver before it reads" \
	all "[ $st = 137 ] && ! grep -q '^ok' '$TMP/out'" ;;
esac
# With credentials and a pidfd asked for, the descriptors come in the third control message.
st=$(attack_in "$TMP/out" recv-many 1 "$TMP/notes.txt" "$PROHIBITED" creds)
case "$ENGINE" in
bpf-lsm | fmod-ret) check "a prohibited descriptor behind other control messages is not installed" \
	grep -Eqx 'ok cmsgs=[0-9] received=0 read=0 ctrunc=1' "$TMP/out" ;;
*) check "a prohibited descriptor behind other control messages kills the receiver" \
	all "[ $st = 137 ] && ! grep -q '^ok' '$TMP/out'" ;;
esac
st=$(attack_in "$TMP/out" recv-many 1 "$TMP/notes.txt" "$TMP/notes.txt" creds)
check "an ordinary descriptor behind other control messages is received" \
	grep -Eqx 'ok cmsgs=[2-4] received=1 read=1 ctrunc=0' "$TMP/out"

# The window itself: a sibling thread spins on pread() of the number the open will
# return, while the main thread opens prohibited weights. With BPF LSM there is no
# window; on the fallback engine every attempt must die, and what leaked is measured.
RACES=${MG_RACES:-200}
[ "$ENGINE" = tracepoint-kill ] || RACES=${MG_RACES:-20}
st=$(attack_in "$TMP/out" race "$PROHIBITED" "$RACES")
echo "# sibling-thread window, $RACES attempts: $(cat "$TMP/out")"
case "$ENGINE" in
bpf-lsm | fmod-ret) check "sibling thread: nothing leaks, no attempt is killed" \
	grep -qx "ok attempts=$RACES killed=0 leaked=0 bytes=0" "$TMP/out" ;;
*) check "sibling thread: every attempt is killed" grep -q "^ok attempts=$RACES killed=$RACES " "$TMP/out" ;;
esac
