/* Kernel in the loop: installs blobs in child processes with the real
 * seccomp() and checks what the kernel then does with each syscall.
 * usage: gen-kernel SANDBOX_BLOB FOREIGN_BLOB OBSERVE_BLOB TRACE_BLOB
 * SANDBOX_BLOB is this arch's sandbox.bpf (unix-block plus the namespace
 * guard), OBSERVE_BLOB its observe.bpf (notify), TRACE_BLOB one whose only
 * rule is `trace 7 getppid`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blob.h"

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#define __NR_io_uring_enter 426
#define __NR_io_uring_register 427
#endif
/* Linux 6.15, newer than the headers; the same number on both arches. */
#define NR_OPEN_TREE_ATTR 467
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

#define JUNK 0xdeadbeef00000000ul
#define MISSING "/nonexistent/apply-seccomp-test"

enum check {
	SOCKET_UNIX, SOCKET_UNIX_JUNK, SOCKET_UNIX_DGRAM, SOCKET_INET, SOCKET_INET6,
	PAIR_UNIX_DGRAM, PAIR_UNIX_DGRAM_FLAGS, PAIR_UNIX_RAW, PAIR_UNIX_STREAM, PAIR_UNIX_SEQPACKET,
	URING_SETUP, URING_ENTER, URING_REGISTER, GETPID, SKIPPED_SYSCALL, X32_GETPID, I386_GETPID,
	I386_SOCKET,
	/* The doors closed since Linux 6.18's audit (issue 9). */
	SOCKET_VSOCK, SOCKET_VSOCK_JUNK, KEYCTL, ADD_KEY, REQUEST_KEY, IOCTL_TIOCSTI,
	IOCTL_TIOCSTI_JUNK, IOCTL_TIOCLINUX_JUNK, IOCTL_TIOCGWINSZ,
	CLONE_USER, CLONE_NS_JUNK, CLONE_USER_OTHERS, CLONE_PLAIN, UNSHARE_USER, UNSHARE_NS_JUNK,
	UNSHARE_FILES, CLONE3, MOUNT, UMOUNT2, PIVOT_ROOT, SETNS, OPEN_TREE, OPEN_TREE_ATTR,
	MOVE_MOUNT, FSOPEN, FSCONFIG, FSMOUNT, FSPICK, MOUNT_SETATTR, GETPPID,
};

static const char *const names[] = {
	"socket(AF_UNIX, SOCK_STREAM)", "socket(AF_UNIX | junk << 32)", "socket(AF_UNIX, SOCK_DGRAM)",
	"socket(AF_INET)", "socket(AF_INET6)", "socketpair(AF_UNIX, SOCK_DGRAM)",
	"socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK)", "socketpair(AF_UNIX, SOCK_RAW)",
	"socketpair(AF_UNIX, SOCK_STREAM)", "socketpair(AF_UNIX, SOCK_SEQPACKET)", "io_uring_setup",
	"io_uring_enter", "io_uring_register", "getpid", "syscall -1", "x32 getpid",
	"i386 getpid (int 0x80)", "i386 socket (int 0x80)",
	"socket(AF_VSOCK)", "socket(AF_VSOCK | junk << 32)", "keyctl(GET_KEYRING_ID)", "add_key",
	"request_key", "ioctl(TIOCSTI)", "ioctl(TIOCSTI | junk << 32)", "ioctl(TIOCLINUX | junk << 32)",
	"ioctl(TIOCGWINSZ)", "clone(CLONE_NEWUSER)", "clone(CLONE_NEWNS | junk << 32)",
	"clone(CLONE_NEWUSER | CLONE_FILES | CLONE_FS)", "clone(SIGCHLD)", "unshare(CLONE_NEWUSER)",
	"unshare(CLONE_NEWNS | junk << 32)", "unshare(CLONE_FILES)", "clone3", "mount", "umount2",
	"pivot_root", "setns", "open_tree", "open_tree_attr", "move_mount", "fsopen", "fsconfig",
	"fsmount", "fspick", "mount_setattr", "getppid",
};

/* A raw clone() whose child exits at once; the parent reaps it. */
static long raw_clone(unsigned long flags)
{
	long r = syscall(__NR_clone, flags | SIGCHLD, 0, 0, 0, 0);

	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r < 0 ? -1 : 0;
}

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
	case GETPPID: return syscall(__NR_getppid);
	case SOCKET_VSOCK: return socket(AF_VSOCK, SOCK_STREAM, 0);
	case SOCKET_VSOCK_JUNK: return syscall(__NR_socket, JUNK | AF_VSOCK, SOCK_STREAM, 0);
	case KEYCTL: return syscall(__NR_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	/* Bad key types: EINVAL or ENODEV without a filter, so nothing is added. */
	case ADD_KEY: return syscall(__NR_add_key, "nosuchtype", "x", "y", 1, KEY_SPEC_PROCESS_KEYRING);
	case REQUEST_KEY: return syscall(__NR_request_key, "nosuchtype", "x", NULL, 0);
	/* On /dev/null, which is no terminal: ENOTTY without a filter. */
	case IOCTL_TIOCSTI: return ioctl(STDIN_FILENO, TIOCSTI, "x");
	case IOCTL_TIOCSTI_JUNK: return syscall(__NR_ioctl, STDIN_FILENO, JUNK | TIOCSTI, "x");
	case IOCTL_TIOCLINUX_JUNK: return syscall(__NR_ioctl, STDIN_FILENO, JUNK | TIOCLINUX, "\0");
	case IOCTL_TIOCGWINSZ: {
		struct winsize ws;

		return ioctl(STDIN_FILENO, TIOCGWINSZ, &ws);
	}
	case CLONE_USER: return raw_clone(CLONE_NEWUSER);
	case CLONE_NS_JUNK: return raw_clone(JUNK | CLONE_NEWNS);
	case CLONE_USER_OTHERS: return raw_clone(CLONE_NEWUSER | CLONE_FILES | CLONE_FS);
	case CLONE_PLAIN: return raw_clone(0);
	case UNSHARE_USER: return syscall(__NR_unshare, CLONE_NEWUSER);
	case UNSHARE_NS_JUNK: return syscall(__NR_unshare, JUNK | CLONE_NEWNS);
	case UNSHARE_FILES: return syscall(__NR_unshare, CLONE_FILES);
	/* Arguments that fail without a filter too, with another errno. */
	case CLONE3: return syscall(__NR_clone3, NULL, 0);
	case MOUNT: return syscall(__NR_mount, "none", MISSING, "tmpfs", 0, NULL);
	case UMOUNT2: return syscall(__NR_umount2, MISSING, 0);
	case PIVOT_ROOT: return syscall(__NR_pivot_root, MISSING, MISSING);
	case SETNS: return syscall(__NR_setns, -1, 0);
	case OPEN_TREE: return syscall(__NR_open_tree, AT_FDCWD, MISSING, 0);
	case OPEN_TREE_ATTR: return syscall(NR_OPEN_TREE_ATTR, AT_FDCWD, MISSING, 0, NULL, 0);
	case MOVE_MOUNT: return syscall(__NR_move_mount, -1, MISSING, -1, MISSING, 0);
	case FSOPEN: return syscall(__NR_fsopen, "no-such-fs", 0);
	case FSCONFIG: return syscall(__NR_fsconfig, -1, 0, NULL, NULL, 0);
	case FSMOUNT: return syscall(__NR_fsmount, -1, 0, 0);
	case FSPICK: return syscall(__NR_fspick, AT_FDCWD, MISSING, 0);
	case MOUNT_SETATTR: return syscall(__NR_mount_setattr, AT_FDCWD, MISSING, 0, NULL, 0);
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
		/* The terminal probes must never reach a real terminal. */
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, STDIN_FILENO) < 0)
			_exit(255);
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

/* Installs prog with a new listener in a child, which then opens /dev/null
 * for reading (not observed), for writing (observed: the test answers
 * EACCES) and makes a directory (observed: the test lets it continue). The
 * test must see exactly those two notifications, in order. */
static void expect_notify(const struct sock_filter *prog, size_t n, const char *dir)
{
	struct sock_fprog fprog = { (unsigned short)n, (struct sock_filter *)prog };
	int sv[2], status, listener = -1;
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	long seen[2] = { -1, -1 };
	size_t n_seen = 0;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || (pid = fork()) < 0) {
		printf("  FAIL notify: socketpair or fork: %s\n", strerror(errno));
		failures++;
		return;
	}
	if (pid == 0) {
		int fd, code = 0;

		CMSG_FIRSTHDR(&msg)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&msg)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&msg)->cmsg_len = CMSG_LEN(sizeof(int));
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    (fd = (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
				       SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog)) < 0)
			_exit(255);
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&msg)), &fd, sizeof(int));
		if (sendmsg(sv[1], &msg, 0) != 1)
			_exit(254);
		close(fd);
		code |= openat(AT_FDCWD, "/dev/null", O_RDONLY) >= 0 ? 1 : 0;
		code |= openat(AT_FDCWD, "/dev/null", O_WRONLY | O_APPEND) < 0 && errno == EACCES ? 2 : 0;
		code |= mkdirat(AT_FDCWD, dir, 0700) == 0 ? 4 : 0;
		_exit(code);
	}
	close(sv[1]);
	if (recvmsg(sv[0], &msg, 0) == 1 && CMSG_FIRSTHDR(&msg))
		memcpy(&listener, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	close(sv[0]);
	while (listener >= 0) {
		struct pollfd p = { listener, POLLIN, 0 };

		/* The listener hangs up when the child, its only filter user, exits. */
		if (poll(&p, 1, 5000) <= 0 || !(p.revents & POLLIN))
			break;
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
			break;
		if (n_seen < 2)
			seen[n_seen] = req.data.nr;
		n_seen++;
		resp = (struct seccomp_notif_resp){ .id = req.id };
		if (req.data.nr == __NR_openat)
			resp.error = -EACCES;
		else
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
			break;
	}
	waitpid(pid, &status, 0);
	if (listener < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 7 || n_seen != 2 ||
	    seen[0] != __NR_openat || seen[1] != __NR_mkdirat) {
		printf("  FAIL notify: listener %d, child status 0x%x (want exit 7), %zu notifications "
		       "(want openat, mkdirat: got %ld, %ld)\n", listener, status, n_seen, seen[0], seen[1]);
		failures++;
	}
	if (listener >= 0)
		close(listener);
	if (rmdir(dir) < 0) {
		printf("  FAIL notify: the continued mkdirat made no %s\n", dir);
		failures++;
	}
}

/* Calls whose arguments fail without a filter too, with another errno than
 * EPERM (or ENOSYS for clone3): under a filter, that errno is the filter's. */
static const enum check fail_anyway[] = {
	URING_SETUP, URING_ENTER, URING_REGISTER, ADD_KEY, REQUEST_KEY, IOCTL_TIOCSTI,
	IOCTL_TIOCSTI_JUNK, IOCTL_TIOCLINUX_JUNK, CLONE3, MOUNT, UMOUNT2, PIVOT_ROOT, SETNS,
	OPEN_TREE, OPEN_TREE_ATTR, MOVE_MOUNT, FSOPEN, FSCONFIG, FSMOUNT, FSPICK, MOUNT_SETATTR,
};

int main(int argc, char **argv)
{
	static struct sock_filter native[BLOB_MAX_INSNS], foreign[BLOB_MAX_INSNS];
	static struct sock_filter observe[BLOB_MAX_INSNS], trace[BLOB_MAX_INSNS];
	char err[512], buf[64], dir[64];
	size_t n_native, n_foreign, n_observe, n_trace;

	if (argc != 5) {
		fprintf(stderr, "usage: gen-kernel SANDBOX_BLOB FOREIGN_BLOB OBSERVE_BLOB TRACE_BLOB\n");
		return 2;
	}
	if (!(n_native = blob_load(argv[1], native, err, sizeof(err))) ||
	    !(n_foreign = blob_load(argv[2], foreign, err, sizeof(err))) ||
	    !(n_observe = blob_load(argv[3], observe, err, sizeof(err))) ||
	    !(n_trace = blob_load(argv[4], trace, err, sizeof(err)))) {
		printf("gen-kernel: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < sizeof(fail_anyway) / sizeof(fail_anyway[0]); i++) {
		const char *got = outcome(NULL, 0, fail_anyway[i], buf, sizeof(buf));

		if (strcmp(got, "EPERM") == 0 || strcmp(got, "ENOSYS") == 0 || strcmp(got, "ok") == 0) {
			printf("  FAIL %s without a filter: %s\n", names[fail_anyway[i]], got);
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
	for (enum check c = SOCKET_VSOCK; c <= MOUNT_SETATTR; c++) {
		const char *want = "EPERM";

		if (c == CLONE3)
			want = "ENOSYS";
		else if (c == IOCTL_TIOCGWINSZ)
			want = "ENOTTY";
		else if (c == CLONE_PLAIN || c == UNSHARE_FILES)
			want = "ok";
		expect(native, n_native, c, want);
	}
#ifdef __x86_64__
	expect(NULL, 0, I386_GETPID, "ok");
	expect(native, n_native, X32_GETPID, "killed by SYS");
	expect(native, n_native, I386_GETPID, "killed by SYS");
	expect(native, n_native, I386_SOCKET, "killed by SYS");
#endif
	/* The other arch's blob: every syscall of this one is foreign to it. */
	expect(foreign, n_foreign, GETPID, "killed by SYS");
	/* trace with no tracer attached: the kernel answers ENOSYS. */
	expect(NULL, 0, GETPPID, "ok");
	expect(trace, n_trace, GETPPID, "ENOSYS");
	expect(trace, n_trace, GETPID, "ok");
	snprintf(dir, sizeof(dir), "/tmp/gen-kernel-notify.%d", (int)getpid());
	expect_notify(observe, n_observe, dir);
	printf("gen-kernel: %s\n", failures ? "FAILED" : "the kernel agrees on every check");
	return failures ? 1 : 0;
}
