#define _GNU_SOURCE
#include "landlock.h"

#include <asm/unistd.h>
#include <errno.h>
#include <linux/landlock.h>
#include <stdint.h>
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

void landlock_enter(int abi)
{
	struct ruleset_attr attr = { 0 };
	size_t size = sizeof(attr.handled_access_fs);
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
	fd = syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (fd < 0)
		die_errno("landlock_create_ruleset (ABI %d)", abi);
	if (syscall(__NR_landlock_restrict_self, (int)fd, 0) < 0)
		die_errno("landlock_restrict_self");
	if (close((int)fd) < 0)
		die_errno("closing the Landlock ruleset");
}
