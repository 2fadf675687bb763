#!/bin/bash
# The write observer's cost (`make bench-observe`; a benchmark, not a test:
# run it on a quiet machine, as root). Two write-heavy workloads:
#   untar  tar -xf of 10,000 empty files in 100 directories
#   loop   10,000 times: create a file (openat O_CREAT), close, unlink it
# each run, ROUNDS times and interleaved, four ways:
#   none      apply-seccomp, SRT_OBSERVE_SOCK unset
#   observed  apply-seccomp observing, a listener that reads everything
#   ref-none  srt 0.0.83's own helper, unobserved
#   ref-obs   srt 0.0.83's own helper observing, the same listener
# and prints each way's median wall time, its ratio to `none`, the events the
# listener got, and the cost per observed call: (median - the same helper's
# unobserved median) / the calls observed (the events of `observed`: both
# helpers' filters notify the same calls; srt's reports fewer of them).
# Then the delay of single calls (observe-calls latency: median, 99th
# percentile and maximum of 20,000 timed openat/unlinkat calls) unobserved,
# observed with a listener that reads, one that never reads (stalled) and one
# that closed after a line: the bound a listener can add to a call.
# Last, what observing adds to start-up: `apply-seccomp /bin/true`, 20 blocks
# of 20 runs each way, interleaved (unset: the loader as issue 12 measures it).
# ROUNDS (default 7) and the load average before and after are printed.
set -u
cd "$(dirname "$0")/../.." || exit 1
LOADER=${LOADER:-build/apply-seccomp}
CALLS=${CALLS:-build/tests/observe-calls}
LISTEN=${LISTEN:-build/tests/observe-listen}
ROUNDS=${ROUNDS:-7}
case $(uname -m) in x86_64) VARCH=x64 ;; aarch64) VARCH=arm64 ;; *) VARCH=$(uname -m) ;; esac
SRT_PKG=$(scripts/fetch-srt.sh 0.0.83) || exit 1
REF=$SRT_PKG/vendor/seccomp/$VARCH/apply-seccomp
for f in "$LOADER" "$CALLS" "$LISTEN" "$REF"; do
	[ -x "$f" ] || { echo "bench-observe: missing $f" >&2; exit 1; }
done
# On tmpfs where there is one: the file system's own cost stays small next to the observer's.
T=$(mktemp -d "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp)/observe-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

mkdir -p "$T/src"
for i in $(seq 100); do mkdir "$T/src/d$i"; (cd "$T/src/d$i" && touch $(seq -f f%g 100)); done
tar -C "$T/src" -cf "$T/files.tar" .
mkdir -p "$T/loop"

# listen MODE...: a listener on $T/sock, its output in $T/out, stdin a fifo
# held on fd 8; listen_end lets it go and waits for it.
listen() {
	rm -f "$T/sock" "$T/ctl"
	mkfifo "$T/ctl"
	"$LISTEN" "$@" "$T/sock" < "$T/ctl" > "$T/out" &
	LPID=$!
	exec 8> "$T/ctl"
	while [ ! -S "$T/sock" ]; do sleep 0.01; done
}
listen_end() {
	exec 8>&-
	wait "$LPID"
}

# one WAY WORKLOAD: runs it once; prints "NS EVENTS".
one() {
	local way=$1 work=$2 helper=$LOADER t0 t1 events=0 cmd
	case $work in
	untar) rm -rf "$T/dst" && mkdir "$T/dst"; cmd=(tar -C "$T/dst" -xf "$T/files.tar") ;;
	loop) cmd=("$CALLS" loop "$T/loop" 10000) ;;
	esac
	case $way in ref-*) helper=$REF ;; esac
	case $way in
	none | ref-none)
		t0=$(date +%s%N)
		"$helper" "${cmd[@]}" || exit 1
		t1=$(date +%s%N) ;;
	*)
		listen
		t0=$(date +%s%N)
		SRT_OBSERVE_SOCK=$T/sock "$helper" "${cmd[@]}" || exit 1
		t1=$(date +%s%N)
		listen_end
		events=$(grep -c '"path"' "$T/out") ;;
	esac
	echo "$((t1 - t0)) $events"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "bench-observe: $(uname -r), $(nproc) CPUs, $ROUNDS rounds, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
WAYS="none observed ref-none ref-obs"
for work in untar loop; do
	for _ in $(seq "$ROUNDS"); do
		for way in $WAYS; do
			echo "$way $(one "$way" "$work")" >> "$T/$work.times"
		done
	done
	base=$(awk '$1 == "none" { print $2 }' "$T/$work.times" | median)
	ref_base=$(awk '$1 == "ref-none" { print $2 }' "$T/$work.times" | median)
	calls=$(awk '$1 == "observed" { print $3 }' "$T/$work.times" | median)
	printf '%-6s %-9s %10s %7s %8s %12s\n' "$work" way "median ms" ratio events "ns/call"
	for way in $WAYS; do
		ns=$(awk -v w="$way" '$1 == w { print $2 }' "$T/$work.times" | median)
		ev=$(awk -v w="$way" '$1 == w { print $3 }' "$T/$work.times" | median)
		case $way in ref-*) b=$ref_base ;; *) b=$base ;; esac
		per=-
		[ "$ev" -gt 0 ] && per=$(( (ns - b) / calls ))
		awk -v w="$work" -v way="$way" -v ns="$ns" -v b="$base" -v ev="$ev" -v per="$per" \
			'BEGIN { printf "%-6s %-9s %10.1f %7.2f %8s %12s\n", w, way, ns / 1e6, ns / b, ev, per }'
	done
done

echo "single calls (ns): median p99 max, 20,000 calls each"
lat() { # NAME HELPER [read | LISTEN MODE...]
	local name=$1 helper=$2
	shift 2
	if [ $# -gt 0 ]; then
		if [ "$1" = read ]; then listen; else listen "$@"; fi
		printf '%-22s %s\n' "$name" "$(SRT_OBSERVE_SOCK=$T/sock "$helper" "$CALLS" latency "$T/loop" 10000)"
		listen_end
	else
		printf '%-22s %s\n' "$name" "$("$helper" "$CALLS" latency "$T/loop" 10000)"
	fi
}
for _ in $(seq 3); do
	lat none "$LOADER"
	lat observed "$LOADER" read
	lat "observed, stalled" "$LOADER" --stall
	lat "observed, closed" "$LOADER" --close-after 1
	lat "ref, observed" "$REF" read
done
echo "start-up, apply-seccomp /bin/true (us per run, median of 20 blocks of 20)"
for _ in $(seq 20); do
	t0=$(date +%s%N)
	for _ in $(seq 20); do "$LOADER" /bin/true; done
	t1=$(date +%s%N)
	echo "unset $(( (t1 - t0) / 20000 ))" >> "$T/startup"
	listen --serve 20
	t0=$(date +%s%N)
	for _ in $(seq 20); do SRT_OBSERVE_SOCK=$T/sock "$LOADER" /bin/true; done
	t1=$(date +%s%N)
	listen_end
	echo "observed $(( (t1 - t0) / 20000 ))" >> "$T/startup"
done
for way in unset observed; do
	printf '%-9s %6s\n' "$way" "$(awk -v w="$way" '$1 == w { print $2 }' "$T/startup" | median)"
done
echo "bench-observe: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
