#!/usr/bin/python3
"""The command of the signal tests: appends "ready" to LOG, then one line
"NAME si_code" per signal it gets, until SIGTERM, SIGINT or SIGHUP, or 60 s.

    sig.py LOG TOKEN      (TOKEN only marks the processes of one run)
"""
import signal
import sys

log = open(sys.argv[1], "a", buffering=1)
sigs = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGWINCH}
signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
log.write("ready\n")
while True:
    info = signal.sigtimedwait(sigs, 60)
    if info is None:
        sys.exit(3)
    log.write("%s %d\n" % (signal.Signals(info.si_signo).name, info.si_code))
    if info.si_signo in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
        sys.exit(4)
