/* guest-util: small helpers for the aarch64 guest of scripts/test-aarch64.sh,
 * where busybox is all there is. Cross-compiled, static.
 *
 *   guest-util asuser UID GID COMMAND [ARG...]
 *       drop every supplementary group, set real/effective/saved gid and uid,
 *       then execvp COMMAND (as root this also empties the capability sets).
 *   guest-util timeout SECONDS COMMAND [ARG...]
 *       run COMMAND as a child; after SECONDS kill it with SIGKILL and exit 124.
 *       Otherwise exit with its status, or 128+N when signal N killed it.
 *   guest-util caps KEEP COMMAND [ARG...]
 *       drop every capability but KEEP ("none", or capability numbers joined
 *       by commas) from the bounding set, empty the inheritable and ambient
 *       sets, then execvp COMMAND: uid 0 then execs with exactly KEEP (as
 *       bwrap --cap-drop ALL --cap-add ... leaves it).
 *   guest-util seccomp BLOB COMMAND [ARG...]
 *       set no_new_privs, install the raw filter BLOB with seccomp(2), then
 *       execvp COMMAND, which keeps the caller's capabilities: a filter's
 *       answer to calls that the kernel refuses to callers without them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long number(const char *what, const char *s)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || errno) {
		fprintf(stderr, "guest-util: bad %s '%s'\n", what, s);
		exit(125);
	}
	return v;
}

static int run(char **argv)
{
	execvp(argv[0], argv);
	fprintf(stderr, "guest-util: %s: %s\n", argv[0], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

static int fail(const char *what)
{
	fprintf(stderr, "guest-util: %s: %s\n", what, strerror(errno));
	return 125;
}

static int asuser(char **argv)
{
	uid_t uid = (uid_t)number("uid", argv[0]);
	gid_t gid = (gid_t)number("gid", argv[1]);
	if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		fprintf(stderr, "guest-util: cannot become %lu:%lu: %s\n",
			(unsigned long)uid, (unsigned long)gid, strerror(errno));
		return 125;
	}
	return run(argv + 2);
}

/* Whether capability cap is in KEEP ("none" or numbers joined by commas). */
static int kept(const char *keep, unsigned long cap)
{
	char list[256], *save = NULL;

	if (!strcmp(keep, "none"))
		return 0;
	snprintf(list, sizeof(list), "%s", keep);
	for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save))
		if (number("capability", c) == cap)
			return 1;
	return 0;
}

static int caps(char **argv)
{
	struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	for (unsigned long cap = 0; cap < 64; cap++) {
		if (kept(argv[0], cap) || prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL)
			break;  /* past the kernel's last capability */
		return fail("prctl(PR_CAPBSET_DROP)");
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return fail("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	if (syscall(SYS_capget, &head, data) < 0)
		return fail("capget");
	data[0].inheritable = data[1].inheritable = 0;
	if (syscall(SYS_capset, &head, data) < 0)
		return fail("capset");
	return run(argv + 1);
}

static int install(char **argv)
{
	static struct sock_filter insns[BPF_MAXINSNS + 1];
	struct sock_fprog prog = { 0, insns };
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return fail(argv[0]);
	n = read(fd, insns, sizeof(insns));
	if (n < 0)
		return fail(argv[0]);
	close(fd);
	if (n == 0 || n % sizeof(insns[0]) || n > BPF_MAXINSNS * (ssize_t)sizeof(insns[0])) {
		fprintf(stderr, "guest-util: %s: not a blob of 1 to %d instructions\n", argv[0], BPF_MAXINSNS);
		return 125;
	}
	prog.len = (unsigned short)(n / sizeof(insns[0]));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail("prctl(PR_SET_NO_NEW_PRIVS)");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return fail("seccomp(SECCOMP_SET_MODE_FILTER)");
	return run(argv + 1);
}

static pid_t child;

static void on_alarm(int sig)
{
	(void)sig;
	kill(child, SIGKILL);
	static const char msg[] = "guest-util: timeout, killed the command\n";
	ssize_t r = write(2, msg, sizeof msg - 1);
	(void)r;
	_exit(124);
}

static int timeout(char **argv)
{
	unsigned secs = (unsigned)number("seconds", argv[0]);
	child = fork();
	if (child < 0) {
		perror("guest-util: fork");
		return 125;
	}
	if (child == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "guest-util: %s: %s\n", argv[1], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	signal(SIGALRM, on_alarm);
	alarm(secs);
	int st;
	while (waitpid(child, &st, 0) < 0) {
		if (errno != EINTR) {
			perror("guest-util: waitpid");
			return 125;
		}
	}
	alarm(0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "asuser"))
		return asuser(argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "timeout"))
		return timeout(argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "caps"))
		return caps(argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "seccomp"))
		return install(argv + 2);
	fprintf(stderr, "usage: guest-util asuser UID GID COMMAND [ARG...]\n"
			"       guest-util timeout SECONDS COMMAND [ARG...]\n"
			"       guest-util caps none|CAP[,CAP...] COMMAND [ARG...]\n"
			"       guest-util seccomp BLOB COMMAND [ARG...]\n");
	return 125;
}
