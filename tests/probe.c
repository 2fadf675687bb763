/*
 * probe: asks the kernel one question and prints the answer on one line.
 * Used by the loader's test suites, on the build host and (cross-built) in
 * the aarch64 guest. Static, libc only. This interface is stable:
 *
 *   probe CHECK     prints one line to stdout and exits 0
 *   probe           (or an unknown CHECK) prints the list to stderr, exits 2
 *
 * Syscall checks print "ok" if the call succeeded (whatever it made is closed
 * again), else the errno's name ("EPERM"; "E123" for names not listed here):
 *   socket-unix            socket(AF_UNIX, SOCK_STREAM)
 *   socket-unix-junk       raw socket syscall, domain 0xdeadbeef00000001
 *                          (AF_UNIX with junk in the upper 32 bits)
 *   socket-inet            socket(AF_INET, SOCK_STREAM)
 *   socketpair-dgram       socketpair(AF_UNIX, SOCK_DGRAM)
 *   socketpair-stream      socketpair(AF_UNIX, SOCK_STREAM)
 *   socketpair-seqpacket   socketpair(AF_UNIX, SOCK_SEQPACKET)
 *   io_uring-setup         io_uring_setup(1, NULL): EFAULT when allowed
 *   io_uring-enter         io_uring_enter(-1, ...): EBADF when allowed
 *   io_uring-register      io_uring_register(-1, 0, NULL, 0): EBADF when allowed
 *                          (EINVAL on kernels that take fd -1 for "blind"
 *                          registrations, 6.x)
 *   ptrace-attach-1        ptrace(PTRACE_SEIZE, 1): the permission check of
 *                          PTRACE_ATTACH without stopping PID 1 if it passes
 *   proc1-mem-write        open("/proc/1/mem", O_RDWR), closed again at once
 *   proc1-mem-read         open("/proc/1/mem", O_RDONLY), closed again at once
 *   vm-writev-1            process_vm_writev() of 1 byte to address 0 of PID 1:
 *                          EFAULT when allowed (nothing is written)
 *   umount-proc            umount2("/proc", MNT_EXPIRE|MNT_DETACH): EPERM without
 *                          CAP_SYS_ADMIN, EINVAL when allowed (an invalid flag
 *                          pair, checked after the permission: nothing is
 *                          ever unmounted)
 *   userns                 unshare(CLONE_NEWUSER)
 *   socket-vsock           socket(AF_VSOCK, SOCK_STREAM)
 *   keyctl                 keyctl(KEYCTL_GET_KEYRING_ID, session keyring)
 *   tiocsti                ioctl(-1, TIOCSTI): EBADF when allowed (nothing is
 *                          ever pushed into a terminal)
 *   mount-missing          mount of a tmpfs on a path that does not exist:
 *                          ENOENT when the call runs at all
 *   unshare-mntns-junk     unshare(CLONE_NEWNS | 1 << 40): EINVAL when the call
 *                          runs (the kernel refuses unknown upper bits)
 *   clone-userns           raw clone(CLONE_NEWUSER | SIGCHLD); a child made
 *                          exits at once
 *   clone3                 clone3(NULL, 0): EINVAL when the call runs
 *   kill-1                 kill(1, 0)
 *   kill-group             kill(0, SIGUSR1) with SIGUSR1 ignored here: every
 *                          process of the probe's group that it may signal
 *                          gets it (prints ok if at least one may)
 *   int80-socket           (x86_64 only) i386 socket(AF_UNIX) via int $0x80
 *                          (eax=359); a filter that kills foreign-ABI calls
 *                          kills the probe with SIGSYS
 * Report checks print values:
 *   caps        inh=HEX prm=HEX eff=HEX bnd=HEX amb=HEX (from /proc/self/status)
 *   securebits  HEX (prctl(PR_GET_SECUREBITS))
 *   fds         the open fd numbers, ascending, space-separated (without the
 *               one used to list them)
 *   pid         getpid()
 *   landlock-abi  the kernel's Landlock ABI version, or 0 without Landlock
 *   max-userns  the value of /proc/sys/user/max_user_namespaces
 *   proc-writable  every file of /proc outside the numbered directories,
 *               self and thread-self that opens for writing (it is closed
 *               again, never written), or "none"
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static const struct {
	int num;
	const char *name;
} errnos[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EIO, "EIO" },
	{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
	{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { EINVAL, "EINVAL" },
	{ ENOSPC, "ENOSPC" }, { ENOSYS, "ENOSYS" }, { EUSERS, "EUSERS" }, { EROFS, "EROFS" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { EAFNOSUPPORT, "EAFNOSUPPORT" },
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT" }, { ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" },
};

/* Prints the outcome of a call that returned r (a new fd if fd is set). */
static int outcome(long r, int fd)
{
	if (r >= 0) {
		if (fd)
			close((int)r);
		puts("ok");
		return 0;
	}
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].num == errno) {
			puts(errnos[i].name);
			return 0;
		}
	printf("E%d\n", errno);
	return 0;
}

static int pair(int type)
{
	int sv[2];

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0)
		return outcome(-1, 0);
	close(sv[0]);
	close(sv[1]);
	return outcome(0, 0);
}

static int caps(void)
{
	static const char *const keys[] = { "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:" };
	static const char *const names[] = { "inh", "prm", "eff", "bnd", "amb" };
	char line[256], val[5][32] = { "?", "?", "?", "?", "?" };
	FILE *f = fopen("/proc/self/status", "re");

	if (!f) {
		perror("probe: /proc/self/status");
		return 1;
	}
	while (fgets(line, sizeof(line), f))
		for (int i = 0; i < 5; i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0)
				sscanf(line + strlen(keys[i]), " %31s", val[i]);
	fclose(f);
	for (int i = 0; i < 5; i++)
		printf("%s%s=%s", i ? " " : "", names[i], val[i]);
	putchar('\n');
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int fds(void)
{
	int list[1024], n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d) {
		perror("probe: /proc/self/fd");
		return 1;
	}
	while ((e = readdir(d)) && n < 1024) {
		long fd = strtol(e->d_name, NULL, 10);

		if (e->d_name[0] != '.' && fd != dirfd(d))
			list[n++] = (int)fd;
	}
	closedir(d);
	qsort(list, (size_t)n, sizeof(int), cmp_int);
	for (int i = 0; i < n; i++)
		printf("%s%d", i ? " " : "", list[i]);
	putchar('\n');
	return 0;
}

static int clone_userns(void)
{
	long r = syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), NULL, NULL, NULL, NULL);

	if (r == 0)
		_exit(0);
	if (r > 0 && waitpid((pid_t)r, NULL, 0) < 0)
		perror("probe: waitpid");
	return outcome(r > 0 ? 0 : -1, 0);
}

static bool own_entry(const char *name)
{
	return strspn(name, "0123456789") == strlen(name) || !strcmp(name, "self") ||
	       !strcmp(name, "thread-self");
}

/* Opens every regular file under dir (a /proc path) for writing, depth first,
 * and prints those that open; counts them in *found. */
static void writable_under(const char *dir, int depth, int *found)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;
		int fd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (depth == 0 && own_entry(e->d_name)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 12) {
			writable_under(path, depth + 1, found);
		} else if (S_ISREG(st.st_mode)) {
			fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
			if (fd >= 0) {
				close(fd);
				printf("%s%s", (*found)++ ? " " : "", path);
			}
		}
	}
	closedir(d);
}

#if defined(__x86_64__)
static int int80_socket(void)
{
	long r;

	/* The i386 ABI: number in eax, arguments in ebx, ecx, edx. The 64-bit
	 * kernel entry clobbers r8-r11. */
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(359L), "b"((long)AF_UNIX), "c"((long)SOCK_STREAM), "d"(0L)
			 : "r8", "r9", "r10", "r11", "memory");
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return outcome(-1, 0);
	}
	return outcome(r, 1);
}
#endif

static int usage(void)
{
	fputs("usage: probe CHECK\n"
	      "checks: socket-unix socket-unix-junk socket-inet socketpair-dgram\n"
	      "  socketpair-stream socketpair-seqpacket io_uring-setup io_uring-enter\n"
	      "  io_uring-register ptrace-attach-1 proc1-mem-write proc1-mem-read\n"
	      "  vm-writev-1 umount-proc userns socket-vsock keyctl tiocsti mount-missing\n"
	      "  unshare-mntns-junk clone-userns clone3 kill-1 kill-group landlock-abi\n"
	      "  max-userns proc-writable"
#if defined(__x86_64__)
	      " int80-socket"
#endif
	      " caps securebits fds pid\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *c = argc == 2 ? argv[1] : "";
	char byte = 0;
	struct iovec local = { &byte, 1 }, remote = { NULL, 1 };

	if (!strcmp(c, "socket-unix"))
		return outcome(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 1);
	if (!strcmp(c, "socket-unix-junk"))
		return outcome(syscall(SYS_socket, 0xdeadbeef00000000UL | AF_UNIX,
				       SOCK_STREAM | SOCK_CLOEXEC, 0), 1);
	if (!strcmp(c, "socket-inet"))
		return outcome(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), 1);
	if (!strcmp(c, "socketpair-dgram"))
		return pair(SOCK_DGRAM);
	if (!strcmp(c, "socketpair-stream"))
		return pair(SOCK_STREAM);
	if (!strcmp(c, "socketpair-seqpacket"))
		return pair(SOCK_SEQPACKET);
	if (!strcmp(c, "io_uring-setup"))
		return outcome(syscall(SYS_io_uring_setup, 1, NULL), 1);
	if (!strcmp(c, "io_uring-enter"))
		return outcome(syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0), 0);
	if (!strcmp(c, "io_uring-register"))
		return outcome(syscall(SYS_io_uring_register, -1, 0, NULL, 0), 0);
	if (!strcmp(c, "ptrace-attach-1"))
		return outcome(ptrace(PTRACE_SEIZE, 1, NULL, NULL), 0);
	if (!strcmp(c, "proc1-mem-read"))
		return outcome(open("/proc/1/mem", O_RDONLY | O_CLOEXEC), 1);
	if (!strcmp(c, "proc1-mem-write"))
		return outcome(open("/proc/1/mem", O_RDWR | O_CLOEXEC), 1);
	if (!strcmp(c, "vm-writev-1"))
		return outcome(process_vm_writev(1, &local, 1, &remote, 1, 0), 0);
	if (!strcmp(c, "umount-proc"))
		return outcome(umount2("/proc", MNT_EXPIRE | MNT_DETACH), 0);
	if (!strcmp(c, "userns"))
		return outcome(unshare(CLONE_NEWUSER), 0);
	if (!strcmp(c, "socket-vsock"))
		return outcome(socket(40, SOCK_STREAM | SOCK_CLOEXEC, 0), 1);
	if (!strcmp(c, "keyctl"))
		return outcome(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0), 0);
	if (!strcmp(c, "tiocsti"))
		return outcome(ioctl(-1, TIOCSTI, &byte), 0);
	if (!strcmp(c, "mount-missing"))
		return outcome(mount("none", "/probe-no-such-dir-7f3a", "tmpfs", 0, NULL), 0);
	if (!strcmp(c, "unshare-mntns-junk"))
		return outcome(syscall(SYS_unshare, (unsigned long)CLONE_NEWNS | 1ul << 40), 0);
	if (!strcmp(c, "clone-userns"))
		return clone_userns();
	if (!strcmp(c, "clone3"))
		return outcome(syscall(SYS_clone3, NULL, 0), 0);
	if (!strcmp(c, "kill-1"))
		return outcome(kill(1, 0), 0);
	if (!strcmp(c, "kill-group")) {
		if (signal(SIGUSR1, SIG_IGN) == SIG_ERR)
			return outcome(-1, 0);
		return outcome(kill(0, SIGUSR1), 0);
	}
	if (!strcmp(c, "landlock-abi")) {
		long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1);

		printf("%ld\n", abi > 0 ? abi : 0);
		return 0;
	}
	if (!strcmp(c, "max-userns")) {
		char buf[32] = "";
		FILE *f = fopen("/proc/sys/user/max_user_namespaces", "re");

		if (!f || !fgets(buf, sizeof(buf), f))
			return outcome(-1, 0);
		fclose(f);
		fputs(buf, stdout);
		return 0;
	}
	if (!strcmp(c, "proc-writable")) {
		int found = 0;

		writable_under("/proc", 0, &found);
		puts(found ? "" : "none");
		return 0;
	}
#if defined(__x86_64__)
	if (!strcmp(c, "int80-socket"))
		return int80_socket();
#endif
	if (!strcmp(c, "caps"))
		return caps();
	if (!strcmp(c, "securebits")) {
		int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);

		if (bits < 0)
			return outcome(-1, 0);
		printf("%x\n", bits);
		return 0;
	}
	if (!strcmp(c, "fds"))
		return fds();
	if (!strcmp(c, "pid")) {
		printf("%d\n", (int)getpid());
		return 0;
	}
	return usage();
}
