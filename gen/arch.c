#include "arch.h"

#include <linux/audit.h>
#include <stddef.h>
#include <string.h>

const struct arch arches[] = {
	{ "x86_64", AUDIT_ARCH_X86_64, 0x40000000u, AUDIT_ARCH_I386, "__x86_64__" },
	{ "aarch64", AUDIT_ARCH_AARCH64, 0, AUDIT_ARCH_ARM, "__aarch64__" },
};
const unsigned n_arches = sizeof(arches) / sizeof(arches[0]);

/* Names of the 32-bit ABIs too, for messages about foreign blobs. */
static const struct {
	uint32_t audit_arch;
	const char *name;
} other_names[] = {
	{ AUDIT_ARCH_I386, "i386" },
	{ AUDIT_ARCH_ARM, "arm" },
};

const struct arch *arch_by_name(const char *name)
{
	for (unsigned i = 0; i < n_arches; i++)
		if (strcmp(arches[i].name, name) == 0)
			return &arches[i];
	return NULL;
}

const struct arch *arch_by_audit(uint32_t audit_arch)
{
	for (unsigned i = 0; i < n_arches; i++)
		if (arches[i].audit_arch == audit_arch)
			return &arches[i];
	return NULL;
}

const struct arch *arch_native(void)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	return arch_by_audit(AUDIT_ARCH_X86_64);
#elif defined(__aarch64__) && !defined(__AARCH64EB__) && !defined(__ILP32__)
	return arch_by_audit(AUDIT_ARCH_AARCH64);
#else
	return NULL;
#endif
}

const char *audit_arch_name(uint32_t audit_arch)
{
	const struct arch *a = arch_by_audit(audit_arch);

	if (a)
		return a->name;
	for (size_t i = 0; i < sizeof(other_names) / sizeof(other_names[0]); i++)
		if (other_names[i].audit_arch == audit_arch)
			return other_names[i].name;
	return NULL;
}
