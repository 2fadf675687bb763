/* Processes outside the command's PID namespace that its /proc still shows
 * (where the loader had to keep an old /proc: srt's shell and socat relays,
 * bwrap, the loader's own outer process). For each: its memory, environment,
 * fds and root, ptrace, pidfd_getfd and signals. Signals are signal 0: the
 * kernel makes every permission check and delivers nothing. */
#define _GNU_SOURCE
#include "attack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_OUTER 1024

int pid_depth(const char *pid)
{
	char path[64], status[4096] = "", *p;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	if (read_small(path, status, sizeof(status)) <= 0 || !(p = strstr(status, "NSpid:")))
		return 0;
	for (p += 6; *p && *p != '\n'; p++)
		if ((*p == ' ' || *p == '\t') && p[1] >= '0' && p[1] <= '9')
			n++;
	return n;
}

struct outer {
	char pid[16], comm[32];
};

static size_t find_outer(struct outer *o)
{
	int own = pid_depth("self");
	DIR *dir = opendir("/proc");
	struct dirent *d;
	size_t n = 0;

	if (!dir)
		return 0;
	while ((d = readdir(dir)) && n < MAX_OUTER) {
		char path[64];
		int depth;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		depth = pid_depth(d->d_name);
		if (depth == 0 || depth >= own)
			continue;
		snprintf(o[n].pid, sizeof(o[n].pid), "%.15s", d->d_name);
		snprintf(path, sizeof(path), "/proc/%s/comm", o[n].pid);
		if (read_small(path, o[n].comm, sizeof(o[n].comm)) <= 0)
			snprintf(o[n].comm, sizeof(o[n].comm), "?");
		o[n].comm[strcspn(o[n].comm, "\n")] = '\0';
		n++;
	}
	closedir(dir);
	return n;
}

/* One attack on one process: NULL when refused (why in *why), else what got through. */
typedef const char *(*outer_fn)(const struct outer *o, char *why, size_t len);

static const char *open_for(const char *pid, const char *file, int flags, char *why, size_t len)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, file);
	fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(why, len, "%s", errname(errno));
		return NULL;
	}
	close(fd);
	snprintf(why, len, "opened %s", file);
	return why;
}

static const char *a_mem(const struct outer *o, char *why, size_t len)
{
	return open_for(o->pid, "mem", O_RDWR, why, len);
}

static const char *a_environ(const struct outer *o, char *why, size_t len)
{
	return open_for(o->pid, "environ", O_RDONLY, why, len);
}

/* Opening through /proc/N/fd/K passes the ptrace check first; a socket then
 * gives ENXIO, which still means the check passed. */
static const char *a_fd(const struct outer *o, char *why, size_t len)
{
	char path[128];

	for (int k = 0; k < 3; k++) {
		int fd;

		snprintf(path, sizeof(path), "/proc/%s/fd/%d", o->pid, k);
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd >= 0 || errno == ENXIO) {
			if (fd >= 0)
				close(fd);
			snprintf(why, len, "fd %d %s", k, fd >= 0 ? "opened" : "passed the ptrace check (ENXIO)");
			return why;
		}
		if (errno != ENOENT)
			break;
	}
	snprintf(why, len, "%s", errname(errno));
	return NULL;
}

/* Its root is the outer mount namespace, whose /proc has no read-only knobs. */
static const char *a_root(const struct outer *o, char *why, size_t len)
{
	if (!open_for(o->pid, "root/proc/sys/kernel/core_pattern", O_WRONLY, why, len))
		return NULL;
	snprintf(why, len, "opened core_pattern for writing through its root");
	return why;
}

/* A pid number names a process of the caller's own PID namespace only. */
static const char *a_ptrace(const struct outer *o, char *why, size_t len)
{
	int pid = (int)strtol(o->pid, NULL, 10);

	if (kill(pid, 0) < 0 && errno == ESRCH) {
		snprintf(why, len, "ESRCH: no pid %d in its namespace", pid);
		return NULL;
	}
	snprintf(why, len, "pid %d names an inner process", pid);
	return NULL;
}

/* The outer process's /proc directory, open; -1 with the reason in why. */
static int open_proc_dir(const struct outer *o, char *why, size_t len)
{
	char path[64];
	int dfd;

	snprintf(path, sizeof(path), "/proc/%s", o->pid);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		snprintf(why, len, "open /proc/%s: %s", o->pid, errname(errno));
	return dfd;
}

static const char *a_pidfd_getfd(const struct outer *o, char *why, size_t len)
{
	int dfd = open_proc_dir(o, why, len);
	long fd;

	if (dfd < 0)
		return NULL;
	fd = syscall(SYS_pidfd_getfd, dfd, 0, 0);
	close(dfd);
	if (fd >= 0) {
		close((int)fd);
		snprintf(why, len, "took its fd 0");
		return why;
	}
	snprintf(why, len, "%s%s", errname(errno), errno == EBADF ? " (a /proc dir is no pidfd)" : "");
	return NULL;
}

static const char *a_signal(const struct outer *o, char *why, size_t len)
{
	int dfd = open_proc_dir(o, why, len);

	if (dfd < 0)
		return NULL;
	if (syscall(SYS_pidfd_send_signal, dfd, 0, NULL, 0) == 0) {
		close(dfd);
		snprintf(why, len, "pidfd_send_signal through /proc/%s may signal it", o->pid);
		return why;
	}
	snprintf(why, len, "%s%s", errname(errno),
		 errno == EINVAL ? " (outside its PID namespace)" : errno == EPERM ? " (not permitted)" : "");
	close(dfd);
	return NULL;
}

static void each(const char *name, const struct outer *o, size_t n, outer_fn fn)
{
	char detail[3072] = "", why[256];
	size_t used = 0;

	if (n == 0) {
		blocked(name, "not visible: no process outside its PID namespace in /proc "
			"(a fresh /proc of its own)");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (fn(&o[i], why, sizeof(why))) {
			open_door(name, "%s (pid %s in /proc): %s", o[i].comm, o[i].pid, why);
			return;
		}
		if (i < 16)
			used += (size_t)snprintf(detail + used, sizeof(detail) - used, "%s%s/%s: %s",
						 used ? ", " : "", o[i].comm, o[i].pid, why);
	}
	blocked(name, "%zu outer processes visible, each refused: %s%s", n, detail,
		n > 16 ? ", ..." : "");
}

void attack_outer(void)
{
	static struct outer o[MAX_OUTER];
	size_t n = find_outer(o);

	each("outer-mem", o, n, a_mem);
	each("outer-environ", o, n, a_environ);
	each("outer-fd", o, n, a_fd);
	each("outer-root", o, n, a_root);
	each("outer-ptrace", o, n, a_ptrace);
	each("outer-pidfd_getfd", o, n, a_pidfd_getfd);
	each("outer-signal", o, n, a_signal);
}
