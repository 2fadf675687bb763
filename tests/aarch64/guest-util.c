/* guest-util: small helpers for the aarch64 guest of scripts/test-aarch64.sh,
 * where busybox is all there is. Cross-compiled, static.
 *
 *   guest-util asuser UID GID COMMAND [ARG...]
 *       drop every supplementary group, set real/effective/saved gid and uid,
 *       then execvp COMMAND (as root this also empties the capability sets).
 *   guest-util timeout SECONDS COMMAND [ARG...]
 *       run COMMAND as a child; after SECONDS kill it with SIGKILL and exit 124.
 *       Otherwise exit with its status, or 128+N when signal N killed it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	execvp(argv[2], argv + 2);
	fprintf(stderr, "guest-util: %s: %s\n", argv[2], strerror(errno));
	return errno == ENOENT ? 127 : 126;
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
	fprintf(stderr, "usage: guest-util asuser UID GID COMMAND [ARG...]\n"
			"       guest-util timeout SECONDS COMMAND [ARG...]\n");
	return 125;
}
