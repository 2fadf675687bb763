/* Load and soak for apply-seccomp.
 * Load: INSTANCES loaders at once, each running a shell that starts three
 * children exiting in a random order plus one that never exits on its own,
 * then exits with a status of its own (every tenth kills itself with a
 * signal instead). Every loader must return that status (128+N for the
 * signal), and afterwards nothing may be left: this process is a child
 * subreaper, so a stray would have become its child, and no process may
 * carry the marker the never-ending child has in its command line.
 * Soak: RUNS loaders one after the other: this process's fd count, RSS and
 * mount table must not grow, nor the loaders' peak RSS (wait4's rusage).
 * usage: hard-load LOADER FILTER [INSTANCES [RUNS]] */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "random.h"

#define MARKER "3141.5926"      /* how long the never-ending child sleeps */
#define RSS_SLACK_KB 256        /* allocator noise in this process, not a leak */

static const char script[] =
	"sleep \"$1\" & a=$!; sleep \"$2\" & b=$!; sleep \"$3\" & c=$!; sleep " MARKER " &\n"
	"wait $a $b $c\n"
	"[ \"$4\" -lt 128 ] || kill -s \"$(( $4 - 128 ))\" $$\n"
	"exit \"$4\"\n";

static const char *loader, *filter;
static int failures;
static uint64_t state = 42;     /* the same delays on every run */

static unsigned rnd(unsigned below)
{
	return (unsigned)(xorshift64(&state) % below);
}

/* A count from the command line, or fallback when it is not given. */
static int count_arg(int argc, char **argv, int i, int fallback)
{
	char *end;
	long v;

	if (argc <= i)
		return fallback;
	v = strtol(argv[i], &end, 10);
	if (*end || v < 1 || v > 100000) {
		fprintf(stderr, "hard-load: bad count '%s'\n", argv[i]);
		exit(2);
	}
	return (int)v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Starts LOADER FILTER ARGV..., stdout to /dev/null. */
static pid_t start(char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
			_exit(124);
		close(null);
		execv(loader, argv);
		_exit(124);
	}
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	return pid;
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* The second field of /proc/self/statm: resident pages. */
static long rss_kb(void)
{
	char buf[128] = "";
	const char *space;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	space = len > 0 ? strchr(buf, ' ') : NULL;
	return space ? strtol(space + 1, NULL, 10) * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Kills the processes whose command line holds MARKER, anywhere on the
 * machine (they are strays of this test), and counts them. */
static int kill_marked(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], buf[4096];
		ssize_t len;
		int fd;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (ssize_t i = 0; i < len; i++)
			buf[i] = buf[i] ? buf[i] : ' ';
		buf[len > 0 ? len : 0] = '\0';
		if (strstr(buf, MARKER)) {
			kill((pid_t)strtol(e->d_name, NULL, 10), SIGKILL);
			n++;
		}
	}
	closedir(d);
	return n;
}

/* Every loader has been waited for, and the never-ending strays killed: any
 * child still here was reparented to this subreaper. Waits a second for
 * those still running to end (the short sleeps do), counting them all. */
static void reap_strays(const char *after)
{
	int n = 0, waits = 0;
	pid_t pid;

	while ((pid = waitpid(-1, NULL, WNOHANG)) != -1 && waits < 50) {
		if (pid > 0)
			n++;
		else
			waits++, usleep(20000);
	}
	if (n || pid != -1)
		fail("%d processes left behind as our children after %s%s", n, after,
		     pid != -1 ? ", and some still running" : "");
}

static void load(int instances)
{
	pid_t *pids = calloc((size_t)instances, sizeof(*pids));
	int *want = calloc((size_t)instances, sizeof(*want));
	int done = 0, left;
	double t0 = now();

	if (!pids || !want) {
		fail("out of memory");
		free(pids);
		free(want);
		return;
	}
	for (int i = 0; i < instances; i++) {
		char d[3][16], status[8];
		char *argv[] = { (char *)loader, (char *)filter, "/bin/sh", "-c", (char *)script, "sh",
				 d[0], d[1], d[2], status, NULL };

		for (int k = 0; k < 3; k++)
			snprintf(d[k], sizeof(d[k]), "0.%03u", rnd(200));
		want[i] = i % 10 == 9 ? 128 + (i % 20 == 9 ? SIGTERM : SIGUSR1) : i % 125;
		snprintf(status, sizeof(status), "%d", want[i]);
		pids[i] = start(argv);
	}
	while (done < instances) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		int i;

		if (pid < 0) {
			fail("waitpid: %s after %d of %d loaders", strerror(errno), done, instances);
			break;
		}
		i = 0;
		while (i < instances && pids[i] != pid)
			i++;
		if (i == instances) {
			fail("pid %d, not a loader, became our child (a stray reparented to the subreaper)", pid);
			continue;
		}
		done++;
		if (exit_code(status) != want[i])
			fail("loader %d: status %d, want %d", i, exit_code(status), want[i]);
	}
	printf("hard-load: %d loaders at once, each with 4 children: all done in %.2f s\n", instances,
	       now() - t0);
	if ((left = kill_marked()) != 0)
		fail("%d never-ending children (sleep " MARKER ") outlived their loaders", left);
	reap_strays("the load");
	free(pids);
	free(want);
}

static void soak(int runs)
{
	char *argv[] = { (char *)loader, (char *)filter, "/bin/true", NULL };
	long first_peak = 0, last_peak = 0, rss_start = 0;
	int fds_start = 0, mounts_start = 0;
	double t0 = now();

	for (int i = 0; i < runs; i++) {
		struct rusage ru;
		int status;
		pid_t pid = start(argv);

		if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
			fail("run %d: wait4: %s", i, strerror(errno));
			return;
		}
		if (exit_code(status) != 0) {
			fail("run %d: status %d", i, exit_code(status));
			return;
		}
		/* The first runs settle this process's allocations. */
		if (i == runs / 10) {
			fds_start = count_entries("/proc/self/fd");
			rss_start = rss_kb();
			mounts_start = count_lines("/proc/self/mountinfo");
		}
		if (i < runs / 10 && ru.ru_maxrss > first_peak)
			first_peak = ru.ru_maxrss;
		if (i >= runs - runs / 10 && ru.ru_maxrss > last_peak)
			last_peak = ru.ru_maxrss;
	}
	printf("hard-load: %d runs one after another in %.2f s (%.1f ms each); peak RSS of a run "
	       "(loader and /bin/true) %ld KB in the first tenth, %ld KB in the last\n", runs,
	       now() - t0, (now() - t0) * 1000 / runs, first_peak, last_peak);
	if (count_entries("/proc/self/fd") != fds_start)
		fail("open fds went from %d to %d", fds_start, count_entries("/proc/self/fd"));
	if (rss_kb() > rss_start + RSS_SLACK_KB)
		fail("RSS went from %ld KB to %ld KB", rss_start, rss_kb());
	if (count_lines("/proc/self/mountinfo") != mounts_start)
		fail("mounts went from %d to %d", mounts_start, count_lines("/proc/self/mountinfo"));
	if (last_peak > first_peak + RSS_SLACK_KB)
		fail("the loader's peak RSS grew from %ld KB to %ld KB", first_peak, last_peak);
	reap_strays("the soak");
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: hard-load LOADER FILTER [INSTANCES [RUNS]]\n");
		return 2;
	}
	loader = argv[1];
	filter = argv[2];
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
		perror("PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	load(count_arg(argc, argv, 3, 200));
	soak(count_arg(argc, argv, 4, 1000));
	printf("hard-load: %d failures\n", failures);
	return failures ? 1 : 0;
}
