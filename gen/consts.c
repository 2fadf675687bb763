#include "consts.h"

#include <string.h>

struct named {
	const char *name;
	uint32_t value;
	bool alias;
};

#define ERRNO(name, value, alias) { #name, value, alias },
#define CONSTANT(name, value)
#define ARCH_DEPENDENT(name, x86_64, aarch64)
static const struct named errnos[] = {
#include "constants.inc"
};
#undef ERRNO
#undef CONSTANT

#define ERRNO(name, value, alias)
#define CONSTANT(name, value) { #name, value, false },
static const struct named others[] = {
#include "constants.inc"
};
#undef CONSTANT
#undef ARCH_DEPENDENT

static const struct {
	const char *name;
	uint32_t x86_64, aarch64;
} arch_dependent[] = {
#define CONSTANT(name, value)
#define ARCH_DEPENDENT(name, x86_64, aarch64) { #name, x86_64, aarch64 },
#include "constants.inc"
};
#undef ERRNO
#undef CONSTANT
#undef ARCH_DEPENDENT

static const struct named *find(const struct named *t, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(t[i].name) == len && memcmp(t[i].name, name, len) == 0)
			return &t[i];
	return NULL;
}

long errno_lookup(const char *name, size_t len)
{
	const struct named *c = find(errnos, sizeof(errnos) / sizeof(errnos[0]), name, len);

	return c ? (long)c->value : -1;
}

bool const_lookup(const char *name, size_t len, uint32_t *value)
{
	const struct named *c = find(others, sizeof(others) / sizeof(others[0]), name, len);

	if (!c)
		c = find(errnos, sizeof(errnos) / sizeof(errnos[0]), name, len);
	if (c)
		*value = c->value;
	return c != NULL;
}

const char *errno_name(uint32_t e)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].value == e && !errnos[i].alias)
			return errnos[i].name;
	return NULL;
}

bool const_arch_dependent(const char *name, size_t len, uint32_t *x86_64, uint32_t *aarch64)
{
	for (size_t i = 0; i < sizeof(arch_dependent) / sizeof(arch_dependent[0]); i++) {
		if (strlen(arch_dependent[i].name) == len && memcmp(arch_dependent[i].name, name, len) == 0) {
			*x86_64 = arch_dependent[i].x86_64;
			*aarch64 = arch_dependent[i].aarch64;
			return true;
		}
	}
	return false;
}
