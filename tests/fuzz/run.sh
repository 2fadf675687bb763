#!/usr/bin/env bash
# Runs libFuzzer harnesses, each for SECONDS, on a scratch corpus under
# $FB/corpus-NAME seeded from tests/fuzz/corpus/NAME (libFuzzer writes new
# inputs to its first directory only, so the committed seeds stay as they
# are). A crash, a sanitizer report or a broken invariant fails the run and
# leaves the input in $FB/artifacts/ with the log in $FB/NAME.log.
# usage: tests/fuzz/run.sh SECONDS NAME...
set -u
cd "$(dirname "$0")/../.."
FB=${FB:-build/fuzz}
seconds=$1
shift
status=0
mkdir -p "$FB/artifacts"
for h in "$@"; do
	mkdir -p "$FB/corpus-$h"
	dict=()
	[ -f "tests/fuzz/$h.dict" ] && dict=(-dict="tests/fuzz/$h.dict")
	log=$FB/$h.log
	TIMEFORMAT='%U %S'
	if { time "$FB/fuzz-$h" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
		-use_value_profile=1 -print_final_stats=1 -artifact_prefix="$FB/artifacts/$h-" \
		"${dict[@]}" "$FB/corpus-$h" "tests/fuzz/corpus/$h" > "$log" 2>&1; } 2> "$FB/$h.cpu"; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
		cpu=$(awk '{ printf "%.1f", ($1 + $2) / 60 }' "$FB/$h.cpu")
		echo "fuzz $h: ${seconds}s clean, $cpu CPU-minutes, ${runs:-?} runs, ${cov:-cov: ?}," \
			"$(ls "$FB/corpus-$h" | wc -l) new inputs"
	else
		echo "fuzz $h: FAILED (log: $log)"
		grep -E 'invariant broken|ERROR: |runtime error|Test unit written' "$log" | head -20
		status=1
	fi
done
exit $status
