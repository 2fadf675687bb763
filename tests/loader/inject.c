/*
 * inject: fault injection for the loader's fail-closed tests.
 *
 *   inject REPORT SYSCALL[,SYSCALL...] N ERRNO PROGRAM [ARG...]
 *
 * Runs PROGRAM under a seccomp user-notification filter, and makes the Nth
 * call (counting from 1) to any of the named syscalls fail with ERRNO (a
 * number); every other call goes through unchanged. Calls are counted across
 * all of PROGRAM's processes, in the order the kernel reports them, and only
 * until a process execs something else than PROGRAM (apply-seccomp's COMMAND):
 * what COMMAND does is not setup. strace -e inject cannot do this: its `when`
 * counters are per process, so it fails the Nth call of every process at once.
 * (A process counts as COMMAND's once it, or an ancestor, has exec'd.)
 *
 * Writes "hit PID" to REPORT if the Nth call happened (PID as seen here),
 * else "miss COUNT" with the number of calls counted. Exits with PROGRAM's
 * status (128+N if it died of signal N). Never name kill or dup3: the child
 * makes those before PROGRAM starts. x86_64 and aarch64, Linux 5.6+.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define MY_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define MY_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "unsupported architecture"
#endif

#define LISTENER_FD 200     /* where the child leaves the listener for us */
#define MAX_TRAPPED 32
#define MAX_PIDS 64

static const struct {
	const char *name;
	long nr;
} names[] = {
#define S(n) { #n, SYS_##n }
	S(read), S(write), S(openat), S(close), S(mount), S(umount2), S(prctl), S(clone),
	S(clone3), S(seccomp), S(capget), S(capset), S(pipe2), S(ppoll), S(unshare),
	S(rt_sigprocmask), S(rt_sigaction), S(rt_sigtimedwait), S(wait4), S(fstat),
	S(newfstatat), S(execve), S(getsid), S(setsid), S(fcntl), S(getdents64), S(pread64),
	S(landlock_create_ruleset), S(landlock_restrict_self), S(landlock_add_rule), S(mount_setattr),
#ifdef SYS_open
	S(open), S(fork), S(vfork), S(poll), S(pipe),
#endif
#undef S
};

/* The parent of pid, from /proc/PID/stat; 0 if unknown. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	/* "PID (COMM) STATE PPID ...": COMM may hold anything, even ") ". */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && strlen(p) > 4)
		ppid = (int)strtol(p + 4, NULL, 10);
	fclose(f);
	return (pid_t)ppid;
}

static void die(const char *what)
{
	perror(what);
	exit(125);
}

static long number(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v <= 0) {
		fprintf(stderr, "inject: not a positive number: %s\n", s);
		exit(125);
	}
	return v;
}

static long lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, name) == 0)
			return names[i].nr;
	fprintf(stderr, "inject: unknown syscall %s\n", name);
	exit(125);
}

/* arch != ours: allow; nr in trapped (execve always): notify; else allow. */
static int install(const long *nrs, size_t n)
{
	struct sock_filter prog[4 + MAX_TRAPPED + 3];
	size_t len = 0;

	prog[len++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						   offsetof(struct seccomp_data, arch));
	prog[len++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MY_AUDIT_ARCH, 1, 0);
	prog[len++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[len++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						   offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < n; i++)
		prog[len++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							   (unsigned)nrs[i], (unsigned char)(n - i), 0);
	prog[len++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog[len++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	struct sock_fprog fprog = { (unsigned short)len, prog };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			    &fprog);
}

int main(int argc, char **argv)
{
	long nrs[MAX_TRAPPED];
	size_t n_nrs = 0;
	pid_t child, exec_pids[MAX_PIDS];
	size_t n_exec = 0;
	long target, count = 0;
	int err, status, pidfd, lfd, started = 0;
	pid_t hit = 0;
	FILE *report;

	if (argc < 6) {
		fputs("usage: inject REPORT SYSCALL[,SYSCALL...] N ERRNO PROGRAM [ARG...]\n", stderr);
		return 125;
	}
	for (char *tok = strtok(argv[2], ","); tok; tok = strtok(NULL, ",")) {
		if (n_nrs == MAX_TRAPPED - 1) {
			fputs("inject: too many syscalls\n", stderr);
			return 125;
		}
		nrs[n_nrs++] = lookup(tok);
	}
	nrs[n_nrs++] = SYS_execve;
	target = number(argv[3]);
	err = (int)number(argv[4]);

	child = fork();
	if (child < 0)
		die("inject: fork");
	if (child == 0) {
		int fd = install(nrs, n_nrs);

		if (fd < 0)
			die("inject: seccomp");
		if (fd != LISTENER_FD && syscall(SYS_dup3, fd, LISTENER_FD, O_CLOEXEC) < 0)
			die("inject: dup3");
		/* Wait, stopped, until the parent has taken the listener. */
		syscall(SYS_kill, getpid(), SIGSTOP);
		execv(argv[5], &argv[5]);
		die("inject: exec");
	}
	if (waitpid(child, &status, WUNTRACED) < 0 || !WIFSTOPPED(status)) {
		fputs("inject: the child did not stop\n", stderr);
		return 125;
	}
	pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (pidfd < 0)
		die("inject: pidfd_open");
	lfd = (int)syscall(SYS_pidfd_getfd, pidfd, LISTENER_FD, 0);
	if (lfd < 0)
		die("inject: pidfd_getfd");
	if (kill(child, SIGCONT) < 0)
		die("inject: kill");

	for (;;) {
		struct pollfd p[2] = { { lfd, POLLIN, 0 }, { pidfd, POLLIN, 0 } };
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;
		int foreign = 0;
		pid_t anc;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("inject: poll");
		}
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		memset(&req, 0, sizeof(req));
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			die("inject: SECCOMP_IOCTL_NOTIF_RECV");
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		anc = (pid_t)req.pid;
		for (int depth = 0; anc > 1 && anc != child && !foreign && depth < 16; depth++) {
			for (size_t i = 0; i < n_exec; i++)
				foreign |= exec_pids[i] == anc;
			anc = parent_of(anc);
		}
		if (req.data.nr == SYS_execve) {
			/* The first exec starts PROGRAM; any other process's
			 * exec starts something that is not setup any more. */
			if ((pid_t)req.pid == child && !started)
				started = 1;
			else if ((pid_t)req.pid != child && !foreign && n_exec < MAX_PIDS)
				exec_pids[n_exec++] = (pid_t)req.pid;
		} else if (started && !foreign && ++count == target) {
			hit = (pid_t)req.pid;
			resp.flags = 0;
			resp.error = -err;
		}
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
			die("inject: SECCOMP_IOCTL_NOTIF_SEND");
	}
	if (waitpid(child, &status, 0) < 0)
		die("inject: waitpid");
	report = fopen(argv[1], "we");
	if (!report)
		die("inject: report");
	if (hit)
		fprintf(report, "hit %d\n", (int)hit);
	else
		fprintf(report, "miss %ld\n", count);
	if (fclose(report) != 0)
		die("inject: report");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
