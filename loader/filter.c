#include "filter.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "blob.h"
#include "builtin-filter.h"
#include "fail.h"
#include "verify.h"

#define LENGTH(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(LENGTH(filter_sandbox) <= BLOB_MAX_INSNS && LENGTH(filter_unix_block) <= BLOB_MAX_INSNS &&
	       LENGTH(filter_namespaces) <= BLOB_MAX_INSNS,
	       "a built-in filter is too long for the kernel");

int filter_open_if_blob(const char *path)
{
	struct sock_filter load_arch = { BPF_LD | BPF_W | BPF_ABS, 0, 0, SD_ARCH };
	unsigned char want[BLOB_INSN_SIZE], head[BLOB_INSN_SIZE];
	struct stat st;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		/* What cannot be read is no filter of ours: exec will say what
		 * it is. Any other error leaves the question open. */
		if (errno == ENOENT || errno == ENOTDIR || errno == EACCES || errno == EPERM ||
		    errno == ELOOP || errno == ENAMETOOLONG || errno == ENXIO || errno == ETXTBSY)
			return -1;
		die_errno("%s", path);
	}
	if (fstat(fd, &st) < 0)
		die_errno("%s", path);
	if (S_ISREG(st.st_mode) && (n = pread(fd, head, sizeof(head), 0)) < 0)
		die_errno("%s", path);
	blob_encode(&load_arch, 1, want);
	if (n == (ssize_t)sizeof(head) && memcmp(head, want, sizeof(head)) == 0)
		return fd;
	if (close(fd) < 0)
		die_errno("%s", path);
	return -1;
}

/* Verifies n instructions at prog (named name in messages) for this machine
 * and appends them to the filters COMMAND gets. A built-in one is verified
 * too: it costs microseconds, and a mis-generated header must not become a
 * silently weaker filter. */
static void add_filter(struct run *run, const char *name, struct sock_filter *prog, size_t n)
{
	const struct arch *native = arch_native(), *arch;
	char err[512];

	if (bpf_verify(prog, n, &arch, err, sizeof(err)) < 0)
		die("%s: %s", name, err);
	if (!native)
		die("this machine's architecture is not supported");
	if (arch != native)
		die("%s: filter is for %s, this machine is %s", name, arch->name, native->name);
	run->filters[run->n_filters].len = (unsigned short)n;
	run->filters[run->n_filters].filter = prog;
	run->n_filters++;
}

/* The sock_fprog that seccomp() takes points to writable memory; the
 * kernel only reads it, so a copy of a const array is not needed. */
#define ADD_BUILTIN(run, name, array) \
	add_filter(run, name, (struct sock_filter *)(array), LENGTH(array))

void filter_load(struct run *run, const char *path, int fd)
{
	static struct sock_filter insns[BLOB_MAX_INSNS];
	char err[512];
	size_t n;

	if (!path) {
		/* One program: the default policy and the guard compiled together. */
		if (run->allow_nested_userns)
			ADD_BUILTIN(run, "built-in filter", filter_unix_block);
		else
			ADD_BUILTIN(run, "built-in filter", filter_sandbox);
		run->filter_desc = run->allow_nested_userns ? "built-in filter without the namespace guard" :
							      "built-in filter";
		return;
	}
	/* The guard first: a caller's filter that refused seccomp() itself
	 * must not keep the guard out. */
	if (!run->allow_nested_userns)
		ADD_BUILTIN(run, "built-in namespace guard", filter_namespaces);
	n = fd >= 0 ? blob_read(fd, path, insns, err, sizeof(err)) : blob_load(path, insns, err, sizeof(err));
	if (n == 0)
		die("%s", err);
	add_filter(run, path, insns, n);
	run->filter_desc = run->allow_nested_userns ? "FILTER" : "FILTER and the namespace guard";
}
