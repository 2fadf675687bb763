#!/bin/bash
# The write observer's suite (`make test-observe`; run as root). Real
# processes, real namespaces, real filters and listeners:
# - the events of every observed call, line for line, as root and as uid
#   65534, directly and inside bwrap the way srt 0.0.83 runs its helper
#   (fresh /proc; uid 0's old /proc under Landlock; the host's /proc bound in,
#   whose pids are another namespace's); threads; the pid the stub sees;
# - the header line; paths with quotes, backslashes, control bytes, invalid
#   UTF-8 and PATH_MAX length, checked as strict JSON;
# - the rules still decide (a FILTER's EPERM on an observed call: denied and
#   never notified); a FILTER that may TRACE or LOG is not observed;
# - faults: unreachable sockets (the reference helper's observe_init_error
#   line), a full backlog, a stalled listener, a listener that closes mid-run,
#   an outer seccomp listener, a /proc of an unrelated namespace, a reused pid;
#   a flood (tar of 10,000 files); with SRT_OBSERVE_SOCK unset or empty,
#   nothing extra: filters, processes, fds, syscalls;
# - against srt's own helper of 0.0.83: the same raw event stream for the same
#   calls, and through srt's own violation monitor the same violations.
#
# Environment (the Makefile sets them): LOADER, CALLS, LISTEN, REUSE, PROBE,
# INJECT, GEN. VERBOSE=1 lists passing checks too.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
SUITE=observe
ARCH=$(uname -m)
LOADER=${LOADER:-build/apply-seccomp}
CALLS=${CALLS:-build/tests/observe-calls}
LISTEN=${LISTEN:-build/tests/observe-listen}
REUSE=${REUSE:-build/tests/observe-reuse}
PROBE=${PROBE:-build/tests/probe}
INJECT=${INJECT:-build/tests/inject}
GEN=${GEN:-build/seccomp-gen}
SRT_VERSION=0.0.83
NOBODY=(setpriv --reuid 65534 --regid 65534 --clear-groups)
PY=/usr/bin/python3
TMO=${TMO:-120}

prerequisites test-observe "$LOADER" "$CALLS" "$LISTEN" "$REUSE" "$PROBE" "$INJECT" "$GEN" -- \
	bwrap setpriv unshare nsenter timeout strace tar node npm "$PY"
SRT_SRC=$(scripts/fetch-srt.sh "$SRT_VERSION") || { fail "scripts/fetch-srt.sh $SRT_VERSION"; finish; exit; }
case $ARCH in x86_64) VARCH=x64 ;; aarch64) VARCH=arm64 ;; *) VARCH=$ARCH ;; esac
REF_HELPER=$SRT_SRC/vendor/seccomp/$VARCH/apply-seccomp
[ -x "$REF_HELPER" ] || { fail "srt $SRT_VERSION has no helper for $ARCH"; finish; exit; }

# Everything uid 65534 and the sandboxes need, in a world-readable place.
BIN=$TMPDIR_T/bin
W=$TMPDIR_T/w
mkdir -p "$BIN" "$W"
chmod 777 "$W"
cp "$LOADER" "$BIN/apply-seccomp"
cp "$REF_HELPER" "$BIN/ref-apply-seccomp"
cp "$CALLS" "$BIN/observe-calls"
cp "$LISTEN" "$BIN/observe-listen"
cp "$REUSE" "$BIN/observe-reuse"
cp "$PROBE" "$BIN/probe"
cp "$INJECT" "$BIN/inject"
cp tests/observe/srt.mjs "$BIN/"
chmod 755 "$BIN" "$BIN"/*
chmod 644 "$BIN/srt.mjs"
# srt itself, for uid 65534 too.
cp -r "$(dirname "$(dirname "$(dirname "$SRT_SRC")")")" "$TMPDIR_T/srt"
chmod -R a+rX "$TMPDIR_T/srt"
SRT_PKG=$TMPDIR_T/srt/node_modules/@anthropic-ai/sandbox-runtime
L=$BIN/apply-seccomp
C=$BIN/observe-calls
n_dir=0

# fresh_dir: a new empty directory under $W that anyone may write, in $D.
fresh_dir() {
	n_dir=$((n_dir + 1))
	D=$W/d$n_dir
	mkdir -p "$D"
	chmod 777 "$D"
}

# listen_start [MODE...]: a listener (observe-listen MODE... SOCK) on a new
# socket $SOCK, its output in $OUT, its stdin the fifo $CTL (held open on fd 8
# until listen_stop); anyone may connect.
listen_start() {
	n_dir=$((n_dir + 1))
	SOCK=$W/s$n_dir.sock
	OUT=$W/s$n_dir.out
	CTL=$W/s$n_dir.ctl
	mkfifo "$CTL"
	timeout "$TMO" "$BIN/observe-listen" "$@" "$SOCK" < "$CTL" > "$OUT" &
	LPID=$!
	exec 8> "$CTL"
	for _ in $(seq 200); do [ -S "$SOCK" ] && break; sleep 0.05; done
	chmod 666 "$SOCK"
}

# listen_stop: lets the listener read on (--stall) or end (--no-accept), and
# waits until it is gone (it ends with the connection).
listen_stop() {
	exec 8>&-
	wait "$LPID"
}

# events FILE DIR: FILE's lines with each pid as P and DIR's path as DIR.
events() {
	sed -e 's/"pid":[0-9]*/"pid":P/' -e "s|$2|DIR|g" "$1"
}

# expected ...: the events tests/observe/expected.sh names, for this arch.
expected() { sh tests/observe/expected.sh "$ARCH" "$@"; }
declare -A procs fds cmdfds dirs viol filters

# --- every observed call, in each context ----------------------------------------------
# run_context NAME WRAPPER...: `every` and `threads` under the observer, as
# WRAPPER runs the loader (nothing: directly).
BWRAP=(bwrap --ro-bind / / --dev /dev --bind "$W" "$W" --unshare-pid)
SRT_USER=(--unshare-user --proc /proc)
SRT_ROOT=(--unshare-user --cap-drop ALL --cap-add CAP_SETFCAP --proc /proc)
WEAKER=(--unshare-user --bind /proc /proc)
WEAKER_ROOT=(--unshare-user --cap-drop ALL --cap-add CAP_SETFCAP --bind /proc /proc)
run_context() {
	local name=$1
	shift
	fresh_dir
	listen_start
	SRT_OBSERVE_SOCK=$SOCK SRT_ENCODED_CMD=Y3R4 expect_status "[$name] every: status" 0 \
		"$@" "$L" "$C" every "$D"
	listen_stop
	expect_eq "[$name] every: header, then each call's events" \
		"$(printf '{"encodedCommand":"Y3R4"}\n'; expected every)" "$(events "$OUT" "$D")"

	fresh_dir
	listen_start
	SRT_OBSERVE_SOCK=$SOCK expect_status "[$name] threads: status" 0 "$@" "$L" "$C" threads "$D" 8
	listen_stop
	expect_eq "[$name] threads: a create and an unlink from each of 8 threads" \
		"$(for i in 0 1 2 3 4 5 6 7; do expected openat "DIR/t$i"; expected unlinkat "DIR/t$i"; done | sort)" \
		"$(events "$OUT" "$D" | sort)"
	expect_eq "[$name] threads: each thread's own id" 8 \
		"$(grep -o '"pid":[0-9]*' "$OUT" | sort -u | wc -l)"
}
run_context root
run_context nobody "${NOBODY[@]}"
run_context bwrap-srt-nobody "${NOBODY[@]}" "${BWRAP[@]}" "${SRT_USER[@]}"
run_context bwrap-srt-root "${BWRAP[@]}" "${SRT_ROOT[@]}"
run_context bwrap-weaker-nobody "${NOBODY[@]}" "${BWRAP[@]}" "${WEAKER[@]}"
run_context bwrap-weaker-root "${BWRAP[@]}" "${WEAKER_ROOT[@]}"

# --- the pid is the caller's as the stub sees it -----------------------------------------
# find_pid PATH: the pid of `observe-calls hold PATH`.
find_pid() {
	local p
	for p in /proc/[0-9]*; do
		if [ "$({ tr '\0' ' ' < "$p/cmdline"; } 2> /dev/null)" = "$C hold $1 " ]; then
			echo "${p#/proc/}"
			return
		fi
	done
}
for who in root nobody; do
	if [ $who = root ]; then AS=(); else AS=("${NOBODY[@]}"); fi
	fresh_dir
	listen_start
	mkfifo "$D/in"
	SRT_OBSERVE_SOCK=$SOCK "${AS[@]}" "$L" "$C" hold "$D/held" < "$D/in" 8>&- &
	runner=$!
	exec 9> "$D/in"
	for _ in $(seq 200); do [ -e "$D/held" ] && break; sleep 0.05; done
	pid=$(find_pid "$D/held")
	echo >&9
	exec 9>&-
	wait "$runner"
	listen_stop
	expect_eq "[$who] the event's pid is the caller's in the stub's namespace" \
		"$(expected openat "$D/held" | sed "s/\"pid\":P/\"pid\":${pid:-none}/")" "$(cat "$OUT")"
done

# --- exit statuses and signals while observing (the stub's poll loop) -------------------
listen_start
SRT_OBSERVE_SOCK=$SOCK expect_status "observing: COMMAND's exit status" 42 "$L" /bin/sh -c 'exit 42'
listen_stop
for sig in USR1 TERM; do
	fresh_dir
	listen_start
	SRT_OBSERVE_SOCK=$SOCK "$L" /bin/sh -c "trap 'echo got $sig; exit 3' $sig; : > $D/ready; while :; do sleep 0.05; done" \
		> "$D/out" 8>&- &
	stub=$!
	for _ in $(seq 200); do [ -e "$D/ready" ] && break; sleep 0.05; done
	kill -"$sig" "$stub"
	wait "$stub" && st=0 || st=$?
	listen_stop
	expect_eq "observing: SIG$sig sent to the stub reaches COMMAND" "3 got $sig" "$st $(cat "$D/out")"
done
fresh_dir
listen_start
SRT_OBSERVE_SOCK=$SOCK "$L" /bin/sh -c ": > $D/ready; exec sleep 100" 8>&- &
stub=$!
for _ in $(seq 200); do [ -e "$D/ready" ] && break; sleep 0.05; done
kill -TERM "$stub"
wait "$stub" && st=0 || st=$?
listen_stop
expect_eq "observing: SIGTERM kills COMMAND, 128+15 comes back" 143 "$st"

# --- the header line -----------------------------------------------------------------
header_is() { # NAME SRT_ENCODED_CMD WANT
	fresh_dir
	listen_start
	SRT_OBSERVE_SOCK=$SOCK SRT_ENCODED_CMD=$2 "$L" "$C" mkdir "$D/x" > /dev/null
	listen_stop
	expect_eq "$1" "$3" "$(events "$OUT" "$D" | head -n 1)"
}
a700=$(printf 'A%.0s' $(seq 700))
header_is "header: SRT_ENCODED_CMD as it is" "Y2QgL3RtcA==" '{"encodedCommand":"Y2QgL3RtcA=="}'
header_is "header: 700 bytes pass whole" "$a700" "{\"encodedCommand\":\"$a700\"}"
header_is "header: past 700 bytes, cut and said so" "${a700}BBB" "{\"encodedCommand\":\"$a700\",\"truncated\":true}"
header_is "header: quotes and backslashes escaped" 'a"b\c' '{"encodedCommand":"a\"b\\c"}'
header_is "header: none without SRT_ENCODED_CMD" "" "$(expected mkdirat DIR/x)"

# --- weird paths ----------------------------------------------------------------------
fresh_dir
listen_start
SRT_OBSERVE_SOCK=$SOCK expect_status "weird paths: status" 0 "$L" "$C" weird "$D"
listen_stop
expect_eq "weird paths: escaped, invalid UTF-8 as U+FFFD (WHATWG), 4095 bytes whole, 4096+ cut and said so" \
	"$(expected weird)" "$(events "$OUT" "$D")"
expect_eq "weird paths: every line is strict JSON (UTF-8, RFC 8259, no lone surrogate)" ok "$("$PY" -c '
import json, sys
for raw in open(sys.argv[1], "rb"):
    text = raw.decode("utf-8", "strict")
    obj = json.loads(text, object_pairs_hook=dict)
    if any(0xd800 <= ord(ch) <= 0xdfff for ch in obj["path"]):
        sys.exit("lone surrogate")
print("ok")' "$OUT" 2>&1)"

# --- the rules still decide ----------------------------------------------------------
printf 'default allow\nerrno EPERM mkdirat\nerrno EPERM mkdir ?\n' > "$W/deny-mkdir.policy"
"$GEN" compile --arch "$ARCH" -o "$BIN/deny-mkdir.bpf" "$W/deny-mkdir.policy"
printf 'default allow\ntrace 7 getpid\n' > "$W/trace.policy"
"$GEN" compile --arch "$ARCH" -o "$BIN/trace.bpf" "$W/trace.policy"
chmod 644 "$BIN"/*.bpf
fresh_dir
listen_start
SRT_OBSERVE_SOCK=$SOCK expect_status "precedence, FILTER form: status" 0 \
	"$L" "$BIN/deny-mkdir.bpf" /bin/sh -c "$C mkdir $D/denied; : > $D/allowed; $BIN/probe mount-missing; grep Seccomp_filters /proc/self/status"
listen_stop
expect_eq "precedence, FILTER form: FILTER's EPERM on mkdirat and the guard's on mount hold under the observer" \
	"EPERM EPERM Seccomp_filters: 3" "$(echo $out)"
expect_eq "precedence, FILTER form: the denied mkdirat is never notified, the allowed openat is" \
	"$(expected openat DIR/allowed)" "$(events "$OUT" "$D")"
fresh_dir
listen_start
SRT_OBSERVE_SOCK=$SOCK expect_status "precedence, COMMAND form: status" 0 \
	"$L" /bin/sh -c "for c in socket-unix socketpair-dgram io_uring-setup keyctl mount-missing clone-userns; do $BIN/probe \$c; done; grep Seccomp_filters /proc/self/status"
listen_stop
expect_eq "precedence, COMMAND form: unix-block and the guard still refuse under the observer" \
	"EPERM EPERM EPERM EPERM EPERM EPERM Seccomp_filters: 2" "$(echo $out)"
fresh_dir
listen_start
SRT_OBSERVE_SOCK=$SOCK expect_status "FILTER that may TRACE: status" 0 \
	"$L" "$BIN/trace.bpf" /bin/sh -c "grep Seccomp_filters /proc/self/status; : > $D/f"
listen_stop
expect_eq "FILTER that may TRACE: not observed (FILTER and the guard only)" "Seccomp_filters: 2" "$(echo $out)"
expect_eq "FILTER that may TRACE: srt is told why" \
	'{"observe_init_error":"FILTER: it may return SECCOMP_RET_TRACE or SECCOMP_RET_LOG, which the observer'"'"'s notification would override"}' \
	"$(cat "$OUT")"

# --- unreachable sockets: the reference helper's line, COMMAND runs unobserved -------------
fresh_dir
: > "$D/file"
"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$D/unbound.sock"
long_sock=$D/$(printf 's%.0s' $(seq 120))
for c in "missing:$D/missing/sock" "file:$D/file" "not listening:$D/unbound.sock" "a directory:$D"; do
	what=${c%%:*} sock=${c#*:}
	SRT_OBSERVE_SOCK=$sock expect_status "unreachable ($what): COMMAND runs" 0 \
		"$L" /bin/sh -c 'grep Seccomp_filters /proc/self/status; exit 0'
	expect_eq "unreachable ($what): unobserved, built-in filter only" "Seccomp_filters: 1" "$(echo $out)"
	ours=$err
	SRT_OBSERVE_SOCK=$sock expect_status "unreachable ($what): the reference helper runs it too" 0 \
		"$BIN/ref-apply-seccomp" /bin/true
	expect_eq "unreachable ($what): stderr is the reference helper's line, exactly" "$err" "$ours"
	expect_match "unreachable ($what): ... {\"observe_init_error\":\"connect PATH: REASON\"}" \
		'^\{"observe_init_error":"connect '"$sock"': [A-Z][a-z ]+"\}$' "$ours"
done
SRT_OBSERVE_SOCK=$long_sock expect_status "unreachable (path too long for sun_path): COMMAND runs" 0 "$L" /bin/true
# strerror's words are the C library's (glibc, musl).
expect_match "unreachable (path too long): said on stderr" \
	"^\\{\"observe_init_error\":\"connect $long_sock: (File name|Filename) too long\"\\}\$" "$err"
SRT_OBSERVE_SOCK= expect_status "SRT_OBSERVE_SOCK empty: not observed" 0 \
	"$L" /bin/sh -c 'grep Seccomp_filters /proc/self/status'
expect_eq "SRT_OBSERVE_SOCK empty: built-in filter only, nothing said" "Seccomp_filters: 1|" "$(echo $out)|$err"

# A full backlog: connect() would wait; the observer does not.
listen_start --no-accept
fresh_dir
mkfifo "$D/in"
SRT_OBSERVE_SOCK=$SOCK "$L" "$C" hold "$D/held" < "$D/in" > /dev/null 2> "$D/err1" 8>&- &
first=$!
exec 9> "$D/in"
for _ in $(seq 200); do [ -e "$D/held" ] && break; sleep 0.05; done
SRT_OBSERVE_SOCK=$SOCK expect_status "full backlog: COMMAND runs at once" 0 timeout 30 "$L" /bin/true
expect_eq "full backlog: said on stderr" \
	"{\"observe_init_error\":\"connect $SOCK: Resource temporarily unavailable\"}" "$err"
echo >&9
exec 9>&-
wait "$first" && st=0 || st=$?
expect_eq "full backlog: the one in the backlog, never accepted, ran too" "0|" "$st|$(cat "$D/err1")"
listen_stop

# --- listeners that stall, close, or never read, and a flood -----------------------------
fresh_dir
listen_start --stall
SRT_OBSERVE_SOCK=$SOCK expect_status "stalled listener: 20,000 calls all succeed" 0 \
	timeout "$TMO" "$L" "$C" loop "$D" 10000
expect_eq "stalled listener: nothing said on stderr" "" "$err"
echo >&8
listen_stop
n=$(wc -l < "$OUT")
expect_match "stalled listener: some events lost, never blocking ($n lines arrived)" '^[1-9][0-9]*$' \
	"$( [ "$n" -lt 20000 ] && echo "$n")"
expect_eq "stalled listener: what arrived is whole lines of JSON" ok "$("$PY" -c '
import json, sys
for line in open(sys.argv[1], "rb"):
    json.loads(line.decode("utf-8", "strict"))
print("ok")' "$OUT" 2>&1)"

# The listener reads again as COMMAND ends: what was lost is counted, and
# nothing else is missing.
fresh_dir
listen_start --stall
SRT_OBSERVE_SOCK=$SOCK expect_status "listener stalled, then reading: status" 0 \
	timeout "$TMO" "$L" /bin/sh -c "$C loop $D 10000 && echo > $CTL"
listen_stop
last=$(tail -n 1 "$OUT")
lost=$(printf '%s\n' "$last" | sed -n 's/^{"observe_lost":\([0-9]*\),"observe_unresolved":0}$/\1/p')
expect_match "listener stalled, then reading: the last line counts the events lost" '^[1-9][0-9]*$' "$lost"
expect_eq "listener stalled, then reading: received + lost = every call (20,000 and the fifo's open)" 20001 \
	"$(( $(grep -c '"path"' "$OUT") + ${lost:-0} ))"

fresh_dir
listen_start --close-after 3
SRT_OBSERVE_SOCK=$SOCK expect_status "listener closing mid-run: 20,000 calls all succeed" 0 \
	timeout "$TMO" "$L" "$C" loop "$D" 10000
listen_stop
expect_match "listener closing mid-run: said once, on stderr" \
	'^apply-seccomp: observer: sending to SRT_OBSERVE_SOCK: (Broken pipe|Connection reset by peer); COMMAND'"'"'s write attempts are no longer reported$' "$err"
expect_eq "listener closing mid-run: it got its 3 lines" 3 "$(wc -l < "$OUT")"

fresh_dir
mkdir "$D/src" "$D/dst"
for i in $(seq 100); do mkdir "$D/src/d$i"; (cd "$D/src/d$i" && touch $(seq -f f%g 100)); done
tar -C "$D/src" -cf "$D/files.tar" .
chmod -R a+rwX "$D"
listen_start
SRT_OBSERVE_SOCK=$SOCK expect_status "flood: untar of 10,000 files" 0 \
	timeout "$TMO" "$L" tar -C "$D/dst" -xf "$D/files.tar"
listen_stop
expect_eq "flood: every file is there" 10000 "$(find "$D/dst" -type f | wc -l)"
expect_eq "flood: every file's creation reported, nothing lost" 10000 \
	"$(grep -c '"syscall":"openat".*/d[0-9]*/f[0-9]*"}$' "$OUT")"
expect_eq "flood: no loss reported" "" "$(grep observe_lost "$OUT")"

# --- an outer seccomp listener (the kernel allows one per process) -------------------------
fresh_dir
listen_start
SRT_OBSERVE_SOCK=$SOCK expect_status "outer listener: COMMAND runs" 0 \
	"$BIN/inject" "$D/report" openat 1000000 1 "$L" /bin/sh -c "grep Seccomp_filters /proc/self/status"
listen_stop
expect_eq "outer listener: COMMAND unobserved (inject's filter and the built-in one)" "Seccomp_filters: 2" "$(echo $out)"
expect_match "outer listener: srt is told why" \
	'^\{"observe_init_error":"seccomp: (Device or resource|Resource) busy"\}$' "$(cat "$OUT")"

# --- a /proc of an unrelated PID namespace: no path is guessed ------------------------------
fresh_dir
listen_start
unshare --pid --fork --mount --mount-proc sleep 300 2> /dev/null &
holder=$!
for _ in $(seq 200); do
	inner=$(pgrep -P "$holder" sleep) && [ "$(readlink "/proc/$inner/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] && break
	sleep 0.05
done
SRT_OBSERVE_SOCK=$SOCK expect_status "unrelated /proc: COMMAND runs" 0 \
	nsenter --target "$inner" --mount "$L" /bin/sh -c "cd $D && : > relative && : > $D/absolute"
# PID 1 of its namespace: only SIGKILL ends it; unshare then ends too.
kill -KILL "$inner"
wait "$holder"
listen_stop
expect_eq "unrelated /proc: the absolute path reported, the relative one counted, not guessed" \
	"$(expected openat DIR/absolute; echo '{"observe_lost":0,"observe_unresolved":1}')" \
	"$(events "$OUT" "$D")"

# --- a reused pid never yields another process's path -----------------------------------
fresh_dir
mkdir "$D/impostor-dir"
listen_start
SRT_OBSERVE_SOCK=$SOCK expect_status "pid reuse: the scenario ran" 0 \
	timeout "$TMO" unshare --pid --fork --mount-proc "$BIN/observe-reuse" "$L" "$C" "$D"
listen_stop
expect_match "pid reuse: the impostor got the killed caller's pid" '^impostor-pid [0-9]+$' "$out"
expect_eq "pid reuse: the control call is reported; nothing of the killed caller or the impostor" \
	"$(expected openat DIR/control)" "$(events "$OUT" "$D")"

# --- with SRT_OBSERVE_SOCK unset: nothing extra ---------------------------------------------
observe_syscalls() { # trace FILE: the observer's syscalls in it
	grep -E '(socket|connect|socketpair|signalfd4|uname|process_vm_readv|pidfd_open)\(|SECCOMP_FILTER_FLAG_NEW_LISTENER|SECCOMP_GET_NOTIF_SIZES' "$1" |
		sed -E 's/^[0-9]+ +//; s/\(.*//' | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' '
}
strace -f -o "$W/trace-unset" "$L" /bin/true
expect_eq "unset: none of the observer's syscalls (strace -f)" "" "$(observe_syscalls "$W/trace-unset")"
expect_eq "unset: one filter installed" 1 "$(grep -c 'seccomp(SECCOMP_SET_MODE_FILTER' "$W/trace-unset")"
listen_start
SRT_OBSERVE_SOCK=$SOCK strace -f -o "$W/trace-set" "$L" /bin/true
listen_stop
expect_match "set: the observer's syscalls, for contrast" 'connect.*seccomp.*signalfd4.*socket' \
	"$(observe_syscalls "$W/trace-set")"
count_tree() { # the processes of the loader started last, waiting in hold
	local n=0 p stub=$1
	for p in $(pgrep -P "$stub") $(pgrep -P "$(pgrep -P "$stub" | head -n 1)"); do n=$((n + 1)); done
	echo "$((n + 1))"
}
# fds_of_stub PID: how many fds it holds, and those of the observer's kinds.
fds_of_stub() {
	local n=0 kinds= f t
	for f in /proc/$1/fd/*; do
		n=$((n + 1))
		t=$(readlink "$f")
		case $t in socket:* | anon_inode:* | /proc) kinds="$kinds ${t%%:*}" ;; esac
	done
	echo "$n$(printf '%s\n' $kinds | LC_ALL=C sort | tr '\n' ' ' | sed 's/^/ /; s/ *$//')"
}
for mode in unset set; do
	fresh_dir
	mkfifo "$D/in"
	if [ $mode = set ]; then
		listen_start
		export SRT_OBSERVE_SOCK=$SOCK
	fi
	"$L" "$C" hold "$D/held" < "$D/in" 8>&- &
	stub=$!
	unset SRT_OBSERVE_SOCK
	exec 9> "$D/in"
	for _ in $(seq 200); do [ -e "$D/held" ] && break; sleep 0.05; done
	procs[$mode]=$(count_tree "$stub")
	fds[$mode]=$(fds_of_stub "$stub")
	cmdfds[$mode]=$(ls "/proc/$(find_pid "$D/held")/fd" | tr '\n' ' ')
	echo >&9
	exec 9>&-
	wait "$stub"
	[ $mode = unset ] || listen_stop
done
expect_eq "unset: three processes (stub, PID 1, COMMAND), as when observing" "3 3" "${procs[unset]} ${procs[set]}"
expect_eq "unset: the stub holds no socket, listener, signalfd or /proc; observing, those 4 more" \
	"${fds[unset]%% *}|$(( ${fds[unset]%% *} + 4 )) /proc anon_inode anon_inode socket" "${fds[unset]}|${fds[set]}"
expect_eq "COMMAND's fds are the same observed or not" "${cmdfds[unset]}" "${cmdfds[set]}"

# --- against srt's own helper: the raw stream, call for call ---------------------------------
# The same calls under both; compared as srt's listener reads them (JSON.parse
# of UTF-8 lines; the path normalized as it does), pids aside. Where they may
# differ, by design: the reference adds encodedCommand to each event; it
# reports nothing for a call on a dirfd's own file (AT_EMPTY_PATH, a NULL
# path), which this loader does; and it cuts long paths without saying so.
if [ "$ARCH" = x86_64 ]; then
	for scenario in every weird; do
		for helper in ours ref; do
			fresh_dir
			listen_start
			if [ $helper = ours ]; then H=$L; else H=$BIN/ref-apply-seccomp; fi
			SRT_OBSERVE_SOCK=$SOCK "$H" "$C" "$scenario" "$D" > /dev/null 2>&1
			listen_stop
			cp "$OUT" "$W/$scenario-$helper.out"
			dirs[$helper]=$D
		done
		cmp_out=$(node -e '
			const fs = require("fs"), path = require("path");
			const read = (file, dir) => fs.readFileSync(file, "utf8").split("\n").filter(Boolean)
				.map(l => JSON.parse(l))
				.filter(e => !(e.syscall === "fchownat" || e.syscall === "utimensat") || !e.path.endsWith("/o1"))
				.filter(e => e.path.length < 4000)
				.map(e => `${e.nr} ${e.syscall} ${path.posix.normalize(e.path).split(dir).join("DIR")}`);
			const [a, b] = [read(process.argv[1], process.argv[3]), read(process.argv[2], process.argv[4])];
			console.log(a.length + " " + (JSON.stringify(a) === JSON.stringify(b) ? "same" : "differ:\n" + a.join("\n") + "\n---\n" + b.join("\n")));
		' "$W/$scenario-ours.out" "$W/$scenario-ref.out" "${dirs[ours]}" "${dirs[ref]}")
		expect_match "reference helper: same events for '$scenario' (as srt's listener reads them)" '^[1-9][0-9]* same$' "$cmp_out"
	done
fi

# --- through srt 0.0.83's own violation monitor --------------------------------------------
# srt.mjs runs one command under srt (initialize with the log monitor, wrap,
# spawn) with our helper or srt's own, and prints the violations srt recorded.
SRT_SCRIPT='cd "$WORK" && echo x > outside && :; mkdir made; cd allowed/denied; echo y > relative; mkdir sub;
rm existing; mv other renamed; chmod 600 other; cd ..; echo ok > fine; grep Seccomp_filters /proc/self/status'
for who in root nobody; do
	if [ $who = root ]; then AS=(); else AS=("${NOBODY[@]}"); fi
	for helper in ours ref; do
		fresh_dir
		mkdir -p "$D/allowed/denied"
		touch "$D/allowed/denied/existing" "$D/allowed/denied/other"
		chmod -R a+rwX "$D"
		if [ $helper = ours ]; then H=$L; else H=; fi
		expect_status "srt [$who, $helper helper]: runs" 0 timeout "$TMO" "${AS[@]}" env HOME="$D" \
			node "$BIN/srt.mjs" "$SRT_PKG" "$H" "$D" "WORK=$D; $SRT_SCRIPT"
		viol[$helper]=$(printf '%s\n' "$out" | grep '^deny ' | sed "s|$D|DIR|g")
		filters[$helper]=$(printf '%s\n' "$out" | grep '^Seccomp_filters')
	done
	expect_eq "srt [$who]: our helper ran (observer + built-in filter), srt's its own (3 filters)" \
		"Seccomp_filters: 2|Seccomp_filters: 3" "$(echo ${filters[ours]})|$(echo ${filters[ref]})"
	expect_eq "srt [$who]: the same violations from both helpers" "${viol[ref]}" "${viol[ours]}"
	expect_eq "srt [$who]: denied write, relative path, mkdir, unlink, rename, chmod" \
		"$(printf '%s\n' 'deny openat DIR/outside' 'deny mkdir DIR/made' 'deny openat DIR/allowed/denied/relative' \
			'deny mkdir DIR/allowed/denied/sub' 'deny unlinkat DIR/allowed/denied/existing' \
			'deny renameat2 DIR/allowed/denied/other' 'deny renameat2 DIR/allowed/denied/renamed' \
			'deny fchmodat DIR/allowed/denied/other')" "${viol[ours]}"
done

finish
