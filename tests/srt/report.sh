#!/bin/bash
# Run by tests/srt/run.sh inside the sandbox, under the helper being tested:
#     report.sh STAGE WORKDIR PORT
# prints one KEY=VALUE line per fact: every probe check (tests/probe.c;
# "ok" or an errno name), the outer-process walk (tests/srt/outer.c), the
# filesystem denies srt set up in WORKDIR, a kernel setting written back,
# AF_INET through srt's relay and
# straight to the test's server on 127.0.0.1:PORT, and what of the helper's
# environment reached the command.
set -u
stage=$1 work=$2 port=$3

for check in caps socket-unix socket-unix-junk socket-inet socketpair-dgram \
	socketpair-stream socket-vsock io_uring-setup io_uring-enter io_uring-register \
	keyctl tiocsti userns clone-userns mount-missing umount-proc ptrace-attach-1 \
	proc1-mem-write kill-1 max-userns proc-writable; do
	echo "$check=$("$stage/probe" "$check" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
done
echo "outer=$("$stage/outer" 2>&1)"

# srt: allowWrite WORKDIR, denyWrite WORKDIR/ro, denyRead WORKDIR/secret.txt
# (which holds "top-secret" outside).
if { echo x > "$work/written.$$"; } 2> /dev/null; then echo write-allowed=ok; else echo write-allowed=refused; fi
if { echo x >> "$work/ro/file"; } 2> /dev/null; then echo write-denied=ok; else echo write-denied=refused; fi
if [ "$(cat "$work/secret.txt" 2> /dev/null)" = top-secret ]; then echo read-denied=read; else echo read-denied=hidden; fi

# A kernel setting written from the sandbox: its own value back, so that a
# success changes nothing. A uid-0 command must not write the host's tunables.
value=$(cat /proc/sys/kernel/core_uses_pid 2> /dev/null)
if { echo "$value" > /proc/sys/kernel/core_uses_pid; } 2> /dev/null; then echo sysctl-write=ok; else echo sysctl-write=refused; fi

echo "relay=$(/usr/bin/python3 "$stage/fetch.py" relay "$port")"
echo "direct=$(/usr/bin/python3 "$stage/fetch.py" direct "$port")"
echo "env-nested=${SRT_ALLOW_NESTED_USERNS-unset}"
