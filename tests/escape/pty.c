/* escape-pty COMMAND [ARG...]: runs COMMAND as the leader of a new session
 * whose controlling terminal is a new pty (stdin is the pty; stdout and
 * stderr stay as they are), as a shell on a terminal would have it. The
 * terminal is raw, so that every byte pushed into its input (TIOCSTI) stays
 * readable. When COMMAND is done, it reads what is waiting there and prints
 * "PTY injected=N" (and the bytes), the outer side's proof. Exits with
 * COMMAND's status (128+N for signal N). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void fail(const char *what)
{
	fprintf(stderr, "escape-pty: %s: %s\n", what, strerror(errno));
	exit(125);
}

int main(int argc, char **argv)
{
	struct termios raw;
	char input[512], *name;
	ssize_t n, total = 0;
	int master, slave, status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: escape-pty COMMAND [ARG...]\n");
		return 2;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 || !(name = ptsname(master)))
		fail("pty");
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		fail(name);
	if (tcgetattr(slave, &raw) < 0)
		fail("tcgetattr");
	cfmakeraw(&raw);
	if (tcsetattr(slave, TCSANOW, &raw) < 0)
		fail("tcsetattr");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, STDIN_FILENO) < 0)
			fail("making the pty the controlling terminal");
		execvp(argv[1], &argv[1]);
		fail(argv[1]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	/* Whatever reached the terminal's input, nobody has read. */
	if (fcntl(slave, F_SETFL, O_NONBLOCK) < 0)
		fail("fcntl");
	while (total < (ssize_t)sizeof(input) - 1 &&
	       (n = read(slave, input + total, sizeof(input) - 1 - (size_t)total)) > 0)
		total += n;
	input[total] = '\0';
	for (char *p = input; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = '.';
	printf("PTY injected=%zd%s%s\n", total, total ? " " : "", input);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
