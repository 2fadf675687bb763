/* Syscall tables of the target architectures (generated from UAPI headers). */
#ifndef SYSCALLS_H
#define SYSCALLS_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

struct syscall {
	const char *name;
	uint32_t nr;
};

/* The table of arch, sorted by number. */
const struct syscall *syscall_table(const struct arch *arch, size_t *count);
/* Number of name on arch, or -1 if arch lacks it. */
long syscall_nr(const struct arch *arch, const char *name);
/* Name of number nr on arch, or NULL. */
const char *syscall_name(const struct arch *arch, uint32_t nr);

#endif
