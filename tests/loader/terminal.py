#!/usr/bin/python3
"""Terminal signals and job control through apply-seccomp.

    terminal.py LOADER FILTER LOG

COMMAND (a python3 -c program) logs each signal it gets to LOG as
"NAME si_code si_pid". Two runs on a new pseudo-terminal:

1. As a shell would run it: a session leader (this script's child, the
   "shell") runs `LOADER FILTER COMMAND` as a foreground job in its own process
   group. Then Ctrl-C and a window resize must reach COMMAND exactly once,
   straight from the kernel (si_code SI_KERNEL, 128): the loader must not
   forward a second copy. Ctrl-Z must stop the stub and COMMAND, a shell-style
   SIGCONT to the group must resume them, and SIGUSR1 and SIGTERM sent to the
   stub alone must arrive forwarded by PID 1 (SI_USER, 0, from pid 1).
2. With the stub itself as the session leader: a hangup (the kernel signals
   only the leader) must reach COMMAND through PID 1.

Prints "ok NAME" or "FAIL NAME: detail" per step; exits 0 if all passed.
No fixed sleeps: every wait polls with a generous deadline.
"""
import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import time

COMMAND = r'''
import signal, sys
log = open(sys.argv[1], "a", buffering=1)
sigs = {signal.SIGINT, signal.SIGWINCH, signal.SIGUSR1, signal.SIGHUP, signal.SIGTERM}
signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
log.write("ready\n")
while True:
    i = signal.sigwaitinfo(sigs)
    log.write("%s %d %d\n" % (signal.Signals(i.si_signo).name, i.si_code, i.si_pid))
    if i.si_signo in (signal.SIGHUP, signal.SIGTERM):
        break
'''
DEADLINE = 20.0
failed = False


def report(name, ok, detail=""):
    global failed
    print(("ok %s" % name) if ok else ("FAIL %s: %s" % (name, detail)), flush=True)
    failed |= not ok


def poll(cond):
    """cond() until it returns a true value or the deadline passes."""
    end = time.monotonic() + DEADLINE
    while True:
        v = cond()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.005)


def lines():
    with open(log) as f:
        return f.read().splitlines()


def expect_line(name, n, want):
    got = poll(lambda: len(lines()) >= n and lines())
    report(name, bool(got) and got[n - 1] == want and len(got) == n,
           "want line %d %r, log %r" % (n, want, got or lines()))


def drain(fd):
    """Reads what the terminal echoed, so that it never blocks a writer."""
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass


def child_of(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return int(f.read().split()[0])
    except (OSError, IndexError, ValueError):
        return 0


def state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"


def reap(pid):
    """Wait status of pid; SIGKILL after the deadline, so that a test that
    failed never hangs."""
    end = time.monotonic() + DEADLINE
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > end:
            os.kill(pid, signal.SIGKILL)
            return os.waitpid(pid, 0)[1]
        time.sleep(0.005)


def start(argv, as_job):
    """Forks a session on a new terminal; returns (session leader, master)."""
    leader, master = pty.fork()
    if leader:
        os.set_blocking(master, False)
        return leader, master
    if not as_job:
        os.execv(argv[0], argv)
    job = os.fork()
    if job == 0:
        os.setpgid(0, 0)
        poll(lambda: os.tcgetpgrp(0) == os.getpid())
        os.execv(argv[0], argv)
    os.setpgid(job, job)
    os.tcsetpgrp(0, job)
    while True:
        _, status = os.waitpid(job, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            os._exit(os.waitstatus_to_exitcode(status) & 0xff)


loader, filt, log = sys.argv[1:4]
argv = [loader, filt, "/usr/bin/python3", "-c", COMMAND, log]

# 1. A foreground job of an interactive shell.
open(log, "w").close()
shell, master = start(argv, True)
report("job: COMMAND ready", poll(lambda: lines() == ["ready"]), "log %r" % lines())
stub = child_of(shell)
if not lines() or not stub:
    # Nothing to signal (and pid 0 would mean our own process group).
    os.kill(shell, signal.SIGKILL)
    sys.exit(1)
os.write(master, b"\x03")
expect_line("job: Ctrl-C reaches COMMAND once, from the terminal", 2, "SIGINT 128 0")
fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
expect_line("job: a resize reaches COMMAND once, from the terminal", 3, "SIGWINCH 128 0")
drain(master)
os.write(master, b"\x1a")
report("job: Ctrl-Z stops the stub", poll(lambda: state(stub) == "T"), "state %s" % state(stub))
report("job: Ctrl-Z stops COMMAND", poll(lambda: state(child_of(child_of(stub))) == "T"),
       "state %s" % state(child_of(child_of(stub))))
os.killpg(stub, signal.SIGCONT)  # what the shell's `fg` does
report("job: SIGCONT resumes the stub", poll(lambda: state(stub) == "S"), "state %s" % state(stub))
report("job: SIGCONT resumes COMMAND", poll(lambda: state(child_of(child_of(stub))) == "S"),
       "state %s" % state(child_of(child_of(stub))))
os.kill(stub, signal.SIGUSR1)
expect_line("job: SIGUSR1 to the stub reaches COMMAND through PID 1", 4, "SIGUSR1 0 1")
os.kill(stub, signal.SIGTERM)
expect_line("job: SIGTERM to the stub reaches COMMAND through PID 1", 5, "SIGTERM 0 1")
drain(master)
status = reap(shell)
report("job: status relayed", os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
       "wait status %#x" % status)
os.close(master)

# 2. The stub as the session leader.
open(log, "w").close()
stub, master = start(argv, False)
report("leader: COMMAND ready", poll(lambda: lines() == ["ready"]), "log %r" % lines())
if not lines():
    os.kill(stub, signal.SIGKILL)
    sys.exit(1)
drain(master)
os.close(master)  # hangup: the kernel signals the session leader only
expect_line("leader: a hangup reaches COMMAND through PID 1", 2, "SIGHUP 0 1")
status = reap(stub)
report("leader: status relayed", os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
       "wait status %#x" % status)
sys.exit(1 if failed else 0)
