/* Changing the mount tree from the command itself: remounting the deny-write
 * bind writable, unmounting the deny-read bind, open_tree plus move_mount,
 * pivot_root, mount_setattr, fsopen. Each success is checked against the
 * target (the secret read, a file written). */
#define _GNU_SOURCE
#include "attack.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MNT_DETACH_FLAG 2

/* After a mount call that succeeded: can the deny-write directory be written? */
static bool denydir_writable(const char *denydir)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/escape-mount", denydir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int pivot(char *msg, size_t len)
{
	if (chdir("/") < 0) {
		snprintf(msg, len, "chdir /: %s", strerror(errno));
		return 2;
	}
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		snprintf(msg, len, "pivot_root: %s", who("pivot_root", errno));
		return 1;
	}
	snprintf(msg, len, "pivot_root(\".\", \".\") succeeded");
	return 0;
}

void attack_mount(void)
{
	const char *denydir = conf_need("mount-remount-rw", "denydir");
	const char *secret = conf("secret");
	struct mount_attr rw = { .attr_clr = MOUNT_ATTR_RDONLY };
	char buf[256], msg[512];
	int status;
	long fd;

	if (denydir) {
		if (syscall(SYS_mount, NULL, denydir, NULL, MS_REMOUNT | MS_BIND, NULL) == 0)
			open_door("mount-remount-rw", "remounted %s read-write%s", denydir,
				  denydir_writable(denydir) ? " and wrote a file into it" : "");
		else
			blocked("mount-remount-rw", "mount(MS_REMOUNT|MS_BIND): %s", who("mount", errno));
	}

	if (!conf_need("umount2-secret", "secret")) {
		(void)0;
	} else if (syscall(SYS_umount2, secret, MNT_DETACH_FLAG) == 0) {
		buf[0] = '\0';
		read_small(secret, buf, sizeof(buf));
		open_door("umount2-secret", "unmounted the deny bind over %s%s", secret,
			  has_token(buf) ? " and read the secret" : "");
	} else {
		blocked("umount2-secret", "umount2: %s", who("umount2", errno));
	}

	/* open_tree without OPEN_TREE_CLONE needs no privilege in the kernel:
	 * only the guard refuses it. Then move_mount would graft it elsewhere. */
	if (denydir) {
		fd = syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLOEXEC);
		if (fd < 0) {
			blocked("open_tree-move_mount", "open_tree: %s", who("open_tree", errno));
		} else {
			long r = syscall(SYS_move_mount, (int)fd, "", AT_FDCWD, denydir, MOVE_MOUNT_F_EMPTY_PATH);
			if (r == 0)
				open_door("open_tree-move_mount", "open_tree and move_mount put / over %s",
					  denydir);
			else
				open_door("open_tree-move_mount", "open_tree reached the kernel (the guard "
					  "denies it), move_mount: %s", who("move_mount", errno));
			close((int)fd);
		}
	}

	status = in_child(pivot, msg, sizeof(msg));
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 1)
		blocked("pivot_root", "%s", msg);
	else
		open_door("pivot_root", "%s (status 0x%x)", msg, (unsigned)status);

	if (denydir) {
		if (syscall(SYS_mount_setattr, AT_FDCWD, denydir, 0, &rw, sizeof(rw)) == 0)
			open_door("mount_setattr", "cleared MOUNT_ATTR_RDONLY on %s%s", denydir,
				  denydir_writable(denydir) ? " and wrote a file into it" : "");
		else
			blocked("mount_setattr", "%s", who("mount_setattr", errno));
	}

	fd = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fd >= 0) {
		open_door("fsopen", "fsopen(\"tmpfs\") made a filesystem context");
		close((int)fd);
	} else {
		blocked("fsopen", "%s", who("fsopen", errno));
	}
}
