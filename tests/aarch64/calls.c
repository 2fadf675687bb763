/* calls: makes the system calls that the filters' new rules decide, for the
 * aarch64 guest of scripts/test-aarch64.sh, and prints one line per call:
 *
 *     calls NAME...      NAME ERRNO   (ERRNO: the errno's name; ok on success)
 *
 * Each call is made with arguments that the kernel's own code rejects (a bad
 * flag, fd -1, a NULL or unmapped pointer), so that when it runs at all the
 * kernel answers with another errno than a filter's EPERM or ENOSYS, and
 * nothing is ever changed. Which errno the kernel gives depends on the
 * caller's capabilities for a few calls: the guest measures it (the control
 * runs) rather than this file claiming it.
 *
 *   vsock vsock-junk          socket(AF_VSOCK, bad type), the domain with junk
 *                             in the upper 32 bits
 *   keyctl add_key request_key  an unknown keyctl operation; NULL key types
 *   tiocsti tiocsti-junk tioclinux tioclinux-junk  ioctl(-1, ...), the request
 *                             also with junk in the upper 32 bits
 *   mount umount2 open_tree move_mount fsopen fsconfig fsmount fspick
 *   mount_setattr open_tree_attr pivot_root setns   bad pointers, flags or fds
 *   unshare-user unshare-ns [-junk]  CLONE_NEWUSER or CLONE_NEWNS with a bit
 *                             unshare() refuses (junk: in the upper 32 bits)
 *   clone-user clone-ns [-junk]  with CLONE_FS, which the kernel refuses with
 *                             either (junk: in the upper 32 bits)
 *   clone3                    clone3() with a size below the first version's
 * Calls the filters must let through (the kernel's answer is expected):
 *   ioctl-other               ioctl(-1, TIOCGWINSZ)
 *   unshare-other             unshare(CLONE_NEWUTS | a refused bit)
 *   clone-other               clone(CLONE_SIGHAND without CLONE_VM)
 *   thread                    pthread_create and join (glibc tries clone3
 *                             first, and falls back to clone on ENOSYS)
 *   spawn                     posix_spawn of `busybox true`, waited for
 * And:
 *   mknod-blk                 mknod of a block device in /tmp, removed again:
 *                             EPERM without CAP_MKNOD, EACCES from a Landlock
 *                             domain that handles LANDLOCK_ACCESS_FS_MAKE_BLOCK
 *                             (checked before the capability)
 *   /PATH                     open(PATH, O_WRONLY), closed again unwritten
 *   read:/PATH                open(PATH, O_RDONLY), closed again unread
 *
 * Cross-compiled, static; numbers from <sys/syscall.h>.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* Linux 6.15; Debian 12's headers stop at 6.1 (and so does its kernel). */
#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif

#define JUNK 0xdeadbeef00000000UL
#define AF_VSOCK_NR 40UL
#define BAD_FLAG 0x80000000UL

static const struct {
	int num;
	const char *name;
} errnos[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EIO, "EIO" },
	{ ENXIO, "ENXIO" }, { EBADF, "EBADF" }, { ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" },
	{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" }, { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },
	{ ENOTTY, "ENOTTY" }, { ENOSPC, "ENOSPC" }, { EROFS, "EROFS" }, { ENOSYS, "ENOSYS" },
	{ EUSERS, "EUSERS" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { EAFNOSUPPORT, "EAFNOSUPPORT" },
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT" }, { ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" },
	{ ENOKEY, "ENOKEY" },
};

static const char *errname(int err)
{
	static char other[16];

	if (err == 0)
		return "ok";
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].num == err)
			return errnos[i].name;
	snprintf(other, sizeof(other), "E%d", err);
	return other;
}

/* The errno of a raw call that returned r; a descriptor it made is closed. */
static int result(long r, int is_fd)
{
	if (r < 0)
		return errno;
	if (is_fd)
		close((int)r);
	return 0;
}

/* A clone that should be refused; a child, should one ever be made, leaves
 * at once. */
static int clone_call(unsigned long flags)
{
	long r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);

	if (r == 0)
		syscall(SYS_exit_group, 0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return result(r, 0);
}

static int clone3_call(void)
{
	struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	long r = syscall(SYS_clone3, &args, 1);

	if (r == 0)
		syscall(SYS_exit_group, 0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return result(r, 0);
}

static void *thread_body(void *arg)
{
	return arg;
}

static int thread_call(void)
{
	pthread_t t;
	int err = pthread_create(&t, NULL, thread_body, NULL);

	if (err == 0)
		err = pthread_join(t, NULL);
	return err;
}

static int spawn_call(void)
{
	char *argv[] = { "busybox", "true", NULL };
	pid_t pid;
	int status, err = posix_spawn(&pid, "/bin/busybox", NULL, NULL, argv, environ);

	if (err)
		return err;
	if (waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

static int mknod_call(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/tmp/calls-blk.%d", (int)getpid());
	if (mknod(path, S_IFBLK | 0600, makedev(7, 0)) < 0)
		return errno;
	unlink(path);
	return 0;
}

/* The errno of one named call; -1 for an unknown name. */
static int call(const char *name)
{
	char byte = 0, subcode = 6;     /* TIOCL_GETSHIFTSTATE: reads only */

	if (name[0] == '/')
		return result(open(name, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), 1);
	if (!strncmp(name, "read:/", 6))
		return result(open(name + 5, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), 1);
	if (!strcmp(name, "vsock"))
		return result(syscall(SYS_socket, AF_VSOCK_NR, 0x7f, 0), 1);
	if (!strcmp(name, "vsock-junk"))
		return result(syscall(SYS_socket, JUNK | AF_VSOCK_NR, 0x7f, 0), 1);
	if (!strcmp(name, "keyctl"))
		return result(syscall(SYS_keyctl, 99999, 0, 0, 0, 0), 0);
	if (!strcmp(name, "add_key"))
		return result(syscall(SYS_add_key, NULL, NULL, NULL, 0, KEY_SPEC_SESSION_KEYRING), 0);
	if (!strcmp(name, "request_key"))
		return result(syscall(SYS_request_key, NULL, NULL, NULL, 0), 0);
	if (!strcmp(name, "tiocsti"))
		return result(syscall(SYS_ioctl, -1, (unsigned long)TIOCSTI, &byte), 0);
	if (!strcmp(name, "tiocsti-junk"))
		return result(syscall(SYS_ioctl, -1, JUNK | TIOCSTI, &byte), 0);
	if (!strcmp(name, "tioclinux"))
		return result(syscall(SYS_ioctl, -1, (unsigned long)TIOCLINUX, &subcode), 0);
	if (!strcmp(name, "tioclinux-junk"))
		return result(syscall(SYS_ioctl, -1, JUNK | TIOCLINUX, &subcode), 0);
	if (!strcmp(name, "ioctl-other"))
		return result(syscall(SYS_ioctl, -1, (unsigned long)TIOCGWINSZ, &byte), 0);
	if (!strcmp(name, "mount"))
		return result(syscall(SYS_mount, NULL, (const char *)1, NULL, 0, NULL), 0);
	if (!strcmp(name, "umount2"))
		return result(syscall(SYS_umount2, "/", BAD_FLAG), 0);
	if (!strcmp(name, "open_tree"))
		return result(syscall(SYS_open_tree, AT_FDCWD, "/", 0x4), 1);
	if (!strcmp(name, "move_mount"))
		return result(syscall(SYS_move_mount, -1, "", -1, "", BAD_FLAG), 0);
	if (!strcmp(name, "fsopen"))
		return result(syscall(SYS_fsopen, NULL, BAD_FLAG), 1);
	if (!strcmp(name, "fsconfig"))
		return result(syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0), 0);
	if (!strcmp(name, "fsmount"))
		return result(syscall(SYS_fsmount, -1, BAD_FLAG, 0), 1);
	if (!strcmp(name, "fspick"))
		return result(syscall(SYS_fspick, AT_FDCWD, "/", BAD_FLAG), 1);
	if (!strcmp(name, "mount_setattr"))
		return result(syscall(SYS_mount_setattr, -1, "", BAD_FLAG, NULL, 0), 0);
	if (!strcmp(name, "open_tree_attr"))
		return result(syscall(SYS_open_tree_attr, AT_FDCWD, "/", 0x4, NULL, 0), 1);
	if (!strcmp(name, "pivot_root"))
		return result(syscall(SYS_pivot_root, NULL, NULL), 0);
	if (!strcmp(name, "setns"))
		return result(syscall(SYS_setns, -1, 0), 0);
	if (!strcmp(name, "unshare-user"))
		return result(syscall(SYS_unshare, CLONE_NEWUSER | 1UL), 0);
	if (!strcmp(name, "unshare-user-junk"))
		return result(syscall(SYS_unshare, JUNK | CLONE_NEWUSER), 0);
	if (!strcmp(name, "unshare-ns"))
		return result(syscall(SYS_unshare, CLONE_NEWNS | 1UL), 0);
	if (!strcmp(name, "unshare-ns-junk"))
		return result(syscall(SYS_unshare, JUNK | CLONE_NEWNS), 0);
	if (!strcmp(name, "unshare-other"))
		return result(syscall(SYS_unshare, CLONE_NEWUTS | 1UL), 0);
	if (!strcmp(name, "clone-user"))
		return clone_call(CLONE_NEWUSER | CLONE_FS);
	if (!strcmp(name, "clone-user-junk"))
		return clone_call(JUNK | CLONE_NEWUSER | CLONE_FS);
	if (!strcmp(name, "clone-ns"))
		return clone_call(CLONE_NEWNS | CLONE_FS);
	if (!strcmp(name, "clone-ns-junk"))
		return clone_call(JUNK | CLONE_NEWNS | CLONE_FS);
	if (!strcmp(name, "clone-other"))
		return clone_call(CLONE_SIGHAND);
	if (!strcmp(name, "clone3"))
		return clone3_call();
	if (!strcmp(name, "thread"))
		return thread_call();
	if (!strcmp(name, "spawn"))
		return spawn_call();
	if (!strcmp(name, "mknod-blk"))
		return mknod_call();
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: calls NAME... (see tests/aarch64/calls.c)\n", stderr);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		int err = call(argv[i]);

		if (err < 0) {
			fprintf(stderr, "calls: unknown call '%s'\n", argv[i]);
			return 2;
		}
		printf("%s %s\n", argv[i], errname(err));
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
