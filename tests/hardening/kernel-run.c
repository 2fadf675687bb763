#define _GNU_SOURCE
#include "kernel-run.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim.h"

#define MAX_ERRNO 4095u         /* the kernel caps an errno action's data there */
#define MAX_CALLS 1024u

/* What a child leaves for its parent: memory shared across fork, so that no
 * syscall is needed to report (the filter decides which ones work). */
struct report {
	int install_errno;      /* seccomp() refused the program */
	size_t started;         /* calls begun; the last one may have killed the child */
	struct {
		long ret;
		int err;
		int trapped, trap_data;
	} raw[MAX_CALLS];
};

static volatile sig_atomic_t trapped, trap_data;

static void on_sigsys(int sig, siginfo_t *si, void *context)
{
	(void)sig;
	(void)context;
	trapped = 1;
	trap_data = si->si_errno;
}

struct outcome outcome_of(uint32_t ret)
{
	uint32_t data = ret & SECCOMP_RET_DATA;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return (struct outcome){ SEEN_RAN, 0 };
	case SECCOMP_RET_ERRNO:
		return (struct outcome){ SEEN_ERRNO, data > MAX_ERRNO ? MAX_ERRNO : data };
	case SECCOMP_RET_TRAP:
		return (struct outcome){ SEEN_TRAP, data };
	case SECCOMP_RET_TRACE:         /* no tracer */
	case SECCOMP_RET_USER_NOTIF:    /* no listener */
		return (struct outcome){ SEEN_ERRNO, ENOSYS };
	default:                        /* kill-thread of the only thread, kill-process, unknown */
		return (struct outcome){ SEEN_KILLED, SIGSYS };
	}
}

const char *outcome_text(struct outcome o, char *buf, size_t len)
{
	static const char *const names[] = { "ran", "errno", "trap", "killed by signal" };

	if (o.seen == SEEN_RAN)
		snprintf(buf, len, "ran");
	else
		snprintf(buf, len, "%s %u", names[o.seen], o.value);
	return buf;
}

static void close_what_ran(const struct call *c, long ret)
{
	if (c->closes == CLOSE_RESULT && ret >= 0) {
		close((int)ret);
	} else if (c->closes == CLOSE_PAIR && ret == 0) {
		close(c->pair[0]);
		close(c->pair[1]);
	}
}

/* Ends a child under a filter with the bare syscall: libc's _exit, or the
 * sanitizers' wrapper of it, may make calls that the filter denies first. */
static _Noreturn void leave(void)
{
	syscall(SYS_exit_group, 0);
	_exit(0);               /* not reached */
}

static _Noreturn void child(const struct sock_filter *prog, size_t n, const struct call *calls,
			    size_t from, size_t n_calls, struct report *rep)
{
	struct sock_fprog fprog = { (unsigned short)n, (struct sock_filter *)prog };
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	struct rlimit no_core = { 0, 0 };

	/* A kill must not leave a core file behind. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &no_core);
	sigaction(SIGSYS, &sa, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) {
		rep->install_errno = errno;
		_exit(0);
	}
	for (size_t i = from; i < n_calls; i++) {
		const struct call *c = &calls[i];
		long ret;

		rep->started = i + 1;
		trapped = 0;
		errno = 0;
		ret = syscall(c->nr, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4],
			      c->args[5]);
		rep->raw[i].ret = ret;
		rep->raw[i].err = errno;
		rep->raw[i].trapped = trapped;
		rep->raw[i].trap_data = trap_data;
		if (!trapped)
			close_what_ran(c, ret);
	}
	leave();
}

static struct outcome classify(const struct call *c, long ret, int err, int was_trapped, int data)
{
	if (was_trapped)
		return (struct outcome){ SEEN_TRAP, (unsigned)data };
	if (ret == -1 && (c->never_fails || (unsigned)err >= FILTER_ERRNO_MIN))
		return (struct outcome){ SEEN_ERRNO, (unsigned)err };
	return (struct outcome){ SEEN_RAN, 0 };
}

int kernel_run(const struct sock_filter *prog, size_t n, const struct call *calls, size_t n_calls,
	       struct outcome *out, char *err, size_t errlen)
{
	static struct report *rep;
	size_t from = 0;

	if (n_calls > MAX_CALLS) {
		snprintf(err, errlen, "%zu calls, more than %u", n_calls, MAX_CALLS);
		return -1;
	}
	if (!rep) {
		rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (rep == MAP_FAILED) {
			rep = NULL;
			snprintf(err, errlen, "mmap: %s", strerror(errno));
			return -1;
		}
	}
	while (from < n_calls) {
		int status;
		pid_t pid;

		memset(rep, 0, sizeof(*rep));
		pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			return -1;
		}
		if (pid == 0)
			child(prog, n, calls, from, n_calls, rep);
		if (waitpid(pid, &status, 0) != pid) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (rep->install_errno) {
			snprintf(err, errlen, "the kernel refuses the program: %s", strerror(rep->install_errno));
			return -1;
		}
		for (size_t i = from; i < rep->started; i++)
			out[i] = classify(&calls[i], rep->raw[i].ret, rep->raw[i].err, rep->raw[i].trapped,
					  rep->raw[i].trap_data);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && rep->started == n_calls)
			break;
		if (!WIFSIGNALED(status) || rep->started <= from) {
			snprintf(err, errlen, "a child ended with status 0x%x after %zu of %zu calls",
				 (unsigned)status, rep->started, n_calls);
			return -1;
		}
		out[rep->started - 1] = (struct outcome){ SEEN_KILLED, (unsigned)WTERMSIG(status) };
		from = rep->started;
	}
	return 0;
}

struct outcome sim_outcome(const struct sock_filter *prog, size_t n, uint32_t audit_arch,
			   const struct call *c)
{
	struct sim_data d = { .nr = (uint32_t)c->nr, .arch = audit_arch };
	size_t steps;

	memcpy(d.args, c->args, sizeof(d.args));
	return outcome_of(sim_run(prog, n, &d, &steps));
}
