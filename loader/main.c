/* apply-seccomp: runs COMMAND in new user (if needed), PID and mount
 * namespaces under a non-dumpable PID 1, with a seccomp filter installed and
 * no capabilities. See apply-seccomp(1). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "fail.h"
#include "filter.h"
#include "loader.h"
#include "ns.h"
#include "supervise.h"

static const char help[] =
	"usage: apply-seccomp [--allow-stale-proc] FILTER COMMAND [ARG...]\n"
	"       apply-seccomp [--allow-stale-proc] --builtin COMMAND [ARG...]\n"
	"       apply-seccomp [--allow-stale-proc] --check [FILTER | --builtin]\n"
	"       apply-seccomp --help | --version\n"
	"\n"
	"Runs COMMAND as PID 2 of new PID and mount namespaces (inside a new user\n"
	"namespace when the caller lacks CAP_SYS_ADMIN), under a non-dumpable PID 1\n"
	"that reaps orphans and forwards signals, with a fresh /proc, no capabilities,\n"
	"no_new_privs, and the seccomp filter FILTER installed.\n"
	"\n"
	"  FILTER              a raw seccomp-BPF blob (struct sock_filter[]) for this\n"
	"                      machine's architecture, as written by seccomp-gen\n"
	"  --builtin           use the filter compiled into apply-seccomp\n"
	"  --check             set everything up without a command, print which way\n"
	"                      works here (exit 0), or why nothing does (exit 125);\n"
	"                      uses the built-in filter unless FILTER is given\n"
	"  --allow-stale-proc  if a fresh /proc cannot be mounted, keep the old one\n"
	"                      instead of failing. WEAKER: COMMAND can then see the\n"
	"                      outer processes in /proc and, where ptrace rules allow,\n"
	"                      open their /proc/N/mem\n"
	"  --help, --version   print this help or the version, and exit\n"
	"\n"
	"Exit status: COMMAND's; 128+N if it died of signal N; 125 if apply-seccomp\n"
	"failed (COMMAND was not run); 126 if COMMAND is not executable; 127 if it\n"
	"was not found.\n";

static void print(const char *text)
{
	size_t len = strlen(text);

	if (write(STDOUT_FILENO, text, len) != (ssize_t)len)
		die_errno("writing to stdout");
	_exit(0);
}

/* A closed 0, 1 or 2 would be the next fd the loader opens, and then a
 * message of ours could go into a pipe or a /proc file of ours. Hold each
 * closed one with a placeholder that closes on exec: COMMAND still finds it
 * closed. (An O_PATH fd of "/" needs no /dev, and writes to it fail.) */
static void hold_closed_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (errno != EBADF || open("/", O_PATH | O_CLOEXEC) != fd)
			die_errno("holding closed fd %d", fd);
	}
}

int main(int argc, char **argv)
{
	static struct run run;
	const char *filter = NULL;
	bool builtin = false, check = false;
	int i;

	fail_prog = "apply-seccomp";
	fail_status = 125;
	/* First, so that no signal is lost between here and the forks. */
	supervise_block_signals(&run);
	hold_closed_std_fds();

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const char *opt = argv[i];

		if (strcmp(opt, "--") == 0) {
			i++;
			break;
		} else if (strcmp(opt, "--builtin") == 0) {
			builtin = true;
		} else if (strcmp(opt, "--check") == 0) {
			check = true;
		} else if (strcmp(opt, "--allow-stale-proc") == 0) {
			run.allow_stale_proc = true;
		} else if (strcmp(opt, "--help") == 0) {
			print(help);
		} else if (strcmp(opt, "--version") == 0) {
			print("apply-seccomp " VERSION "\n");
		} else {
			die("unknown option '%s' (see apply-seccomp --help)", opt);
		}
	}
	if (!builtin) {
		if (i < argc)
			filter = argv[i++];
		else if (!check)
			die("no FILTER given (see apply-seccomp --help)");
	}
	if (check) {
		if (i < argc)
			die("--check takes no COMMAND (see apply-seccomp --help)");
	} else {
		if (i >= argc)
			die("no COMMAND given (see apply-seccomp --help)");
		run.argv = &argv[i];
	}

	/* The filter is read and verified before any namespace work. */
	filter_load(&run, filter);
	ns_enter(&run);
	supervise(&run);
}
