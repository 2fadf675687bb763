/* The architectures a blob can be built for, shared by compiler and loader. */
#ifndef ARCH_H
#define ARCH_H

#include <stdint.h>

struct arch {
	const char *name;          /* as on the command line: "x86_64" */
	uint32_t audit_arch;       /* seccomp_data.arch of native syscalls */
	/* Bit that marks a second ABI sharing audit_arch (x32 on x86_64), or 0. */
	uint32_t abi_bit;
	/* Audit arch of the 32-bit compat ABI the kernel may also accept. */
	uint32_t compat_audit_arch;
	const char *cc_macro;      /* predefined by a compiler targeting it */
};

extern const struct arch arches[];
extern const unsigned n_arches;

const struct arch *arch_by_name(const char *name);
const struct arch *arch_by_audit(uint32_t audit_arch);
/* The architecture this binary was compiled for, or NULL if not a target. */
const struct arch *arch_native(void);
/* A readable name for any AUDIT_ARCH_* value, targets or not ("i386"). */
const char *audit_arch_name(uint32_t audit_arch);

#endif
