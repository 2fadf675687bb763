/* The write observer (srt's SRT_OBSERVE_SOCK): COMMAND's file-changing calls
 * are reported, one JSON line each, on a Unix socket; every call continues as
 * if nothing watched it. Only when run->observe is set: otherwise none of
 * this runs. See apply-seccomp(1), "Reporting write attempts". */
#ifndef OBSERVE_H
#define OBSERVE_H

#include <poll.h>

#include "loader.h"

/* The most descriptors the stub polls for the observer. */
#define OBSERVE_MAX_POLLFDS 3

/* Stub, before the namespaces: connects to run->observe_sock and sends the
 * header line, makes the channel on which PID 2 will hand over the listener,
 * and keeps a handle on this /proc. When it cannot, it says so (on stderr, or
 * on the socket once connected) and clears run->observe: COMMAND then runs
 * unobserved. */
void observe_start(struct run *run);

/* PID 1: closes what only the stub may hold. */
void observe_close_stub_fds(void);

/* PID 2, before the other filters: installs the observer's filter with a
 * listener and hands the listener (or why there is none) to the stub.
 * Closes run->observe_fd. */
void observe_install(const struct run *run);

/* Stub: fills pfd (OBSERVE_MAX_POLLFDS at most) with what the observer waits
 * for, and *timeout_ms with how long poll() may wait (-1: for ever); returns
 * how many. */
int observe_pollfds(struct pollfd *pfd, int *timeout_ms);

/* Stub: handles what poll() reported on the n descriptors of pfd (none when
 * it timed out). */
void observe_ready(const struct pollfd *pfd, int n);

/* Stub, COMMAND gone: sends what is left, within a bound, and the count of
 * events that were lost. */
void observe_finish(void);

#endif
