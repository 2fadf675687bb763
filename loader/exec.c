#define _GNU_SOURCE
#include "exec.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arch.h"
#include "fail.h"
#include "landlock.h"
#include "observe.h"

/* With CAP_SETPCAP: nothing COMMAND runs can hold a capability in this user
 * namespace again, neither through the bounding set nor as root (NOROOT) nor
 * through setuid fixups or ambient raises, and the bits cannot be unlocked. */
static void drop_bounding_set_and_lock(void)
{
	int bits;

	for (unsigned long cap = 0;; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		/* EINVAL marks the first number past the kernel's last
		 * capability; every kernel with seccomp() knows CAP_AUDIT_READ. */
		if (errno == EINVAL && cap > CAP_AUDIT_READ)
			break;
		die_errno("prctl(PR_CAPBSET_DROP, %lu)", cap);
	}
	bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (bits < 0)
		die_errno("prctl(PR_GET_SECUREBITS)");
	bits &= ~SECBIT_KEEP_CAPS;
	bits |= SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
		SECBIT_KEEP_CAPS_LOCKED |
		SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_SECUREBITS, 0x%x)", bits);
}

/* COMMAND execs with empty permitted, effective, inheritable and ambient sets:
 * with no_new_privs, exec intersects the new permitted set with the old one
 * (cap_bprm_creds_from_file), so this holds even for uid 0 and even without
 * CAP_SETPCAP. */
static void drop_privileges(void)
{
	struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_NO_NEW_PRIVS)");
	if (syscall(SYS_capget, &head, data) < 0)
		die_errno("capget");
	if (data[CAP_TO_INDEX(CAP_SETPCAP)].effective & CAP_TO_MASK(CAP_SETPCAP))
		drop_bounding_set_and_lock();
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		die_errno("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	memset(data, 0, sizeof(data));
	head.version = _LINUX_CAPABILITY_VERSION_3;
	head.pid = 0;
	if (syscall(SYS_capset, &head, data) < 0)
		die_errno("capset");
}

static void restore_signals(const struct run *run)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	if (run->caller_ignored_sigchld && sigaction(SIGCHLD, &ign, NULL) < 0)
		die_errno("sigaction(SIGCHLD)");
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &run->caller_mask, NULL,
		    sizeof(run->caller_mask)) < 0)
		die_errno("rt_sigprocmask");
}

/* In the order given: the most restrictive action of all of them wins. */
static void install_filters(const struct run *run)
{
	for (unsigned i = 0; i < run->n_filters; i++) {
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &run->filters[i]) == 0)
			continue;
		if (errno != ENOSYS)
			die_errno("seccomp(SECCOMP_SET_MODE_FILTER)");
		/* Kernels before 3.17 have only the prctl() interface. */
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &run->filters[i], 0, 0) < 0)
			die_errno("prctl(PR_SET_SECCOMP)");
	}
}

static _Noreturn void report_check(const struct run *run)
{
	char line[512], landlock[32] = "no Landlock";
	const char *outer = run->fresh_proc ? "" :
			    run->nested_userns || run->landlock_abi > 0 ? ", outer processes out of reach" :
									  ", outer processes in reach (--allow-stale-proc)";
	int n;

	if (run->landlock_abi > 0)
		snprintf(landlock, sizeof(landlock), "Landlock ABI %d", run->landlock_abi);
	n = snprintf(line, sizeof(line), "%s: ok: %s, %s /proc %s%s, %s, %s for %s\n", fail_prog,
		     run->nested_userns ? "nested user namespace" : "direct (CAP_SYS_ADMIN held)",
		     run->fresh_proc ? "fresh" : "old",
		     run->allow_nested_userns ? "with its kernel settings read-only" : "read-only", outer,
		     landlock, run->filter_desc, arch_native()->name);
	if (n < 0 || (size_t)n >= sizeof(line) || write(STDOUT_FILENO, line, (size_t)n) != n)
		die_errno("writing to stdout");
	_exit(0);
}

_Noreturn void exec_command(const struct run *run)
{
	const char *cmd;
	int saved;

	drop_privileges();
	if (run->landlock_abi > 0)
		landlock_enter(run->landlock_abi);
	restore_signals(run);
	/* Last, so that the filters see nothing of ours but the exec; the
	 * observer's first, so that its USER_NOTIF ranks below any other
	 * filter's, and its listener is the only one. */
	if (run->observe)
		observe_install(run);
	install_filters(run);
	if (!run->argv)
		report_check(run);

	cmd = run->argv[0];
	execvp(cmd, run->argv);
	/* A message and _exit only: COMMAND may share PID 1's memory until
	 * this point (vfork), so nothing of it is changed here. */
	saved = errno;
	if (saved == ENOENT || saved == ENOTDIR) {
		if (strchr(cmd, '/'))
			warn_msg("%s: %s", cmd, strerror(saved));
		else
			warn_msg("%s: command not found", cmd);
		_exit(127);
	}
	warn_msg("%s: %s", cmd, strerror(saved));
	_exit(126);
}
