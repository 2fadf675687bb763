#define _GNU_SOURCE
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fail.h"

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

void proc_protect(void)
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
