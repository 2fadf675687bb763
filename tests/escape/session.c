/* escape-session DESC TOKEN COMMAND [ARG...]: joins a new anonymous session
 * keyring (the machine's own keyrings are never touched), puts a "user" key
 * DESC holding TOKEN into it, and execs COMMAND inside that session. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: escape-session DESC TOKEN COMMAND [ARG...]\n");
		return 2;
	}
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL, 0, 0, 0) < 0) {
		fprintf(stderr, "escape-session: KEYCTL_JOIN_SESSION_KEYRING: %s\n", strerror(errno));
		return 125;
	}
	if (syscall(SYS_add_key, "user", argv[1], argv[2], strlen(argv[2]),
		    KEY_SPEC_SESSION_KEYRING) < 0) {
		fprintf(stderr, "escape-session: add_key: %s\n", strerror(errno));
		return 125;
	}
	execvp(argv[3], &argv[3]);
	fprintf(stderr, "escape-session: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
