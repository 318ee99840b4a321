#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make install: every file lands where PREFIX, DESTDIR and the overrides say;
# the installed unit passes systemd-analyze verify, and its exposure in
# systemd-analyze security is at most 4.0; the tmpfiles.d and logrotate files
# are read by their tools. TAP-like lines; no privileges needed.
#
#   tests/unit/install/test_install.sh BUILD_DIR
set -u
cd "$(dirname "$0")/../../.." || exit 1
BUILD=${1:-build}
FAILED=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; [ $# -gt 1 ] && echo "#   $2"; FAILED=1; }
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}
T=$(mktemp -d /tmp/mguard-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
MAX_EXPOSURE=4.0
# shellcheck disable=SC2317 # called through check
all_files() { for f in "$@"; do [ -f "$f" ] || return 1; done; }

# DESTDIR and PREFIX: files under DESTDIR, paths inside them without it.
D=$T/dest
make -s install BUILD="$BUILD" DESTDIR="$D" PREFIX=/usr/local >"$T/make.log" 2>&1
check "make install DESTDIR PREFIX=/usr/local succeeds" [ $? = 0 ]
for f in usr/local/sbin/mguard usr/local/share/man/man8/mguard.8 \
	usr/local/share/man/man5/mguard-policy.5 usr/local/lib/systemd/system/mguard.service \
	usr/local/lib/tmpfiles.d/mguard.conf usr/local/share/bash-completion/completions/mguard \
	etc/logrotate.d/mguard etc/mguard/default.yaml; do
	check "installed $f" [ -f "$D/$f" ]
done
UNIT=$D/usr/local/lib/systemd/system/mguard.service
check "the unit starts the installed binary, DESTDIR left out" \
	grep -q '^ExecStart=/usr/local/sbin/mguard start --foreground --policy /etc/mguard ' "$UNIT"
check "no placeholder is left in the installed files" \
	sh -c "! grep -l '@[A-Z]*@' '$UNIT' '$D/usr/local/lib/tmpfiles.d/mguard.conf' '$D/etc/logrotate.d/mguard'"
check "the unit is Type=notify, restarts on failure, and has no ExecStop=" \
	sh -c "grep -qx 'Type=notify' '$UNIT' && grep -qx 'Restart=on-failure' '$UNIT' && ! grep -q '^ExecStop=' '$UNIT'"

# Another PREFIX, and each folder overridden.
make -s install BUILD="$BUILD" DESTDIR="$T/opt" PREFIX=/opt/mguard SYSCONFDIR=/opt/mguard/etc \
	SYSTEMD_UNIT_DIR=/srv/units BASH_COMPLETION_DIR=/srv/compl >"$T/make.log" 2>&1
check "make install PREFIX=/opt/mguard with overrides succeeds" [ $? = 0 ]
check "PREFIX places the binary and the tmpfiles.d file" \
	all_files "$T/opt/opt/mguard/sbin/mguard" "$T/opt/opt/mguard/lib/tmpfiles.d/mguard.conf"
check "SYSTEMD_UNIT_DIR and BASH_COMPLETION_DIR override the folders" \
	all_files "$T/opt/srv/units/mguard.service" "$T/opt/srv/compl/mguard"
check "SYSCONFDIR places the policy and logrotate's file, and the unit says so" \
	sh -c "[ -f '$T/opt/opt/mguard/etc/mguard/default.yaml' ] && [ -f '$T/opt/opt/mguard/etc/logrotate.d/mguard' ] &&
	grep -q -- '--policy /opt/mguard/etc/mguard ' '$T/opt/srv/units/mguard.service'"

# A real PREFIX (no DESTDIR), so the unit names a binary that exists: verify checks it.
R=$T/root
make -s install BUILD="$BUILD" PREFIX="$R/usr" SYSCONFDIR="$R/etc" >"$T/make.log" 2>&1
check "make install PREFIX=<folder> succeeds" [ $? = 0 ]
RUNIT=$R/usr/lib/systemd/system/mguard.service
systemd-analyze verify --man=no "$RUNIT" >"$T/verify.log" 2>&1
check "systemd-analyze verify accepts the installed unit" \
	sh -c "[ $? = 0 ] && [ ! -s '$T/verify.log' ]"
[ -s "$T/verify.log" ] && sed 's/^/#   /' "$T/verify.log"
systemd-analyze security --offline=yes --threshold=40 "$RUNIT" >"$T/security.log" 2>&1
rc=$?
score=$(sed -n 's/.*Overall exposure level for mguard.service: \([0-9.]*\) .*/\1/p' "$T/security.log")
check "systemd-analyze security scores the unit (exposure $score)" [ -n "$score" ]
check "its exposure $score is at most $MAX_EXPOSURE (--threshold=40 agrees)" \
	sh -c "[ $rc = 0 ] && awk -v s='$score' -v m=$MAX_EXPOSURE 'BEGIN { exit !(s <= m) }'"
check "the unit bounds its capabilities to CAP_BPF CAP_PERFMON CAP_NET_ADMIN CAP_SYS_ADMIN CAP_DAC_READ_SEARCH" \
	grep -qx 'CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_NET_ADMIN CAP_SYS_ADMIN CAP_DAC_READ_SEARCH' "$RUNIT"

# tmpfiles.d makes the two folders (in a root of its own, with the groups it names).
mkdir -p "$T/tmproot/etc"
printf 'root:x:0:0::/root:/bin/sh\n' >"$T/tmproot/etc/passwd"
printf 'root:x:0:\nadm:x:4:\n' >"$T/tmproot/etc/group"
systemd-tmpfiles --create --root="$T/tmproot" "$R/usr/lib/tmpfiles.d/mguard.conf" >"$T/tmpfiles.log" 2>&1
check "systemd-tmpfiles reads the tmpfiles.d file" [ $? = 0 ]
check "it makes /run/mguard and /var/log/mguard, mode 0750" \
	sh -c "[ \"\$(stat -c %a '$T/tmproot/run/mguard')\" = 750 ] && [ \"\$(stat -c %a '$T/tmproot/var/log/mguard')\" = 750 ]"

# logrotate reads its file and would signal the daemon named by the pid file.
logrotate -d -s "$T/lr.state" "$R/etc/logrotate.d/mguard" >"$T/lr.log" 2>&1
check "logrotate -d reads the logrotate file without an error" \
	sh -c "[ $? = 0 ] && ! grep -qi 'error' '$T/lr.log'"
# shellcheck disable=SC2016 # the text of the file, not an expansion
check "its postrotate sends SIGUSR2 to the pid in /run/mguard/mguard.pid" \
	grep -q 'kill -USR2 "$(cat /run/mguard/mguard.pid)"' "$R/etc/logrotate.d/mguard"

exit $FAILED
