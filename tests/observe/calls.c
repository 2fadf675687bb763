/*
 * observe-calls: makes the file-changing calls that apply-seccomp's write
 * observer reports, each as a raw syscall (libc may pick another one), so
 * that the events of two observers can be compared call for call. Static,
 * libc only; the aarch64 guest runs it too. Prints nothing; exits 0 once every
 * call was made, whatever each one returned (the observer reports attempts).
 *
 *   observe-calls every DIR     each observed call once or more, in DIR (an
 *                               empty directory): relative to the cwd, to a
 *                               dirfd, absolute, through AT_EMPTY_PATH and a
 *                               NULL path, and an openat() for reading (not
 *                               observed); see every() for the list
 *   observe-calls weird DIR     files whose names hold a quote, a backslash,
 *                               control bytes, invalid UTF-8, valid UTF-8, and
 *                               paths of 4095 bytes and of 4096 (which the
 *                               kernel refuses with ENAMETOOLONG)
 *   observe-calls loop DIR N    N times: create DIR/f (openat O_CREAT), unlink it
 *   observe-calls latency DIR N as loop, timing each call: prints the median,
 *                               99th percentile and maximum, in ns, of the 2N
 *                               openat() and unlinkat() calls
 *   observe-calls threads DIR N N threads, each creating and unlinking one file
 *                               (the notification's pid is the thread's id)
 *   observe-calls mkdir PATH    one mkdirat(AT_FDCWD, PATH); prints ok or the errno
 *   observe-calls hold PATH     creates PATH, then waits for a line on stdin
 *                               before it exits (a caller that stalls)
 *   observe-calls victim DIR    for observe-reuse (reuse.c), in DIR: creates
 *                               "control"; forks a child that creates "victim"
 *                               (relative name, in a static buffer) and reaps
 *                               it, printing "reaped"; on a line on stdin forks
 *                               an impostor, which writes "impostor" into the
 *                               same buffer, moves to DIR/impostor-dir and
 *                               prints "impostor"; on the next line ends it
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452      /* Linux 6.6, the same number on both targets */
#endif

/* Whatever a call returns, a new fd is closed again. */
static void fd_done(long r)
{
	if (r >= 0)
		close((int)r);
}

static int dir_fd(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "observe-calls: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

/* Every observed call. Comments name the event(s) each one should give. */
static void every(void)
{
	struct open_how how = { .flags = O_WRONLY | O_CREAT, .mode = 0600 };
	int sub, file;

	syscall(SYS_mkdirat, AT_FDCWD, "sub", 0755);                              /* DIR/sub */
	sub = dir_fd("sub");
	fd_done(syscall(SYS_openat, AT_FDCWD, "o1", O_WRONLY | O_CREAT, 0600));   /* DIR/o1 */
	fd_done(syscall(SYS_openat, sub, "o2", O_RDWR | O_CREAT, 0600));           /* DIR/sub/o2 */
	fd_done(syscall(SYS_openat, AT_FDCWD, "o1", O_RDONLY));                   /* none */
	fd_done(syscall(SYS_openat, AT_FDCWD, "o1", O_WRONLY | O_APPEND));        /* DIR/o1 */
	fd_done(syscall(SYS_openat, AT_FDCWD, "o1", O_WRONLY | O_TRUNC));         /* DIR/o1 */
	fd_done(syscall(SYS_openat, sub, "../sub/./o3", O_WRONLY | O_CREAT, 0600)); /* DIR/sub/../sub/./o3 */
	fd_done(syscall(SYS_openat2, sub, "o4", &how, sizeof(how)));             /* DIR/sub/o4 */
	fd_done(syscall(SYS_openat, AT_FDCWD, "missing/o5", O_WRONLY | O_CREAT, 0600)); /* DIR/missing/o5 */
	syscall(SYS_mkdirat, AT_FDCWD, "d1", 0755);                               /* DIR/d1 */
	syscall(SYS_mkdirat, sub, "d2", 0755);                                    /* DIR/sub/d2 */
	syscall(SYS_mknodat, sub, "n1", S_IFIFO | 0600, 0);                       /* DIR/sub/n1 */
	syscall(SYS_symlinkat, "o1", sub, "s1");                                  /* DIR/sub/s1 */
	syscall(SYS_linkat, AT_FDCWD, "o1", sub, "h1", 0);                        /* DIR/o1, DIR/sub/h1 */
	syscall(SYS_renameat2, sub, "h1", AT_FDCWD, "r1", 0);                     /* DIR/sub/h1, DIR/r1 */
	syscall(SYS_fchmodat, sub, "o2", 0640);                                   /* DIR/sub/o2 */
	syscall(SYS_fchownat, AT_FDCWD, "r1", -1, -1, 0);                         /* DIR/r1 */
	syscall(SYS_utimensat, sub, "o2", NULL, 0);                               /* DIR/sub/o2 */
	file = open("o1", O_RDONLY | O_CLOEXEC);
	syscall(SYS_fchownat, file, "", -1, -1, AT_EMPTY_PATH);                   /* DIR/o1 */
	syscall(SYS_utimensat, file, NULL, NULL, 0);                              /* DIR/o1 */
	close(file);
	syscall(SYS_unlinkat, sub, "s1", 0);                                      /* DIR/sub/s1 */
	syscall(SYS_unlinkat, AT_FDCWD, "d1", AT_REMOVEDIR);                      /* DIR/d1 */
#ifdef SYS_renameat
	syscall(SYS_renameat, AT_FDCWD, "r1", sub, "r2");                         /* DIR/r1, DIR/sub/r2 */
#endif
	syscall(SYS_fchmodat2, sub, "o2", 0600, 0);                               /* DIR/sub/o2 */
#ifdef SYS_open
	/* x86_64's calls without a dirfd. */
	fd_done(syscall(SYS_open, "x1", O_WRONLY | O_CREAT, 0600));               /* DIR/x1 */
	fd_done(syscall(SYS_open, "x1", O_RDONLY));                               /* none */
	fd_done(syscall(SYS_creat, "sub/x2", 0600));                              /* DIR/sub/x2 */
	syscall(SYS_mkdir, "xd", 0755);                                           /* DIR/xd */
	syscall(SYS_rmdir, "xd");                                                 /* DIR/xd */
	syscall(SYS_mknod, "xn", S_IFIFO | 0600, 0);                              /* DIR/xn */
	syscall(SYS_symlink, "x1", "xs");                                         /* DIR/xs */
	syscall(SYS_link, "x1", "xh");                                            /* DIR/x1, DIR/xh */
	syscall(SYS_rename, "xh", "xr");                                          /* DIR/xh, DIR/xr */
	syscall(SYS_truncate, "x1", 0);                                           /* DIR/x1 */
	syscall(SYS_chmod, "x1", 0600);                                           /* DIR/x1 */
	syscall(SYS_chown, "x1", -1, -1);                                         /* DIR/x1 */
	syscall(SYS_lchown, "xs", -1, -1);                                        /* DIR/xs */
	syscall(SYS_utime, "x1", NULL);                                           /* DIR/x1 */
	syscall(SYS_utimes, "x1", NULL);                                          /* DIR/x1 */
	syscall(SYS_unlink, "xr");                                                /* DIR/xr */
#endif
	if (chdir("sub") < 0)
		exit(1);
	fd_done(syscall(SYS_openat, AT_FDCWD, "c1", O_WRONLY | O_CREAT, 0600));   /* DIR/sub/c1 */
	if (chdir("/") < 0)
		exit(1);
	fd_done(syscall(SYS_openat, AT_FDCWD, "tmp/../tmp", O_WRONLY));           /* /tmp/../tmp */
	close(sub);
}

static void weird(void)
{
	static const char *const names[] = {
		"quote\"d", "back\\slash", "tab\tnl\ncr\r", "ctl\001\037\177", "bad\377\376utf8",
		"trunc\342\202", "sur\355\240\200", "\303\251t\303\251 \360\237\230\200", "over\300\257long",
	};
	static char path[4100];
	size_t len;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		fd_done(syscall(SYS_openat, AT_FDCWD, names[i], O_WRONLY | O_CREAT, 0600));
	/* 4095 bytes: the longest path the kernel takes. Its directories do
	 * not exist: the call fails, and is reported all the same. */
	for (len = 0; len + 101 < 4095; len += 101) {
		memset(path + len, 'p', 100);
		path[len + 100] = '/';
	}
	memset(path + len, 'q', 4095 - len);
	path[4095] = '\0';
	fd_done(syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT, 0600));
	/* 4096 bytes and no end in sight: ENAMETOOLONG. */
	path[4095] = 'q';
	path[4096] = 'q';
	path[4097] = '\0';
	fd_done(syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT, 0600));
}

static void loop(long n)
{
	for (long i = 0; i < n; i++) {
		long fd = syscall(SYS_openat, AT_FDCWD, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0 || close((int)fd) < 0 || syscall(SYS_unlinkat, AT_FDCWD, "f", 0) < 0) {
			fprintf(stderr, "observe-calls: loop %ld: %s\n", i, strerror(errno));
			exit(1);
		}
	}
}

/* At one address in the victim and in the impostor, both forks of one process. */
static char victim_name[32] __attribute__((aligned(32)));

static void say(const char *word)
{
	if (printf("%s\n", word) < 0 || fflush(stdout) != 0)
		exit(1);
}

static void victim(void)
{
	char line[16];
	pid_t child, impostor;
	int status;

	snprintf(victim_name, sizeof(victim_name), "control");
	fd_done(syscall(SYS_openat, AT_FDCWD, victim_name, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	child = fork();
	if (child == 0) {
		snprintf(victim_name, sizeof(victim_name), "victim");
		fd_done(syscall(SYS_openat, AT_FDCWD, victim_name, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
		_exit(0);
	}
	if (child < 0 || waitpid(child, &status, 0) != child)
		exit(1);
	say("reaped");
	if (!fgets(line, sizeof(line), stdin))
		exit(1);
	impostor = fork();
	if (impostor == 0) {
		snprintf(victim_name, sizeof(victim_name), "impostor");
		if (chdir("impostor-dir") < 0)
			_exit(1);
		say("impostor");
		pause();
		_exit(0);
	}
	if (impostor < 0 || !fgets(line, sizeof(line), stdin) || kill(impostor, SIGKILL) < 0 ||
	    waitpid(impostor, &status, 0) != impostor)
		exit(1);
}

static long ns_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000000000L + (t.tv_nsec - t0->tv_nsec);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static void latency(long n)
{
	long *ns = calloc((size_t)(2 * n), sizeof(long));
	struct timespec t0;

	if (!ns)
		exit(1);
	for (long i = 0; i < n; i++) {
		long fd;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		fd = syscall(SYS_openat, AT_FDCWD, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		ns[2 * i] = ns_since(&t0);
		if (fd < 0 || close((int)fd) < 0)
			exit(1);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (syscall(SYS_unlinkat, AT_FDCWD, "f", 0) < 0)
			exit(1);
		ns[2 * i + 1] = ns_since(&t0);
	}
	qsort(ns, (size_t)(2 * n), sizeof(long), cmp_long);
	printf("%ld %ld %ld\n", ns[n], ns[(2 * n * 99) / 100], ns[2 * n - 1]);
	free(ns);
}

static void *thread_main(void *arg)
{
	char name[32];

	snprintf(name, sizeof(name), "t%ld", *(const long *)arg);
	fd_done(syscall(SYS_openat, AT_FDCWD, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	syscall(SYS_unlinkat, AT_FDCWD, name, 0);
	return NULL;
}

static void threads(long n)
{
	static long ids[64];
	pthread_t t[64];

	if (n < 1 || n > 64)
		exit(2);
	for (long i = 0; i < n; i++) {
		ids[i] = i;
		if (pthread_create(&t[i], NULL, thread_main, &ids[i]) != 0)
			exit(1);
	}
	for (long i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

/* N of the command line: a count, at least 1. */
static long count(const char *text)
{
	char *end;
	long n = strtol(text, &end, 10);

	if (*end || n < 1)
		exit(2);
	return n;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "mkdir") == 0) {
		if (syscall(SYS_mkdirat, AT_FDCWD, argv[2], 0755) < 0) {
			printf("%s\n", errno == EACCES ? "EACCES" : errno == EPERM ? "EPERM" : strerror(errno));
			return 0;
		}
		puts("ok");
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "hold") == 0) {
		char line[16];

		fd_done(syscall(SYS_openat, AT_FDCWD, argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
		return fgets(line, sizeof(line), stdin) ? 0 : 1;
	}
	if (argc < 3 || chdir(argv[2]) < 0) {
		fprintf(stderr, "usage: observe-calls every|weird|victim|loop|latency|threads DIR [N]\n");
		return 2;
	}
	if (argc == 3 && strcmp(argv[1], "every") == 0)
		every();
	else if (argc == 3 && strcmp(argv[1], "victim") == 0)
		victim();
	else if (argc == 3 && strcmp(argv[1], "weird") == 0)
		weird();
	else if (argc == 4 && strcmp(argv[1], "loop") == 0)
		loop(count(argv[3]));
	else if (argc == 4 && strcmp(argv[1], "latency") == 0)
		latency(count(argv[3]));
	else if (argc == 4 && strcmp(argv[1], "threads") == 0)
		threads(count(argv[3]));
	else
		return 2;
	return 0;
}
