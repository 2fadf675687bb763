/* Named constants a policy may use: errno names, AF_*, SOCK_*, TIOC*, CLONE_*, O_*. */
#ifndef CONSTS_H
#define CONSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Looks up name (len bytes, not terminated); true and *value if known. */
bool const_lookup(const char *name, size_t len, uint32_t *value);
/* Whether name (len bytes) has different values on the two targets, and which. */
bool const_arch_dependent(const char *name, size_t len, uint32_t *x86_64, uint32_t *aarch64);
/* Errno value of name (len bytes), or -1. */
long errno_lookup(const char *name, size_t len);
/* The kernel's own name for errno value e, or NULL. */
const char *errno_name(uint32_t e);

#endif
