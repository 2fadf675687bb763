#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#include "fail.h"

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory");
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		die("out of memory");
	size = n * size;
	p = realloc(p, size ? size : 1);
	if (!p)
		die("out of memory");
	return p;
}

char *xstrndup(const char *s, size_t len)
{
	char *d = xcalloc(len + 1, 1);

	memcpy(d, s, len);
	return d;
}
