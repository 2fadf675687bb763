#define _GNU_SOURCE
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "fail.h"
#include "ns.h"
#include "observe.h"

/* Signals that are never forwarded: the synchronous faults (they concern the
 * process that raised them) and the terminal stops, which stay unblocked and
 * default in the stub so that Ctrl-Z stops the stub and COMMAND together (a
 * PID namespace's init ignores them). SIGKILL and SIGSTOP cannot be blocked. */
static const int unforwarded[] = {
	SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT,
	SIGTSTP, SIGTTIN, SIGTTOU,
};

/* What the stub and PID 1 block and wait for: every signal they forward, and
 * SIGCHLD. Kernel sets, not sigset_t: libc's sigset functions leave out the
 * signals libc reserves for its threads (glibc 32-33, musl 32-34), which would
 * then kill the stub instead of reaching COMMAND (34 is glibc's SIGRTMIN). The
 * loader has no threads, so it can block them too. */
static uint64_t waited_set(void)
{
	uint64_t set = ~(uint64_t)0;

	for (size_t i = 0; i < sizeof(unforwarded) / sizeof(unforwarded[0]); i++)
		set &= ~((uint64_t)1 << (unforwarded[i] - 1));
	return set;
}

static void block_waited(uint64_t *old)
{
	uint64_t set = waited_set();

	if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, old, sizeof(set)) < 0)
		die_errno("rt_sigprocmask");
}

void supervise_block_signals(struct run *run)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;

	block_waited(&run->caller_mask);
	/* An ignored SIGCHLD would make the kernel reap our children before we
	 * learn their status. COMMAND gets the caller's setting back. */
	if (sigaction(SIGCHLD, &dfl, &old) < 0)
		die_errno("sigaction(SIGCHLD)");
	run->caller_ignored_sigchld = old.sa_handler == SIG_IGN;
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A signal the kernel sent (SI_KERNEL) came from the terminal to the whole
 * foreground process group (Ctrl-C, Ctrl-\, window size), which COMMAND is in
 * too and got its own copy of: passing it on would deliver it twice. The one
 * exception is a hangup, which the kernel sends to the session leader alone,
 * and the stub may be that leader. Everything sent by a process is forwarded. */
static bool from_terminal(const siginfo_t *si, bool is_stub)
{
	if (si->si_code != SI_KERNEL)
		return false;
	return !(is_stub && si->si_signo == SIGHUP && getsid(0) == getpid());
}

static void forward(pid_t pid, const siginfo_t *si)
{
	int r;

	/* sigqueue() keeps the value a sender attached with sigqueue(). */
	if (si->si_code == SI_QUEUE)
		r = sigqueue(pid, si->si_signo, si->si_value);
	else
		r = kill(pid, si->si_signo);
	/* ESRCH: the target is exiting; its SIGCHLD is on the way. */
	if (r < 0 && errno != ESRCH)
		warn_msg("forwarding signal %d: %s", si->si_signo, strerror(errno));
}

static void wait_signal(siginfo_t *si)
{
	uint64_t set = waited_set();

	while (syscall(SYS_rt_sigtimedwait, &set, si, NULL, sizeof(set)) < 0)
		if (errno != EINTR)
			die_errno("rt_sigtimedwait");
}

/* PID 1: forwards signals to COMMAND, reaps every orphan, and exits with
 * COMMAND's status as soon as COMMAND is gone; the kernel then kills whatever
 * is left in the namespace. */
static _Noreturn void pid1_loop(pid_t command)
{
	siginfo_t si;
	pid_t pid;
	int status;

	for (;;) {
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			if (pid == command)
				_exit(exit_code(status));
		if (pid < 0 && errno != ECHILD)
			die_errno("waitpid");
		wait_signal(&si);
		if (si.si_signo != SIGCHLD && !from_terminal(&si, false))
			forward(command, &si);
	}
}

/* Lets PID 1 start COMMAND. The stub releases it only once its own setup is
 * complete, so that no failure of the stub's can leave COMMAND started: exit
 * status 125 always means COMMAND never ran. */
static void release(int fd)
{
	if (write(fd, "", 1) != 1)
		die_errno("releasing the next process");
}

/* Waits for release(); a parent that died first (end of file) ends us too. */
static void wait_release(int fd)
{
	ssize_t n;
	char c;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die_errno("waiting for the parent process");
	if (n == 0)
		_exit(125);     /* nobody is left to tell */
}

static _Noreturn void pid1(struct run *run, int stub)
{
	struct pollfd pfd = { .fd = stub, .events = 0 };
	pid_t command;
	int r;

	/* Nothing in the namespace may ptrace us or read our memory. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_DUMPABLE, 0)");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_PDEATHSIG)");
	if (run->observe)
		observe_close_stub_fds();
	/* Our own namespace first, while the stub finishes its setup. */
	ns_setup_pid1(run);
	wait_release(stub);
	/* The stub may have died before the death signal was armed, and
	 * getppid() says nothing in a new PID namespace (it is 0); but the
	 * stub keeps its end of the pipe open for as long as it lives. */
	r = poll(&pfd, 1, 0);
	if (r < 0)
		die_errno("poll");
	if (r > 0 && (pfd.revents & (POLLHUP | POLLERR)))
		_exit(125);     /* nobody is left to tell */

	/* COMMAND shares our memory until its exec, and we sleep until then:
	 * no page tables to copy, and nothing of ours runs before COMMAND has
	 * exec'd or failed. exec_command makes only system calls that change
	 * the calling process, writes no memory of ours but its stack, and
	 * ends in execve or _exit: the analyzer's general warnings about
	 * vfork do not apply. */
	command = vfork(); /* NOLINT(clang-analyzer-security.insecureAPI.vfork) */
	if (command < 0)
		die_errno("vfork (COMMAND)");
	if (command == 0)
		exec_command(run); /* NOLINT(clang-analyzer-unix.Vfork) */
	/* The observer's channel was COMMAND's to use, then nobody's. */
	if (run->observe && close(run->observe_fd) < 0)
		die_errno("closing the observer's channel");
	pid1_loop(command);
}

/* The stub's loop when observing: the observer's descriptors and the signals
 * to forward, in one poll() (a signalfd), so that neither waits on the other.
 * The same forwarding as the loop of supervise(). */
static _Noreturn void stub_loop_observing(pid_t child, int sigfd)
{
	struct pollfd pfd[1 + OBSERVE_MAX_POLLFDS];
	struct signalfd_siginfo ssi;
	int status;
	ssize_t got;
	pid_t pid;

	for (;;) {
		pid = waitpid(child, &status, WNOHANG);
		if (pid < 0)
			die_errno("waitpid");
		if (pid == child) {
			observe_finish();
			_exit(exit_code(status));
		}
		int timeout, n = observe_pollfds(pfd + 1, &timeout);

		pfd[0] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		if (poll(pfd, 1 + (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			die_errno("poll");
		}
		while ((got = read(sigfd, &ssi, sizeof(ssi))) == (ssize_t)sizeof(ssi)) {
			siginfo_t si = { .si_signo = (int)ssi.ssi_signo, .si_code = ssi.ssi_code };

			/* The whole value a sender attached with sigqueue(). */
			_Static_assert(sizeof(si.si_value) == sizeof(ssi.ssi_ptr), "sigval is 64 bits");
			memcpy(&si.si_value, &ssi.ssi_ptr, sizeof(si.si_value));
			if (si.si_signo != SIGCHLD && !from_terminal(&si, true))
				forward(child, &si);
		}
		if (got >= 0 || (errno != EAGAIN && errno != EINTR))
			die_errno("reading signals");
		observe_ready(pfd + 1, n);
	}
}

_Noreturn void supervise(struct run *run)
{
	siginfo_t si;
	int pipe_to_pid1[2], status, sigfd = -1;
	pid_t child, pid;

	/* Where COMMAND can see the stub (an old /proc), it cannot ptrace it
	 * or open its memory even without Landlock. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_DUMPABLE, 0)");
	if (pipe2(pipe_to_pid1, O_CLOEXEC) < 0)
		die_errno("pipe2");
	child = fork();
	if (child < 0)
		die_errno("fork (PID 1)");
	if (child == 0) {
		/* Only the stub may hold the write end: its death closes it. */
		if (close(pipe_to_pid1[1]) < 0)
			die_errno("closing the pipe to the outer process");
		pid1(run, pipe_to_pid1[0]);
	}
	block_waited(NULL);
	if (run->observe) {
		uint64_t set = waited_set();

		/* PID 2's end of the observer's channel: held here, it would
		 * keep the stub from seeing PID 2 end without a listener. */
		if (close(run->observe_fd) < 0)
			die_errno("closing the observer's channel");
		/* Before the release: failing here, COMMAND has not started. */
		sigfd = (int)syscall(SYS_signalfd4, -1, &set, sizeof(set), SFD_NONBLOCK | SFD_CLOEXEC);
		if (sigfd < 0)
			die_errno("signalfd");
	}
	release(pipe_to_pid1[1]);
	if (run->observe)
		stub_loop_observing(child, sigfd);

	for (;;) {
		/* Only PID 1 matters; the caller may have left us other children. */
		pid = waitpid(child, &status, WNOHANG);
		if (pid < 0)
			die_errno("waitpid");
		if (pid == child)
			_exit(exit_code(status));
		wait_signal(&si);
		if (si.si_signo != SIGCHLD && !from_terminal(&si, true))
			forward(child, &si);
	}
}
