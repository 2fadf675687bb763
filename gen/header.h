/* C headers that embed blobs, for the loader's built-in filters. */
#ifndef HEADER_H
#define HEADER_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdio.h>

#include "arch.h"

struct embedded {
	const char *path;
	char *name;             /* filter_NAME: the basename without .bpf, as a C name */
	const struct arch *arch;
	const struct sock_filter *prog;
	size_t n;
};

/* The C name for the blob at path: "filter_" and its basename without
 * ".bpf", every byte that is not a letter or digit made '_'. malloc'd. */
char *header_blob_name(const char *path);

/* Checks that no arch has two blobs of one name and that every arch with a
 * blob has the same names; returns 0, or -1 with the reason in err. */
int header_check(const struct embedded *blobs, size_t n_blobs, char *err, size_t errlen);

/* One branch per arch, selected by the predefined macro of a compiler
 * targeting it, holding an array per blob name; other arches get #error. */
void header_print(FILE *out, const struct embedded *blobs, size_t n_blobs);

#endif
