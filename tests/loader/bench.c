/*
 * loader-bench: start-up-to-exit time of a few commands, interleaved.
 *
 *   loader-bench RUNS WARMUP LABEL CMD [ARG...] [-- LABEL CMD [ARG...]]...
 *
 * Round r runs every command once, starting with command r % K, so that
 * drift (CPU frequency, caches, other load) spreads over all of them alike;
 * WARMUP rounds go first, untimed. A run is posix_spawn() to wait4(), with
 * stdin, stdout and stderr on /dev/null; a run that does not exit 0 stops
 * everything. Prints, per command: mean, median, 90th percentile and minimum
 * in ms, and mean, median and minimum as multiples of the first command's.
 * (No peak RSS: wait4()'s ru_maxrss also counts the pages a child shares with
 * this harness until it execs.)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct cmd {
	const char *label;
	char **argv;
	double *ms;
};

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

static long positive(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0) {
		fprintf(stderr, "loader-bench: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

static double run(struct cmd *c, const posix_spawn_file_actions_t *fa)
{
	double t0 = now_ms();
	pid_t pid;
	int status, err;

	if (!c->argv[0])
		exit(2);        /* main() never lets this happen */
	err = posix_spawn(&pid, c->argv[0], fa, NULL, c->argv, environ);
	if (err) {
		fprintf(stderr, "loader-bench: %s: %s\n", c->argv[0], strerror(err));
		exit(1);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("loader-bench: waitpid");
		exit(1);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "loader-bench: %s: wait status 0x%x\n", c->label, status);
		exit(1);
	}
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	struct cmd cmds[16];
	posix_spawn_file_actions_t fa;
	long runs, warmup;
	int k = 0;
	double base_mean = 0, base_median = 0, base_min = 0, *times;

	if (argc < 5) {
		fputs("usage: loader-bench RUNS WARMUP LABEL CMD [ARG...] [-- LABEL CMD [ARG...]]...\n",
		      stderr);
		return 2;
	}
	runs = positive(argv[1]);
	warmup = positive(argv[2]);
	for (int i = 3; i < argc; k++) {
		/* LABEL, then at least one word of command, up to "--" */
		if (k == 16 || runs == 0 || i + 1 >= argc || strcmp(argv[i + 1], "--") == 0) {
			fputs("loader-bench: bad command list (at most 16 commands)\n", stderr);
			return 2;
		}
		cmds[k].label = argv[i++];
		cmds[k].argv = &argv[i];
		while (i < argc && strcmp(argv[i], "--") != 0)
			i++;
		if (i < argc)
			argv[i++] = NULL;
	}
	times = calloc((size_t)runs * (size_t)k, sizeof(double));
	if (!times) {
		perror("loader-bench");
		return 1;
	}
	for (int j = 0; j < k; j++)
		cmds[j].ms = times + (size_t)runs * (size_t)j;
	posix_spawn_file_actions_init(&fa);
	for (int fd = 0; fd < 3; fd++)
		posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);

	for (long r = 0; r < warmup + runs; r++)
		for (int j = 0; j < k; j++) {
			struct cmd *c = &cmds[(r + j) % k];
			double ms = run(c, &fa);

			if (r >= warmup)
				c->ms[r - warmup] = ms;
		}

	printf("%-68s %7s %7s %7s %7s %7s %7s %7s\n", "command", "mean", "median", "p90", "min",
	       "x mean", "x med", "x min");
	for (int j = 0; j < k; j++) {
		struct cmd *c = &cmds[j];
		double sum = 0, mean, median;

		qsort(c->ms, (size_t)runs, sizeof(double), cmp_double);
		for (long i = 0; i < runs; i++)
			sum += c->ms[i];
		mean = sum / (double)runs;
		median = c->ms[runs / 2];
		if (j == 0) {
			base_mean = mean;
			base_median = median;
			base_min = c->ms[0];
		}
		printf("%-68s %7.3f %7.3f %7.3f %7.3f %7.2f %7.2f %7.2f\n", c->label, mean, median,
		       c->ms[runs * 9 / 10], c->ms[0], mean / base_mean, median / base_median,
		       c->ms[0] / base_min);
	}
	free(times);
	return 0;
}
