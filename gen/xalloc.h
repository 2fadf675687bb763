/* Allocation that cannot fail: running out of memory ends seccomp-gen. */
#ifndef XALLOC_H
#define XALLOC_H

#include <stddef.h>

void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrndup(const char *s, size_t len);

#endif
