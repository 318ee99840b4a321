#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run the test tiers and count them together.
#
#   tests/run-all.sh BUILD_DIR [unit|kernel|vm]...   (default: all three)
#
# A tier that cannot run counts as a failure: nothing is skipped silently.
# The last line is "N passed, M failed" over every tier that was asked for, and
# the kernel configurations that ran (the host, each VM of the matrix).
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${1:-build}
shift
TIERS=${*:-unit kernel vm}
TOTAL_PASS=0
TOTAL_FAIL=0
LOG_DIR=$BUILD/test-logs
mkdir -p "$LOG_DIR"

add() { TOTAL_PASS=$((TOTAL_PASS + $1)); TOTAL_FAIL=$((TOTAL_FAIL + $2)); }

# Counts from a tier's own summary line "... N passed, M failed ...".
add_summary() {
	line=$(grep -E "^$1 tier: [0-9]+ passed, [0-9]+ failed" "$2" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$1 tier: 0 passed, 1 failed (it printed no summary: it could not run)"
		add 0 1
		return
	fi
	p=$(echo "$line" | sed -E 's/^[a-z]+ tier: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/^[a-z]+ tier: [0-9]+ passed, ([0-9]+) failed.*/\1/')
	add "$p" "$f"
}

run_unit() {
	pass=0
	failed=0
	found=0
	for t in "$BUILD"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		found=1
		log=$LOG_DIR/$(basename "$t").log
		CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1
		st=$?
		p=$(grep -c '^ok ' "$log")
		f=$(grep -c '^not ok ' "$log")
		if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1	# crashed or sanitizer report
			echo "not ok - $(basename "$t") exited with status $st"
		fi
		grep '^not ok ' "$log"
		[ "$f" -ne 0 ] && tail -n 30 "$log"
		pass=$((pass + p))
		failed=$((failed + f))
	done
	# Shell tests of the unit tier (make install, the unit, tmpfiles, logrotate).
	for t in tests/unit/*/test_*.sh; do
		[ -f "$t" ] || continue
		log=$LOG_DIR/$(basename "$t").log
		sh "$t" "$BUILD" >"$log" 2>&1
		st=$?
		p=$(grep -c '^ok ' "$log")
		f=$(grep -c '^not ok ' "$log")
		if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			echo "not ok - $t exited with status $st"
		fi
		grep -A1 '^not ok ' "$log"
		pass=$((pass + p))
		failed=$((failed + f))
	done
	# The man pages render without a warning.
	for page in docs/man/mguard.8 "$BUILD/man/mguard-policy.5"; do
		if [ -f "$page" ] && [ -z "$(groff -man -ww -z "$page" 2>&1)" ]; then
			pass=$((pass + 1))
		else
			echo "not ok - man page $page renders without warnings"
			failed=$((failed + 1))
		fi
	done
	# The command line's conventions, on the built binary.
	if [ -x "$BUILD/mguard" ]; then
		sh tests/unit/cli/cli_conventions.sh "$BUILD" >"$LOG_DIR/cli.log" 2>&1
		grep '^not ok ' -A1 "$LOG_DIR/cli.log"
		pass=$((pass + $(grep -c '^ok ' "$LOG_DIR/cli.log")))
		failed=$((failed + $(grep -c '^not ok ' "$LOG_DIR/cli.log")))
	else
		echo "not ok - cli conventions: no $BUILD/mguard"
		failed=$((failed + 1))
	fi
	# mguard report --html rendered by headless Chromium, checked against --json.
	if [ -x "$BUILD/mguard" ]; then
		log=$LOG_DIR/report-html.log
		sh tests/unit/cli/report_html.sh "$BUILD" >"$log" 2>&1
		st=$?
		p=$(grep -c '^ok ' "$log")
		f=$(grep -c '^not ok ' "$log")
		grep -A1 '^not ok ' "$log"
		if [ "$st" -ne 0 ] || [ "$p" -eq 0 ]; then
			echo "not ok - report html: tests/unit/cli/report_html.sh exited $st"
			tail -n 20 "$log"
			f=$((f + 1))
		fi
		pass=$((pass + p))
		failed=$((failed + f))
	else
		echo "not ok - report html: no $BUILD/mguard"
		failed=$((failed + 1))
	fi
	# The include graph keeps its layers (make deps).
	if sh scripts/check-layers.sh >"$LOG_DIR/layers.log" 2>&1; then
		pass=$((pass + 1))
	else
		echo "not ok - layers: scripts/check-layers.sh"
		cat "$LOG_DIR/layers.log"
		failed=$((failed + 1))
	fi
	# The deployment files: systemd unit, OCI hooks, Kubernetes manifests (offline).
	log=$LOG_DIR/deploy.log
	sh tests/unit/deploy.sh >"$log" 2>&1
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	grep -A1 '^not ok ' "$log"
	[ "$p" -gt 0 ] || f=$((f + 1))
	pass=$((pass + p))
	failed=$((failed + f))
	if [ "$found" -eq 0 ]; then
		echo "unit tier: 0 passed, 1 failed (no unit test binaries in $BUILD/tests/unit)"
		add 0 1
		return
	fi
	echo "unit tier: $pass passed, $failed failed (host kernel $(uname -r), no privileges needed)"
	add "$pass" "$failed"
}

run_kernel() {
	log=$LOG_DIR/kernel.log
	sh tests/kernel/run.sh "$BUILD" 2>&1 | tee "$log" | grep -v '^ok '
	add_summary kernel "$log"
	add_config "host $(uname -r)"
}

# The kernel configurations that ran, for the closing line.
CONFIGS=
add_config() { CONFIGS="$CONFIGS${CONFIGS:+, }$1"; }

# The VM tier prints a line per configuration of the kernel matrix
# (tests/vm/configs), then their sum: the sum is what counts, and a VM that
# did not boot or gave no result is a failure in it.
run_vm() {
	log=$LOG_DIR/vm.log
	sh tests/vm/run.sh "$BUILD" >"$log" 2>&1
	grep -E '^(vm\| )?(not ok|#)|^vm tier|^vm: ' "$log"
	add_summary vm "$log"
	names=$(sed -n 's/^vm tier: .*configurations: \(.*\))$/\1/p' "$log" | tail -n 1)
	[ -z "$names" ] || add_config "VM $names"
}

for tier in $TIERS; do
	case "$tier" in
	unit) run_unit ;;
	kernel) run_kernel ;;
	vm) run_vm ;;
	*) echo "unknown tier '$tier'"; add 0 1 ;;
	esac
done

# How many kernel configurations ran: the host's and each VM's.
n=$(printf '%s' "$CONFIGS" | sed 's/^VM //; s/, VM /, /' | awk -F', ' 'NF { print NF }')
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed${CONFIGS:+ (${n:-0} kernel configurations: $CONFIGS)}"
[ "$TOTAL_FAIL" -eq 0 ]
