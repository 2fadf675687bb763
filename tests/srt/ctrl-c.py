#!/usr/bin/python3
"""Ctrl-C through srt on a real terminal.

    ctrl-c.py LOG TOKEN ARGV...

Starts ARGV (srt, running sig.py LOG TOKEN in the sandbox, possibly behind
setpriv) as the session leader of a new pseudo-terminal, so that srt is the
terminal's foreground job as under an interactive shell. Once the command
has written "ready" to LOG, it types Ctrl-C and prints, one KEY=VALUE a line:
    ready=yes|no      the command started
    exit=N            srt's exit status (or "hung": it was killed after 20 s)
    left=none|PIDS    processes whose command line holds TOKEN, 5 s after
                      srt exited: none may outlive srt
    saw=SIG,SIG|-     the signals the command logged
No fixed sleeps: every wait polls with a deadline.
"""
import os
import pty
import signal
import sys
import time

DEADLINE = 20.0
log, token, argv = sys.argv[1], sys.argv[2], sys.argv[3:]


def poll(cond, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while True:
        v = cond()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.01)


def lines():
    try:
        with open(log) as f:
            return f.read().splitlines()
    except OSError:
        return []


def holders():
    """PIDs of the processes whose command line holds the token."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    if token.encode() in f.read():
                        found.append(pid)
            except OSError:
                pass
    return found


def reaped():
    """[wait status] once srt has exited, else None."""
    done, status = os.waitpid(pid, os.WNOHANG)
    return [status] if done else None


def drain(fd):
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass


pid, master = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
os.set_blocking(master, False)
ready = poll(lambda: "ready" in lines())
print("ready=%s" % ("yes" if ready else "no"))
drain(master)
os.write(master, b"\x03")
status = poll(reaped)
if status:
    print("exit=%d" % os.waitstatus_to_exitcode(status[0]))
else:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    print("exit=hung")
drain(master)
os.close(master)
poll(lambda: not holders(), 5.0)
left = holders()
print("left=%s" % (" ".join(left) or "none"))
saw = [line.split()[0] for line in lines() if line != "ready"]
print("saw=%s" % (",".join(saw) or "-"))
# A failed run must not leave its sandbox behind.
for p in left:
    try:
        os.kill(int(p), signal.SIGKILL)
    except OSError:
        pass
