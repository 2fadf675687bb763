/*
 * observe-reuse: the observer must never report a path read from a process
 * that merely reuses the pid of a notified caller. Run as root, as PID 1 of a
 * PID namespace of its own (unshare --pid --fork --mount-proc), where it can
 * choose the next pid (kernel.ns_last_pid):
 *
 *   observe-reuse LOADER CALLS DIR
 *
 * It starts `LOADER CALLS victim DIR` (SRT_OBSERVE_SOCK from the environment)
 * with the outer stub under ptrace, and stops the stub as it enters its second
 * process_vm_readv(): the victim's child has made a call and waits for the
 * answer, and the stub is about to read the child's memory. Then it kills that
 * child (pid P), lets the victim reap it, sets ns_last_pid to P - 1 and has the
 * victim fork an impostor, which gets pid P, holds "impostor" at the address
 * where the child's name was and has another cwd. Then the stub goes on: it
 * reads the impostor's memory and cwd, and must drop what it read, because the
 * notification is no longer valid. The listener's lines tell (run.sh checks
 * them): "control" is reported, "victim" and "impostor" are not.
 *
 * Prints "impostor-pid P" when the impostor got the child's pid, and exits
 * with the loader's status; anything unexpected exits 1 with a message.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static void fail(const char *what)
{
	fprintf(stderr, "observe-reuse: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* At a syscall-enter stop: the call's number and first two arguments. */
static void syscall_of(pid_t pid, long *nr, long *arg0, long *arg1)
{
	struct user_regs_struct regs;
	struct iovec iov = { &regs, sizeof(regs) };

	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov) < 0)
		fail("PTRACE_GETREGSET");
#if defined(__x86_64__)
	*nr = (long)regs.orig_rax;
	*arg0 = (long)regs.rdi;
	*arg1 = (long)regs.rsi;
#elif defined(__aarch64__)
	*nr = (long)regs.regs[8];
	*arg0 = (long)regs.regs[0];
	*arg1 = (long)regs.regs[1];
#endif
}

/* Runs the traced stub to its next syscall-enter stop; false once it exited. */
static int next_syscall(pid_t stub, int *status)
{
	int sig = 0;

	for (;;) {
		/* ptrace(2)'s data argument, as the number it is. */
		if (syscall(SYS_ptrace, PTRACE_SYSCALL, stub, 0, sig) < 0)
			fail("PTRACE_SYSCALL");
		if (waitpid(stub, status, 0) != stub)
			fail("waitpid");
		if (WIFEXITED(*status) || WIFSIGNALED(*status))
			return 0;
		sig = 0;
		if (WSTOPSIG(*status) == (SIGTRAP | 0x80))
			return 1;       /* enter or exit: the caller tells them apart */
		if (WSTOPSIG(*status) != SIGTRAP)
			sig = WSTOPSIG(*status);
	}
}

static void expect_line(FILE *in, const char *want)
{
	char line[64];

	if (!fgets(line, sizeof(line), in) || strncmp(line, want, strlen(want)) != 0) {
		fprintf(stderr, "observe-reuse: expected \"%s\" from the victim\n", want);
		exit(1);
	}
}

static void tell(int fd)
{
	if (write(fd, "go\n", 3) != 3)
		fail("writing to the victim");
}

int main(int argc, char **argv)
{
	int to_victim[2], from_victim[2], status, readv_seen = 0;
	long nr, arg0, arg1;
	pid_t stub, victim_child = 0;
	FILE *victim_out, *last_pid;

	if (argc != 4 || getpid() != 1) {
		fprintf(stderr, "usage: unshare --pid --fork --mount-proc observe-reuse LOADER CALLS DIR\n");
		return 2;
	}
	if (pipe(to_victim) < 0 || pipe(from_victim) < 0)
		fail("pipe");
	stub = fork();
	if (stub < 0)
		fail("fork");
	if (stub == 0) {
		if (dup2(to_victim[0], 0) < 0 || dup2(from_victim[1], 1) < 0)
			fail("dup2");
		close(to_victim[1]);
		close(from_victim[0]);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			fail("PTRACE_TRACEME");
		execl(argv[1], argv[1], argv[2], "victim", argv[3], (char *)NULL);
		fail(argv[1]);
	}
	close(to_victim[0]);
	close(from_victim[1]);
	victim_out = fdopen(from_victim[0], "r");
	if (!victim_out)
		fail("fdopen");
	/* The stop at exec. */
	if (waitpid(stub, &status, 0) != stub || !WIFSTOPPED(status))
		fail("waiting for the stub's exec");
	if (syscall(SYS_ptrace, PTRACE_SETOPTIONS, stub, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) < 0)
		fail("PTRACE_SETOPTIONS");

	for (int in_call = 0; next_syscall(stub, &status);) {
		in_call = !in_call;
		if (!in_call)
			continue;       /* stops alternate: this one is an exit */
		syscall_of(stub, &nr, &arg0, &arg1);
		/* The request's low 32 bits: the kernel's is an unsigned int, and
		 * musl passes it sign-extended. */
		if (victim_child && nr == SYS_ioctl && (unsigned int)arg1 == (unsigned int)SECCOMP_IOCTL_NOTIF_SEND) {
			/* Every read is done: the impostor may go, and the
			 * stub answer, check and report freely. */
			if (ptrace(PTRACE_DETACH, stub, NULL, NULL) < 0)
				fail("PTRACE_DETACH");
			tell(to_victim[1]);
			if (waitpid(stub, &status, 0) != stub)
				fail("waitpid");
			break;
		}
		if (nr != SYS_process_vm_readv || ++readv_seen != 2)
			continue;
		/* The second read is of the victim's child, which waits for the
		 * answer. Kill it, and have its pid reused. */
		victim_child = (pid_t)arg0;
		if (kill(victim_child, SIGKILL) < 0)
			fail("killing the victim's child");
		expect_line(victim_out, "reaped");
		last_pid = fopen("/proc/sys/kernel/ns_last_pid", "w");
		if (!last_pid || fprintf(last_pid, "%d", victim_child - 1) < 0 || fclose(last_pid) != 0)
			fail("/proc/sys/kernel/ns_last_pid");
		tell(to_victim[1]);
		expect_line(victim_out, "impostor");
		if (kill(victim_child, 0) < 0) {
			fprintf(stderr, "observe-reuse: the impostor did not get pid %d\n", victim_child);
			return 1;
		}
		printf("impostor-pid %d\n", victim_child);
		fflush(stdout);
	}
	if (!victim_child) {
		fprintf(stderr, "observe-reuse: the stub made %d process_vm_readv calls, not 2\n", readv_seen);
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
