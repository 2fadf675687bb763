#!/usr/bin/env bash
# Static analysis of every C file of the tree: cppcheck, clang-tidy (the
# checks of .clang-tidy) and gcc -fanalyzer. Any finding fails; a false
# positive is silenced where it stands, with a comment that says why.
# usage: scripts/lint.sh [-I DIR]...   (extra include dirs: the generated
# builtin-filter.h of the loader)
set -u
cd "$(dirname "$0")/.."
JOBS=$(nproc)
mapfile -t files < <(ls gen/*.c loader/*.c tests/*.c tests/*/*.c 2> /dev/null)
includes=(-Igen -Iloader -Itests/gen -Itests/fuzz -Itests/hardening "$@")
flags=(-std=gnu11 "${includes[@]}" -DVERSION='"lint"')
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
status=0

report() { # NAME FILE: prints the findings and fails when there are any
	if [ -s "$2" ]; then
		echo "lint: $1: findings:"
		cat "$2"
		status=1
	else
		echo "lint: $1: clean (${#files[@]} files)"
	fi
}

# cppcheck tries every combination of macros; the #errors for other
# architectures only end those it should not: check this machine's.
cppcheck -q --std=c11 -D"__$(uname -m)__" --enable=warning,style,performance,portability --inline-suppr \
	--suppress=missingIncludeSystem -j "$JOBS" "${includes[@]}" -DVERSION='"lint"' "${files[@]}" > "$T/cppcheck" 2>&1
report cppcheck "$T/cppcheck"

# One file per clang-tidy run: clang-tidy 14 carries analyzer state from one
# file to the next and then reports va_lists as uninitialised.
printf '%s\0' "${files[@]}" | xargs -0 -P "$JOBS" -I{} \
	clang-tidy -quiet {} -- "${flags[@]}" 2>&1 |
	grep -v 'warnings generated\.$\|^Suppressed [0-9]* warnings\|^Use -header-filter\|NOLINT' > "$T/tidy"
report clang-tidy "$T/tidy"

printf '%s\0' "${files[@]}" | xargs -0 -P "$JOBS" -I{} \
	gcc "${flags[@]}" -fanalyzer -Wall -Wextra -O2 -c -o /dev/null {} > "$T/analyzer" 2>&1
report "gcc -fanalyzer" "$T/analyzer"
exit $status
