# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Helpers for the kernel tier. POSIX sh: the same scripts run on the host
# and under busybox in the test VM.

MG_PASS=0
MG_FAIL=0

pass() { MG_PASS=$((MG_PASS + 1)); echo "ok - $1"; }
fail() { MG_FAIL=$((MG_FAIL + 1)); echo "not ok - $1"; [ $# -gt 1 ] && echo "#   $2"; return 0; }

# check NAME CONDITION-COMMAND... : pass when the command succeeds.
check() {
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "failed: $*"; fi
}

# The cgroup2 mount point, from mountinfo (never assumed).
cgroup2_mount() {
	awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | head -n 1
}

# wait_for SECONDS COMMAND...: poll until the command succeeds.
wait_for() {
	tries=$(($1 * 10))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# Lines of FILE that contain every one of the given strings.
count_lines() {
	file=$1
	shift
	awk -v n="$#" 'BEGIN { for (i = 2; i < ARGC; i++) want[i - 1] = ARGV[i]; ARGC = 2 }
		{ ok = 1; for (i = 1; i <= n; i++) if (index($0, want[i]) == 0) ok = 0; if (ok) c++ }
		END { print c + 0 }' "$file" "$@"
}

has_line() { [ "$(count_lines "$@")" -gt 0 ]; }
