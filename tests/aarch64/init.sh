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
# /t/calls, /t/guest-util, /t/arm32-socket (AArch32), the escape suite's
# /t/escape-{attack,daemon,session,pty,suid}, /t/nolandlock.bpf (a filter
# that answers landlock_create_ruleset with ENOSYS, as a kernel without
# Landlock does), /t/no-mount_setattr.bpf and /t/no-seccomp.bpf (the same
# for mount_setattr and seccomp), /t/broken-blob (executable, starts like a blob, is none),
# /t/truncated.bpf (12 bytes of a blob),
# /filters/{aarch64,x86_64}/*.bpf, /etc/test-mode ("full", or "smoke" for
# the kernel checks alone), and for the write observer
# /t/observe-{calls,listen,reuse} and /t/expected.sh (tests/observe/).
#
# The parts: the kernel and the test programs without the loader (the
# controls: each call the filters decide gets another answer without them);
# the committed aarch64 blobs installed with CAP_SYS_ADMIN kept; the loader
# as root and as uid 65534 (command line, filters, guard, /proc and /sys,
# Landlock); the old-/proc path, reproduced as srt's bwrap makes it; the
# write observer (SRT_OBSERVE_SOCK) as root and as uid 65534; and the escape
# suite's attacker in every context the guest can build.
#
# Word lists are split on purpose (globbing is off: set -f), and the
# single-quoted $ in scripts for other shells and awk are theirs:
# shellcheck disable=SC2086,SC2016

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
L=/bin/apply-seccomp
TMO="guest-util timeout 60"
ASUSER=
WHO=kernel
n_pass=0
n_fail=0

# phase NAME: a TIME line with the seconds since boot, for the host's log.
phase() { echo "TIME $1 $(cut -d' ' -f1 /proc/uptime)"; }

result() { # result PASS|FAIL NAME DETAIL
	if [ "$1" = PASS ]; then n_pass=$((n_pass + 1)); else n_fail=$((n_fail + 1)); fi
	printf 'CASE %s %s %.600s\n' "$WHO/$2" "$1" "$3"
}

# verdict NAME OK DETAIL: PASS when OK is 1.
verdict() {
	if [ "$2" = 1 ]; then result PASS "$1" "$3"; else result FAIL "$1" "$3"; fi
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

# pick KEY WORD...: sets ANS to the word after KEY among the words (the
# output of calls, "NAME ERRNO ..."), or to "missing".
pick() {
	key=$1
	shift
	ANS=missing
	while [ $# -ge 2 ]; do
		if [ "$1" = "$key" ]; then ANS=$2; return; fi
		shift 2
	done
}

# field KEY WORD...: sets ANS to VALUE of the word KEY=VALUE, or "missing".
field() {
	key=$1
	shift
	ANS=missing
	for w in "$@"; do
		case $w in "$key="*) ANS=${w#*=}; return ;; esac
	done
}

# --- the calls the filters decide (tests/aarch64/calls.c) ------------------------
# The default policy's new rules, the namespace guard, and calls both must
# let through. The guard answers clone3 with ENOSYS, everything else EPERM.
DEFAULT_CALLS="vsock vsock-junk keyctl add_key request_key tiocsti tiocsti-junk tioclinux tioclinux-junk"
GUARD_CALLS="mount umount2 open_tree move_mount fsopen fsconfig fsmount fspick mount_setattr open_tree_attr
pivot_root setns unshare-user unshare-user-junk unshare-ns unshare-ns-junk clone-user clone-user-junk
clone-ns clone-ns-junk clone3"
ALLOWED_CALLS="ioctl-other unshare-other clone-other thread spawn"
ALL_CALLS="$DEFAULT_CALLS $GUARD_CALLS $ALLOWED_CALLS"
# The calls the kernel itself refuses with EPERM to a caller without
# CAP_SYS_ADMIN before it looks at the arguments (may_mount() or
# ns_capable() first): only the blobs installed with CAP_SYS_ADMIN kept can
# show that EPERM is the filter's there.
CAPLESS_EPERM="move_mount fsopen fsmount fspick pivot_root"

want_of() { case $1 in clone3) W=ENOSYS ;; *) W=EPERM ;; esac; }

# each_call PREFIX CONTROL LIST: one case per call of LIST in OUT (a run of
# calls): the filter's answer, where CONTROL (the kernel's answers without
# the filter, for the same caller) is another.
each_call() {
	prefix=$1 control=$2
	for c in $3; do
		want_of "$c"
		pick "$c" $OUT
		got=$ANS
		pick "$c" $control
		why="$W (without the filter: $ANS)"
		case " $CAPLESS_EPERM " in
		*" $c "*) [ "$ANS" != "$W" ] || why="$why; the kernel answers so without CAP_SYS_ADMIN too: kernel/capable-sandbox.bpf/$c shows the filter's" ;;
		esac
		if [ "$got" = "$W" ]; then
			result PASS "$prefix$c" "$why"
		else
			result FAIL "$prefix$c" "want $W; got $got (status $ST, without the filter: $ANS) stderr=$(stderr)"
		fi
	done
}

# all_calls NAME filter|kernel CONTROL LIST: one case: every call of LIST in
# OUT got the filter's answer, or every one the kernel's (as in CONTROL).
all_calls() {
	name=$1 kind=$2 control=$3
	bad='' n=0
	for c in $4; do
		n=$((n + 1))
		pick "$c" $OUT
		got=$ANS
		pick "$c" $control
		if [ "$kind" = filter ]; then
			want_of "$c"
			[ "$got" = "$W" ] || bad="$bad $c:$got(want $W)"
		else
			[ "$got" = "$ANS" ] && [ "$got" != missing ] || bad="$bad $c:$got(kernel: $ANS)"
		fi
	done
	if [ "$ST" = 0 ] && [ -z "$bad" ]; then
		result PASS "$name" "all $n calls got the $kind's answer"
	else
		result FAIL "$name" "status $ST; wrong:$bad stderr=$(stderr)"
	fi
}

# The sandbox's targets, made by root: a secret under a deny-read bind and a
# deny-write directory (both bound by the launchers below), a root-owned file,
# a setuid-root binary, all on a tmpfs without nosuid.
E=/esc
SECRET=$E/secretdir/secret.txt
DENY=$E/rw/denied
HOSTFILE=$E/hostfile

# --- the kernel and the test programs, without the loader ------------------

phase kernel
expect aarch32-runs-unfiltered 7 '' arm32-socket
expect asuser-drops-to-65534 0 65534 guest-util asuser 65534 65534 id -u
# What the loader's non-root path needs from the kernel: an unprivileged user
# namespace, a PID namespace and a fresh /proc mounted inside them.
expect userns-pidns-proc-as-65534 0 "0 1" guest-util asuser 65534 65534 \
	unshare -r -p -f -m --mount-proc sh -c 'id -u; echo $$'

if [ "$MODE" = full ]; then
	mkdir -p /dev/pts /sys/fs/cgroup /sys/kernel/debug /sys/kernel/security
	mount -t devpts devpts /dev/pts
	# Several mounts under /sys, as a distribution has them: the loader
	# must make every one read-only, not just sysfs.
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
	mount -t securityfs securityfs /sys/kernel/security
	mount -t debugfs debugfs /sys/kernel/debug
	# One whose name mountinfo escapes (\040, \134), for the remounts.
	mkdir "/sys/fs/cgroup/a b\\c" && mount -t tmpfs tmpfs "/sys/fs/cgroup/a b\\c"
	# Yama's "relational" default would refuse a ptrace of any
	# non-descendant by itself and hide whether the loader keeps an outer
	# process out of reach; the build host has no Yama. Off, as there.
	echo 0 > /proc/sys/kernel/yama/ptrace_scope

	mkdir -p $E && mount -t tmpfs -o mode=755 tmpfs $E
	mkdir -p $E/secretdir $E/rw/denied $E/sock $E/suid
	TOKEN=escape-token-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s\n' "$TOKEN" > $SECRET
	: > $E/empty
	echo existing > $DENY/existing
	echo host > $HOSTFILE
	cp /t/escape-suid $E/suid/escape-suid
	chmod 644 $SECRET $E/empty $HOSTFILE
	chmod 666 $DENY/existing
	chmod 777 $E/rw $DENY
	chmod 4755 $E/suid/escape-suid
	# An outer process of uid 65534, dumpable, that an old /proc shows.
	guest-util asuser 65534 65534 sleep 100000 &

	# launch MODE COMMAND...: how each context starts COMMAND; run as root.
	#   root, nobody   the deny binds in a mount namespace of the caller's,
	#                  then COMMAND as root or as uid 65534
	# The old-/proc modes build a PID namespace with a fresh /proc whose
	# /proc/irq and /proc/bus are read-only binds (as bwrap --proc makes
	# them), and an outer sleeper there of COMMAND's uid, dumpable, with no
	# more capabilities than COMMAND's caller (its PID in OUTER). The
	# loader's user namespace then finds no fully visible proc to mount a
	# fresh one from, and keeps this one.
	#   oldnobody      srt as uid 65534 (bwrap --unshare-user --proc): the
	#                  nested path
	#   oldroot        srt >= 0.0.77 as root: bwrap --unshare-user
	#                  --cap-drop ALL --cap-add CAP_SETFCAP: a user namespace
	#                  mapping 0 to 0 that makes the binds itself, and COMMAND
	#                  with CAP_SETFCAP (31) alone: the nested path
	#   olddirect, olddirectnobody  root or uid 65534 in a user namespace
	#                  of its own, made after the binds (which are locked in
	#                  it), with every capability there, as a rootless
	#                  container has it: the direct path, where only Landlock
	#                  keeps the outer processes of that namespace out of reach
	cat > /tmp/launch <<'EOF'
#!/bin/sh
ro_bind() { mount --bind "$1" "$1" && mount -o remount,bind,ro,nosuid,nodev,noexec "$1"; }
deny() { mount --bind /esc/empty /esc/secretdir/secret.txt && ro_bind /esc/rw/denied; }
# A fresh /proc of this PID namespace, partly covered as bwrap --proc does.
old_proc() {
	mount -t proc -o nosuid,nodev,noexec proc /proc || return 1
	for d in /proc/irq /proc/bus; do [ ! -d $d ] || ro_bind $d || return 1; done
}
# sleeper HOW...: the outer process, started as HOW says.
sleeper() { "$@" sleep 100000 & export OUTER=$!; }
mode=$1
shift
case $mode in
root | nobody) exec unshare -m /tmp/launch "in-$mode" "$@" ;;
oldnobody | olddirect | olddirectnobody) exec unshare -m -p -f /tmp/launch "in-$mode" "$@" ;;
oldroot) exec unshare -U -r -m -p -f /tmp/launch in-oldroot "$@" ;;
in-root) deny || exit 125; exec "$@" ;;
in-nobody) deny || exit 125; exec guest-util asuser 65534 65534 "$@" ;;
in-oldnobody)
	deny && old_proc || exit 125
	sleeper guest-util asuser 65534 65534
	exec guest-util asuser 65534 65534 "$@" ;;
in-oldroot)
	deny && old_proc || exit 125
	sleeper guest-util caps 31
	exec guest-util caps 31 "$@" ;;
in-olddirect) deny && old_proc || exit 125; exec unshare -U -r -m /tmp/launch in-userns "$@" ;;
in-olddirectnobody)
	deny && old_proc || exit 125
	exec guest-util asuser 65534 65534 unshare -U -r -m /tmp/launch in-userns "$@" ;;
in-userns) sleeper guest-util caps none; exec "$@" ;;
esac
echo "launch: unknown mode $mode" >&2
exit 125
EOF
	chmod 755 /tmp/launch
	# The mounts at or under /sys that are writable, for COMMAND to run.
	echo '$5 ~ "^/sys(/|$)" && $6 !~ /^ro(,|$)/ { rw = rw "," $5 } END { print "sysrw=" (rw == "" ? "none" : substr(rw, 2)) }' \
		> /tmp/sys-rw.awk

	run probe landlock-abi
	LL=$OUT
	case $LL in
	[1-9]*) result PASS landlock-abi "Landlock ABI $LL (signal scoping needs 6)" ;;
	*) result FAIL landlock-abi "the old-/proc path needs Landlock; got '$LL'" ;;
	esac
	expect socket-inet-without-loopback 0 ok probe socket-inet
	expect probe-socket-unix-unfiltered 0 ok probe socket-unix
	expect probe-socketpair-dgram-unfiltered 0 ok probe socketpair-dgram
	# io_uring_setup(1, NULL) answers EFAULT when the call is allowed.
	expect probe-io_uring-setup-unfiltered 0 EFAULT probe io_uring-setup
	# What each call does without a filter (tests/probe.c): made, or the
	# kernel's own refusal; never the filters' EPERM or ENOSYS.
	expect probe-socket-vsock-unfiltered 0 '!EPERM' probe socket-vsock
	expect probe-keyctl-unfiltered 0 ok probe keyctl
	expect probe-tiocsti-unfiltered 0 EBADF probe tiocsti
	expect probe-mount-missing-unfiltered 0 ENOENT probe mount-missing
	expect probe-unshare-mntns-junk-unfiltered 0 EINVAL probe unshare-mntns-junk
	expect probe-clone-userns-unfiltered 0 ok probe clone-userns
	expect probe-clone3-unfiltered 0 EINVAL probe clone3
	expect probe-userns-unfiltered 0 ok probe userns
	expect probe-proc-writable-unfiltered 0 '!none' probe proc-writable

	# The kernel's answers to calls, the controls of every case below: as
	# root with its capabilities, as root without any, and as uid 65534.
	# kernel_answers NAME SAME: no call gets the filters' answer from the
	# kernel, but those of SAME; thread and spawn work.
	kernel_answers() {
		bad='' same=''
		for c in $DEFAULT_CALLS $GUARD_CALLS; do
			want_of "$c"
			pick "$c" $OUT
			if [ "$ANS" = "$W" ]; then
				case " $2 " in *" $c "*) same="$same $c" ;; *) bad="$bad $c:$ANS" ;; esac
			elif [ "$ANS" = missing ]; then
				bad="$bad $c:missing"
			fi
		done
		for c in thread spawn; do
			pick "$c" $OUT
			[ "$ANS" = ok ] || bad="$bad $c:$ANS"
		done
		verdict "$1" "$([ "$ST" = 0 ] && [ -z "$bad" ] && echo 1)" \
			"the kernel answers otherwise than the filters (the same EPERM only for:${same:- none}); wrong:${bad:- none}"
	}
	run calls $ALL_CALLS
	K_ROOT=$OUT
	kernel_answers calls-unfiltered-root ""
	run guest-util caps none calls $ALL_CALLS
	K_CAPLESS=$OUT
	kernel_answers calls-unfiltered-root-without-caps "$CAPLESS_EPERM"
	ASUSER="guest-util asuser 65534 65534"
	run calls $ALL_CALLS mknod-blk
	K_NOBODY=$OUT
	kernel_answers calls-unfiltered-uid65534 "$CAPLESS_EPERM"
	# The Landlock domain's mark (below): without it, EPERM (no CAP_MKNOD).
	pick mknod-blk $OUT
	verdict mknod-blk-unfiltered-uid65534 "$([ "$ANS" = EPERM ] && echo 1)" "mknod of a block device: $ANS (want EPERM)"
	ASUSER=

	# The committed blobs the loader embeds, installed with CAP_SYS_ADMIN
	# kept: every call gets the filter's answer even where the kernel
	# would have answered otherwise to this caller.
	run guest-util seccomp /filters/aarch64/sandbox.bpf calls $ALL_CALLS
	each_call capable-sandbox.bpf/ "$K_ROOT" "$DEFAULT_CALLS $GUARD_CALLS"
	all_calls capable-sandbox.bpf/allowed-calls kernel "$K_ROOT" "$ALLOWED_CALLS"
	run guest-util seccomp /filters/aarch64/namespaces.bpf calls $ALL_CALLS
	all_calls capable-namespaces.bpf/guard-calls filter "$K_ROOT" "$GUARD_CALLS"
	all_calls capable-namespaces.bpf/other-calls kernel "$K_ROOT" "$DEFAULT_CALLS $ALLOWED_CALLS"
	run guest-util seccomp /filters/aarch64/unix-block.bpf calls $ALL_CALLS
	all_calls capable-unix-block.bpf/default-calls filter "$K_ROOT" "$DEFAULT_CALLS"
	all_calls capable-unix-block.bpf/other-calls kernel "$K_ROOT" "$GUARD_CALLS $ALLOWED_CALLS"

	# Kernel knobs that root opens for writing without the loader (opened
	# and closed, never written), and the mounts under /sys.
	KNOBS="/proc/sys/kernel/core_pattern /proc/sysrq-trigger /sys/module/printk/parameters/time
/sys/fs/cgroup/cgroup.procs /sys/kernel/debug/fault_around_bytes"
	expect knobs-writable-unfiltered 0 "$(for k in $KNOBS; do printf '%s ok ' "$k"; done | sed 's/ $//')" calls $KNOBS
	SYS_MOUNTS_AWK='$5 ~ "^/sys(/|$)" { n++; if ($6 !~ /^ro(,|$)/) rw = rw " " $5 } END { print n, "rw:" rw }'
	run awk "$SYS_MOUNTS_AWK" /proc/self/mountinfo
	SYS_MOUNTS=${OUT%% *}
	set -- $OUT
	verdict sys-mounts-writable-unfiltered "$([ "${SYS_MOUNTS:-0}" -ge 5 ] && [ $(($# - 2)) = "$SYS_MOUNTS" ] &&
		case $OUT in *' /sys/fs/cgroup/a\040b\134c'*) echo 1 ;; esac)" "$OUT (want 5 or more, all writable)"
fi

# --- the loader, as root and as uid 65534 ------------------------------------

# loader_cases UID CONTROL: CONTROL is the kernel's answers to calls for this
# caller without capabilities (what COMMAND is).
loader_cases() {
	uid=$1 control=$2
	if [ "$uid" = 0 ]; then
		path="direct (CAP_SYS_ADMIN held)"
	else
		path="nested user namespace"
	fi
	line="apply-seccomp: ok: $path, fresh /proc read-only, Landlock ABI $LL"
	settings="apply-seccomp: ok: $path, fresh /proc with its kernel settings read-only, Landlock ABI $LL"

	# --- the command line: --check, COMMAND or FILTER -------------------
	expect check 0 "$line, built-in filter for aarch64" $L --check
	err=$(stderr)
	if [ "$uid" = 0 ]; then
		case $err in
		"apply-seccomp: warning: COMMAND would run as the host's uid 0: "*) result PASS check-warns-host-root "$err" ;;
		*) result FAIL check-warns-host-root "want the host-uid-0 warning; got: $err" ;;
		esac
	else
		verdict check-warns-nothing "$([ -z "$err" ] && echo 1)" "stderr: '$err'"
	fi
	expect check-filter 0 "$line, FILTER and the namespace guard for aarch64" $L --check $F
	expect check-allow-nested-userns 0 "$settings, built-in filter without the namespace guard for aarch64" \
		$L --allow-nested-userns --check
	expect check-srt-allow-nested-userns 0 "$settings, built-in filter without the namespace guard for aarch64" \
		env SRT_ALLOW_NESTED_USERNS=1 $L --check
	expect command-form-one-filter 0 "Seccomp_filters: 1" $L grep Seccomp_filters /proc/self/status
	expect filter-form-two-filters 0 "Seccomp_filters: 2" $L $F grep Seccomp_filters /proc/self/status
	expect filter-option 0 "Seccomp_filters: 2 EPERM" $L --filter $F sh -c \
		'grep Seccomp_filters /proc/self/status; probe socket-unix'
	expect builtin-option-one-filter 0 "Seccomp_filters: 1" $L --builtin grep Seccomp_filters /proc/self/status
	expect command-form-shell-is-pid-2 0 "2 cat" $L sh -c 'echo $$; cat /proc/self/comm'
	expect command-form-exit-3 3 '' $L /bin/sh -c 'exit 3'
	rm -f /tmp/ran-broken
	expect broken-blob-refused-125 125 '' $L /t/broken-blob touch /tmp/ran-broken
	err=$(stderr)
	case $err in
	"apply-seccomp: /t/broken-blob: "*) result PASS broken-blob-message "$err" ;;
	*) result FAIL broken-blob-message "want 'apply-seccomp: /t/broken-blob: ...'; got: $err" ;;
	esac
	if [ -e /tmp/ran-broken ]; then result FAIL broken-blob-ran-nothing "it ran as COMMAND, or COMMAND ran"
	else result PASS broken-blob-ran-nothing "neither it nor COMMAND ran"; fi
	expect truncated-blob-refused-125 125 '' $L /t/truncated.bpf touch /tmp/ran-broken
	case $(stderr) in
	"apply-seccomp: /t/truncated.bpf: "*"truncated?) ") result PASS truncated-blob-message "$(stderr)" ;;
	*) result FAIL truncated-blob-message "want 'apply-seccomp: /t/truncated.bpf: ...(truncated?)'; got: $(stderr)" ;;
	esac
	expect builtin-runs-a-blob-as-command-126 126 '' $L --builtin $F

	# --- the default policy's new rules and the guard, call by call ------
	run $L calls $ALL_CALLS
	each_call command-form/ "$control" "$DEFAULT_CALLS $GUARD_CALLS"
	each_call_allowed command-form/
	run $L $F calls $ALL_CALLS
	each_call filter-form/ "$control" "$DEFAULT_CALLS $GUARD_CALLS"
	each_call_allowed filter-form/
	# What the calls do when they work, refused.
	expect probe-socket-vsock 0 EPERM $L probe socket-vsock
	expect probe-keyctl 0 EPERM $L probe keyctl
	expect probe-tiocsti 0 EPERM $L probe tiocsti
	expect probe-mount-missing 0 EPERM $L probe mount-missing
	expect probe-unshare-mntns-junk 0 EPERM $L probe unshare-mntns-junk
	expect probe-clone-userns 0 EPERM $L probe clone-userns
	expect probe-clone3-enosys 0 ENOSYS $L probe clone3
	expect probe-userns 0 EPERM $L probe userns

	# --- nested user namespaces when allowed ------------------------------
	expect allow-nested-userns-clone-userns 0 ok $L --allow-nested-userns probe clone-userns
	expect srt-allow-nested-userns-clone-userns 0 ok env SRT_ALLOW_NESTED_USERNS=1 $L probe clone-userns
	expect allow-nested-userns-filter-alone 0 "Seccomp_filters: 1" \
		$L --allow-nested-userns $F grep Seccomp_filters /proc/self/status
	run $L --allow-nested-userns calls $ALL_CALLS
	all_calls allow-nested-userns-default-calls filter "$control" "$DEFAULT_CALLS"
	all_calls allow-nested-userns-no-guard kernel "$control" "$GUARD_CALLS $ALLOWED_CALLS"
	run env SRT_ALLOW_NESTED_USERNS=1 $L $F calls $ALL_CALLS
	all_calls srt-allow-nested-userns-filter-form-default-calls filter "$control" "$DEFAULT_CALLS"
	all_calls srt-allow-nested-userns-filter-form-no-guard kernel "$control" "$GUARD_CALLS $ALLOWED_CALLS"
	for v in 0 true yes ' 1' '1 ' 11 ''; do
		case $v in ' 1') n=space-1 ;; '1 ') n=1-space ;; '') n=empty ;; *) n=$v ;; esac
		expect "srt-allow-nested-userns-$n-keeps-guard" 0 EPERM env "SRT_ALLOW_NESTED_USERNS=$v" $L probe clone-userns
	done
	run env SRT_ALLOW_NESTED_USERNS=0 SRT_OBSERVE_SOCK= SRT_ENCODED_CMD=abc ARGV0=whatever $L env
	case " $OUT " in
	*" SRT_"*) result FAIL helper-env-not-passed-on "COMMAND got: $OUT" ;;
	*" ARGV0=whatever "*) result PASS helper-env-not-passed-on "no SRT_* variable; ARGV0 passed on untouched" ;;
	*) result FAIL helper-env-not-passed-on "ARGV0 lost: $OUT (status $ST)" ;;
	esac
	if [ "$uid" = 0 ]; then
		# The direct path leaves the limit alone: the guard refuses.
		expect max-userns-direct-untouched 0 '[1-9]*' $L probe max-userns
		expect max-userns-allowed 0 '[1-9]*' $L --allow-nested-userns probe max-userns
	else
		expect max-userns-nested-zero 0 0 $L probe max-userns
		expect max-userns-nested-allowed 0 '[1-9]*' $L --allow-nested-userns probe max-userns
	fi

	# --- /proc, /sys and Landlock ------------------------------------------
	expect proc-writable-none 0 none $L probe proc-writable
	# With nested user namespaces allowed, /proc stays writable where
	# COMMAND's processes need it (uid_map): its kernel settings do not.
	expect allow-nested-userns-proc-writable-none 0 none $L --allow-nested-userns probe proc-writable
	run $L --allow-nested-userns calls /proc/sys/kernel/core_pattern
	pick /proc/sys/kernel/core_pattern $OUT
	if [ "$uid" = 0 ]; then
		verdict allow-nested-userns-core_pattern-read-only "$([ "$ANS" = EROFS ] && echo 1)" "open for writing: $ANS (want EROFS)"
	else
		verdict allow-nested-userns-core_pattern-closed "$(case $ANS in EROFS | EACCES) echo 1 ;; esac)" "open for writing: $ANS"
	fi
	run $L calls $KNOBS
	for k in $KNOBS; do
		pick "$k" $OUT
		if [ "$uid" = 0 ]; then
			verdict "knob-read-only$k" "$([ "$ANS" = EROFS ] && echo 1)" "open for writing: $ANS (want EROFS)"
		else
			# The kernel's owner check comes first: root's files.
			verdict "knob-closed$k" "$(case $ANS in EROFS | EACCES) echo 1 ;; esac)" "open for writing: $ANS (want EROFS or EACCES)"
		fi
	done
	expect sys-mounts-read-only 0 "$SYS_MOUNTS rw:" $L awk "$SYS_MOUNTS_AWK" /proc/self/mountinfo
	# Kernels without mount_setattr (before 5.12) or seccomp() (before
	# 3.17), as filters answering ENOSYS make this one look: every /sys
	# mount remounted read-only one by one; the filter installed with prctl.
	expect fallback-no-mount_setattr-sys-read-only 0 "$SYS_MOUNTS rw:" \
		guest-util seccomp /t/no-mount_setattr.bpf $L awk "$SYS_MOUNTS_AWK" /proc/self/mountinfo
	expect fallback-no-seccomp-syscall-prctl 0 "Seccomp_filters: 2 EPERM EPERM" \
		guest-util seccomp /t/no-seccomp.bpf $L sh -c \
		'grep Seccomp_filters /proc/self/status; probe socket-unix; probe clone-userns'
	# Landlock ABI 1 to 5 handle LANDLOCK_ACCESS_FS_MAKE_BLOCK in COMMAND's
	# domain: its EACCES comes before the kernel's EPERM for CAP_MKNOD.
	expect landlock-domain-command-form 0 "mknod-blk EACCES" $L calls mknod-blk
	expect landlock-domain-filter-form 0 "mknod-blk EACCES" $L $F calls mknod-blk
	if [ "$LL" -ge 6 ]; then
		expect landlock-scoped-signal-pid-1 0 EPERM $L probe kill-1
	else
		# No signal scoping before ABI 6: PID 1 (the loader's reaper,
		# which forwards what it gets to COMMAND) can be signalled.
		expect landlock-no-signal-scope-pid-1 0 ok $L probe kill-1
	fi

	# --- the cases from before the doors -------------------------------------
	expect command-is-pid-2 0 2 $L $F probe pid
	expect pid-1-is-apply-seccomp 0 apply-seccomp $L $F cat /proc/1/comm
	expect uid-kept 0 "$uid" $L $F id -u
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
	# PID 1 is not dumpable: reading is refused too, and so is writing
	# where only the kernel settings are read-only.
	expect proc-1-mem-read 0 EACCES $L $F probe proc1-mem-read
	expect allow-nested-userns-proc-1-mem-write 0 EACCES $L --allow-nested-userns $F probe proc1-mem-write
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

# each_call_allowed PREFIX: the calls that no filter refuses got the kernel's
# answer in OUT (thread and spawn: glibc fell back from clone3 to clone).
each_call_allowed() {
	for c in $ALLOWED_CALLS; do
		pick "$c" $OUT
		got=$ANS
		pick "$c" $control
		verdict "$1allows-$c" "$([ "$got" = "$ANS" ] && [ "$got" != missing ] && echo 1)" "$got (without the filter: $ANS)"
	done
}

# --- the old /proc: no fresh one can be mounted -----------------------------------
# The loader's user namespace finds no fully visible proc (mount_too_revealing):
# the read-only binds over /proc/irq and /proc/bus hide parts of the only one,
# and are locked there. The loader keeps it, read-only as a whole, and COMMAND
# cannot reach the outer processes it shows: on the nested path by the kernel's
# rule for a tracer in a child user namespace, on the direct path (no user
# namespace of the loader's) by Landlock. COMMAND tries the outer sleeper.
OLDPROC_SH='echo pid=$$ self=$(readlink /proc/self) outer=$(cat /proc/$OUTER/comm 2>/dev/null || echo none)
set -- $(calls /proc/$OUTER/oom_score_adj read:/proc/$OUTER/mem read:/proc/$OUTER/environ /proc/sys/kernel/core_pattern)
echo oom=$2 memread=$4 environ=$6 core=$8
echo procw=$(probe proc-writable | tr " " ,)
echo unix=$(probe socket-unix) userns=$(probe clone-userns) maxuserns=$(probe max-userns)
awk -f /tmp/sys-rw.awk /proc/self/mountinfo
grep Seccomp_filters /proc/self/status | tr -d "\t "'

# want_field NAME KEY WANT...: a case: KEY's value in OUT is one of WANT.
want_field() {
	name=$1 key=$2
	shift 2
	field "$key" $OUT
	got=$ANS ok=''
	for w in "$@"; do [ "$got" = "$w" ] && ok=1; done
	verdict "$name" "$ok" "$key=$got (want $*) status $ST"
}

# oldproc_cases PREFIX LAUNCH nested|direct WARN: WARN is 1 where COMMAND's
# uid 0 is the host's.
oldproc_cases() {
	pre=$1 path=$3 warn=$4
	ASUSER="/tmp/launch $2"
	if [ "$path" = nested ]; then desc="nested user namespace"; else desc="direct (CAP_SYS_ADMIN held)"; fi
	expect ${pre}check 0 \
		"apply-seccomp: ok: $desc, old /proc read-only, outer processes out of reach, Landlock ABI $LL, built-in filter for aarch64" \
		$L --check
	err=$(stderr)
	if [ "$warn" = 1 ]; then
		case $err in
		"apply-seccomp: warning: COMMAND would run as the host's uid 0: "*) result PASS ${pre}check-warns-host-root "$err" ;;
		*) result FAIL ${pre}check-warns-host-root "want the host-uid-0 warning; got: $err" ;;
		esac
	else
		verdict ${pre}check-warns-nothing "$([ -z "$err" ] && echo 1)" "stderr: '$err'"
	fi
	# The kernel's rule itself: no fresh proc for a new user namespace here
	# (where the plain one gets it: kernel/userns-pidns-proc-as-65534).
	run unshare -r -p -f -m --mount-proc true
	verdict ${pre}kernel-refuses-a-fresh-proc "$([ "$ST" != 0 ] && case $(stderr) in *"Operation not permitted"*) echo 1 ;; esac)" \
		"status $ST: $(stderr)"
	# Without the loader, in the same place, the sleeper is within reach.
	run sh -c "$OLDPROC_SH"
	want_field ${pre}control-outer-visible outer sleep
	want_field ${pre}control-outer-oom_score_adj-writable oom ok
	want_field ${pre}control-outer-mem-readable memread ok
	run $L sh -c "$OLDPROC_SH"
	verdict ${pre}run "$([ "$ST" = 0 ] && echo 1)" "status $ST stderr=$(stderr)"
	want_field ${pre}command-is-pid-2 pid 2
	field self $OUT
	verdict ${pre}is-the-old-proc "$([ "$ANS" != 2 ] && [ "$ANS" != missing ] && echo 1)" "/proc/self is /proc/$ANS there"
	want_field ${pre}outer-visible outer sleep
	want_field ${pre}outer-oom_score_adj-read-only oom EROFS
	want_field ${pre}outer-mem-out-of-reach memread EACCES
	want_field ${pre}outer-environ-out-of-reach environ EACCES
	if [ "$warn" = 1 ]; then
		want_field ${pre}core_pattern-read-only core EROFS
	else
		want_field ${pre}core_pattern-closed core EROFS EACCES
	fi
	want_field ${pre}proc-writable-none procw none
	want_field ${pre}socket-unix unix EPERM
	want_field ${pre}clone-userns userns EPERM
	if [ "$path" = nested ]; then
		want_field ${pre}max-userns-zero maxuserns 0
	else
		field maxuserns $OUT
		verdict ${pre}max-userns-direct-untouched "$(case $ANS in [1-9]*) echo 1 ;; esac)" "maxuserns=$ANS (the guard refuses)"
	fi
	want_field ${pre}sys-read-only sysrw none
	case " $OUT " in
	*" Seccomp_filters:1 "*) result PASS ${pre}one-filter "Seccomp_filters: 1" ;;
	*) result FAIL ${pre}one-filter "$OUT" ;;
	esac
	# Without Landlock (a filter answers landlock_create_ruleset with
	# ENOSYS, as a kernel without it does).
	NOLL="guest-util seccomp /t/nolandlock.bpf"
	if [ "$path" = nested ]; then
		# The user namespace is the loader's: out of reach all the same.
		expect ${pre}no-landlock-check 0 \
			"apply-seccomp: ok: $desc, old /proc read-only, outer processes out of reach, no Landlock, built-in filter for aarch64" \
			$NOLL $L --check
		run $NOLL $L sh -c "$OLDPROC_SH"
		want_field ${pre}no-landlock-command-is-pid-2 pid 2
		want_field ${pre}no-landlock-outer-mem-out-of-reach memread EACCES
		want_field ${pre}no-landlock-outer-oom_score_adj-read-only oom EROFS
		return
	fi
	# The direct path without Landlock: fail closed, unless allowed.
	expect ${pre}no-landlock-check-125 125 '' $NOLL $L --check
	err=$(tail -n 1 /tmp/stderr)
	case $err in
	"apply-seccomp: cannot mount a fresh /proc: "*"Operation not permitted, and the outer processes"*"--allow-stale-proc"*)
		result PASS ${pre}no-landlock-message "$err" ;;
	*) result FAIL ${pre}no-landlock-message "$err" ;;
	esac
	rm -f /tmp/ran
	expect ${pre}no-landlock-run-125 125 '' $NOLL $L touch /tmp/ran
	if [ -e /tmp/ran ]; then result FAIL ${pre}no-landlock-ran-nothing "COMMAND ran"
	else result PASS ${pre}no-landlock-ran-nothing "COMMAND did not run"; fi
	expect ${pre}allow-stale-proc-check 0 \
		"apply-seccomp: ok: $desc, old /proc read-only, outer processes in reach (--allow-stale-proc), no Landlock, built-in filter for aarch64" \
		$NOLL $L --allow-stale-proc --check
	# What the option says it allows, and no more.
	run $NOLL $L --allow-stale-proc sh -c "$OLDPROC_SH"
	want_field ${pre}allow-stale-proc-command-is-pid-2 pid 2
	want_field ${pre}allow-stale-proc-outer-in-reach memread ok
	want_field ${pre}allow-stale-proc-oom_score_adj-read-only oom EROFS
	want_field ${pre}allow-stale-proc-socket-unix unix EPERM
}

if [ "$MODE" = full ]; then
	phase loader
	WHO=root ASUSER=
	loader_cases 0 "$K_CAPLESS"
	WHO=uid65534 ASUSER="guest-util asuser 65534 65534"
	loader_cases 65534 "$K_NOBODY"
	phase oldproc
	WHO=root
	oldproc_cases oldproc- oldroot nested 1
	oldproc_cases olddirect- olddirect direct 1
	WHO=uid65534
	oldproc_cases oldproc- oldnobody nested 0
	oldproc_cases olddirect- olddirectnobody direct 0
	ASUSER=
fi

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
EXP="sh /t/expected.sh aarch64"

observer_cases() {
	obs_listen
	run env SRT_OBSERVE_SOCK=$S SRT_ENCODED_CMD=Y3R4 apply-seccomp observe-calls every $D
	obs_stop
	{ echo '{"encodedCommand":"Y3R4"}'; $EXP every; } > /tmp/want
	obs_expect observe-every-call

	obs_listen
	run env SRT_OBSERVE_SOCK=$S apply-seccomp observe-calls weird $D
	obs_stop
	$EXP weird > /tmp/want
	obs_expect observe-weird-paths

	obs_listen
	run env SRT_OBSERVE_SOCK=$S apply-seccomp observe-calls threads $D 8
	obs_stop
	for i in 0 1 2 3 4 5 6 7; do $EXP openat DIR/t$i; $EXP unlinkat DIR/t$i; done | sort > /tmp/want
	sort $O > /tmp/sorted && mv /tmp/sorted $O
	obs_expect observe-threads

	# A /proc of an ancestor PID namespace (bwrap --bind /proc /proc under
	# srt's enableWeakerNestedSandbox): each pid is translated.
	obs_listen
	if [ -z "$ASUSER" ]; then U=; else U=-r; fi
	run env SRT_OBSERVE_SOCK=$S unshare $U -p -f sh -c "apply-seccomp observe-calls every $D"
	obs_stop
	$EXP every > /tmp/want
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
		$EXP openat DIR/control > /tmp/want
		case $OUT in "impostor-pid "*) obs_expect observe-pid-reuse-reports-nothing ;;
		*) result FAIL observe-pid-reuse-reports-nothing "status=$ST out=$OUT stderr=$(stderr)" ;;
		esac
	fi
}

if [ "$MODE" = full ]; then
	phase observe
	WHO=root ASUSER=
	observer_cases
	WHO=uid65534 ASUSER="guest-util asuser 65534 65534"
	observer_cases
	ASUSER=
fi

# --- the escape suite's attacker ------------------------------------------------
# tests/escape/run.sh's set-up in the guest: the daemons on path and abstract
# names, the deny binds (made by /tmp/launch), a key in a session keyring of
# the run's own (escape-session), a pty whose outer side proves nothing was
# injected (escape-pty). Contexts: root and uid 65534, the COMMAND form and
# the FILTER form, and the old /proc of each on the nested and on the direct
# path (the guest has no bwrap or srt).
ATTACKS="unix-stream-path unix-stream-abstract unix-stream-junk-domain unix-dgram-path
unix-dgram-abstract socketpair-dgram-path socketpair-dgram-abstract socketpair-dgram-flags
socketpair-dgram-junk socketpair-raw-path vsock-stream vsock-dgram vsock-junk-domain
io_uring-setup io_uring-enter io_uring-register userns-unshare userns-clone userns-clone-junk
userns-clone3 mntns-unshare userns-unmask-binds nested-loader mount-remount-rw umount2-secret
open_tree-move_mount pivot_root mount_setattr fsopen ptrace-attach-pid1 ptrace-seize-pid1
pid1-environ pid1-mem-write process_vm_writev-pid1 pidfd_getfd-pid1 setns-pid1 secret-read
open_by_handle denywrite hostfile-write dev-block-write setuid-root keyring-search request_key
add_key tiocsti tiocsti-junk tioclinux tty-steal proc-core_pattern proc-sysrq-trigger
proc-writable proc-net-writable sys-writable outer-mem outer-environ outer-fd outer-root
outer-ptrace outer-pidfd_getfd outer-signal"
# Without the sandbox these get through (vsock: the guest has no vsock
# transport, so the kernel refuses it itself).
MUST_OPEN="unix-stream-path unix-stream-abstract unix-stream-junk-domain unix-dgram-path
unix-dgram-abstract socketpair-dgram-path socketpair-dgram-abstract socketpair-dgram-flags
socketpair-dgram-junk socketpair-raw-path io_uring-setup io_uring-enter io_uring-register
userns-unshare userns-clone userns-clone-junk userns-clone3 nested-loader open_tree-move_mount
secret-read denywrite setuid-root keyring-search request_key add_key tiocsti tiocsti-junk"
ROOT_OPEN="proc-core_pattern proc-sysrq-trigger proc-writable sys-writable open_by_handle hostfile-write setuid-root"
OUTER_OPEN="outer-mem outer-environ outer-fd"
CONF=$E/escape.conf
KEY=escape-key-guest
ESC_OUT=/tmp/escape.out

# escape_run [LAUNCH...] -- COMMAND...: the attack in a session keyring of its
# own on a new pty; ESC (stdout, with the pty's report) and ESC_ST.
escape_run() {
	pre=
	while [ "$1" != -- ]; do pre="$pre $1"; shift; done
	shift
	guest-util timeout 300 escape-pty $pre escape-session $KEY "$TOKEN" "$@" > $ESC_OUT 2> /tmp/stderr
	ESC_ST=$?
	# What a run that got through left behind (owned by its uid).
	rm -f $DENY/escape-new $DENY/escape-mount $DENY/escape-unmask $E/rw/escape-control
}

# escape_verdicts PREFIX LIST OPEN|BLOCKED: one case per attack of LIST.
escape_verdicts() {
	for a in $2; do
		v=$(grep -m 1 "^ESCAPE $a " $ESC_OUT)
		v=${v#ESCAPE "$a" }
		case $v in
		"$3 "*) result PASS "$1$a" "$v" ;;
		*) result FAIL "$1$a" "want $3; got: ${v:-no report}" ;;
		esac
	done
}

outside_state() {
	echo "denied: $(ls -A $DENY | tr '\n' ' ')"
	echo "secret: $(cat $SECRET)"
	echo "hostfile: $(cat $HOSTFILE)"
	echo "daemon answers: $(grep -c '^served ' $E/daemon.log)"
}

# escape_context NAME UID HOSTROOT FORM LAUNCH: every attack BLOCKED (UID is
# COMMAND's own), but where COMMAND runs as the host's uid 0 (HOSTROOT 1)
# for its documented exceptions (the README: root without bwrap owns the
# host's files and /dev nodes).
escape_context() {
	name=$1 uid=$2 hostroot=$3 form=$4 launch=$5
	WHO=escape-$name
	nf=1 la=
	[ "$form" = builtin ] || { nf=2 la=$F; }
	before=$(outside_state)
	escape_run /tmp/launch $launch -- $L $la escape-attack $CONF
	after=$(outside_state)
	verdict ran "$([ "$ESC_ST" = 0 ] && echo 1)" "status $ESC_ST stderr=$(stderr)"
	id=$(grep -m 1 '^ESCAPE-ID ' $ESC_OUT)
	case $id in
	"ESCAPE-ID pid=2 parent=apply-seccomp loader=$L filters=$nf nnp=1 capeff=0000000000000000 "*" uid=$uid")
		result PASS loader-is-parent "$id" ;;
	*) result FAIL loader-is-parent "want pid=2, our loader, filters=$nf, nnp, no capability, uid=$uid; got: $id" ;;
	esac
	n_lines=$(grep -c '^ESCAPE [^ ]* [A-Z]* ' $ESC_OUT)
	verdict every-attack-reported "$(grep -qx "ESCAPE-END $n_lines" $ESC_OUT && echo 1)" \
		"$n_lines reports, $(grep '^ESCAPE-END' $ESC_OUT)"
	expect_line pty-nothing-injected "PTY injected=0" "$(grep '^PTY ' $ESC_OUT)"
	expect_line outside-unchanged "$before" "$after"
	for a in $ATTACKS; do
		v=$(grep -m 1 "^ESCAPE $a " $ESC_OUT)
		v=${v#ESCAPE "$a" }
		case $v in
		"BLOCKED "*) result PASS "$a" "$v" ;;
		"OPEN "*)
			if [ "$hostroot" = 1 ] && { [ "$a" = hostfile-write ] || [ "$a" = dev-block-write ]; }; then
				result PASS "$a" "open, outside the loader's promise (README: root without bwrap): ${v#OPEN }"
			else
				result FAIL "$a" "$v"
			fi ;;
		*) result FAIL "$a" "no report" ;;
		esac
	done
	# Attacks this list does not name (the attacker may have gained some).
	if [ "$hostroot" = 1 ]; then
		other=$(grep '^ESCAPE [^ ]* OPEN ' $ESC_OUT |
			grep -v -e '^ESCAPE hostfile-write ' -e '^ESCAPE dev-block-write ' | head -n 3)
	else
		other=$(grep '^ESCAPE [^ ]* OPEN ' $ESC_OUT | head -n 3)
	fi
	verdict nothing-else-open "$([ -z "$other" ] && echo 1)" "${other:-no other OPEN line}"
}

# expect_line NAME WANT GOT
expect_line() {
	if [ "$2" = "$3" ]; then result PASS "$1" "$3"; else result FAIL "$1" "want '$2'; got '$3'"; fi
}

if [ "$MODE" = full ]; then
	phase escape
	WHO=escape
	escape-daemon "$TOKEN" 100000 $E/sock/stream.sock @escape-stream $E/sock/dgram.sock @escape-dgram \
		> $E/daemon.log 2>&1 &
	for _ in $(seq 100); do grep -q '^ready$' $E/daemon.log && break; sleep 0.1; done
	expect_line daemon-ready ready "$(grep '^ready$' $E/daemon.log)"
	{
		echo "token=$TOKEN"
		echo "stream_path=$E/sock/stream.sock"
		echo "stream_abstract=@escape-stream"
		echo "dgram_path=$E/sock/dgram.sock"
		echo "dgram_abstract=@escape-dgram"
		echo "secret=$SECRET"
		echo "secretdir=$E/secretdir"
		echo "denydir=$DENY"
		echo "rwdir=$E/rw"
		echo "hostfile=$HOSTFILE"
		echo "suid=$E/suid/escape-suid"
		echo "key_desc=$KEY"
		echo "loader=$L"
		echo "conf=$CONF"
		escape-attack --handle $SECRET
		# The kernel's answers to the proof calls, unfiltered and
		# without capabilities (escape-attack's who() compares).
		guest-util asuser 65534 65534 escape-attack --proofs | sed -n 's/^PROOF \([^ ]*\) \(.*\)$/proof.\1=\2/p'
	} > $CONF
	chmod 644 $CONF
	n_proofs=$(grep -c '^proof\.[a-z0-9_-]*=E[A-Z0-9]*$' $CONF)
	verdict conf-complete "$(grep -q '^handle=[0-9a-f]' $CONF && [ "$n_proofs" -gt 0 ] &&
		[ "$n_proofs" = "$(grep -c '^proof\.' $CONF)" ] && echo 1)" \
		"the secret's handle, and $n_proofs proof calls answered by the kernel"

	# Controls: without the sandbox the doors are open.
	escape_run guest-util asuser 65534 65534 -- escape-attack $CONF
	escape_verdicts control-uid65534/ "$MUST_OPEN" OPEN
	case $(grep '^PTY ' $ESC_OUT) in
	"PTY injected="[1-9]*escape-tiocsti*) result PASS control-pty-injected "$(grep '^PTY ' $ESC_OUT)" ;;
	*) result FAIL control-pty-injected "$(grep '^PTY ' $ESC_OUT)" ;;
	esac
	escape_run -- escape-attack $CONF fs proc sys
	escape_verdicts control-root/ "$ROOT_OPEN" OPEN
	# An outer process of the same uid (the sleeper), seen through a /proc
	# that is not the command's own.
	escape_run -- unshare -p -f guest-util asuser 65534 65534 escape-attack $CONF outer
	escape_verdicts control-stale-proc-uid65534/ "$OUTER_OPEN" OPEN
	served=$(grep -c '^served ' $E/daemon.log)
	verdict control-daemons-answered "$([ "$served" -gt 0 ] && echo 1)" "$served answers"

	escape_context root-builtin 0 1 builtin root
	escape_context root-filter 0 1 filter root
	escape_context uid65534-builtin 65534 0 builtin nobody
	escape_context uid65534-filter 65534 0 filter nobody
	escape_context oldproc-root 0 1 builtin oldroot
	escape_context oldproc-uid65534 65534 0 builtin oldnobody
	# uid 65534 there is uid 0 of a user namespace of its own.
	escape_context olddirect-root 0 1 builtin olddirect
	escape_context olddirect-uid65534 0 0 builtin olddirectnobody
fi

phase end
echo "SUMMARY pass=$n_pass fail=$n_fail"
poweroff -f
