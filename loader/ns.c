#define _GNU_SOURCE
#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fail.h"
#include "knobs.h"

/* What a caller whose user namespaces do not work must provide instead. */
#define REMEDY "run apply-seccomp as root, or under bwrap --unshare-user --cap-add CAP_SYS_ADMIN"

/* Writes text to path; returns 0, or -1 with errno set. */
static int try_write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, saved;

	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	n = write(fd, text, len);
	saved = errno;
	if (close(fd) < 0 || n < 0) {
		errno = n < 0 ? saved : errno;
		return -1;
	}
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static void write_file(const char *step, const char *path, const char *text)
{
	if (try_write_file(path, text) < 0)
		die_errno("%s: writing \"%s\" to %s", step, text, path);
}

/* "ID ID 1", the map line of one id to itself, into map (room for 34 bytes).
 * By hand: printf's machinery would be the largest code the start-up path
 * touches, and its pages would count in the loader's resident memory. */
static void id_map(char *map, unsigned id)
{
	char digits[10];
	size_t n = 0, len = 0;

	do
		digits[n++] = (char)('0' + id % 10);
	while ((id /= 10) > 0);
	for (int copy = 0; copy < 2; copy++) {
		for (size_t i = n; i > 0; i--)
			map[len++] = digits[i - 1];
		map[len++] = ' ';
	}
	memcpy(map + len, "1", 2);
}

/* Maps the caller's effective ids to themselves: the only mapping an
 * unprivileged process may write, and COMMAND keeps its ids and file access. */
static void map_ids(uid_t uid, gid_t gid)
{
	static const char step[] = "setting up the user namespace";
	char map[64];
	int dumpable;

	/* An execute-only binary (mode 0111) runs non-dumpable, and then
	 * /proc/self/{setgroups,uid_map,gid_map} belong to root: be dumpable
	 * for just these writes. */
	dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if (dumpable < 0)
		die_errno("%s: prctl(PR_GET_DUMPABLE)", step);
	if (!dumpable && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		die_errno("%s: prctl(PR_SET_DUMPABLE, 1)", step);
	write_file(step, "/proc/self/setgroups", "deny");
	id_map(map, (unsigned)uid);
	if (try_write_file("/proc/self/uid_map", map) < 0) {
		/* Since Linux 5.12 a map of uid 0 needs CAP_SETFCAP where the
		 * user namespace was made (srt gives root bwrap --cap-add
		 * CAP_SETFCAP for this). */
		if (uid == 0 && errno == EPERM)
			die("%s: writing \"%s\" to /proc/self/uid_map: %s: mapping uid 0 into a "
			    "user namespace needs CAP_SETFCAP, which the caller lacks; give it "
			    "(bwrap --cap-add CAP_SETFCAP) or run as another user",
			    step, map, strerror(errno));
		die_errno("%s: writing \"%s\" to /proc/self/uid_map", step, map);
	}
	id_map(map, (unsigned)gid);
	write_file(step, "/proc/self/gid_map", map);
	if (!dumpable && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die_errno("%s: prctl(PR_SET_DUMPABLE, 0)", step);
}

void ns_warn_host_root(void)
{
	struct stat st;

	/* /proc/sys belongs to the host's root: it shows as uid 0 only where
	 * that uid is mapped to 0, and then an euid of 0 is the host's root. */
	if (geteuid() == 0 && stat("/proc/sys", &st) == 0 && st.st_uid == 0)
		warn_msg("warning: COMMAND would run as the host's uid 0: it owns the host's files and "
			 "/dev nodes, and apply-seccomp is no file system boundary; run it under bwrap "
			 "with read-only binds, or as another user");
}

void ns_enter(struct run *run)
{
	uid_t uid;
	gid_t gid;

	/* Root, or bwrap --unshare-user --cap-add CAP_SYS_ADMIN. */
	if (unshare(CLONE_NEWPID | CLONE_NEWNS) == 0)
		return;
	if (errno != EPERM)
		die_errno("unshare(CLONE_NEWPID|CLONE_NEWNS)");

	/* Without CAP_SYS_ADMIN: a user namespace of our own grants it. */
	uid = geteuid();
	gid = getegid();
	if (unshare(CLONE_NEWUSER) < 0)
		die("unshare(CLONE_NEWUSER): %s: without CAP_SYS_ADMIN the namespaces need a user "
		    "namespace, and user namespaces are disabled or restricted here "
		    "(user.max_user_namespaces, kernel.unprivileged_userns_clone, AppArmor, or a "
		    "seccomp filter); " REMEDY, strerror(errno));
	run->nested_userns = true;
	map_ids(uid, gid);
	if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0)
		die("unshare(CLONE_NEWPID|CLONE_NEWNS) in a new user namespace: %s: the user "
		    "namespace grants no capabilities here (an LSM such as AppArmor restricts "
		    "unprivileged user namespaces) or a namespace limit is reached "
		    "(user.max_pid_namespaces, user.max_mnt_namespaces); " REMEDY, strerror(errno));
}

void ns_setup_pid1(struct run *run)
{
	/* In a user namespace of our own, COMMAND must not nest another one to
	 * get capabilities back. (In any other, the limit is not ours to set.)
	 * It is written in the fresh /proc, which is made read-only after. */
	bool limit = run->nested_userns && !run->allow_nested_userns;
	unsigned long read_only = run->allow_nested_userns || limit ? 0 : MS_RDONLY;

	/* Nothing mounted here propagates out, and nothing from outside in. */
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die_errno("making the mount tree private: mount(\"/\", MS_REC|MS_PRIVATE)");
	/* A /proc of this PID namespace only: the old one shows the outer
	 * processes, and their /proc/N files to whoever may open them. */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | read_only, NULL) == 0) {
		run->fresh_proc = true;
	} else if (errno == EPERM && (run->nested_userns || run->landlock_abi > 0)) {
		/* In a user namespace the kernel mounts a proc only where one
		 * is fully visible already (mount_too_revealing), and bwrap's
		 * read-only binds over /proc/irq and /proc/bus hide parts of
		 * its own. The old /proc stays, read-only, and no process it
		 * shows is within reach: from a user namespace of ours the
		 * kernel lets COMMAND ptrace no outer process nor open its
		 * memory, fds or root (a tracer must hold CAP_SYS_PTRACE in the
		 * target's user namespace), and elsewhere COMMAND's Landlock
		 * domain does the same; no PID of theirs can be named in
		 * COMMAND's PID namespace to signal them. */
	} else if (!run->allow_stale_proc) {
		die("cannot mount a fresh /proc: mount(\"proc\", \"/proc\"): %s, and the outer "
		    "processes that the old one shows would be within COMMAND's reach; run "
		    "apply-seccomp with CAP_SYS_ADMIN (bwrap --unshare-user --cap-add CAP_SYS_ADMIN), "
		    "or pass --allow-stale-proc to keep the old /proc anyway", strerror(errno));
	}
	if (limit)
		write_file("limiting user namespaces", "/proc/sys/user/max_user_namespaces", "0");
	knobs_protect(run);
}
