# Shared helpers for the test suites (bash). Source it, call check/expect_*,
# and end with `finish`, which prints the tally and sets the exit status.
# A failed check prints what was expected and what came; nothing is skipped.

set -u
SUITE=${SUITE:-$(basename "$(dirname "$0")")}
n_pass=0
n_fail=0

pass() { n_pass=$((n_pass + 1)); [ -z "${VERBOSE:-}" ] || printf '  ok   %s\n' "$1"; }
fail() { n_fail=$((n_fail + 1)); printf '  FAIL %s\n' "$1"; shift; [ $# -eq 0 ] || printf '       %s\n' "$@"; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected: $2" "got:      $3"; fi
}

# expect_match NAME REGEX ACTUAL
expect_match() {
	if [[ $3 =~ $2 ]]; then pass "$1"; else fail "$1" "expected to match: $2" "got: $3"; fi
}

# expect_status NAME EXPECTED_STATUS COMMAND... (stdout and stderr are kept in $out and $err)
expect_status() {
	local name=$1 want=$2 status
	shift 2
	out=$("$@" 2> "$TMPDIR_T/stderr") && status=0 || status=$?
	err=$(cat "$TMPDIR_T/stderr")
	if [ "$status" = "$want" ]; then pass "$name"; else
		fail "$name" "command: $*" "expected status $want, got $status" "stdout: ${out:0:400}" "stderr: ${err:0:400}"
	fi
}

# A private scratch directory, readable by the unprivileged test user.
TMPDIR_T=$(mktemp -d /tmp/apply-seccomp-test.XXXXXX)
chmod 755 "$TMPDIR_T"
trap 'rm -rf "$TMPDIR_T"' EXIT

# prerequisites TARGET FILE... -- TOOL...: the suite runs as root (it tests
# root and uid 65534), with each FILE built (by make TARGET) and each TOOL
# installed; if not, it fails (never skips) and ends here.
prerequisites() {
	local target=$1 missing=0
	shift
	if [ "$(id -u)" != 0 ]; then
		fail "the $SUITE suite runs as root (it tests both root and uid 65534)"
		missing=1
	fi
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		[ -f "$1" ] || { fail "missing $1 (run it through make $target)"; missing=1; }
		shift
	done
	[ $# -eq 0 ] || shift
	for t in "$@"; do
		command -v "$t" > /dev/null || { fail "missing tool: $t (scripts/install-test-deps.sh)"; missing=1; }
	done
	if [ $missing = 1 ]; then
		finish
		exit 1
	fi
}

finish() {
	printf '%s: %d passed, %d failed\n' "$SUITE" "$n_pass" "$n_fail"
	[ "$n_fail" -eq 0 ] && [ "$n_pass" -gt 0 ]
}
