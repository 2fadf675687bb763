/* Proof calls: each is a syscall an attack makes, with arguments that the
 * kernel's own code rejects with an errno other than the filter's. Where a
 * refusal came from is then a measurement, not a guess (see who()). None of
 * them can change anything: the kernel refuses every one before acting. */
#define _GNU_SOURCE
#include "attack.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Junk in the upper 32 bits of an int argument: the kernel ignores it. */
#define JUNK 0xdeadbeef00000000UL

/* The errno of r (0 when it succeeded; a returned fd is closed). */
static int result(long r, bool fd)
{
	if (r < 0)
		return errno;
	if (fd)
		close((int)r);
	return 0;
}

/* A clone that the kernel refuses (CLONE_NEWUSER with CLONE_FS is EINVAL);
 * should it ever make a child, the child leaves at once. */
static int clone_twin(unsigned long flags)
{
	long r = syscall(SYS_clone, flags | CLONE_NEWUSER | CLONE_FS | SIGCHLD, 0, 0, 0, 0);

	if (r == 0)
		syscall(SYS_exit_group, 0);
	return result(r, false);
}

static int p_socket_unix(void) { return result(syscall(SYS_socket, AF_UNIX, 0x7f, 0), true); }
static int p_socket_unix_junk(void) { return result(syscall(SYS_socket, JUNK | AF_UNIX, 0x7f, 0), true); }
static int p_socket_vsock(void) { return result(syscall(SYS_socket, 40, 0x7f, 0), true); }
static int p_socket_vsock_junk(void) { return result(syscall(SYS_socket, JUNK | 40, 0x7f, 0), true); }

static int p_socketpair(int type)
{
	int fds[2];
	int err = result(syscall(SYS_socketpair, AF_UNIX, type, 99, fds), false);

	if (err == 0) {
		close(fds[0]);
		close(fds[1]);
	}
	return err;
}
static int p_socketpair_dgram(void) { return p_socketpair(SOCK_DGRAM); }

static int p_socketpair_dgram_junk(void)
{
	int fds[2];
	int err = result(syscall(SYS_socketpair, JUNK | AF_UNIX, JUNK | SOCK_DGRAM, 99, fds), false);

	if (err == 0) {
		close(fds[0]);
		close(fds[1]);
	}
	return err;
}
static int p_socketpair_raw(void) { return p_socketpair(SOCK_RAW); }

static int p_io_uring_setup(void) { return result(syscall(SYS_io_uring_setup, 1, NULL), true); }
static int p_io_uring_enter(void) { return result(syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0), false); }
static int p_io_uring_register(void) { return result(syscall(SYS_io_uring_register, -1, 0, NULL, 0), false); }

static int p_unshare_user(void) { return result(syscall(SYS_unshare, CLONE_NEWUSER | 1), false); }
static int p_unshare_ns(void) { return result(syscall(SYS_unshare, CLONE_NEWNS | 1), false); }
static int p_clone_user(void) { return clone_twin(0); }
static int p_clone_junk(void) { return clone_twin(JUNK); }

static int p_clone3(void)
{
	struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	/* A size below the first version's: EINVAL before anything is made. */
	long r = syscall(SYS_clone3, &args, 1);

	if (r == 0)
		syscall(SYS_exit_group, 0);
	return result(r, false);
}

static int p_mount(void) { return result(syscall(SYS_mount, NULL, (const char *)1, NULL, 0, NULL), false); }
static int p_umount2(void) { return result(syscall(SYS_umount2, "/", 0x80000000U), false); }
static int p_open_tree(void) { return result(syscall(SYS_open_tree, AT_FDCWD, "/", 0x4), true); }
static int p_move_mount(void) { return result(syscall(SYS_move_mount, -1, "", -1, "", 0x80000000U), false); }
static int p_pivot_root(void) { return result(syscall(SYS_pivot_root, NULL, NULL), false); }
static int p_mount_setattr(void) { return result(syscall(SYS_mount_setattr, -1, "", 0x80000000U, NULL, 0), false); }
static int p_fsopen(void) { return result(syscall(SYS_fsopen, NULL, 0x80000000U), true); }
static int p_setns(void) { return result(syscall(SYS_setns, -1, 0), false); }

static int p_keyctl(void) { return result(syscall(SYS_keyctl, 99999, 0, 0, 0, 0), false); }
static int p_add_key(void) { return result(syscall(SYS_add_key, NULL, NULL, NULL, 0, 0), false); }
static int p_request_key(void) { return result(syscall(SYS_request_key, NULL, NULL, NULL, 0), false); }

static int p_tiocsti(void)
{
	char c = 'x';

	return result(syscall(SYS_ioctl, -1, TIOCSTI, &c), false);
}

static int p_tiocsti_junk(void)
{
	char c = 'x';

	return result(syscall(SYS_ioctl, -1, JUNK | TIOCSTI, &c), false);
}

static int p_tioclinux(void)
{
	char subcode = 6;       /* TIOCL_GETSHIFTSTATE: reads only */

	return result(syscall(SYS_ioctl, -1, TIOCLINUX, &subcode), false);
}

static const struct {
	const char *name;
	int (*call)(void);
} proofs[] = {
	{ "socket-unix", p_socket_unix }, { "socket-unix-junk", p_socket_unix_junk },
	{ "socket-vsock", p_socket_vsock }, { "socket-vsock-junk", p_socket_vsock_junk },
	{ "socketpair-dgram", p_socketpair_dgram }, { "socketpair-dgram-junk", p_socketpair_dgram_junk },
	{ "socketpair-raw", p_socketpair_raw },
	{ "io_uring_setup", p_io_uring_setup }, { "io_uring_enter", p_io_uring_enter },
	{ "io_uring_register", p_io_uring_register },
	{ "unshare-user", p_unshare_user }, { "unshare-ns", p_unshare_ns },
	{ "clone-user", p_clone_user }, { "clone-junk", p_clone_junk }, { "clone3", p_clone3 },
	{ "mount", p_mount }, { "umount2", p_umount2 }, { "open_tree", p_open_tree },
	{ "move_mount", p_move_mount }, { "pivot_root", p_pivot_root },
	{ "mount_setattr", p_mount_setattr }, { "fsopen", p_fsopen }, { "setns", p_setns },
	{ "keyctl", p_keyctl }, { "add_key", p_add_key }, { "request_key", p_request_key },
	{ "tiocsti", p_tiocsti }, { "tiocsti-junk", p_tiocsti_junk }, { "tioclinux", p_tioclinux },
};
#define N_PROOFS (sizeof(proofs) / sizeof(proofs[0]))

void print_proofs(void)
{
	for (size_t i = 0; i < N_PROOFS; i++)
		printf("PROOF %s %s\n", proofs[i].name, errname(proofs[i].call()));
}

const char *who(const char *proof, int err)
{
	static char text[512];
	char key[64], here[32], got[32];
	const char *kernel;
	size_t i;

	for (i = 0; i < N_PROOFS && strcmp(proofs[i].name, proof) != 0; i++)
		;
	snprintf(key, sizeof(key), "proof.%s", proof);
	kernel = conf(key);
	if (i == N_PROOFS || !kernel) {
		snprintf(text, sizeof(text), "%s (no control value for proof %s: who refused is unknown)",
			 errname(err), proof);
		return text;
	}
	/* Copies: errname() may return one static buffer. */
	snprintf(here, sizeof(here), "%s", errname(proofs[i].call()));
	snprintf(got, sizeof(got), "%s", errname(err));
	if (strcmp(here, kernel) != 0 && strcmp(here, got) == 0)
		snprintf(text, sizeof(text), "%s from the seccomp filter (its bad-argument twin gets %s "
			 "here, %s from the unfiltered kernel)", got, here, kernel);
	else if (strcmp(here, kernel) == 0 && strcmp(kernel, got) == 0)
		snprintf(text, sizeof(text), "%s, which the kernel itself answers without capabilities "
			 "(twin %s here and unfiltered: who refused cannot be told apart)", got, here);
	else if (strcmp(here, kernel) == 0)
		snprintf(text, sizeof(text), "%s from the kernel (the filter passes the call: its "
			 "bad-argument twin gets the kernel's %s)", got, kernel);
	else
		snprintf(text, sizeof(text), "%s (twin: %s here, %s unfiltered)", got, here, kernel);
	return text;
}
