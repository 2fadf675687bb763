#define _GNU_SOURCE
#include "knobs.h"

#include <dirent.h>
#include <asm/unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fail.h"
#include "loader.h"

/* A process's own entries: its directory, and the links that lead there. */
static bool is_process_entry(const char *name)
{
	size_t digits = strspn(name, "0123456789");

	return (digits > 0 && name[digits] == '\0') || strcmp(name, "self") == 0 ||
	       strcmp(name, "thread-self") == 0;
}

/* Whether the entry name of /proc (open as dir) holds a kernel setting. */
static bool needs_cover(int dir, const char *name, unsigned char type)
{
	struct stat st;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || is_process_entry(name))
		return false;
	if (type == DT_DIR)
		return true;
	if (type != DT_REG && type != DT_UNKNOWN)
		return false;   /* links (net, mounts) point into a process's own */
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		die_errno("stat /proc/%s", name);
	return S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && (st.st_mode & 0222));
}

static void cover(const char *name)
{
	char path[300];

	snprintf(path, sizeof(path), "/proc/%s", name);
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		die_errno("making %s read-only: bind", path);
	/* nosuid, nodev and noexec as /proc has them: a remount may not drop
	 * flags that the kernel locked on a mount from outside. */
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		die_errno("making %s read-only: remount", path);
}

/* mount_setattr()'s struct mount_attr (Linux 5.12): attr_set, attr_clr,
 * propagation, userns_fd. Spelt out here because the C libraries disagree
 * on which header has it. */
#define MOUNT_ATTR_WORDS 4
#define ATTR_RDONLY 0x1
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* The mount options of mountinfo's sixth field that a remount must repeat:
 * the kernel refuses to drop one it locked on a mount from outside. */
static unsigned long locked_flags(char *opts)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} known[] = { { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV }, { "noexec", MS_NOEXEC } };
	unsigned long flags = 0;

	for (char *o = opts, *end; o; o = end ? end + 1 : NULL) {
		end = strchr(o, ',');
		if (end)
			*end = '\0';
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(o, known[i].name) == 0)
				flags |= known[i].flag;
	}
	return flags;
}

/* The next field of a mountinfo line at *p, ended in place; NULL at the end. */
static char *next_field(char **p)
{
	char *start = *p + strspn(*p, " ");
	size_t len = strcspn(start, " ");

	if (len == 0)
		return NULL;
	*p = start + len + (start[len] != '\0');
	start[len] = '\0';
	return start;
}

/* Undoes mountinfo's escapes in place: \040 for a space, \011, \012, \134. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* Remounts read-only the mount of one mountinfo line (ID PARENT MAJ:MIN
 * ROOT POINT OPTIONS ...) if it is at or under top. */
static void remount_line(char *line, const char *top)
{
	size_t len = strlen(top);
	char *p = line, *point = NULL, *opts = NULL;

	for (int i = 0; i < 6; i++) {
		point = opts;
		opts = next_field(&p);
		if (!opts)
			die("making %s read-only: cannot read /proc/self/mountinfo", top);
	}
	unescape(point);
	if (strncmp(point, top, len) != 0 || (point[len] != '\0' && point[len] != '/'))
		return;
	if (mount(NULL, point, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(opts), NULL) < 0)
		die_errno("making %s read-only: remount", point);
}

/* Before Linux 5.12 (no mount_setattr): each mount at or under top from
 * /proc/self/mountinfo, remounted read-only one by one. Read with read(2):
 * stdio and scanf would be most of the loader's code. */
static void remount_tree_read_only(const char *top)
{
	static char buf[3 * 4096 + 1024];
	size_t have = 0;
	ssize_t n;
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die_errno("making %s read-only: /proc/self/mountinfo", top);
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		char *start = buf, *nl;

		have += (size_t)n;
		buf[have] = '\0';
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			remount_line(start, top);
			start = nl + 1;
		}
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
		if (have == sizeof(buf) - 1)
			die("making %s read-only: a line of /proc/self/mountinfo is too long", top);
	}
	if (n < 0)
		die_errno("making %s read-only: /proc/self/mountinfo", top);
	if (close(fd) < 0)
		die_errno("making %s read-only: closing /proc/self/mountinfo", top);
}

/* Every mount at or under top, read-only (in this mount namespace only). */
static void tree_read_only(const char *top)
{
	uint64_t attr[MOUNT_ATTR_WORDS] = { ATTR_RDONLY };

	if (syscall(__NR_mount_setattr, AT_FDCWD, top, AT_RECURSIVE, attr, sizeof(attr)) == 0)
		return;
	if (errno == ENOENT)
		return;
	if (errno != ENOSYS)
		die_errno("making %s read-only: mount_setattr", top);
	remount_tree_read_only(top);
}

/* With nested user namespaces allowed, COMMAND's processes must be able to
 * write their own /proc/PID files (uid_map, setgroups): only the rest is
 * made read-only, one bind for each entry that may hold a setting. */
static void cover_settings(void)
{
	char buf[8192];
	long n;
	int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0)
		die_errno("opening /proc");
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			const struct dirent64 *d = (const struct dirent64 *)(buf + off);

			if (needs_cover(dir, d->d_name, d->d_type))
				cover(d->d_name);
			off += d->d_reclen;
		}
	}
	if (n < 0)
		die_errno("reading /proc");
	if (close(dir) < 0)
		die_errno("closing /proc");
}

void knobs_protect(const struct run *run)
{
	/* On the nested path the fresh /proc was mounted writable, for
	 * user.max_user_namespaces; elsewhere it was mounted read-only. */
	if (run->allow_nested_userns)
		cover_settings();
	else if (!run->fresh_proc)
		tree_read_only("/proc");
	else if (run->nested_userns && mount(NULL, "/proc", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY |
					      MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die_errno("making /proc read-only: remount");
	tree_read_only("/sys");
}
