/*
 * escape-attack: a hostile command. Run inside the sandbox, it tries every
 * way out that the escape suite knows (tests/escape/run.sh sets up the real
 * targets outside) and prints one machine-readable line per attack:
 *
 *   ESCAPE-ID pid=N ppid=N parent=COMM loader=PATH filters=N uid=N ...
 *   ESCAPE NAME BLOCKED by what
 *   ESCAPE NAME OPEN what got through
 *   ESCAPE-END N
 *
 * An attack is OPEN when it reached its target (a daemon's token, the
 * secret, a write, a capability, a process outside) and also on any outcome
 * it did not expect: only a refusal it can name counts as BLOCKED.
 *
 *   escape-attack CONF [GROUP...]   the attacks, all groups or those named
 *   escape-attack --proofs          the kernel's answers to the proof calls
 *                                   (run unfiltered, without capabilities)
 *   escape-attack --handle FILE     FILE's handle, for the configuration
 *
 * Static, libc only; raw syscall numbers from <sys/syscall.h>, so that it
 * cross-builds for aarch64 (the x32 and int 0x80 attacks are x86_64's).
 */
#define _GNU_SOURCE
#include "attack.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_KEYS 64

static struct {
	char *key, *value;
} entries[MAX_KEYS];
static size_t n_entries;
static unsigned n_reported;

static void __attribute__((format(printf, 3, 0)))
report(const char *name, const char *verdict, const char *fmt, va_list ap)
{
	char text[4096];

	vsnprintf(text, sizeof(text), fmt, ap);
	/* One line per attack, whatever the details hold. */
	for (char *p = text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	printf("ESCAPE %s %s %s\n", name, verdict, text);
	fflush(stdout);
	n_reported++;
}

void blocked(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(name, "BLOCKED", fmt, ap);
	va_end(ap);
}

void open_door(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(name, "OPEN", fmt, ap);
	va_end(ap);
}

const char *conf(const char *key)
{
	for (size_t i = 0; i < n_entries; i++)
		if (strcmp(entries[i].key, key) == 0)
			return entries[i].value;
	return NULL;
}

const char *conf_need(const char *name, const char *key)
{
	const char *value = conf(key);

	if (!value)
		open_door(name, "set-up broken: no %s in the configuration", key);
	return value;
}

static void load_conf(const char *path)
{
	static char text[16384];
	long n = read_small(path, text, sizeof(text));

	if (n < 0) {
		fprintf(stderr, "escape-attack: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	for (char *line = strtok(text, "\n"); line && n_entries < MAX_KEYS; line = strtok(NULL, "\n")) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		entries[n_entries].key = line;
		entries[n_entries].value = eq + 1;
		n_entries++;
	}
}

const char *errname(int err)
{
	static const struct {
		int num;
		const char *name;
	} names[] = {
		{ 0, "success" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
		{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { EBADF, "EBADF" }, { ECHILD, "ECHILD" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
		{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },
		{ ENOTTY, "ENOTTY" }, { ENOSPC, "ENOSPC" }, { EROFS, "EROFS" },
		{ ENOSYS, "ENOSYS" }, { ELOOP, "ELOOP" }, { ENODATA, "ENODATA" },
		{ EUSERS, "EUSERS" }, { ENOTSOCK, "ENOTSOCK" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ EPROTONOSUPPORT, "EPROTONOSUPPORT" }, { ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" },
		{ EAFNOSUPPORT, "EAFNOSUPPORT" }, { EADDRNOTAVAIL, "EADDRNOTAVAIL" },
		{ ECONNREFUSED, "ECONNREFUSED" }, { ENOKEY, "ENOKEY" }, { EKEYREVOKED, "EKEYREVOKED" },
		{ ESTALE, "ESTALE" }, { ETIMEDOUT, "ETIMEDOUT" }, { EXDEV, "EXDEV" },
		{ ENODEV, "ENODEV" }, { EMFILE, "EMFILE" },
	};
	static char other[16];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].num == err)
			return names[i].name;
	snprintf(other, sizeof(other), "E%d", err);
	return other;
}

int in_child(int (*fn)(char *msg, size_t len), char *msg, size_t len)
{
	int pipefd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	msg[0] = '\0';
	if (pipe(pipefd) < 0) {
		snprintf(msg, len, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(msg, len, "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		int code;

		close(pipefd[0]);
		code = fn(msg, len);
		if (write(pipefd[1], msg, strlen(msg)) < 0)
			_exit(125);
		_exit(code);
	}
	close(pipefd[1]);
	while (got < (ssize_t)len - 1 && (n = read(pipefd[0], msg + got, len - 1 - (size_t)got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += n;
	}
	msg[got] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

bool has_token(const char *buf)
{
	const char *token = conf("token");

	return token && *token && strstr(buf, token);
}

long read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (long)n;
}

static const struct {
	const char *name;
	void (*run)(void);
} groups[] = {
	{ "net", attack_net }, { "io_uring", attack_io_uring }, { "abi", attack_abi },
	{ "userns", attack_userns }, { "mount", attack_mount }, { "pid1", attack_pid1 },
	{ "fs", attack_fs }, { "keys", attack_keys }, { "tty", attack_tty },
	{ "proc", attack_proc }, { "sys", attack_sys }, { "outer", attack_outer },
};

int main(int argc, char **argv)
{
	const size_t n_groups = sizeof(groups) / sizeof(groups[0]);

	/* Lines must reach a pipe in order with what children print. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "--proofs") == 0) {
		print_proofs();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--handle") == 0)
		return print_handle(argv[2]);
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: escape-attack CONF [GROUP...] | --proofs | --handle FILE\n");
		return 2;
	}
	load_conf(argv[1]);
	attack_identity();
	for (size_t g = 0; g < n_groups; g++) {
		bool run = argc == 2;

		for (int i = 2; i < argc; i++)
			run |= strcmp(argv[i], groups[g].name) == 0;
		if (run)
			groups[g].run();
	}
	printf("ESCAPE-END %u\n", n_reported);
	return 0;
}
