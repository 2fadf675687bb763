#!/bin/sh
# /init of the aarch64 test guest that scripts/test-aarch64.sh boots under
# qemu-system-aarch64. It runs on busybox alone, prints one line per case
#     CASE NAME PASS|FAIL DETAIL
# then one summary line
#     SUMMARY pass=N fail=M
# and powers the machine off. The host counts the CASE lines and reads the
# summary; anything else on the console is ignored. No `set -e`: every case
# runs whatever the others did, and the machine always powers off.
#
# Layout (made by the host): /bin/busybox, /bin/apply-seccomp, /t/probe,
# /t/guest-util, /t/arm32-socket (AArch32), /filters/{aarch64,x86_64}/*.bpf,
# /etc/test-mode ("full", or "smoke" for the kernel checks alone), and for the
# write observer /t/observe-{calls,listen,reuse} and /t/expected.sh
# (tests/observe/).

set -f
/bin/busybox --install -s
export PATH=/t:/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/ TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# Keep kernel messages (seccomp's audit line for each SIGSYS kill among
# them) from cutting into the result lines on the console.
echo 1 > /proc/sys/kernel/printk

MODE=$(cat /etc/test-mode)
F=/filters/aarch64/unix-block.bpf
X86=/filters/x86_64/unix-block.bpf
TMO="guest-util timeout 60"
ASUSER=
WHO=kernel
n_pass=0
n_fail=0

result() { # result PASS|FAIL NAME DETAIL
	if [ "$1" = PASS ]; then n_pass=$((n_pass + 1)); else n_fail=$((n_fail + 1)); fi
	echo "CASE $WHO/$2 $1 $3"
}

# run COMMAND...: as the current user, under a time limit; sets OUT (stdout,
# newlines as spaces) and ST (exit status); stderr() prints the start of its
# stderr. (Few forks: each costs milliseconds under TCG.)
run() {
	OUT=$($TMO $ASUSER "$@" 2>/tmp/stderr)
	ST=$?
	set -- $OUT
	OUT=$*
}
stderr() { head -c 300 /tmp/stderr | tr '\n' ' '; }

# expect NAME STATUS OUTPUT COMMAND...: OUTPUT is a shell pattern for the
# whole of stdout, or '!P1|P2...': not empty and none of those patterns.
expect() {
	name=$1 want_st=$2 want_out=$3
	shift 3
	run "$@"
	ok=0
	case $want_out in
	'!'*)
		[ -n "$OUT" ] && ok=1
		IFS='|'
		# shellcheck disable=SC2254 # patterns, on purpose
		for p in ${want_out#!}; do case $OUT in $p) ok=0 ;; esac; done
		unset IFS
		;;
	*)
		# shellcheck disable=SC2254 # a pattern, on purpose
		case $OUT in $want_out) ok=1 ;; esac
		;;
	esac
	if [ "$ST" = "$want_st" ] && [ $ok = 1 ]; then
		result PASS "$name" "status=$ST out=$OUT"
	else
		result FAIL "$name" "want status=$want_st out=$want_out; got status=$ST out=$OUT stderr=$(stderr)"
	fi
}

# All five capability sets of COMMAND must be empty.
expect_caps() {
	name=$1
	shift
	run "$@"
	bad=
	for w in $OUT; do
		case ${w#*=} in *[!0]*) bad="$bad ${w%%=*}" ;; esac
	done
	case $OUT in
	"inh="*" prm="*" eff="*" bnd="*" amb="*) ;;
	*) bad="$bad unparsed" ;;
	esac
	if [ "$ST" = 0 ] && [ -z "$bad" ]; then
		result PASS "$name" "$OUT"
	else
		result FAIL "$name" "want all sets 0, status 0; got status=$ST out=$OUT (non-zero:$bad) stderr=$(stderr)"
	fi
}

# --- the kernel and the test programs, without the loader ------------------

expect aarch32-runs-unfiltered 7 '' arm32-socket
expect asuser-drops-to-65534 0 65534 guest-util asuser 65534 65534 id -u
# What the loader's non-root path needs from the kernel: an unprivileged user
# namespace, a PID namespace and a fresh /proc mounted inside them.
expect userns-pidns-proc-as-65534 0 "0 1" guest-util asuser 65534 65534 \
	unshare -r -p -f -m --mount-proc sh -c 'id -u; echo $$'
if [ "$MODE" = full ]; then
	expect socket-inet-without-loopback 0 ok probe socket-inet
	expect probe-socket-unix-unfiltered 0 ok probe socket-unix
	expect probe-socketpair-dgram-unfiltered 0 ok probe socketpair-dgram
	# io_uring_setup(1, NULL) answers EFAULT when the call is allowed.
	expect probe-io_uring-setup-unfiltered 0 EFAULT probe io_uring-setup
fi

# --- the loader, as root and as uid 65534 ------------------------------------

loader_cases() {
	L=apply-seccomp
	expect check 0 '*' $L --check
	expect command-is-pid-2 0 2 $L $F probe pid
	expect pid-1-is-apply-seccomp 0 apply-seccomp $L $F cat /proc/1/comm
	expect uid-kept 0 "$1" $L $F id -u
	expect socket-unix 0 EPERM $L $F probe socket-unix
	expect socket-unix-junk-high-bits 0 EPERM $L $F probe socket-unix-junk
	expect socketpair-unix-dgram 0 EPERM $L $F probe socketpair-dgram
	expect socketpair-unix-stream 0 ok $L $F probe socketpair-stream
	expect socketpair-unix-seqpacket 0 ok $L $F probe socketpair-seqpacket
	expect socket-inet 0 ok $L $F probe socket-inet
	expect io_uring-setup 0 EPERM $L $F probe io_uring-setup
	expect io_uring-enter 0 EPERM $L $F probe io_uring-enter
	expect io_uring-register 0 EPERM $L $F probe io_uring-register
	expect_caps caps-all-zero $L $F probe caps
	# What each prints when allowed: ok, ok, EFAULT, EINVAL (see tests/probe.c).
	expect ptrace-attach-pid-1 0 '!ok' $L $F probe ptrace-attach-1
	expect proc-1-mem-write 0 '!ok' $L $F probe proc1-mem-write
	expect process_vm_writev-pid-1 0 '!ok|EFAULT' $L $F probe vm-writev-1
	expect umount-proc 0 EPERM $L $F probe umount-proc
	expect exit-0 0 '' $L $F sh -c 'exit 0'
	expect exit-1 1 '' $L $F sh -c 'exit 1'
	expect exit-42 42 '' $L $F sh -c 'exit 42'
	expect signal-term-143 143 '' $L $F sh -c 'kill -TERM $$'
	expect signal-kill-137 137 '' $L $F sh -c 'kill -KILL $$'
	expect not-found-127 127 '' $L $F /nonexistent
	expect not-executable-126 126 '' $L $F /t/not-executable
	expect aarch32-killed-by-sigsys 159 '' $L $F arm32-socket
	rm -f /tmp/ran
	expect x86_64-blob-refused-125 125 '' $L $X86 touch /tmp/ran
	if [ -e /tmp/ran ]; then result FAIL x86_64-blob-ran-nothing "COMMAND ran"
	else result PASS x86_64-blob-ran-nothing "COMMAND did not run"; fi
	err=$(stderr)
	case $err in
	"apply-seccomp: "*x86_64*) result PASS x86_64-blob-message "$err" ;;
	*) result FAIL x86_64-blob-message "want 'apply-seccomp: ...x86_64...'; got: $err" ;;
	esac
	expect builtin-socket-unix 0 EPERM $L --builtin probe socket-unix
	expect builtin-socketpair-dgram 0 EPERM $L --builtin probe socketpair-dgram
	expect builtin-socket-inet 0 ok $L --builtin probe socket-inet
	expect builtin-io_uring-setup 0 EPERM $L --builtin probe io_uring-setup
	expect builtin-exit-42 42 '' $L --builtin sh -c 'exit 42'
	expect builtin-aarch32-killed-by-sigsys 159 '' $L --builtin arm32-socket
}

# --- the write observer (SRT_OBSERVE_SOCK) ----------------------------------------
# Each listener (observe-listen) gets a new socket $S, writes what it receives
# to $O, and reads its stdin from a fifo held open on fd 7 until obs_stop.
obs_n=0
obs_listen() {
	obs_n=$((obs_n + 1))
	S=/tmp/obs$obs_n.sock O=/tmp/obs$obs_n.out D=/tmp/obs$obs_n.d
	mkdir -p $D
	chmod 777 $D
	mkfifo /tmp/obs$obs_n.in
	observe-listen "$@" $S < /tmp/obs$obs_n.in > $O &
	LP=$!
	exec 7> /tmp/obs$obs_n.in
	i=0
	while [ ! -S $S ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	chmod 666 $S
}
obs_stop() {
	exec 7>&-
	wait $LP
}
# obs_expect NAME: the events in $O, pids as P and $D as DIR, against /tmp/want.
obs_expect() {
	sed -e 's/"pid":[0-9]*/"pid":P/' -e "s|$D|DIR|g" $O > /tmp/got
	if [ "$ST" = 0 ] && cmp -s /tmp/want /tmp/got; then
		result PASS "$1" "$(wc -l < /tmp/got) events"
	else
		result FAIL "$1" "status=$ST stderr=$(stderr); first difference: $(diff /tmp/want /tmp/got | sed -n 2,3p | cut -c1-200 | tr '\n' ' ')"
	fi
}
E="sh /t/expected.sh aarch64"

observer_cases() {
	obs_listen
	run env SRT_OBSERVE_SOCK=$S SRT_ENCODED_CMD=Y3R4 apply-seccomp observe-calls every $D
	obs_stop
	{ echo '{"encodedCommand":"Y3R4"}'; $E every; } > /tmp/want
	obs_expect observe-every-call

	obs_listen
	run env SRT_OBSERVE_SOCK=$S apply-seccomp observe-calls weird $D
	obs_stop
	$E weird > /tmp/want
	obs_expect observe-weird-paths

	obs_listen
	run env SRT_OBSERVE_SOCK=$S apply-seccomp observe-calls threads $D 8
	obs_stop
	for i in 0 1 2 3 4 5 6 7; do $E openat DIR/t$i; $E unlinkat DIR/t$i; done | sort > /tmp/want
	sort $O > /tmp/sorted && mv /tmp/sorted $O
	obs_expect observe-threads

	# A /proc of an ancestor PID namespace (bwrap --bind /proc /proc under
	# srt's enableWeakerNestedSandbox): each pid is translated.
	obs_listen
	if [ -z "$ASUSER" ]; then U=; else U=-r; fi
	run env SRT_OBSERVE_SOCK=$S unshare $U -p -f sh -c "apply-seccomp observe-calls every $D"
	obs_stop
	$E every > /tmp/want
	obs_expect observe-ancestor-proc

	run env SRT_OBSERVE_SOCK=/tmp/missing/sock apply-seccomp grep Seccomp_filters /proc/self/status
	err=$(cat /tmp/stderr)
	if [ "$ST" = 0 ] && [ "$OUT" = "Seccomp_filters: 1" ] &&
		[ "$err" = '{"observe_init_error":"connect /tmp/missing/sock: No such file or directory"}' ]; then
		result PASS observe-unreachable-runs-unobserved "$OUT; $err"
	else
		result FAIL observe-unreachable-runs-unobserved "status=$ST out=$OUT stderr=$err"
	fi
	expect observe-unset-no-filter 0 'Seccomp_filters: 1' apply-seccomp grep Seccomp_filters /proc/self/status
	obs_listen
	expect observe-set-one-more-filter 0 'Seccomp_filters: 2' \
		env SRT_OBSERVE_SOCK=$S apply-seccomp grep Seccomp_filters /proc/self/status
	obs_stop

	obs_listen --stall
	expect observe-stalled-listener-never-blocks 0 '' env SRT_OBSERVE_SOCK=$S apply-seccomp observe-calls loop $D 1000
	echo >&7
	obs_stop

	obs_listen --close-after 3
	run env SRT_OBSERVE_SOCK=$S apply-seccomp observe-calls loop $D 1000
	obs_stop
	case "$ST $(stderr)" in
	"0 apply-seccomp: observer: sending to SRT_OBSERVE_SOCK: "*"; COMMAND's write attempts are no longer reported ")
		result PASS observe-listener-closing-mid-run "$(stderr)" ;;
	*) result FAIL observe-listener-closing-mid-run "status=$ST stderr=$(stderr)" ;;
	esac

	if [ -z "$ASUSER" ]; then
		obs_listen
		mkdir $D/impostor-dir
		run env SRT_OBSERVE_SOCK=$S unshare -p -f -m --mount-proc observe-reuse /bin/apply-seccomp /t/observe-calls $D
		obs_stop
		$E openat DIR/control > /tmp/want
		case $OUT in "impostor-pid "*) obs_expect observe-pid-reuse-reports-nothing ;;
		*) result FAIL observe-pid-reuse-reports-nothing "status=$ST out=$OUT stderr=$(stderr)" ;;
		esac
	fi
}

if [ "$MODE" = full ]; then
	WHO=root ASUSER=
	loader_cases 0
	observer_cases
	WHO=uid65534 ASUSER="guest-util asuser 65534 65534"
	loader_cases 65534
	observer_cases
fi

echo "SUMMARY pass=$n_pass fail=$n_fail"
poweroff -f
