/* C headers that embed blobs, for the loader's --builtin. */
#ifndef HEADER_H
#define HEADER_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdio.h>

#include "arch.h"

struct embedded {
	const char *path;
	const struct arch *arch;
	const struct sock_filter *prog;
	size_t n;
};

/* One verified program per arch, each selected by the predefined macro of
 * a compiler targeting that arch; other arches get #error. */
void header_print(FILE *out, const struct embedded *blobs, size_t n_blobs);

#endif
