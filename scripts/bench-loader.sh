#!/bin/bash
# Loader benchmark (`make bench-loader`; run as root): the start-up-to-exit
# time of `apply-seccomp FILTER /bin/true` beside plain /bin/true, unshare(1)
# and bwrap, as root (the loader's direct path) and as uid 65534 (its nested
# user namespace), each measured interleaved by build/tests/loader-bench, on
# any CPU and pinned to CPU 0; then binary sizes, peak RSS and a syscall count.
#
# Environment: LOADER (glibc build), MUSL_LOADER (musl build; made if missing
# and possible), BENCH (the harness), RUNS and WARMUP (per command).
set -euo pipefail
cd "$(dirname "$0")/.."
LOADER=${LOADER:-build/apply-seccomp}
MUSL_LOADER=${MUSL_LOADER:-build/musl/apply-seccomp}
BENCH=${BENCH:-build/tests/loader-bench}
RUNS=${RUNS:-300}
WARMUP=${WARMUP:-30}
FILTER=filters/$(uname -m)/unix-block.bpf

[ "$(id -u)" = 0 ] || { echo "bench-loader: run as root (it also runs as uid 65534)" >&2; exit 1; }
if [ ! -x "$MUSL_LOADER" ] && ! make -s --no-print-directory LIBC=musl loader > /dev/null; then
	echo "bench-loader: no musl build (make LIBC=musl failed); its rows are left out" >&2
fi

# uid 65534 cannot enter /root or (perhaps) the tree: stage what it runs.
T=$(mktemp -d /tmp/bench-loader.XXXXXX)
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
install -m 755 "$LOADER" "$T/apply-seccomp"
install -m 755 "$BENCH" "$T/loader-bench"
install -m 644 "$FILTER" "$T/filter.bpf"
[ ! -x "$MUSL_LOADER" ] || install -m 755 "$MUSL_LOADER" "$T/apply-seccomp-musl"

table() { # TITLE WRAPPER... : one interleaved run of every command
	local title=$1 cmds
	shift
	cmds=(/bin/true /bin/true
		-- "apply-seccomp FILTER /bin/true (glibc)" "$T/apply-seccomp" "$T/filter.bpf" /bin/true)
	[ ! -x "$T/apply-seccomp-musl" ] || cmds+=(
		-- "apply-seccomp FILTER /bin/true (musl)" "$T/apply-seccomp-musl" "$T/filter.bpf" /bin/true)
	cmds+=(-- "unshare --user --pid --mount --fork --mount-proc /bin/true"
			/usr/bin/unshare --user --pid --mount --fork --mount-proc /bin/true
		-- "bwrap --ro-bind / / --dev /dev --proc /proc --unshare-pid /bin/true"
			/usr/bin/bwrap --ro-bind / / --dev /dev --proc /proc --unshare-pid /bin/true)
	echo "== $title ($RUNS runs each, interleaved, after $WARMUP rounds of warm-up; times in ms)"
	"$@" "$T/loader-bench" "$RUNS" "$WARMUP" "${cmds[@]}"
	echo
}
NOBODY=(setpriv --reuid 65534 --regid 65534 --clear-groups)
echo "kernel $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
echo
table "as root, any CPU"
table "as root, pinned to CPU 0" taskset -c 0
table "as uid 65534 (nested user namespace), any CPU" "${NOBODY[@]}"
table "as uid 65534 (nested user namespace), pinned to CPU 0" taskset -c 0 "${NOBODY[@]}"

# Where the time goes: exec and libc start-up alone (--version), the whole
# setup without exec'ing anything (--check), and the real thing.
echo "== where the time goes: as root, pinned to CPU 0 (ms)"
parts=(/bin/true /bin/true
	-- "apply-seccomp --version (glibc): exec + libc start-up" "$T/apply-seccomp" --version
	-- "apply-seccomp --check (glibc): all the setup, no exec" "$T/apply-seccomp" --check
	-- "apply-seccomp FILTER /bin/true (glibc)" "$T/apply-seccomp" "$T/filter.bpf" /bin/true)
[ ! -x "$T/apply-seccomp-musl" ] || parts+=(
	-- "apply-seccomp --version (musl): exec + libc start-up" "$T/apply-seccomp-musl" --version
	-- "apply-seccomp --check (musl): all the setup, no exec" "$T/apply-seccomp-musl" --check
	-- "apply-seccomp FILTER /bin/true (musl)" "$T/apply-seccomp-musl" "$T/filter.bpf" /bin/true)
taskset -c 0 "$T/loader-bench" "$RUNS" "$WARMUP" "${parts[@]}" | cut -c1-100
echo

echo "== size (stripped, static)"
for l in "$T/apply-seccomp" "$T/apply-seccomp-musl"; do
	[ -x "$l" ] || continue
	printf '%-24s %7d bytes  %s\n' "${l##*/}" "$(stat -c %s "$l")" "$(file -b "$l" | cut -d, -f1-2)"
done
echo

# Peak RSS of each loader process (VmHWM), read while COMMAND waits. (wait4's
# ru_maxrss would also count the pages of whoever forked the loader.)
echo "== peak RSS (VmHWM) of the loader's processes, COMMAND waiting"
for l in "$T/apply-seccomp" "$T/apply-seccomp-musl"; do
	[ -x "$l" ] || continue
	for who in root nobody; do
		w=()
		[ $who = root ] || w=("${NOBODY[@]}")
		coproc RUN { exec "${w[@]}" "$l" "$T/filter.bpf" /bin/sh -c 'echo ready; read -r x'; }
		exec {out}<&"${RUN[0]}" {in}>&"${RUN[1]}"
		read -r -u "$out" _
		stub=$RUN_PID
		pid1=$(cut -d' ' -f1 "/proc/$stub/task/$stub/children")
		printf '%-24s %-7s stub %5s kB   PID 1 %5s kB\n' "${l##*/}" "$who" \
			"$(awk '/^VmHWM/ {print $2}' "/proc/$stub/status")" \
			"$(awk '/^VmHWM/ {print $2}' "/proc/$pid1/status")"
		echo >&"$in"
		wait "$stub"
		exec {out}<&- {in}>&-
	done
done
echo

echo "== syscalls of one run (glibc build, as root; strace -f -c)"
strace -f -c -o "$T/strace" "$T/apply-seccomp" "$T/filter.bpf" /bin/true
sed -n '1,2p;/total$/p' "$T/strace"
awk 'NR > 2 && $NF != "total" && $0 !~ /^---/ {print $4 "x " $NF}' "$T/strace" |
	sort -t x -k1,1nr | tr '\n' ' ' | fold -s -w 100
echo
