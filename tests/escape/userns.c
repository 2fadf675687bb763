/* Nesting a user namespace (which gives every capability over a copy of the
 * mount tree), by unshare, clone, clone with junk in the upper 32 bits of its
 * flags, and clone3; then, where one is made, the detach-the-tree attacks on
 * the deny binds from inside it. */
#define _GNU_SOURCE
#include "attack.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define JUNK 0xdeadbeef00000000UL
#define MNT_DETACH_FLAG 2

static char own_userns[64];

/* Run in the child: 0 if its user namespace is not the attacker's. */
static int in_new_userns(void)
{
	char link[64];
	ssize_t n = readlink("/proc/self/ns/user", link, sizeof(link) - 1);

	if (n < 0)
		return 4;
	link[n] = '\0';
	return strcmp(link, own_userns) == 0 ? 3 : 0;
}

static int unshare_userns(char *msg, size_t len)
{
	char caps[4096] = "", *eff;

	if (syscall(SYS_unshare, CLONE_NEWUSER) < 0) {
		snprintf(msg, len, "unshare(CLONE_NEWUSER): %s", who("unshare-user", errno));
		return 1;
	}
	read_small("/proc/self/status", caps, sizeof(caps));
	eff = strstr(caps, "CapEff:");
	snprintf(msg, len, "unshare(CLONE_NEWUSER) made a user namespace (%.*s)",
		 eff ? 24 : 0, eff ? eff : "");
	for (char *p = msg; *p; p++)
		if (*p == '\t')
			*p = ' ';
	return 0;
}

static int unshare_mntns(char *msg, size_t len)
{
	if (syscall(SYS_unshare, CLONE_NEWNS) < 0) {
		snprintf(msg, len, "unshare(CLONE_NEWNS): %s", who("unshare-ns", errno));
		return 1;
	}
	snprintf(msg, len, "unshare(CLONE_NEWNS) made a mount namespace");
	return 0;
}

static void child_attack(const char *name, int (*fn)(char *, size_t))
{
	char msg[1024];
	int status = in_child(fn, msg, sizeof(msg));

	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 1)
		blocked(name, "%s", msg);
	else if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		open_door(name, "%s", msg);
	else
		open_door(name, "unexpected: wait status 0x%x, %s", (unsigned)status, msg);
}

/* A raw clone (or clone3) whose child only says whether it landed in a new
 * user namespace. */
static void clone_attack(const char *name, unsigned long flags, bool use_clone3, const char *proof)
{
	struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	int status;
	long pid;

	fflush(stdout);
	if (use_clone3)
		pid = syscall(SYS_clone3, &args, sizeof(args));
	else
		pid = syscall(SYS_clone, flags, 0, 0, 0, 0);
	if (pid == 0)
		syscall(SYS_exit_group, in_new_userns());
	if (pid < 0) {
		blocked(name, "%s", who(proof, errno));
		return;
	}
	if (waitpid((pid_t)pid, &status, 0) < 0) {
		open_door(name, "made child %ld, then waitpid: %s", pid, strerror(errno));
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		open_door(name, "made a child in a new user namespace (flags 0x%lx)", flags);
	else
		open_door(name, "made a child (flags 0x%lx) whose namespace check said 0x%x",
			  flags, (unsigned)status);
}

static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			(void)0;        /* the steps after it say what failed */
		close(fd);
	}
}

/* Inside a user and mount namespace of its own, with every capability:
 * the tricks that would take the deny binds away. The kernel locks the
 * mounts it inherited (MNT_LOCKED), which is what must hold. */
static int unmask(char *msg, size_t len)
{
	const char *secret = conf("secret"), *denydir = conf("denydir"), *secretdir = conf("secretdir");
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64], buf[256] = "", path[4096];
	struct mount_attr rw = { .attr_clr = MOUNT_ATTR_RDONLY };
	int fd, r1, r2, r3, r4;
	long r;

	if (!secret || !denydir || !secretdir) {
		snprintf(msg, len, "set-up broken: secret, secretdir or denydir missing");
		return 2;
	}
	if (syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		snprintf(msg, len, "unshare(CLONE_NEWUSER|CLONE_NEWNS): %s", who("unshare-user", errno));
		return 1;
	}
	write_text("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	write_text("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	write_text("/proc/self/gid_map", map);

	r1 = syscall(SYS_umount2, secret, MNT_DETACH_FLAG) == 0 ? 0 : errno;
	if (r1 == 0 && read_small(secret, buf, sizeof(buf)) > 0 && has_token(buf)) {
		snprintf(msg, len, "in a new user namespace, umount2 took the deny bind off and the "
			 "secret was read");
		return 0;
	}
	/* A clone of the secret's directory without the mounts on top of it. */
	r = syscall(SYS_open_tree, AT_FDCWD, secretdir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	r2 = r < 0 ? errno : 0;
	if (r >= 0) {
		const char *base = strrchr(secret, '/');

		fd = openat((int)r, base ? base + 1 : secret, O_RDONLY | O_CLOEXEC);
		close((int)r);
		if (fd >= 0) {
			ssize_t n = read(fd, buf, sizeof(buf) - 1);

			close(fd);
			buf[n > 0 ? n : 0] = '\0';
			if (has_token(buf)) {
				snprintf(msg, len, "in a new user namespace, a clone of %s without the "
					 "bind on top showed the secret", secretdir);
				return 0;
			}
		}
	}
	r3 = syscall(SYS_mount, NULL, denydir, NULL, MS_REMOUNT | MS_BIND, NULL) == 0 ? 0 : errno;
	/* A detached copy of the read-only bind, made writable. */
	r = syscall(SYS_open_tree, AT_FDCWD, denydir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	r4 = r < 0 ? errno : 0;
	if (r >= 0) {
		if (syscall(SYS_mount_setattr, (int)r, "", AT_EMPTY_PATH, &rw, sizeof(rw)) < 0)
			r4 = errno;
		fd = openat((int)r, "escape-unmask", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		close((int)r);
		if (fd >= 0) {
			close(fd);
			snprintf(msg, len, "in a new user namespace, a detached writable copy of %s took "
				 "a new file", denydir);
			return 0;
		}
	}
	snprintf(path, sizeof(path), "%s/escape-unmask", denydir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		close(fd);
		snprintf(msg, len, "in a new user namespace, remount made %s writable", denydir);
		return 0;
	}
	snprintf(msg, len, "made a user+mount namespace (a door of its own: see userns-*), but the "
		 "inherited binds are locked: umount2 secret %s, open_tree clone of %s %s, "
		 "remount %s rw %s, detached copy made writable %s",
		 errname(r1), secretdir, errname(r2), denydir, errname(r3), errname(r4));
	return 1;
}

/* The loader itself, run again from inside with --allow-nested-userns and
 * SRT_ALLOW_NESTED_USERNS=1, around this program's userns attacks: the
 * filters already installed must still hold. */
static void nested_loader(void)
{
	const char *loader = conf_need("nested-loader", "loader"), *config = conf_need("nested-loader", "conf");
	char self[4096], out[16384] = "", *line;
	ssize_t n, got = 0;
	int pipefd[2], status;
	pid_t pid;

	if (!loader || !config)
		return;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0 || pipe(pipefd) < 0) {
		open_door("nested-loader", "set-up broken: %s", strerror(errno));
		return;
	}
	self[n] = '\0';
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		setenv("SRT_ALLOW_NESTED_USERNS", "1", 1);
		execl(loader, loader, "--allow-nested-userns", self, config, "userns", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (got < (ssize_t)sizeof(out) - 1 && (n = read(pipefd[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		open_door("nested-loader", "fork or wait: %s", strerror(errno));
		return;
	}
	for (line = strstr(out, "ESCAPE "); line; line = strstr(line + 1, "\nESCAPE ")) {
		char *end = strchr(line + 1, '\n');

		if (end && memmem(line, (size_t)(end - line), " OPEN ", 6)) {
			open_door("nested-loader", "inside a loader run with --allow-nested-userns: %.*s",
				  (int)(end - line), line[0] == '\n' ? line + 1 : line);
			return;
		}
	}
	line = strstr(out, "ESCAPE userns-unshare ");
	if (line)
		blocked("nested-loader", "inside a loader run with --allow-nested-userns, every userns "
			"attack still blocked: %.*s", (int)strcspn(line, "\n"), line);
	else
		blocked("nested-loader", "the loader run from inside did not start (status 0x%x): %.*s",
			(unsigned)status, (int)strcspn(out, "\n"), out);
}

void attack_userns(void)
{
	ssize_t n = readlink("/proc/self/ns/user", own_userns, sizeof(own_userns) - 1);

	own_userns[n > 0 ? n : 0] = '\0';
	child_attack("userns-unshare", unshare_userns);
	clone_attack("userns-clone", CLONE_NEWUSER | SIGCHLD, false, "clone-user");
	clone_attack("userns-clone-junk", JUNK | CLONE_NEWUSER | SIGCHLD, false, "clone-junk");
	clone_attack("userns-clone3", 0, true, "clone3");
	child_attack("mntns-unshare", unshare_mntns);
	child_attack("userns-unmask-binds", unmask);
	if (getenv("SRT_ALLOW_NESTED_USERNS") == NULL)
		nested_loader();
}
