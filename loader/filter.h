/* Reading and checking the filter, before anything else happens. */
#ifndef FILTER_H
#define FILTER_H

#include "loader.h"

/* Reads the blob at path (or the built-in one when path is NULL), verifies it
 * and checks that it is for this machine; fills in run->prog and run->arch.
 * Exits with 125 and a one-line reason otherwise. */
void filter_load(struct run *run, const char *path);

#endif
