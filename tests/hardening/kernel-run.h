/* Running syscalls under a filter with the real kernel, and reading what it
 * did in the same terms as the simulator's answer, for the tests that hold
 * sim up against the kernel. */
#ifndef KERNEL_RUN_H
#define KERNEL_RUN_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum closes { CLOSE_NONE, CLOSE_RESULT, CLOSE_PAIR };

struct call {
	long nr;
	uint64_t args[6];       /* passed whole: the filter sees all 64 bits */
	/* The call cannot fail by itself (getpid, umask...), so any error is
	 * the filter's; otherwise only errnos >= FILTER_ERRNO_MIN are. */
	bool never_fails;
	enum closes closes;     /* what to close when it ran: the fd, or the pair */
	int *pair;              /* CLOSE_PAIR: where the call writes the fds (its args[3]) */
};

/* Filter errnos that tests use for calls that can fail by themselves: above
 * every errno the kernel itself returns. */
#define FILTER_ERRNO_MIN 200u

enum seen { SEEN_RAN, SEEN_ERRNO, SEEN_TRAP, SEEN_KILLED };

struct outcome {
	enum seen seen;
	unsigned value;         /* the errno, the trap's si_errno, or the signal */
};

/* What the kernel does with a call when its filter returns ret
 * (kernel/seccomp.c, __seccomp_filter, with no tracer and no listener). An
 * errno action with data 0 makes the call return 0: tests do not use it. */
struct outcome outcome_of(uint32_t ret);

/* What the simulator says becomes of c under prog on audit_arch. */
struct outcome sim_outcome(const struct sock_filter *prog, size_t n, uint32_t audit_arch,
			   const struct call *c);

/* Installs prog (NO_NEW_PRIVS, then seccomp()) in a child and makes the calls
 * in order; out[i] is what became of calls[i]. After a call that kills the
 * child, the rest run in a new one. Returns 0, or -1 with the reason in err
 * (the kernel refused the program: errno; a child died otherwise). */
int kernel_run(const struct sock_filter *prog, size_t n, const struct call *calls, size_t n_calls,
	       struct outcome *out, char *err, size_t errlen);

/* "ran", "errno 13", "trap 0", "killed by signal 31". */
const char *outcome_text(struct outcome o, char *buf, size_t len);

#endif
