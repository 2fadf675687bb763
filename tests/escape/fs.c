/* Files: the secret under a deny-read bind (directly and by its file handle,
 * which skips the bind), the deny-write directory, a root-owned host file, a
 * block device, and a setuid-root binary. */
#define _GNU_SOURCE
#include "attack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define HANDLE_MAX 128

/* A struct file_handle with room for HANDLE_MAX bytes of handle. */
union handle {
	struct file_handle fh;
	unsigned char storage[sizeof(struct file_handle) + HANDLE_MAX];
};

int print_handle(const char *path)
{
	union handle h;
	unsigned char *bytes = h.storage + sizeof(struct file_handle);
	int mount_id;

	h.fh.handle_bytes = HANDLE_MAX;
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) < 0) {
		fprintf(stderr, "escape-attack: name_to_handle_at %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("handle_type=%d\nhandle=", h.fh.handle_type);
	for (unsigned i = 0; i < h.fh.handle_bytes; i++)
		printf("%02x", bytes[i]);
	printf("\n");
	return 0;
}

static void secret_read(void)
{
	const char *secret = conf_need("secret-read", "secret");
	char buf[256] = "";
	long n;

	if (!secret)
		return;
	n = read_small(secret, buf, sizeof(buf));
	if (n < 0)
		blocked("secret-read", "open %s: %s", secret, errname(errno));
	else if (has_token(buf))
		open_door("secret-read", "read the secret from %s", secret);
	else if (n == 0)
		blocked("secret-read", "%s reads as the empty file bound over it (deny-read bind)", secret);
	else
		open_door("secret-read", "unexpected: %s holds %ld other bytes", secret, n);
}

/* The handle names the inode itself: a bind over the path does not hide it. */
static void secret_by_handle(void)
{
	const char *type = conf_need("open_by_handle", "handle_type");
	const char *hex = conf_need("open_by_handle", "handle");
	const char *mnt = conf_need("open_by_handle", "secretdir");
	union handle h;
	unsigned char *bytes = h.storage + sizeof(struct file_handle);
	char buf[256] = "";
	int mfd, fd;
	size_t n;

	if (!type || !hex || !mnt)
		return;
	n = strlen(hex) / 2;
	if (n > HANDLE_MAX) {
		open_door("open_by_handle", "set-up broken: handle too long");
		return;
	}
	h.fh.handle_type = (int)strtol(type, NULL, 10);
	h.fh.handle_bytes = (unsigned)n;
	for (size_t i = 0; i < n; i++) {
		char pair[3] = { hex[2 * i], hex[2 * i + 1], '\0' };

		bytes[i] = (unsigned char)strtoul(pair, NULL, 16);
	}
	mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0) {
		blocked("open_by_handle", "open %s (the mount fd): %s", mnt, errname(errno));
		return;
	}
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_CLOEXEC);
	close(mfd);
	if (fd < 0) {
		blocked("open_by_handle", "open_by_handle_at: %s from the kernel (it needs "
			"CAP_DAC_READ_SEARCH)", errname(errno));
		return;
	}
	if (read(fd, buf, sizeof(buf) - 1) > 0 && has_token(buf))
		open_door("open_by_handle", "opened the secret by its handle, past the deny bind, and "
			  "read it");
	else
		open_door("open_by_handle", "open_by_handle_at succeeded (without the token)");
	close(fd);
}

/* Creates NAME in dir; errno when it cannot. */
static int create_in(const char *dir, const char *name)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void deny_write(void)
{
	const char *denydir = conf_need("denywrite", "denydir"), *rw = conf_need("denywrite", "rwdir");
	char path[4096], control[128];
	int err, fd;

	if (!denydir || !rw)
		return;
	/* The writable directory around it: EROFS below is the bind's doing. */
	err = create_in(rw, "escape-control");
	snprintf(control, sizeof(control), err ? "%s is not writable either: %s" : "%s is writable",
		 rw, errname(err));
	err = create_in(denydir, "escape-new");
	if (err == 0) {
		open_door("denywrite", "created a file in %s", denydir);
		return;
	}
	snprintf(path, sizeof(path), "%s/existing", denydir);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		open_door("denywrite", "opened %s for writing", path);
		close(fd);
		return;
	}
	blocked("denywrite", "create: %s, open existing O_WRONLY: %s (%s)", errname(err),
		errname(errno), control);
}

static void host_file(void)
{
	const char *path = conf_need("hostfile-write", "hostfile");
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		open_door("hostfile-write", "opened the root-owned host file %s for writing "
			  "(closed unwritten)", path);
		close(fd);
	} else {
		blocked("hostfile-write", "open %s O_WRONLY: %s", path, errname(errno));
	}
}

/* Every block device in /dev, opened for writing and closed unwritten. */
static void block_devices(void)
{
	DIR *dir = opendir("/dev");
	char opened[1024] = "", refused[1024] = "", path[300];
	size_t used_o = 0, used_r = 0;
	struct dirent *d;
	struct stat st;
	int n = 0;

	if (!dir) {
		blocked("dev-block-write", "opendir /dev: %s", errname(errno));
		return;
	}
	while ((d = readdir(dir))) {
		int fd;

		snprintf(path, sizeof(path), "/dev/%s", d->d_name);
		if (lstat(path, &st) < 0 || !S_ISBLK(st.st_mode))
			continue;
		n++;
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			if (used_o < sizeof(opened))
				used_o += (size_t)snprintf(opened + used_o, sizeof(opened) - used_o, " %s", path);
		} else if (used_r < sizeof(refused)) {
			used_r += (size_t)snprintf(refused + used_r, sizeof(refused) - used_r, " %s:%s",
						   d->d_name, errname(errno));
		}
	}
	closedir(dir);
	if (opened[0])
		open_door("dev-block-write", "opened for writing (closed unwritten):%s", opened);
	else if (n == 0)
		blocked("dev-block-write", "no block device in /dev");
	else
		blocked("dev-block-write", "refused:%s", refused);
}

/* exec of a setuid-root binary: uid 65534 must not become euid 0, and uid 0
 * must not get a capability. */
static void setuid_binary(void)
{
	const char *suid = conf_need("setuid-root", "suid");
	char out[256] = "", status[4096] = "", *nnp, *euid_at, *capeff_at;
	int pipefd[2], wstatus;
	unsigned long euid = 0, capeff = 0;
	struct statvfs vfs;
	ssize_t n;
	pid_t pid;

	if (!suid)
		return;
	if (pipe(pipefd) < 0) {
		open_door("setuid-root", "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		execl(suid, suid, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	n = pid > 0 ? read(pipefd[0], out, sizeof(out) - 1) : -1;
	close(pipefd[0]);
	if (pid > 0)
		waitpid(pid, &wstatus, 0);
	out[n > 0 ? n : 0] = '\0';
	euid_at = strstr(out, "euid=");
	capeff_at = strstr(out, " capeff=");
	if (!euid_at || !capeff_at) {
		open_door("setuid-root", "unexpected: the setuid binary said '%s'", out);
		return;
	}
	euid = strtoul(euid_at + 5, NULL, 10);
	capeff = strtoul(capeff_at + 8, NULL, 16);
	read_small("/proc/self/status", status, sizeof(status));
	nnp = strstr(status, "NoNewPrivs:");
	if (euid == 0 && getuid() != 0)
		open_door("setuid-root", "uid %u became euid 0 (capeff %lx)", getuid(), capeff);
	else if (capeff != 0)
		open_door("setuid-root", "the setuid-root binary got capabilities %lx", capeff);
	else
		blocked("setuid-root", "it ran with euid %lu and no capability (NoNewPrivs %c; "
			"its filesystem %s nosuid)", euid, nnp ? nnp[12] : '?',
			statvfs(suid, &vfs) == 0 && (vfs.f_flag & ST_NOSUID) ? "is" : "is not");
}

void attack_fs(void)
{
	secret_read();
	secret_by_handle();
	deny_write();
	host_file();
	block_devices();
	setuid_binary();
}
