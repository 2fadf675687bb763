/* The terminal the command may share with its caller: TIOCSTI pushes input
 * that the caller's shell would read and run; TIOCLINUX is the virtual
 * console's multiplexer (selection paste among others). The outer side of
 * the pty (tests/escape/pty.c) proves afterwards that nothing arrived. */
#define _GNU_SOURCE
#include "attack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MARKER "#escape-tiocsti\n"

struct target {
	int fd;
	char name[16];
};

/* fds 0-2 that are terminals, and /dev/tty (the controlling terminal). */
static size_t terminals(struct target *t, char *none, size_t len)
{
	size_t n = 0;
	int fd;

	for (fd = 0; fd < 3; fd++)
		if (isatty(fd)) {
			t[n].fd = fd;
			snprintf(t[n].name, sizeof(t[n].name), "fd %d", fd);
			n++;
		}
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		t[n].fd = fd;
		snprintf(t[n].name, sizeof(t[n].name), "/dev/tty");
		n++;
	}
	snprintf(none, len, "fds 0-2: %s; /dev/tty: %s", n > (fd >= 0) ? "some are terminals" :
		 "no terminal", fd >= 0 ? "opened" : errname(errno));
	return n;
}

/* request: TIOCSTI, or with junk in the upper 32 bits (the kernel takes
 * the command as an unsigned int). */
static void tiocsti(const char *name, unsigned long request, const char *proof, struct target *t,
		    size_t n, const char *found)
{
	char detail[1024] = "";
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		if (syscall(SYS_ioctl, t[i].fd, request, MARKER) == 0) {
			for (const char *c = &MARKER[1]; *c; c++)
				syscall(SYS_ioctl, t[i].fd, request, c);
			open_door(name, "pushed \"#escape-tiocsti\" into the terminal on %s", t[i].name);
			return;
		}
		used += (size_t)snprintf(detail + used, sizeof(detail) - used, "%s: %s; ", t[i].name,
					 who(proof, errno));
	}
	if (n == 0)
		blocked(name, "no terminal reachable (%s); the call itself: %s", found, who(proof, EPERM));
	else
		blocked(name, "%s(%s)", detail, found);
}

static void tioclinux(struct target *t, size_t n)
{
	char detail[1024] = "";
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		char subcode = 6;       /* TIOCL_GETSHIFTSTATE: reads only */

		if (syscall(SYS_ioctl, t[i].fd, TIOCLINUX, &subcode) == 0) {
			open_door("tioclinux", "TIOCLINUX worked on %s", t[i].name);
			return;
		}
		used += (size_t)snprintf(detail + used, sizeof(detail) - used, "%s%s: %s",
					 used ? "; " : "", t[i].name, errno == EPERM ?
					 who("tioclinux", errno) : errname(errno));
	}
	if (n == 0)
		blocked("tioclinux", "no terminal reachable; the call itself: %s", who("tioclinux", EPERM));
	else
		blocked("tioclinux", "%s (ENOTTY/EINVAL: the kernel's, not a virtual console)", detail);
}

/* A new session of its own, then the caller's terminal taken as its
 * controlling terminal (by force: TIOCSCTTY's argument 1), which would
 * make TIOCSTI's controlling-terminal rule hold. */
static int steal(char *msg, size_t len)
{
	if (setsid() < 0) {
		snprintf(msg, len, "setsid: %s", errname(errno));
		return 2;
	}
	for (int fd = 0; fd < 3; fd++) {
		if (!isatty(fd))
			continue;
		if (ioctl(fd, TIOCSCTTY, 1) == 0) {
			snprintf(msg, len, "took the terminal on fd %d as its controlling terminal", fd);
			return 0;
		}
		snprintf(msg, len, "TIOCSCTTY on fd %d: %s from the kernel (the terminal is another "
			 "session's, and stealing it needs CAP_SYS_ADMIN)", fd, errname(errno));
		return 1;
	}
	snprintf(msg, len, "no terminal on fds 0-2");
	return 1;
}

void attack_tty(void)
{
	struct target t[4];
	char found[128], msg[512];
	int status;
	size_t n = terminals(t, found, sizeof(found));

	tiocsti("tiocsti", TIOCSTI, "tiocsti", t, n, found);
	tiocsti("tiocsti-junk", 0xdeadbeef00000000UL | TIOCSTI, "tiocsti-junk", t, n, found);
	tioclinux(t, n);
	status = in_child(steal, msg, sizeof(msg));
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 1)
		blocked("tty-steal", "%s", msg);
	else
		open_door("tty-steal", "%s (status 0x%x)", msg, (unsigned)status);
}
