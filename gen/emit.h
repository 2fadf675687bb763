/* Laying out a decision graph as a classic BPF program. */
#ifndef EMIT_H
#define EMIT_H

#include <linux/filter.h>
#include <stddef.h>

#include "graph.h"

/* Emits the nodes reachable from root; root comes first. A test node loads
 * (and masks) its word only when some way into it arrives with another value
 * in the accumulator; a conditional jump too far for its 8-bit offset goes
 * through a copy of the return it aims at, or a JA. Returns the instruction
 * count and a malloc'd program in *prog. */
size_t emit_program(const struct graph *g, int root, struct sock_filter **prog);

#endif
