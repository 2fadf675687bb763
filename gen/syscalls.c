#include "syscalls.h"

#include <string.h>

#define SYSCALL(name, nr) { #name, nr },
static const struct syscall x86_64_table[] = {
#include "syscalls-x86_64.inc"
};
static const struct syscall aarch64_table[] = {
#include "syscalls-aarch64.inc"
};
#undef SYSCALL

const struct syscall *syscall_table(const struct arch *arch, size_t *count)
{
	if (strcmp(arch->name, "x86_64") == 0) {
		*count = sizeof(x86_64_table) / sizeof(x86_64_table[0]);
		return x86_64_table;
	}
	*count = sizeof(aarch64_table) / sizeof(aarch64_table[0]);
	return aarch64_table;
}

long syscall_nr(const struct arch *arch, const char *name)
{
	size_t n;
	const struct syscall *t = syscall_table(arch, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].nr;
	return -1;
}

const char *syscall_name(const struct arch *arch, uint32_t nr)
{
	size_t n, lo = 0, hi;
	const struct syscall *t = syscall_table(arch, &n);

	hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid].nr == nr)
			return t[mid].name;
		if (t[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
