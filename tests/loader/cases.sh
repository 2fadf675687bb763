#!/bin/bash
# The loader's behaviour in one context (as root or uid 65534, inside bwrap or
# not). run.sh stages the binaries in $BIN and runs this script once per
# context with:
#   CTX        the context's name, for messages
#   WANT_CHECK what `apply-seccomp --check` must say after "ok: "
#   WANT_BND   COMMAND's bounding set (hex), WANT_SECBITS its securebits (hex)
#   NESTED     1 if the loader must create its own user namespace here
#   STALE      1 if no fresh /proc can be mounted here (uid 0 under bwrap
#              --unshare-user --cap-drop ALL --cap-add CAP_SETFCAP, as srt
#              0.0.77+ runs it): the old /proc stays, and Landlock must keep
#              every outer process out of reach
#   LANDLOCK   the kernel's Landlock ABI (0: none)
#   ROOT       1 if COMMAND runs as uid 0
. "$BIN/lib.sh"
SUITE="loader[$CTX]"
L=$BIN/apply-seccomp
F=$BIN/filter.bpf
P=$BIN/probe
PY=/usr/bin/python3
ZERO=0000000000000000
DEADLINE=20

# probe_is NAME WANT CHECK: `apply-seccomp FILTER probe CHECK` prints WANT.
probe_is() {
	expect_status "$1 (status)" 0 "$L" "$F" "$P" "$3"
	expect_eq "$1" "$2" "$out"
}

# --- setup ---------------------------------------------------------------------
expect_status "--check succeeds" 0 "$L" --check
expect_eq "--check names the path" "apply-seccomp: ok: $WANT_CHECK" "$out"
expect_status "--check FILTER succeeds" 0 "$L" --check "$F"
expect_eq "--check FILTER names the filters" "apply-seccomp: ok: ${WANT_CHECK%, built-in filter for *}, FILTER and the namespace guard for $(uname -m)" "$out"

# --- process model ---------------------------------------------------------------
probe_is "COMMAND is PID 2" 2 pid
if [ "$STALE" = 1 ]; then
	# The old /proc: PID 1 there is the outer namespace's init.
	expect_status "list /proc" 0 "$L" "$F" /bin/sh -c 'cd /proc && echo [0-9]*'
	expect_match "the old /proc shows the outer processes" '^1 2 [0-9]+ [0-9]+ [0-9]+' "$out"
	# Every process there that is not COMMAND's own is out of reach.
	expect_status "outer processes are out of reach" 0 "$L" "$F" /bin/sh -c '
		own=$(readlink /proc/self); bad=
		for d in /proc/[0-9]*; do
			n=${d#/proc/}
			[ "$n" = "$own" ] && continue
			grep -q "^NSpid:.*	[0-9]*	[0-9]*$" "$d/status" 2>/dev/null && continue
			if (exec 3<> "$d/mem") 2>/dev/null; then bad="$bad $n:mem"; fi
			if (exec 3< "$d/environ") 2>/dev/null; then bad="$bad $n:environ"; fi
			if readlink "$d/fd/0" "$d/cwd" > /dev/null 2>&1; then bad="$bad $n:fd"; fi
			if ls "$d/root/" > /dev/null 2>&1; then bad="$bad $n:root"; fi
		done
		echo "reached:${bad:- none}"'
	expect_eq "... no /proc/N/mem, environ, fd, cwd or root of an outer process opens" "reached: none" "$out"
	# Files the owner may write without ptrace access: the old /proc is
	# read-only, every mount of it.
	expect_status "an outer process's oom_score_adj cannot be written" 2 "$L" "$F" /bin/sh -c \
		'cat /proc/1/oom_score_adj > /proc/1/oom_score_adj'
	expect_match "... /proc is read-only" 'Read-only file system' "$err"
else
	expect_status "cat /proc/1/comm" 0 "$L" "$F" /bin/cat /proc/1/comm
	expect_eq "PID 1 is apply-seccomp" apply-seccomp "$out"
	expect_status "list /proc" 0 "$L" "$F" /bin/sh -c 'cd /proc && echo [0-9]*'
	expect_eq "/proc lists only the inner PIDs" "1 2" "$out"
fi
expect_status "the kernel settings in /proc are read-only" 0 "$L" "$F" "$P" proc-writable
expect_eq "... no file outside the processes' directories opens for writing" none "$out"
expect_status "every mount at or under /sys is read-only" 0 "$L" "$F" /usr/bin/awk \
	'$5 ~ "^/sys(/|$)" && $6 !~ /^ro(,|$)/ { print $5, $6 }' /proc/self/mountinfo
expect_eq "... no /sys mount is writable" "" "$out"
expect_status "core_pattern cannot be opened for writing" 2 "$L" "$F" /bin/sh -c ': >> /proc/sys/kernel/core_pattern'
if [ "$(id -u)" = 0 ]; then
	expect_match "... as uid 0, because it is read-only" 'Read-only file system' "$err"
fi

# --- exit status ---------------------------------------------------------------------
for code in 0 1 42; do
	expect_status "exit $code is relayed" "$code" "$L" "$F" /bin/sh -c "exit $code"
done
expect_status "COMMAND not found: 127" 127 "$L" "$F" no-such-command-4f1d
expect_eq "not found message" "apply-seccomp: no-such-command-4f1d: command not found" "$err"
expect_status "COMMAND path missing: 127" 127 "$L" "$F" /no/such/file
expect_eq "missing path message" "apply-seccomp: /no/such/file: No such file or directory" "$err"
expect_status "COMMAND not executable: 126" 126 "$L" "$F" "$F"
expect_eq "not executable message" "apply-seccomp: $F: Permission denied" "$err"
expect_status "death by SIGTERM: 143" 143 "$L" "$F" /bin/sh -c 'kill -TERM $$'
expect_status "death by SIGKILL: 137" 137 "$L" "$F" /bin/sh -c 'kill -KILL $$'
if [ "$(uname -m)" = x86_64 ]; then
	expect_status "an i386 syscall (int 0x80) is killed: 128+SIGSYS" 159 "$L" "$F" "$P" int80-socket
fi

# --- orphans -------------------------------------------------------------------------
# Each (true &) leaves an orphan that PID 1 inherits. Poll until no process but
# COMMAND (PID 2) has PID 1 as its parent: a zombie PID 1 failed to reap would
# stay there until the deadline.
expect_status "orphans are reaped" 0 "$L" "$F" /bin/sh -c '
	for i in 1 2 3 4 5; do (/bin/true &); done
	end=$(($(date +%s) + '"$DEADLINE"'))
	while :; do
		left=$(awk "\$4 == 1 && \$1 != 2 {print \$1, \$2, \$3}" /proc/[0-9]*/stat 2>/dev/null)
		[ -n "$left" ] || exit 0
		[ "$(date +%s)" -lt "$end" ] || { echo "not reaped: $left"; exit 1; }
		sleep 0.01
	done'
start=$(date +%s)
expect_status "sh -c 'sleep 100 & exit 5' returns 5" 5 timeout 60 "$L" "$F" /bin/sh -c 'sleep 100 & exit 5'
expect_match "... at once (not after the sleep)" '^[0-9]$|^1[0-9]$' "$(($(date +%s) - start))"

# --- the filter ----------------------------------------------------------------------
probe_is "socket(AF_UNIX) fails" EPERM socket-unix
probe_is "socket(AF_UNIX) with junk in the upper 32 bits fails" EPERM socket-unix-junk
probe_is "socket(AF_INET) works" ok socket-inet
probe_is "socketpair(AF_UNIX, SOCK_DGRAM) fails" EPERM socketpair-dgram
probe_is "socketpair(AF_UNIX, SOCK_STREAM) works" ok socketpair-stream
probe_is "socketpair(AF_UNIX, SOCK_SEQPACKET) works" ok socketpair-seqpacket
probe_is "io_uring_setup fails" EPERM io_uring-setup
probe_is "io_uring_enter fails" EPERM io_uring-enter
probe_is "io_uring_register fails" EPERM io_uring-register
for form in FILTER COMMAND; do
	if [ $form = FILTER ]; then G=("$L" "$F"); else G=("$L"); fi
	for c in "socket-vsock socket(AF_VSOCK)" "keyctl keyctl" "tiocsti ioctl(TIOCSTI)"; do
		expect_status "$form form: ${c#* }" 0 "${G[@]}" "$P" "${c%% *}"
		expect_eq "$form form: ${c#* } fails with EPERM" EPERM "$out"
	done
done
expect_status "--builtin" 0 "$L" --builtin "$P" socket-unix
expect_eq "--builtin installs the built-in filter" EPERM "$out"

# --- the namespace guard, stacked on FILTER and built into the built-in filter -------
# Each call is made so that, had it reached the kernel code, the answer would
# be another errno (ENOENT, EINVAL): EPERM and ENOSYS are the guard's.
for form in FILTER COMMAND; do
	if [ $form = FILTER ]; then G=("$L" "$F"); else G=("$L"); fi
	for c in "mount-missing EPERM" "unshare-mntns-junk EPERM" "clone-userns EPERM" "clone3 ENOSYS" "userns EPERM"; do
		expect_status "$form form: guard: ${c% *}" 0 "${G[@]}" "$P" "${c% *}"
		expect_eq "$form form: guard: ${c% *} fails with ${c#* }" "${c#* }" "$out"
	done
done
expect_status "the built-in filter is one program" 0 "$L" /bin/grep -h '^Seccomp_filters' /proc/self/status
expect_match "... Seccomp_filters: 1" '^Seccomp_filters:.1$' "$out"
expect_status "FILTER and the guard are two" 0 "$L" "$F" /bin/grep -h '^Seccomp_filters' /proc/self/status
expect_match "... Seccomp_filters: 2" '^Seccomp_filters:.2$' "$out"
if [ "$NESTED" = 1 ]; then
	probe_is "user.max_user_namespaces is 0 in the loader's user namespace" 0 max-userns
fi
if [ "$LANDLOCK" -ge 6 ]; then
	probe_is "Landlock: COMMAND cannot signal PID 1" EPERM kill-1
	# A process outside, in the caller's process group (as srt's shell and
	# socat relays are in the helper's): COMMAND's kill(0, ...) reaches
	# only the processes of its own Landlock domain.
	sleep 30 &
	sentinel=$!
	expect_status "kill(0, SIGUSR1) from COMMAND" 0 "$L" "$P" kill-group
	sleep 0.2
	if kill -0 "$sentinel" 2> /dev/null; then
		pass "Landlock: a process of the caller's group outside the sandbox got no signal"
		kill "$sentinel"
	else
		fail "Landlock: a process of the caller's group outside the sandbox got no signal" \
			"the sentinel $sentinel died of COMMAND's SIGUSR1"
	fi
	wait "$sentinel" 2> /dev/null
fi

# clone3 gets ENOSYS from the guard: the C libraries and runtimes fall back
# to clone, whose flags the guard reads. Threads, fork, posix_spawn and
# subprocesses must all still work, and unshare -U must still be refused.
expect_status "clone3 refused: python threads, fork, posix_spawn, subprocess" 0 "$L" "$PY" -c '
import os, subprocess, threading
done = []
t = threading.Thread(target=lambda: done.append(1)); t.start(); t.join()
pid = os.fork()
if pid == 0:
    os._exit(7)
fork_status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
pid = os.posix_spawn("/bin/sh", ["sh", "-c", "exit 3"], os.environ)
spawn_status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
sub = subprocess.run(["/bin/echo", "sub"], capture_output=True, text=True).stdout.strip()
userns = subprocess.run(["unshare", "-U", "true"], stderr=subprocess.DEVNULL).returncode
print(len(done), fork_status, spawn_status, sub, userns)'
expect_eq "... each works, and unshare -U fails" "1 7 3 sub 1" "$out"
expect_status "clone3 refused: node worker threads and child processes" 0 "$L" /usr/bin/node -e '
const { spawnSync } = require("child_process");
const { Worker } = require("worker_threads");
const child = spawnSync("/bin/sh", ["-c", "echo child; exit 4"]).stdout.toString().trim();
const userns = spawnSync("unshare", ["-U", "true"]).status;
new Worker("require(\"worker_threads\").parentPort.postMessage(6)", { eval: true })
	.on("message", (m) => console.log(child, spawnSync("/bin/true").status, userns, m));'
expect_eq "... each works, and unshare -U fails" "child 0 1 6" "$out"

# --- nested user namespaces when allowed -------------------------------------------
for how in "--allow-nested-userns" "SRT_ALLOW_NESTED_USERNS=1"; do
	if [ "$how" = --allow-nested-userns ]; then A=("$L" --allow-nested-userns); else
		A=(env SRT_ALLOW_NESTED_USERNS=1 "$L"); fi
	expect_status "$how: --check" 0 "${A[@]}" --check
	expect_match "$how: --check says there is no guard" 'built-in filter without the namespace guard' "$out"
	expect_status "$how: a user namespace" 0 "${A[@]}" "$P" clone-userns
	expect_eq "$how: COMMAND may create a user namespace" ok "$out"
	expect_status "$how: FILTER alone" 0 "${A[@]}" "$F" /bin/grep -h '^Seccomp_filters' /proc/self/status
	expect_match "$how: FILTER is the only filter" '^Seccomp_filters:.1$' "$out"
	expect_status "$how: the default policy still holds" 0 "${A[@]}" "$P" socket-unix
	expect_eq "$how: socket(AF_UNIX) still fails" EPERM "$out"
	if [ "$NESTED" = 1 ]; then
		expect_status "$how: no limit" 0 "${A[@]}" "$P" max-userns
		expect_match "$how: user.max_user_namespaces is not 0" '^[1-9][0-9]*$' "$out"
	fi
done
for v in 0 true yes " 1" "1 " 11; do
	expect_status "SRT_ALLOW_NESTED_USERNS='$v' keeps the guard" 0 env SRT_ALLOW_NESTED_USERNS="$v" "$L" "$P" clone-userns
	expect_eq "SRT_ALLOW_NESTED_USERNS='$v': a user namespace is refused" EPERM "$out"
done

# --- the command line: COMMAND or FILTER --------------------------------------------
expect_status "COMMAND form: a shell as first operand is COMMAND" 0 "$L" /bin/sh -c 'echo $$; cat /proc/self/comm'
expect_eq "COMMAND form: it ran as PID 2" "2 cat" "$(echo $out)"
expect_status "COMMAND form: found in PATH" 3 "$L" sh -c 'exit 3'
expect_status "--filter FILE" 0 "$L" --filter "$F" "$P" socket-unix
expect_eq "--filter FILE installs FILE" EPERM "$out"
expect_status "--builtin then an operand that is a blob runs it as COMMAND" 126 "$L" --builtin "$F"
expect_status "environment for the helper does not reach COMMAND" 0 \
	env SRT_ALLOW_NESTED_USERNS=0 SRT_OBSERVE_SOCK= SRT_ENCODED_CMD=abc ARGV0=whatever "$L" /usr/bin/env
expect_eq "... SRT_* are gone, ARGV0 is passed on untouched" "ARGV0=whatever" "$(printf '%s\n' "$out" | grep -E '^(SRT_|ARGV0)')"

# --- PID 1 and the mounts are out of reach -------------------------------------------
probe_is "ptrace(PID 1) fails" EPERM ptrace-attach-1
# EROFS or EACCES: a read-only proc superblock refuses before the file's
# owner is looked at; a read-only bind of a writable one after.
expect_status "open(/proc/1/mem, O_RDWR)" 0 "$L" "$F" "$P" proc1-mem-write
expect_match "... fails: /proc is read-only" '^(EROFS|EACCES)$' "$out"
# PID 1 is not dumpable: even reading its memory is refused (in the old
# /proc, PID 1 is an outer process, out of reach too).
probe_is "open(/proc/1/mem, O_RDONLY) fails" EACCES proc1-mem-read
expect_status "open(/proc/1/mem, O_RDWR) with the kernel settings alone read-only" 0 "$L" --allow-nested-userns "$F" "$P" proc1-mem-write
expect_eq "... fails: PID 1 is not dumpable" EACCES "$out"
probe_is "process_vm_writev(PID 1) fails" EPERM vm-writev-1
probe_is "umount(/proc) fails" EPERM umount-proc

# --- privileges ----------------------------------------------------------------------
probe_is "no capabilities" "inh=$ZERO prm=$ZERO eff=$ZERO bnd=$WANT_BND amb=$ZERO" caps
probe_is "securebits" "$WANT_SECBITS" securebits
expect_status "no_new_privs" 0 "$L" "$F" /bin/grep -h '^NoNewPrivs' /proc/self/status
expect_match "no_new_privs is set" '^NoNewPrivs:.1$' "$out"
expect_status "seccomp" 0 "$L" "$F" /bin/grep -h '^Seccomp:' /proc/self/status
expect_match "seccomp filter mode" '^Seccomp:.2$' "$out"

# --- what passes through -------------------------------------------------------------
mkdir -p "$TMPDIR_T/cwd"
out=$(cd "$TMPDIR_T/cwd" && echo hello | FOO='a b' "$L" "$F" /bin/sh -c \
	'read -r x; echo "$x|$FOO|$PWD|$(umask)"; echo to-stderr >&2' 2> "$TMPDIR_T/e")
expect_eq "stdin, environment, cwd and umask pass through" "hello|a b|$TMPDIR_T/cwd|$(umask)" "$out"
expect_eq "stderr passes through" to-stderr "$(cat "$TMPDIR_T/e")"
want=$("$P" fds 7< /dev/null 9> /dev/null)
expect_status "fds" 0 "$L" "$F" "$P" fds 7< /dev/null 9> /dev/null
expect_eq "COMMAND gets the caller's fds and no other" "$want" "$out"
expect_match "... including fds 7 and 9" ' 7 9( |$)' "$out"
want=$("$P" fds <&- 2>&-)
out=$("$L" "$F" "$P" fds <&- 2>&-)
expect_eq "closed stdin and stderr stay closed for COMMAND" "$want" "$out"
sigstate="/bin/grep -E '^Sig(Blk|Ign)' /proc/self/status | tr '\n' ' '"
want=$(/bin/sh -c "$sigstate")
expect_status "signal state" 0 "$L" "$F" /bin/sh -c "$sigstate"
expect_eq "the caller's signal mask and ignored signals pass through" "$want" "$out"
# A caller that ignores SIGCHLD and blocks SIGUSR2: COMMAND gets both back,
# and the loader still sees COMMAND's status.
unusual() {
	"$PY" -c '
import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
os.execv(sys.argv[1], sys.argv[1:])' "$@"
}
expect_status "SIGCHLD ignored by the caller: status relayed" 7 unusual "$L" "$F" /bin/sh -c 'exit 7'
expect_status "SIGCHLD ignored by the caller: signal state" 0 unusual "$L" "$F" \
	/bin/grep -h -E '^Sig(Blk|Ign)' /proc/self/status
blk=${out#SigBlk:?}
blk=${blk%%[!0-9a-f]*}
ign=${out##*SigIgn:?}
expect_eq "... COMMAND has SIGUSR2 (only) blocked" 800 "$(printf %x $((0x${blk:-0})))"
expect_eq "... and SIGCHLD ignored" 1 "$(((0x${ign:-0} >> 16) & 1))"

# --- signals sent to the outer stub reach COMMAND, through PID 1 --------------------
SIGS="TERM INT HUP QUIT USR1 USR2 WINCH ALRM CONT PIPE XCPU RTMIN"
coproc LOADER { exec "$L" "$F" "$PY" -c '
import signal, sys
names = sys.argv[1].split()
sigs = {getattr(signal, "SIG" + n) for n in names}
signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
print("ready", flush=True)
for n in names:
    i = signal.sigwaitinfo(sigs)
    print(signal.Signals(i.si_signo).name, i.si_code, i.si_pid, flush=True)' "$SIGS" 2>&1; }
stub=$LOADER_PID
exec {cofd}<&"${LOADER[0]}"
line=
read -r -t "$DEADLINE" -u "$cofd" line
expect_eq "signal test COMMAND is ready" ready "${line:-}"
for s in $SIGS; do
	kill -s "$s" "$stub"
	line=
	read -r -t "$DEADLINE" -u "$cofd" line
	want="SIG$s 0 1"
	expect_eq "SIG$s sent to the stub reaches COMMAND, from PID 1" "$want" "${line:-}"
	# Without that signal COMMAND would wait for ever.
	[ "${line:-}" = "$want" ] || { kill -KILL "$stub"; break; }
done
wait "$stub" && status=0 || status=$?
exec {cofd}<&-
expect_eq "status after the signals" 0 "$status"

# A value sent with sigqueue() arrives with the signal (read with ctypes:
# python's sigwaitinfo() result has no si_value).
coproc LOADER { exec "$L" "$F" "$PY" -c '
import ctypes, signal
libc = ctypes.CDLL(None, use_errno=True)
sig = signal.SIGRTMIN + 1
signal.pthread_sigmask(signal.SIG_BLOCK, {sig})
mask = ctypes.create_string_buffer(128)
libc.sigemptyset(mask)
libc.sigaddset(mask, sig)
info = ctypes.create_string_buffer(128)
print("ready", flush=True)
libc.sigwaitinfo(mask, info)
code, pid, value = (int.from_bytes(info.raw[o:o + n], "little", signed=True)
                    for o, n in ((8, 4), (16, 4), (24, 4)))
print(code, pid, value, flush=True)' 2>&1; }
stub=$LOADER_PID
exec {cofd}<&"${LOADER[0]}"
line=
read -r -t "$DEADLINE" -u "$cofd" line
expect_eq "sigqueue test COMMAND is ready" ready "${line:-}"
/usr/bin/kill -s RTMIN+1 -q 4242 "$stub"
line=
read -r -t "$DEADLINE" -u "$cofd" line
# si_code SI_QUEUE (-1), sent by PID 1, with the value.
expect_eq "a sigqueue() value reaches COMMAND" "-1 1 4242" "${line:-}"
[ "${line:-}" = "-1 1 4242" ] || kill -KILL "$stub"
wait "$stub" && status=0 || status=$?
exec {cofd}<&-
expect_eq "status after sigqueue" 0 "$status"

# --- SIGKILL of the outer stub ends everything -----------------------------------
coproc LOADER { exec "$L" "$F" /bin/sh -c 'echo ready; exec sleep 1000' 2> /dev/null; }
stub=$LOADER_PID
# bash closes a coproc's fds when it reaps it: read through a copy.
exec {cofd}<&"${LOADER[0]}"
line=
read -r -t "$DEADLINE" -u "$cofd" line
expect_eq "sleeper is ready" ready "${line:-}"
pid1=$(cut -d' ' -f1 "/proc/$stub/task/$stub/children" 2> /dev/null)
# (bash's "Killed" job notice goes to /dev/null)
exec {saved}>&2 2> /dev/null
kill -KILL "$stub"
# COMMAND holds the pipe's write end: EOF (status 1) means it is gone, a
# status above 128 that the deadline passed.
read -r -t "$DEADLINE" -u "$cofd" line && status=0 || status=$?
wait "$stub"
exec 2>&"$saved" {saved}>&- {cofd}<&-
# If it failed, do not leave the sleeper behind.
[ "$status" = 1 ] || [ -z "$pid1" ] || kill -KILL "$pid1" 2> /dev/null
expect_eq "SIGKILL of the stub kills COMMAND (EOF on its stdout)" 1 "$status"

# --- the terminal: Ctrl-C, resize, Ctrl-Z, hangup ------------------------------------
"$PY" "$BIN/terminal.py" "$L" "$F" "$TMPDIR_T/terminal.log" > "$TMPDIR_T/terminal.out" 2>&1
status=$?
while read -r word rest; do
	if [ "$word" = ok ]; then pass "terminal: $rest"; else fail "terminal: $word $rest"; fi
done < "$TMPDIR_T/terminal.out"
expect_eq "terminal.py status" 0 "$status"

finish
