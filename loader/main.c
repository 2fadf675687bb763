/* apply-seccomp: runs COMMAND in new user (if needed), PID and mount
 * namespaces under a non-dumpable PID 1, with seccomp filters installed and
 * no capabilities. See apply-seccomp(1). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fail.h"
#include "filter.h"
#include "landlock.h"
#include "loader.h"
#include "ns.h"
#include "observe.h"
#include "supervise.h"

static const char help[] =
	"usage: apply-seccomp [OPTIONS] COMMAND [ARG...]\n"
	"       apply-seccomp [OPTIONS] FILTER COMMAND [ARG...]\n"
	"       apply-seccomp [OPTIONS] --filter FILE COMMAND [ARG...]\n"
	"       apply-seccomp [OPTIONS] --builtin COMMAND [ARG...]\n"
	"       apply-seccomp [OPTIONS] --check [FILTER | --builtin]\n"
	"       apply-seccomp --help | --version\n"
	"\n"
	"Runs COMMAND as PID 2 of new PID and mount namespaces (inside a new user\n"
	"namespace when the caller lacks CAP_SYS_ADMIN), under a non-dumpable PID 1\n"
	"that reaps orphans and forwards signals, with a fresh read-only /proc and a\n"
	"read-only /sys, no capabilities, no_new_privs, a Landlock domain where the\n"
	"kernel has Landlock, and seccomp filters:\n"
	"the built-in one (Unix sockets, AF_VSOCK, io_uring, keyrings, TIOCSTI, and\n"
	"the namespace guard: mounts and new user or mount namespaces), or FILTER\n"
	"with the namespace guard stacked on it.\n"
	"\n"
	"  FILTER              a raw seccomp-BPF blob (struct sock_filter[]) for this\n"
	"                      machine, as seccomp-gen writes it; a first operand that\n"
	"                      is a regular file beginning with a blob's first\n"
	"                      instruction is FILTER and is never run as COMMAND\n"
	"  --filter FILE       FILE is FILTER, whatever the next operand\n"
	"  --builtin           the built-in filter, whatever the next operand\n"
	"  --check             set everything up without a command, print which way\n"
	"                      works here (exit 0), or why nothing does (exit 125)\n"
	"  --allow-nested-userns  let COMMAND create user and mount namespaces: no\n"
	"                      namespace guard, no user.max_user_namespaces=0\n"
	"                      (also SRT_ALLOW_NESTED_USERNS=1 in the environment)\n"
	"  --allow-stale-proc  if no fresh /proc can be mounted and nothing keeps the\n"
	"                      outer processes that the old one shows out of reach\n"
	"                      (no user namespace of ours, no Landlock), keep the old\n"
	"                      /proc anyway. WEAKER: COMMAND can then, where ptrace\n"
	"                      rules allow, open their /proc/N/mem\n"
	"  --help, --version   print this help or the version, and exit\n"
	"\n"
	"Exit status: COMMAND's; 128+N if it died of signal N; 125 if apply-seccomp\n"
	"failed (COMMAND was not run); 126 if COMMAND is not executable; 127 if it\n"
	"was not found.\n";

/* The sandbox runtime's variables for its helper: read here, never passed on. */
static const char *const helper_env[] = {
	"SRT_ALLOW_NESTED_USERNS", "SRT_OBSERVE_SOCK", "SRT_ENCODED_CMD",
};

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

/* Takes the sandbox runtime's settings out of the environment COMMAND gets. */
static void read_helper_env(struct run *run)
{
	const char *nested = getenv("SRT_ALLOW_NESTED_USERNS");

	if (nested && strcmp(nested, "1") == 0)
		run->allow_nested_userns = true;
	/* unsetenv() leaves the initial environment's strings where they are. */
	run->observe_sock = getenv("SRT_OBSERVE_SOCK");
	run->encoded_cmd = getenv("SRT_ENCODED_CMD");
	run->observe = run->observe_sock && run->observe_sock[0];
	for (size_t i = 0; i < sizeof(helper_env) / sizeof(helper_env[0]); i++)
		if (unsetenv(helper_env[i]) < 0)
			die_errno("unsetenv(%s)", helper_env[i]);
}

int main(int argc, char **argv)
{
	static struct run run;
	const char *filter = NULL;
	bool builtin = false, check = false;
	int i, filter_fd = -1;

	fail_prog = "apply-seccomp";
	fail_status = 125;
	/* First, so that no signal is lost between here and the forks. */
	supervise_block_signals(&run);
	hold_closed_std_fds();
	read_helper_env(&run);

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const char *opt = argv[i];

		if (strcmp(opt, "--") == 0) {
			i++;
			break;
		} else if (strcmp(opt, "--builtin") == 0) {
			builtin = true;
		} else if (strcmp(opt, "--filter") == 0) {
			if (++i == argc)
				die("--filter needs a FILE (see apply-seccomp --help)");
			filter = argv[i];
		} else if (strcmp(opt, "--check") == 0) {
			check = true;
		} else if (strcmp(opt, "--allow-nested-userns") == 0) {
			run.allow_nested_userns = true;
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
	if (builtin && filter)
		die("--builtin and --filter exclude each other (see apply-seccomp --help)");
	if (check) {
		if (!builtin && !filter && i < argc)
			filter = argv[i++];
		if (i < argc)
			die("--check takes no COMMAND (see apply-seccomp --help)");
	} else {
		/* A blob is never run: it is FILTER. Everything else is COMMAND,
		 * under the built-in filter. */
		if (!builtin && !filter && i < argc && (filter_fd = filter_open_if_blob(argv[i])) >= 0)
			filter = argv[i++];
		if (i >= argc)
			die("no COMMAND given (see apply-seccomp --help)");
		run.argv = &argv[i];
	}

	/* The filters are read and verified before any namespace work. */
	filter_load(&run, filter, filter_fd);
	run.landlock_abi = landlock_abi();
	if (check)
		ns_warn_host_root();
	/* Early, on the caller's own socket path, before any namespace. */
	run.observe = run.observe && !check;
	if (run.observe)
		observe_start(&run);
	ns_enter(&run);
	supervise(&run);
}
