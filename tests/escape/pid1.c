/* PID 1 of the command's namespace (the loader's reaper, or, in a /proc that
 * is not the command's own, whatever /proc/1 shows): ptrace, its memory,
 * its fds, and its namespaces. And first the identity line, which proves
 * that our loader is the parent. */
#define _GNU_SOURCE
#include "attack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* The value of "Name:" in a /proc status text, tabs as spaces, or "". */
static void status_field(const char *status, const char *name, char *out, size_t len)
{
	const char *p = strstr(status, name);
	size_t n = 0;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen(name);
	while (*p == ' ' || *p == '\t')
		p++;
	while (p[n] && p[n] != '\n' && n < len - 1) {
		out[n] = p[n] == '\t' ? ' ' : p[n];
		n++;
	}
	out[n] = '\0';
}

void attack_identity(void)
{
	char status[4096] = "", stat[1024] = "", path[64], comm[64] = "", cmdline[4096] = "";
	char filters[16], nnp[16], capeff[32], nspid[64], uid[64];
	const char *close_paren;
	int ppid = 0;

	read_small("/proc/self/status", status, sizeof(status));
	read_small("/proc/self/stat", stat, sizeof(stat));
	/* The parent as this /proc numbers it (/proc may not be the command's own). */
	close_paren = strrchr(stat, ')');
	/* ") S PPID ...": the state, then the parent. */
	if (close_paren && strlen(close_paren) > 4)
		ppid = (int)strtol(close_paren + 4, NULL, 10);
	snprintf(path, sizeof(path), "/proc/%d/comm", ppid);
	read_small(path, comm, sizeof(comm));
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cmdline", ppid);
	read_small(path, cmdline, sizeof(cmdline));
	status_field(status, "Seccomp_filters:", filters, sizeof(filters));
	status_field(status, "NoNewPrivs:", nnp, sizeof(nnp));
	status_field(status, "CapEff:", capeff, sizeof(capeff));
	status_field(status, "NSpid:", nspid, sizeof(nspid));
	status_field(status, "Uid:", uid, sizeof(uid));
	for (char *p = nspid; *p; p++)
		if (*p == ' ')
			*p = ',';
	printf("ESCAPE-ID pid=%d parent=%s loader=%s filters=%s nnp=%s capeff=%s nspid=%s uid=%.*s\n",
	       getpid(), comm[0] ? comm : "?", cmdline[0] ? cmdline : "?", filters[0] ? filters : "?",
	       nnp, capeff, nspid, (int)strcspn(uid, " "), uid);
}

static void ptrace_pid1(const char *name, int request)
{
	if (ptrace(request, 1, NULL, NULL) == 0) {
		ptrace(PTRACE_DETACH, 1, NULL, NULL);
		open_door(name, "%s of PID 1 succeeded (detached again)",
			  request == PTRACE_ATTACH ? "PTRACE_ATTACH" : "PTRACE_SEIZE");
		return;
	}
	blocked(name, "%s from the kernel's ptrace access check (no capability; PID 1 is not "
		"dumpable or outside its Landlock domain)", errname(errno));
}

static void setns_pid1(void)
{
	static const char *const kinds[] = {
		"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
		"time_for_children", "user", "uts",
	};
	char detail[2048] = "", path[64];
	int last_setns = 0;
	size_t used = 0;
	long pidfd;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int fd;

		snprintf(path, sizeof(path), "/proc/1/ns/%s", kinds[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			used += (size_t)snprintf(detail + used, sizeof(detail) - used, "%s%s: open %s",
						 used ? ", " : "", kinds[i], errname(errno));
			continue;
		}
		if (syscall(SYS_setns, fd, 0) == 0) {
			open_door("setns-pid1", "entered PID 1's %s namespace", kinds[i]);
			close(fd);
			return;
		}
		last_setns = errno;
		used += (size_t)snprintf(detail + used, sizeof(detail) - used, "%s%s: setns %s",
					 used ? ", " : "", kinds[i], errname(last_setns));
		close(fd);
		if (used >= sizeof(detail))
			break;
	}
	/* setns also takes a pidfd and a set of namespace kinds (5.8+). */
	pidfd = syscall(SYS_pidfd_open, 1, 0);
	if (pidfd >= 0) {
		if (syscall(SYS_setns, (int)pidfd, 0x7e020000 /* every CLONE_NEW* */) == 0) {
			open_door("setns-pid1", "entered all of PID 1's namespaces through its pidfd");
			close((int)pidfd);
			return;
		}
		last_setns = errno;
		close((int)pidfd);
	}
	blocked("setns-pid1", "%s; pidfd setns: %s", detail,
		pidfd >= 0 ? who("setns", last_setns) : "no pidfd");
}

void attack_pid1(void)
{
	char byte = 0;
	struct iovec local = { &byte, 1 }, remote = { NULL, 1 };
	long pidfd;
	int mem;

	ptrace_pid1("ptrace-attach-pid1", PTRACE_ATTACH);
	ptrace_pid1("ptrace-seize-pid1", PTRACE_SEIZE);

	/* The loader's environment may hold the runtime's SRT_* values. */
	mem = open("/proc/1/environ", O_RDONLY | O_CLOEXEC);
	if (mem >= 0) {
		open_door("pid1-environ", "opened /proc/1/environ");
		close(mem);
	} else {
		blocked("pid1-environ", "open /proc/1/environ: %s from the kernel's ptrace access check",
			errname(errno));
	}

	mem = open("/proc/1/mem", O_RDWR | O_CLOEXEC);
	if (mem >= 0) {
		open_door("pid1-mem-write", "opened /proc/1/mem for writing (closed unwritten)");
		close(mem);
	} else {
		blocked("pid1-mem-write", "open /proc/1/mem O_RDWR: %s from the kernel's ptrace "
			"access check", errname(errno));
	}

	/* Address 0 never maps: EFAULT means the permission check passed. */
	if (syscall(SYS_process_vm_writev, 1, &local, 1, &remote, 1, 0) >= 0 || errno == EFAULT)
		open_door("process_vm_writev-pid1", "the permission check passed (%s on address 0)",
			  errname(errno));
	else
		blocked("process_vm_writev-pid1", "%s from the kernel's ptrace access check",
			errname(errno));

	pidfd = syscall(SYS_pidfd_open, 1, 0);
	if (pidfd < 0) {
		blocked("pidfd_getfd-pid1", "pidfd_open(1): %s", errname(errno));
	} else {
		long fd = syscall(SYS_pidfd_getfd, (int)pidfd, 0, 0);

		if (fd >= 0) {
			open_door("pidfd_getfd-pid1", "took PID 1's fd 0");
			close((int)fd);
		} else {
			blocked("pidfd_getfd-pid1", "pidfd_getfd: %s from the kernel's ptrace access check",
				errname(errno));
		}
		close((int)pidfd);
	}
	setns_pid1();
}
