/* Reaching the daemons outside: AF_UNIX sockets (path and abstract names,
 * junk in the upper half of the domain), datagram and raw socketpairs
 * disconnected and re-pointed with sendto(), AF_VSOCK, io_uring, and the
 * other syscall ABIs of x86_64 (x32, int 0x80). A daemon answers with the
 * token: only that counts as getting through; any other success of a call
 * the policy denies is OPEN too, with what it did. */
#define _GNU_SOURCE
#include "attack.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define JUNK 0xdeadbeef00000000UL
#define AF_VSOCK_NR 40

/* The daemon address in configuration key KEY: a path, or "@name" for an
 * abstract one. */
static socklen_t daemon_addr(const char *key, struct sockaddr_un *sun)
{
	const char *spec = conf(key);
	size_t n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (!spec)
		return 0;
	n = strlen(spec);
	if (n >= sizeof(sun->sun_path))
		return 0;
	memcpy(sun->sun_path, spec, n);
	if (spec[0] == '@') {
		sun->sun_path[0] = '\0';
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

static void timeout(int fd)
{
	struct timeval tv = { .tv_sec = 3 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* Talks to the daemon at KEY over fd (stream: connect and read; datagram:
 * an autobound address, sendto and recv). Reports and closes fd. */
static void talk(const char *name, int fd, const char *key, bool stream, const char *how)
{
	struct sockaddr_un sun;
	socklen_t len = daemon_addr(key, &sun);
	char buf[256] = "";
	ssize_t n = -1;
	const char *step;

	if (len == 0) {
		conf_need(name, key);
		close(fd);
		return;
	}
	timeout(fd);
	if (stream) {
		step = "connect";
		if (connect(fd, (struct sockaddr *)&sun, len) == 0) {
			step = "read";
			n = read(fd, buf, sizeof(buf) - 1);
		}
	} else {
		sa_family_t family = AF_UNIX;

		/* An unbound sender gets no answer: bind to an autobind name. */
		step = "bind";
		if (bind(fd, (struct sockaddr *)&family, sizeof(family)) == 0 || errno == EINVAL) {
			step = "sendto";
			if (sendto(fd, "token?", 6, 0, (struct sockaddr *)&sun, len) == 6) {
				step = "recv";
				n = recv(fd, buf, sizeof(buf) - 1, 0);
			}
		}
	}
	if (n > 0)
		buf[n] = '\0';
	if (n > 0 && has_token(buf))
		open_door(name, "%s, then got the daemon's token from %s", how, conf(key));
	else
		open_door(name, "%s (the policy denies it), then %s %s: %s", how, step, conf(key),
			  n == 0 ? "end of file" : strerror(errno));
	close(fd);
}

static void unix_socket(const char *name, unsigned long domain, int type, const char *key,
			const char *proof)
{
	long fd = syscall(SYS_socket, domain, type, 0);

	if (fd < 0) {
		blocked(name, "socket: %s", who(proof, errno));
		return;
	}
	talk(name, (int)fd, key, (type & 0xf) == SOCK_STREAM, "socket(AF_UNIX) made a socket");
}

/* A datagram pair half, disconnected from its peer and re-pointed; domain
 * and type as the raw syscall takes them (junk in their upper halves, which
 * the kernel ignores). */
static void unix_pair(const char *name, unsigned long domain, unsigned long type, const char *key,
		      const char *proof)
{
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int fds[2];

	if (syscall(SYS_socketpair, domain, type, 0, fds) < 0) {
		blocked(name, "socketpair: %s", who(proof, errno));
		return;
	}
	close(fds[1]);
	if (connect(fds[0], &unspec, sizeof(unspec)) < 0) {
		open_door(name, "socketpair made a datagram pair; disconnecting it failed: %s", strerror(errno));
		close(fds[0]);
		return;
	}
	talk(name, fds[0], key, false, "socketpair made a datagram pair, disconnected");
}

static void vsock(const char *name, unsigned long domain, int type, const char *proof)
{
	long fd = syscall(SYS_socket, domain, type, 0);

	if (fd < 0) {
		int err = errno;

		/* The policy refuses it with EPERM; any other answer is the
		 * kernel's, which this machine's vsock set-up happened to give. */
		if (err == EPERM)
			blocked(name, "socket: %s", who(proof, err));
		else
			open_door(name, "socket(AF_VSOCK) reached the kernel: %s", who(proof, err));
		return;
	}
	open_door(name, "socket(AF_VSOCK) made a vsock socket: the hypervisor's services are reachable");
	close((int)fd);
}

void attack_net(void)
{
	unix_socket("unix-stream-path", AF_UNIX, SOCK_STREAM, "stream_path", "socket-unix");
	unix_socket("unix-stream-abstract", AF_UNIX, SOCK_STREAM, "stream_abstract", "socket-unix");
	unix_socket("unix-stream-junk-domain", JUNK | AF_UNIX, SOCK_STREAM, "stream_path",
		    "socket-unix-junk");
	unix_socket("unix-dgram-path", AF_UNIX, SOCK_DGRAM, "dgram_path", "socket-unix");
	unix_socket("unix-dgram-abstract", AF_UNIX, SOCK_DGRAM, "dgram_abstract", "socket-unix");
	unix_pair("socketpair-dgram-path", AF_UNIX, SOCK_DGRAM, "dgram_path", "socketpair-dgram");
	unix_pair("socketpair-dgram-abstract", AF_UNIX, SOCK_DGRAM, "dgram_abstract", "socketpair-dgram");
	unix_pair("socketpair-dgram-flags", AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		  "dgram_path", "socketpair-dgram");
	unix_pair("socketpair-dgram-junk", JUNK | AF_UNIX, JUNK | SOCK_DGRAM, "dgram_path",
		  "socketpair-dgram-junk");
	unix_pair("socketpair-raw-path", AF_UNIX, SOCK_RAW, "dgram_path", "socketpair-raw");
	vsock("vsock-stream", AF_VSOCK_NR, SOCK_STREAM, "socket-vsock");
	vsock("vsock-dgram", AF_VSOCK_NR, SOCK_DGRAM, "socket-vsock");
	vsock("vsock-junk-domain", JUNK | AF_VSOCK_NR, SOCK_STREAM, "socket-vsock-junk");
}

/* A ring makes sockets with IORING_OP_SOCKET, out of seccomp's sight; the
 * enter and register calls must be useless on a ring fd got some other way. */
void attack_io_uring(void)
{
	struct io_uring_params params;
	long r;

	memset(&params, 0, sizeof(params));
	r = syscall(SYS_io_uring_setup, 4, &params);
	if (r >= 0) {
		open_door("io_uring-setup", "made a ring (fd %ld): IORING_OP_SOCKET makes sockets "
			  "without socket()", r);
		close((int)r);
	} else {
		blocked("io_uring-setup", "%s", who("io_uring_setup", errno));
	}
	/* fd 0 is no ring: the kernel answers EOPNOTSUPP, the filter EPERM. */
	r = syscall(SYS_io_uring_enter, 0, 1, 0, 0, NULL, 0);
	if (r < 0 && errno != EOPNOTSUPP && errno != EBADF)
		blocked("io_uring-enter", "%s", who("io_uring_enter", errno));
	else
		open_door("io_uring-enter", "the call reached the kernel (%s): a ring fd would work",
			  r < 0 ? errname(errno) : "success");
	r = syscall(SYS_io_uring_register, 0, 0, NULL, 0);
	if (r < 0 && errno != EOPNOTSUPP && errno != EBADF && errno != EINVAL)
		blocked("io_uring-register", "%s", who("io_uring_register", errno));
	else
		open_door("io_uring-register", "the call reached the kernel (%s): a ring fd would work",
			  r < 0 ? errname(errno) : "success");
}

#ifdef __x86_64__
/* The x32 ABI: x86_64 syscalls with bit 30 set in the number. */
static int x32_socket(char *msg, size_t len)
{
	long fd = syscall(0x40000000L | SYS_socket, AF_UNIX, SOCK_STREAM, 0);

	snprintf(msg, len, "x32 socket(AF_UNIX): %s", fd >= 0 ? "made a socket" : errname(errno));
	return 0;
}

/* The i386 ABI through int 0x80, which a 64-bit process may still use:
 * socket is 359 there. */
static int int80_socket(char *msg, size_t len)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(359L), "b"(AF_UNIX), "c"(SOCK_STREAM), "d"(0)
			 : "memory");
	snprintf(msg, len, "i386 socket(AF_UNIX): %s", r >= 0 ? "made a socket" : errname((int)-r));
	return 0;
}

static void foreign_abi(const char *name, int (*fn)(char *, size_t))
{
	char msg[256];
	int status = in_child(fn, msg, sizeof(msg));

	if (status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		blocked(name, "SIGSYS: the filter killed the process at its first foreign-ABI call");
	else if (status != -1 && WIFSIGNALED(status))
		open_door(name, "killed by signal %d, not the filter's SIGSYS", WTERMSIG(status));
	else
		open_door(name, "the call reached the kernel: %s", msg[0] ? msg : "no report");
}

void attack_abi(void)
{
	foreign_abi("x32-socket", x32_socket);
	foreign_abi("int80-socket", int80_socket);
}
#else
void attack_abi(void)
{
}
#endif
