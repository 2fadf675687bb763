/*
 * outer: can the command reach a process outside its own PID namespace?
 * Run inside a sandbox by tests/srt/run.sh; static, libc only.
 *
 *   outer      prints one line and exits 0 (1 if /proc cannot be read)
 *
 * It walks /proc. A process whose NSpid line (its PID in each namespace
 * from the one /proc was mounted for down to its own) has fewer entries
 * than ours lives in an outer namespace: srt's shell, its socat relays,
 * bwrap, the helper's outer stub. A fresh /proc of our own namespace lists
 * none. Such a process has no PID in our namespace, so ptrace(), kill() and
 * pidfd_open() cannot name it; /proc is the only way to it. For every outer
 * process it tries, without changing anything:
 *   mem      open("/proc/N/mem", O_RDONLY)
 *   environ  open("/proc/N/environ", O_RDONLY)
 *   fdlist   opendir("/proc/N/fd"): its fd numbers (the directory's mode
 *            decides, as for any file: no ptrace check)
 *   fd       readlink() of its first fd there: what the fd is (a ptrace
 *            check; opening it would be the same check)
 *   root     opendir("/proc/N/root"): its view of the file system
 *   signal   pidfd_send_signal() of signal 0 through an fd of /proc/N: the
 *            permission check of a signal, none is sent
 * and prints
 *   outer=K mem=A environ=B fdlist=C fd=D root=E signal=F comms=NAME,NAME
 * where A..F count the outer processes each call reached and comms lists
 * their distinct names ("-" for none).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { MEM, ENVIRON, FDLIST, FD, ROOT, SIGNAL, NCHECKS };
static const char *const check_names[NCHECKS] = { "mem", "environ", "fdlist", "fd", "root", "signal" };

/* How many namespaces deep the process is, seen from this /proc: the
 * number of fields of its NSpid line; 0 if it cannot be read (gone). */
static int ns_depth(const char *pid)
{
	char path[64], line[256];
	int depth = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "NSpid:", 6) == 0)
			for (char *tok = strtok(line + 6, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
				depth++;
	fclose(f);
	return depth;
}

static void comm_of(const char *pid, char *comm, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	snprintf(comm, size, "?");
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, (int)size, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

static int opens(const char *pid, const char *file)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int lists(const char *pid, const char *dir)
{
	char path[64];
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, dir);
	d = opendir(path);
	if (!d)
		return 0;
	closedir(d);
	return 1;
}

/* readlink() of the first fd listed in /proc/N/fd, if the list can be read. */
static int reads_fd(const char *pid)
{
	char path[64], link[512], target[4096];
	struct dirent *e;
	DIR *d;
	int ok = 0;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(link, sizeof(link), "%s/%s", path, e->d_name);
			ok = readlink(link, target, sizeof(target)) >= 0;
			break;
		}
	closedir(d);
	return ok;
}

static int signals(const char *pid)
{
	char path[64];
	int fd, ok;

	snprintf(path, sizeof(path), "/proc/%s", pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ok = syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0;
	close(fd);
	return ok;
}

/* Which of the checks reach process pid: one flag per check. */
static void reach(const char *pid, int reached[NCHECKS])
{
	reached[MEM] = opens(pid, "mem");
	reached[ENVIRON] = opens(pid, "environ");
	reached[FDLIST] = lists(pid, "fd");
	reached[FD] = reads_fd(pid);
	reached[ROOT] = lists(pid, "root/");
	reached[SIGNAL] = signals(pid);
}

int main(void)
{
	int own = ns_depth("self"), outer = 0, counts[NCHECKS] = { 0 };
	/* ",name,name," so that a name is found whole */
	char comms[1024] = ",";
	size_t used = 1;
	DIR *proc = opendir("/proc");
	struct dirent *e;

	if (!proc || own == 0) {
		perror("outer: /proc");
		return 1;
	}
	while ((e = readdir(proc))) {
		char comm[64], tagged[80];
		int reached[NCHECKS], depth;

		if (strspn(e->d_name, "0123456789") != strlen(e->d_name))
			continue;
		depth = ns_depth(e->d_name);
		if (depth == 0 || depth >= own)
			continue;
		outer++;
		reach(e->d_name, reached);
		for (int i = 0; i < NCHECKS; i++)
			counts[i] += reached[i];
		comm_of(e->d_name, comm, sizeof(comm));
		snprintf(tagged, sizeof(tagged), ",%s,", comm);
		if (!strstr(comms, tagged)) {
			int n = snprintf(comms + used, sizeof(comms) - used, "%s,", comm);

			/* A name that does not fit is left out whole. */
			if (n > 0 && (size_t)n < sizeof(comms) - used)
				used += (size_t)n;
			else
				comms[used] = '\0';
		}
	}
	closedir(proc);
	printf("outer=%d", outer);
	for (int i = 0; i < NCHECKS; i++)
		printf(" %s=%d", check_names[i], counts[i]);
	comms[used - 1] = '\0';
	printf(" comms=%s\n", used > 1 ? comms + 1 : "-");
	return 0;
}
