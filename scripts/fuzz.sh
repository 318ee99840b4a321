#!/bin/sh
# Run each libFuzzer target for SECONDS, seeded from tests/fuzz/seeds/NAME/
# (and policies/ for the policy parser); fail on the first crash or leak.
#
#   scripts/fuzz.sh BUILD_DIR SECONDS FUZZER...
set -eu
BUILD=$1
SECONDS_EACH=$2
shift 2
status=0
for f in "$@"; do
	name=$(basename "$f")
	corpus=$BUILD/fuzz/corpus-$name
	seeds=tests/fuzz/seeds/${name#fuzz_}
	mkdir -p "$corpus"
	extra=
	[ "$name" = fuzz_policy ] && extra=$(find policies -name '*.yaml' -exec dirname {} \; | sort -u | tr '\n' ' ')
	log=$BUILD/fuzz/$name.log
	echo "fuzz: $name for $SECONDS_EACH s (log $log)"
	# shellcheck disable=SC2086
	if "$f" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		"$corpus" "$seeds" $extra >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "fuzz: $name: ok, $execs executions, corpus $(find "$corpus" -type f | wc -l) inputs"
	else
		echo "fuzz: $name: FAILED"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' "$log" || tail -n 20 "$log"
		status=1
	fi
done
exit $status
