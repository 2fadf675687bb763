/* Kernel in the loop: installs blobs in child processes with the real
 * seccomp() and checks what the kernel then does with each syscall.
 * usage: gen-kernel NATIVE_BLOB FOREIGN_BLOB */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blob.h"

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#define __NR_io_uring_enter 426
#define __NR_io_uring_register 427
#endif

enum check {
	SOCKET_UNIX, SOCKET_UNIX_JUNK, SOCKET_UNIX_DGRAM, SOCKET_INET, SOCKET_INET6,
	PAIR_UNIX_DGRAM, PAIR_UNIX_DGRAM_FLAGS, PAIR_UNIX_RAW, PAIR_UNIX_STREAM, PAIR_UNIX_SEQPACKET,
	URING_SETUP, URING_ENTER, URING_REGISTER, GETPID, SKIPPED_SYSCALL, X32_GETPID, I386_GETPID,
	I386_SOCKET,
};

static const char *const names[] = {
	"socket(AF_UNIX, SOCK_STREAM)", "socket(AF_UNIX | junk << 32)", "socket(AF_UNIX, SOCK_DGRAM)",
	"socket(AF_INET)", "socket(AF_INET6)", "socketpair(AF_UNIX, SOCK_DGRAM)",
	"socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK)", "socketpair(AF_UNIX, SOCK_RAW)",
	"socketpair(AF_UNIX, SOCK_STREAM)", "socketpair(AF_UNIX, SOCK_SEQPACKET)", "io_uring_setup",
	"io_uring_enter", "io_uring_register", "getpid", "syscall -1", "x32 getpid",
	"i386 getpid (int 0x80)", "i386 socket (int 0x80)",
};

static long run(enum check c)
{
	int sv[2];

	switch (c) {
	case SOCKET_UNIX: return socket(AF_UNIX, SOCK_STREAM, 0);
	case SOCKET_UNIX_JUNK: return syscall(__NR_socket, 0xdeadbeef00000000ul | AF_UNIX, SOCK_STREAM, 0);
	case SOCKET_UNIX_DGRAM: return socket(AF_UNIX, SOCK_DGRAM, 0);
	case SOCKET_INET: return socket(AF_INET, SOCK_STREAM, 0);
	case SOCKET_INET6: return socket(AF_INET6, SOCK_DGRAM, 0);
	case PAIR_UNIX_DGRAM: return socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	case PAIR_UNIX_DGRAM_FLAGS: return socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv);
	case PAIR_UNIX_RAW: return socketpair(AF_UNIX, SOCK_RAW, 0, sv);
	case PAIR_UNIX_STREAM: return socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	case PAIR_UNIX_SEQPACKET: return socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	/* Arguments that fail without a filter too, with another errno. */
	case URING_SETUP: return syscall(__NR_io_uring_setup, 1, NULL);
	case URING_ENTER: return syscall(__NR_io_uring_enter, -1, 0, 0, 0, NULL, 0);
	case URING_REGISTER: return syscall(__NR_io_uring_register, -1, 0, NULL, 0);
	case GETPID: return syscall(__NR_getpid);
	case SKIPPED_SYSCALL: return syscall(-1);
#ifdef __x86_64__
	case X32_GETPID: return syscall(0x40000000 | __NR_getpid);
	case I386_GETPID: {
		long r;

		__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
		return r < 0 ? (errno = (int)-r, -1) : r;
	}
	case I386_SOCKET: {
		long r;

		__asm__ volatile("int $0x80" : "=a"(r) : "a"(359L), "b"(AF_INET), "c"(SOCK_STREAM), "d"(0)
				 : "memory");
		return r < 0 ? (errno = (int)-r, -1) : r;
	}
#else
	default: break;
#endif
	}
	errno = ENOSYS;
	return -1;
}

/* Runs check c in a child under prog: "ok", an errno name, or "killed by SIGSYS". */
static const char *outcome(const struct sock_filter *prog, size_t n, enum check c, char *buf, size_t len)
{
	struct sock_fprog fprog = { (unsigned short)n, (struct sock_filter *)prog };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return "fork failed";
	if (pid == 0) {
		if (prog && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
			     syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0))
			_exit(255);
		_exit(run(c) < 0 ? (errno & 0xff) : 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return "waitpid failed";
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by %s", sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	else if (WEXITSTATUS(status) == 255)
		snprintf(buf, len, "the kernel refused the filter");
	else if (WEXITSTATUS(status) == 0)
		snprintf(buf, len, "ok");
	else
		snprintf(buf, len, "%s", strerrorname_np(WEXITSTATUS(status)));
	return buf;
}

static int failures;

static void expect(const struct sock_filter *prog, size_t n, enum check c, const char *want)
{
	char buf[64];
	const char *got = outcome(prog, n, c, buf, sizeof(buf));

	if (strcmp(got, want) != 0) {
		printf("  FAIL %s: expected %s, got %s\n", names[c], want, got);
		failures++;
	}
}

int main(int argc, char **argv)
{
	static struct sock_filter native[BLOB_MAX_INSNS], foreign[BLOB_MAX_INSNS];
	char err[512], buf[64];
	size_t n_native, n_foreign;

	if (argc != 3) {
		fprintf(stderr, "usage: gen-kernel NATIVE_BLOB FOREIGN_BLOB\n");
		return 2;
	}
	n_native = blob_load(argv[1], native, err, sizeof(err));
	n_foreign = n_native ? blob_load(argv[2], foreign, err, sizeof(err)) : 0;
	if (!n_foreign) {
		printf("gen-kernel: %s\n", err);
		return 1;
	}
	/* Without a filter the io_uring probes fail with another errno, so an
	 * EPERM under the filter comes from the filter. */
	for (enum check c = URING_SETUP; c <= URING_REGISTER; c++) {
		const char *got = outcome(NULL, 0, c, buf, sizeof(buf));

		if (strcmp(got, "EPERM") == 0 || strcmp(got, "ok") == 0) {
			printf("  FAIL %s without a filter: %s\n", names[c], got);
			failures++;
		}
	}

	expect(native, n_native, SOCKET_UNIX, "EPERM");
	expect(native, n_native, SOCKET_UNIX_JUNK, "EPERM");
	expect(native, n_native, SOCKET_UNIX_DGRAM, "EPERM");
	expect(native, n_native, SOCKET_INET, "ok");
	expect(native, n_native, SOCKET_INET6, "ok");
	expect(native, n_native, PAIR_UNIX_DGRAM, "EPERM");
	expect(native, n_native, PAIR_UNIX_DGRAM_FLAGS, "EPERM");
	expect(native, n_native, PAIR_UNIX_RAW, "EPERM");
	expect(native, n_native, PAIR_UNIX_STREAM, "ok");
	expect(native, n_native, PAIR_UNIX_SEQPACKET, "ok");
	expect(native, n_native, URING_SETUP, "EPERM");
	expect(native, n_native, URING_ENTER, "EPERM");
	expect(native, n_native, URING_REGISTER, "EPERM");
	expect(native, n_native, GETPID, "ok");
	expect(native, n_native, SKIPPED_SYSCALL, "ENOSYS");
#ifdef __x86_64__
	expect(NULL, 0, I386_GETPID, "ok");
	expect(native, n_native, X32_GETPID, "killed by SYS");
	expect(native, n_native, I386_GETPID, "killed by SYS");
	expect(native, n_native, I386_SOCKET, "killed by SYS");
#endif
	/* The other arch's blob: every syscall of this one is foreign to it. */
	expect(foreign, n_foreign, GETPID, "killed by SYS");
	printf("gen-kernel: %s\n", failures ? "FAILED" : "the kernel agrees on every check");
	return failures ? 1 : 0;
}
