#define _GNU_SOURCE
#include "landlock.h"

#include <asm/unistd.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fail.h"

/* The ruleset attribute as of ABI 6; older kernels take its first member
 * alone (the size says which). Defined here because the UAPI headers of a
 * build host may predate the later members. */
struct ruleset_attr {
	uint64_t handled_access_fs;
	/* ABI 4; the kernel reads it, zero handles no network right. */
	uint64_t handled_access_net;    /* cppcheck-suppress unusedStructMember */
	uint64_t scoped;                /* ABI 6 */
};

#define TRUNCATE_ABI 3
#define ACCESS_FS_TRUNCATE (1ull << 14)
#define SCOPE_ABI 6
#define SCOPE_ABSTRACT_UNIX_SOCKET (1ull << 0)
#define SCOPE_SIGNAL (1ull << 1)

int landlock_abi(void)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	if (abi > 0)
		return (int)abi;
	/* ENOSYS: not built in; EOPNOTSUPP: not enabled at boot. Anything
	 * else is a kernel we do not understand: no guess. */
	if (abi == 0 || (errno != ENOSYS && errno != EOPNOTSUPP))
		die_errno("asking the kernel for its Landlock ABI");
	return 0;
}

/* Grants the rights to write under every entry of / but proc. */
static void allow_writes_outside_proc(int ruleset, uint64_t rights)
{
	char buf[4096];
	long n;
	int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (root < 0)
		die_errno("Landlock: opening /");
	while ((n = syscall(SYS_getdents64, root, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			const struct dirent64 *d = (const struct dirent64 *)(buf + off);
			struct landlock_path_beneath_attr rule = { .allowed_access = rights };

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") || !strcmp(d->d_name, "proc"))
				continue;
			/* A dangling link or an unreadable entry holds nothing to write. */
			rule.parent_fd = openat(root, d->d_name, O_PATH | O_CLOEXEC);
			if (rule.parent_fd < 0) {
				if (errno == ENOENT || errno == EACCES || errno == ELOOP)
					continue;
				die_errno("Landlock: opening /%s", d->d_name);
			}
			if (syscall(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
				die_errno("Landlock: a rule for /%s", d->d_name);
			if (close(rule.parent_fd) < 0)
				die_errno("Landlock: closing /%s", d->d_name);
		}
	}
	if (n < 0)
		die_errno("Landlock: reading /");
	if (close(root) < 0)
		die_errno("Landlock: closing /");
}

void landlock_enter(int abi, bool old_proc)
{
	struct ruleset_attr attr = { 0 };
	size_t size = sizeof(attr.handled_access_fs);
	uint64_t writes = LANDLOCK_ACCESS_FS_WRITE_FILE | (abi >= TRUNCATE_ABI ? ACCESS_FS_TRUNCATE : 0);
	long fd;

	/* Being in a domain is what keeps the processes outside it out of
	 * reach; the ruleset itself only needs to handle something. From ABI
	 * 6 that is the scopes, which also stop signals and abstract Unix
	 * sockets that leave the domain. Before, making block devices, which a
	 * process without capabilities cannot do anyway. */
	if (abi >= SCOPE_ABI) {
		attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL;
		size = sizeof(attr);
	} else {
		attr.handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_BLOCK;
	}
	/* An old /proc shows the outer processes, and their files that the
	 * owner may write without ptrace access (oom_score_adj, comm, ...)
	 * are COMMAND's to write when it has their uid: no writes in /proc. */
	if (old_proc)
		attr.handled_access_fs |= writes;
	fd = syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (fd < 0)
		die_errno("landlock_create_ruleset (ABI %d)", abi);
	if (old_proc)
		allow_writes_outside_proc((int)fd, writes);
	if (syscall(__NR_landlock_restrict_self, (int)fd, 0) < 0)
		die_errno("landlock_restrict_self");
	if (close((int)fd) < 0)
		die_errno("closing the Landlock ruleset");
}
