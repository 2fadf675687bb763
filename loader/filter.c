#include "filter.h"

#include <string.h>

#include "arch.h"
#include "blob.h"
#include "builtin-filter.h"
#include "fail.h"
#include "verify.h"

_Static_assert(sizeof(filter_unix_block) / sizeof(filter_unix_block[0]) <= BLOB_MAX_INSNS,
	       "the built-in filter is too long for the kernel");

void filter_load(struct run *run, const char *path)
{
	static struct sock_filter insns[BLOB_MAX_INSNS];
	const struct arch *native = arch_native(), *arch;
	const char *name = path ? path : "built-in filter";
	char err[512];
	size_t n;

	if (path) {
		n = blob_load(path, insns, err, sizeof(err));
		if (n == 0)
			die("%s", err);
	} else {
		n = sizeof(filter_unix_block) / sizeof(filter_unix_block[0]);
		memcpy(insns, filter_unix_block, sizeof(filter_unix_block));
	}
	/* The built-in blob is verified too: it costs microseconds, and a
	 * mis-generated header must not become a silently weaker filter. */
	if (bpf_verify(insns, n, &arch, err, sizeof(err)) < 0)
		die("%s: %s", name, err);
	if (!native)
		die("this machine's architecture is not supported");
	if (arch != native)
		die("%s: filter is for %s, this machine is %s", name, arch->name, native->name);
	run->prog.len = (unsigned short)n;
	run->prog.filter = insns;
	run->arch = arch->name;
}
