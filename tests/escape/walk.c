/* Kernel knobs: every regular file of /proc outside the command's own
 * processes' directories, and of /sys (sysfs and cgroup file systems), is
 * opened for writing with O_WRONLY|O_NONBLOCK|O_NOCTTY and closed at once;
 * nothing is ever written. core_pattern and sysrq-trigger, the two knobs
 * that hand out host root or halt the machine, get cells of their own. */
#define _GNU_SOURCE
#include "attack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define MAX_DEPTH 24

struct walk {
	bool proc;
	int own_depth;
	unsigned long files, opened, opened_outer, own_pids, erofs, eacces, eperm, other;
	/* Knobs first; files of outer processes' directories apart. */
	char opened_list[1536], outer_list[768], skipped[512];
	size_t opened_used, outer_used, skipped_used;
};

static bool walked_fs(const struct walk *w, long type)
{
	if (w->proc || type == PROC_SUPER_MAGIC)
		return type == PROC_SUPER_MAGIC;
	return type == SYSFS_MAGIC || type == CGROUP_SUPER_MAGIC || type == CGROUP2_SUPER_MAGIC ||
	       type == TMPFS_MAGIC;
}

static void note(char *buf, size_t len, size_t *used, const char *text)
{
	if (*used < len)
		*used += (size_t)snprintf(buf + *used, len - *used, " %s", text);
}

static bool numeric(const char *name)
{
	return name[0] >= '0' && name[0] <= '9' && strspn(name, "0123456789") == strlen(name);
}

static void walk_dir(struct walk *w, int dfd, const char *path, dev_t dev, int depth, bool outer)
{
	DIR *dir;
	struct dirent *d;
	int copy = dup(dfd);

	if (copy < 0 || !(dir = fdopendir(copy))) {
		if (copy >= 0)
			close(copy);
		return;
	}
	while ((d = readdir(dir))) {
		char sub[4096];
		struct stat st;
		int fd;

		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
		bool in_outer = outer;

		if (w->proc && depth == 0 && numeric(d->d_name)) {
			int pd = pid_depth(d->d_name);

			if (pd == 0 || pd >= w->own_depth) {
				w->own_pids++;
				continue;
			}
			in_outer = true;
		}
		if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth >= MAX_DEPTH)
				continue;
			if (st.st_dev != dev) {
				/* Another mount: O_PATH triggers no automount. */
				struct statfs sfs;
				int pfd = openat(dfd, d->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
				bool ok = pfd >= 0 && fstatfs(pfd, &sfs) == 0 && walked_fs(w, (long)sfs.f_type);

				if (pfd >= 0)
					close(pfd);
				if (!ok) {
					note(w->skipped, sizeof(w->skipped), &w->skipped_used, sub);
					continue;
				}
			}
			fd = openat(dfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0) {
				walk_dir(w, fd, sub, st.st_dev, depth + 1, in_outer);
				close(fd);
			}
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		w->files++;
		fd = openat(dfd, d->d_name, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			if (in_outer) {
				w->opened_outer++;
				note(w->outer_list, sizeof(w->outer_list), &w->outer_used, sub);
			} else {
				w->opened++;
				note(w->opened_list, sizeof(w->opened_list), &w->opened_used, sub);
			}
		} else if (errno == EROFS) {
			w->erofs++;
		} else if (errno == EACCES) {
			w->eacces++;
		} else if (errno == EPERM) {
			w->eperm++;
		} else {
			w->other++;
		}
	}
	closedir(dir);
}

static void walk(const char *name, const char *root, bool proc)
{
	struct walk w;
	struct stat st;
	int fd;

	memset(&w, 0, sizeof(w));
	w.proc = proc;
	w.own_depth = pid_depth("self");
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		blocked(name, "open %s: %s", root, errname(errno));
		return;
	}
	walk_dir(&w, fd, root, st.st_dev, 0, false);
	close(fd);
	if (w.opened || w.opened_outer)
		open_door(name, "%lu of %lu files open for writing:%s%s; and %lu in outer processes' "
			  "directories:%s%s", w.opened, w.files, w.opened_list,
			  w.opened_used >= sizeof(w.opened_list) ? " ..." : "", w.opened_outer,
			  w.outer_list, w.outer_used >= sizeof(w.outer_list) ? " ..." : "");
	else if (w.files == 0)
		open_door(name, "unexpected: no file found under %s", root);
	else
		blocked(name, "none of %lu files opens for writing (EROFS %lu, EACCES %lu, EPERM %lu, "
			"other %lu); %lu PID dirs of its own namespace left out; other mounts not "
			"walked:%s", w.files, w.erofs, w.eacces, w.eperm, w.other, w.own_pids,
			w.skipped_used ? w.skipped : " none");
}

static void knob(const char *name, const char *path)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		open_door(name, "opened %s for writing (closed unwritten)", path);
		return;
	}
	blocked(name, "open %s O_WRONLY: %s%s", path, errname(errno),
		errno == EROFS ? " (read-only mount)" : errno == EACCES ? " (not this uid's to write)" : "");
}

void attack_proc(void)
{
	knob("proc-core_pattern", "/proc/sys/kernel/core_pattern");
	knob("proc-sysrq-trigger", "/proc/sysrq-trigger");
	walk("proc-writable", "/proc", true);
	/* The network namespace's files live under every process's directory,
	 * left out above: /proc/self/net is the command's own netns. */
	walk("proc-net-writable", "/proc/self/net", false);
}

void attack_sys(void)
{
	walk("sys-writable", "/sys", false);
}
