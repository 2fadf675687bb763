/* Dispatch on the syscall number: a search tree over number ranges. */
#ifndef DISPATCH_H
#define DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"

/* A range of syscall numbers that all lead to the same node. */
struct interval {
	uint32_t lo, hi;        /* inclusive */
	int leaf;
	uint64_t weight;        /* how much a short path here is worth */
};

/* Builds the tree deciding among iv[0..n), which are sorted, contiguous,
 * cover 0 to 0xffffffff, and have neighbours with different leaves. It
 * minimises the sum over intervals of weight times tests on the way, using
 * range splits (JGE) and, where a range is one leaf with a few single
 * numbers in it, a chain of JEQ. Returns the root. */
int dispatch_build(struct graph *g, const struct interval *iv, size_t n);

#endif
