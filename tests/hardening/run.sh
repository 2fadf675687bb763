#!/usr/bin/env bash
# The hardening suite (`make test-hardening`): the kernel against seccomp-gen's
# simulator (random policies, random programs), apply-seccomp under load and
# soak, then, in the plain build only, valgrind over seccomp-gen, a short run
# of each fuzzer and the static analysers (valgrind cannot run an ASan build;
# the fuzzers have their own sanitized build; lint does not depend on one).
# Environment (the Makefile sets them): GEN, LOADER, TB, FB, FUZZ_SECONDS,
# PLAIN (1 for the plain build), LINT_INCLUDE (where builtin-filter.h is).
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
SUITE=hardening
GEN=${GEN:-build/seccomp-gen}
LOADER=${LOADER:-build/apply-seccomp}
TB=${TB:-build/tests}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FILTER=filters/$(uname -m)/unix-block.bpf

# step NAME COMMAND...: runs a part, shows its summary lines (or all of its
# output when it fails) and how long it took.
step() {
	local name=$1 start=$SECONDS
	shift
	expect_status "$name" 0 "$@"
	printf '%s\n' "$out" | grep -E '^(hard-|fuzz |lint: |  [0-9]+ runs|valgrind: )|FAIL|invariant|error:' | sed 's/^/  /'
	printf '  (%s: %d s)\n' "$name" $((SECONDS - start))
}

step "kernel filter acceptance" "$TB/hard-accept"
step "sim against the kernel on random programs" "$TB/hard-programs"
step "load and soak" "$TB/hard-load" "$LOADER" "$FILTER"
if [ "${PLAIN:-}" = 1 ]; then
	step "valgrind memcheck over seccomp-gen" tests/hardening/valgrind.sh "$GEN"
	step "fuzzing, ${FUZZ_SECONDS}s per harness" env FB="${FB:-build/fuzz}" tests/fuzz/run.sh "$FUZZ_SECONDS" policy verify sim
	step "lint" scripts/lint.sh ${LINT_INCLUDE:+-I"$LINT_INCLUDE"}
fi
finish
