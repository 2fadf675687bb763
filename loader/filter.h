/* Reading and checking the filters, before anything else happens. */
#ifndef FILTER_H
#define FILTER_H

#include "loader.h"

/* Whether path names a regular file whose first instruction loads
 * seccomp_data.arch, as every blob's does: such a first operand is FILTER,
 * never COMMAND. Returns the file open (to read it once), or -1. */
int filter_open_if_blob(const char *path);

/* Fills in run->filters: the built-in program (path NULL), or the blob at
 * path (read from fd if it is not -1) with the namespace guard stacked on
 * it; without the guard when run->allow_nested_userns. Each is verified for
 * this machine. Exits with 125 and a one-line reason otherwise. */
void filter_load(struct run *run, const char *path, int fd);

#endif
