/*
 * loader-bench: start-up-to-exit time of a few commands, interleaved, with
 * each command's overhead over a baseline and its ratios to a reference.
 *
 *   loader-bench RUNS WARMUP SPEC [:: SPEC]...
 *   SPEC: [-u UID] [-b N] [-r N] [-n] LABEL CMD [ARG...]
 *
 *   -u UID  run CMD as UID, with the group of the same number and no
 *           supplementary groups (the harness must be root)
 *   -b N    the baseline of this command: command N (1-based); the overhead
 *           is this command's time minus N's, taken round by round
 *   -r N    the reference: the overhead ratio is this command's overhead over
 *           N's (each over its own baseline), the total ratio its time over N's
 *   -n      no CPU figures for this command: some of its descendants are not
 *           reaped by the process the harness waits for (bwrap: its CPU time
 *           is the same whatever the payload), so wait4 never counts theirs
 *
 * Round r runs every command once, starting with command r % K, so that
 * drift (CPU frequency, caches, other load) hits all of them alike; WARMUP
 * rounds go first, untimed. A run is clone(CLONE_VM|CLONE_VFORK) to wait4(),
 * with stdin, stdout and stderr on /dev/null; a run that does not exit 0
 * stops everything (a broken setup, never a figure).
 *
 * Prints per command, in ms: the median, the interquartile range and the
 * 90th percentile of its wall-clock times, and the median of its CPU times
 * (user + system of the command and every descendant it reaped, from wait4:
 * the work done, which waiting for a busy CPU does not inflate); the median
 * of its per-round overheads; and the ratios, with a 95% interval from 2000
 * bootstrap resamples of the rounds (a fixed seed: the same times give the
 * same interval).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 48
#define RESAMPLES 2000
#define CHILD_STACK (64 * 1024)

struct cmd {
	const char *label;
	char **argv;
	long uid;               /* -1: the harness's own */
	int base, ref;          /* 0-based; -1: none */
	int no_cpu;             /* -n */
	double *ms[2];          /* WALL and CPU: one time per round */
};

enum { WALL, CPU };

struct spawn {
	const struct cmd *cmd;
	int null_fd;
};

static struct cmd cmds[MAX_CMDS];
static int n_cmds;
static long runs;

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static _Noreturn void usage(const char *why)
{
	fprintf(stderr, "loader-bench: %s\n"
		"usage: loader-bench RUNS WARMUP SPEC [:: SPEC]...\n"
		"       SPEC: [-u UID] [-b N] [-r N] [-n] LABEL CMD [ARG...]\n", why);
	exit(2);
}

static long number(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno || v < 0 || v > max)
		usage("not a number in range");
	return v;
}

/* The child of clone(CLONE_VM|CLONE_VFORK): it shares the harness's memory
 * until execve, so it calls only raw system calls and never returns. */
static int child(void *arg)
{
	const struct spawn *s = arg;
	long uid = s->cmd->uid;

	for (int fd = 0; fd < 3; fd++)
		if (dup2(s->null_fd, fd) < 0)
			_exit(120);
	if (uid >= 0 && (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, uid, uid, uid) < 0 ||
			 syscall(SYS_setresuid, uid, uid, uid) < 0))
		_exit(121);
	execve(s->cmd->argv[0], s->cmd->argv, environ);
	_exit(122);
}

static double tv_ms(struct timeval tv)
{
	return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

/* One run of c: its wall-clock time and its CPU time, in ms. */
static void run(const struct cmd *c, int null_fd, double out[2])
{
	static char stack[CHILD_STACK] __attribute__((aligned(16)));
	struct spawn s = { c, null_fd };
	struct rusage ru;
	double t0 = now_ms();
	int status;
	pid_t pid = clone(child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, &s);

	if (pid < 0) {
		perror("loader-bench: clone");
		exit(1);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("loader-bench: wait4");
		exit(1);
	}
	out[WALL] = now_ms() - t0;
	out[CPU] = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "loader-bench: %s: wait status 0x%x (%s)\n", c->label, (unsigned)status,
			WIFEXITED(status) && WEXITSTATUS(status) >= 120 && WEXITSTATUS(status) <= 122 ?
			"dup2, uid change or execve failed in the harness's child" : "the command failed");
		exit(1);
	}
}

/* The q-quantile (0..1) of n values, which it sorts. */
static double quantile(double *v, long n, double q)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[(long)(q * (double)(n - 1) + 0.5)];
}

/* xorshift64: the bootstrap needs reproducible indices, not good randomness. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* The median over the rounds idx[0..n) of command c's time (kind: WALL or
 * CPU) minus command base's in the same round (base < 0: the time itself). */
static double median_over(int kind, const int *idx, long n, int c, int base, double *scratch)
{
	for (long i = 0; i < n; i++)
		scratch[i] = cmds[c].ms[kind][idx[i]] - (base >= 0 ? cmds[base].ms[kind][idx[i]] : 0);
	return quantile(scratch, n, 0.5);
}

/* The overhead ratio (over=1) or total ratio (over=0) of c to its
 * reference, on the rounds idx. */
static double ratio(int kind, const int *idx, long n, const struct cmd *c, int over, double *scratch)
{
	const struct cmd *r = &cmds[c->ref];
	int ci = (int)(c - cmds);

	if (over)
		return median_over(kind, idx, n, ci, c->base, scratch) /
		       median_over(kind, idx, n, c->ref, r->base, scratch);
	return median_over(kind, idx, n, ci, -1, scratch) / median_over(kind, idx, n, c->ref, -1, scratch);
}

/* The ratio on all rounds, and its 2.5% and 97.5% bootstrap quantiles. */
static void ratio_interval(int kind, const struct cmd *c, int over, int *idx, double *scratch,
			   double *boot, double out[3])
{
	uint64_t state = 0x9e3779b97f4a7c15ull;

	for (long i = 0; i < runs; i++)
		idx[i] = (int)i;
	out[0] = ratio(kind, idx, runs, c, over, scratch);
	for (int b = 0; b < RESAMPLES; b++) {
		for (long i = 0; i < runs; i++)
			idx[i] = (int)(next_random(&state) % (uint64_t)runs);
		boot[b] = ratio(kind, idx, runs, c, over, scratch);
	}
	out[1] = quantile(boot, RESAMPLES, 0.025);
	out[2] = quantile(boot, RESAMPLES, 0.975);
}

static void report(void)
{
	int *idx = calloc((size_t)runs, sizeof(*idx));
	double *scratch = calloc((size_t)runs, sizeof(*scratch));
	double *boot = calloc(RESAMPLES, sizeof(*boot));

	if (!idx || !scratch || !boot) {
		perror("loader-bench");
		exit(1);
	}
	for (long i = 0; i < runs; i++)
		idx[i] = (int)i;
	printf("%-2s %-50s %6s %13s %6s %6s %11s %18s %18s %18s\n", "#", "command (ms; ratios: median [95%])",
	       "median", "p25..p75", "p90", "cpu", "over(base)", "overhead/ref", "total/ref", "cpu over/ref");
	for (int j = 0; j < n_cmds; j++) {
		const struct cmd *c = &cmds[j];
		double t[4];
		char over[32] = "", cpu[16] = "-", col[3][40] = { "", "", "" };
		int cpu_ratio = !c->no_cpu && c->ref >= 0 && !cmds[c->ref].no_cpu && c->base >= 0 &&
				!cmds[c->base].no_cpu && cmds[c->ref].base >= 0 && !cmds[cmds[c->ref].base].no_cpu;

		for (long i = 0; i < runs; i++)
			scratch[i] = c->ms[WALL][i];
		t[0] = quantile(scratch, runs, 0.5);
		t[1] = quantile(scratch, runs, 0.25);
		t[2] = quantile(scratch, runs, 0.75);
		t[3] = quantile(scratch, runs, 0.9);
		if (!c->no_cpu)
			snprintf(cpu, sizeof(cpu), "%.3f", median_over(CPU, idx, runs, j, -1, scratch));
		if (c->base >= 0)
			snprintf(over, sizeof(over), "%.3f (%d)", median_over(WALL, idx, runs, j, c->base, scratch),
				 c->base + 1);
		if (c->ref >= 0 && c->ref != j) {
			double r[3];

			if (c->base >= 0 && cmds[c->ref].base >= 0) {
				ratio_interval(WALL, c, 1, idx, scratch, boot, r);
				snprintf(col[0], sizeof(col[0]), "%.2f [%.2f-%.2f]", r[0], r[1], r[2]);
			}
			if (cpu_ratio) {
				ratio_interval(CPU, c, 1, idx, scratch, boot, r);
				snprintf(col[2], sizeof(col[2]), "%.2f [%.2f-%.2f]", r[0], r[1], r[2]);
			}
			ratio_interval(WALL, c, 0, idx, scratch, boot, r);
			snprintf(col[1], sizeof(col[1]), "%.2f [%.2f-%.2f]", r[0], r[1], r[2]);
			for (long i = 0; i < runs; i++)
				idx[i] = (int)i;
		}
		printf("%-2d %-50.50s %6.3f %6.3f..%-6.3f %6.3f %6s %11s %18s %18s %18s\n", j + 1, c->label,
		       t[0], t[1], t[2], t[3], cpu, over, col[0], col[1], col[2]);
	}
	free(idx);
	free(scratch);
	free(boot);
}

/* Parses SPEC [:: SPEC]... from argv[i]; each SPEC's words end in NULL. */
static void parse(int argc, char **argv, int i)
{
	while (i < argc) {
		struct cmd *c;

		if (n_cmds == MAX_CMDS)
			usage("too many commands");
		c = &cmds[n_cmds++];
		*c = (struct cmd){ .uid = -1, .base = -1, .ref = -1 };
		for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
			if (strcmp(argv[i], "-n") == 0) {
				c->no_cpu = 1;
				i--;
			} else if (strcmp(argv[i], "-u") == 0)
				c->uid = number(argv[i + 1], 0x7fffffff);
			else if (strcmp(argv[i], "-b") == 0)
				c->base = (int)number(argv[i + 1], MAX_CMDS) - 1;
			else if (strcmp(argv[i], "-r") == 0)
				c->ref = (int)number(argv[i + 1], MAX_CMDS) - 1;
			else
				usage("unknown SPEC option");
		}
		if (i + 1 >= argc || strcmp(argv[i + 1], "::") == 0)
			usage("a SPEC needs a LABEL and a CMD");
		c->label = argv[i++];
		c->argv = &argv[i];
		while (i < argc && strcmp(argv[i], "::") != 0)
			i++;
		if (i < argc)
			argv[i++] = NULL;
	}
	for (int j = 0; j < n_cmds; j++)
		if (cmds[j].base >= n_cmds || cmds[j].ref >= n_cmds || cmds[j].base == j)
			usage("-b or -r names no other command");
}

int main(int argc, char **argv)
{
	double *times;
	long warmup;
	int null_fd;

	if (argc < 5)
		usage("too few arguments");
	runs = number(argv[1], 1000000);
	warmup = number(argv[2], 1000000);
	if (runs < 2)
		usage("RUNS must be at least 2");
	parse(argc, argv, 3);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0) {
		perror("loader-bench: /dev/null");
		return 1;
	}
	times = calloc((size_t)runs * (size_t)n_cmds * 2, sizeof(*times));
	if (!times) {
		perror("loader-bench");
		return 1;
	}
	for (int j = 0; j < n_cmds; j++) {
		cmds[j].ms[WALL] = times + (size_t)runs * (size_t)(2 * j);
		cmds[j].ms[CPU] = times + (size_t)runs * (size_t)(2 * j + 1);
	}

	for (long r = 0; r < warmup + runs; r++)
		for (int j = 0; j < n_cmds; j++) {
			struct cmd *c = &cmds[(r + j) % n_cmds];
			double t[2];

			run(c, null_fd, t);
			if (r >= warmup) {
				c->ms[WALL][r - warmup] = t[WALL];
				c->ms[CPU][r - warmup] = t[CPU];
			}
		}
	report();
	free(times);
	return 0;
}
