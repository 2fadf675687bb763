/* The decision graph: what the compiler builds from a policy before it lays
 * the program out as instructions. Nodes are shared: asking twice for the same
 * node gives the same index, so equal subtrees are emitted once. */
#ifndef GRAPH_H
#define GRAPH_H

#include <stddef.h>
#include <stdint.h>

#define NO_MASK 0xffffffffu

enum node_kind { NODE_RET, NODE_CMP };

struct node {
	enum node_kind kind;
	uint32_t ret;           /* NODE_RET: the SECCOMP_RET_* value */
	/* NODE_CMP: load the 32-bit word at offset of seccomp_data, AND it with
	 * mask unless NO_MASK, then jump with jop (BPF_JEQ, BPF_JGT, BPF_JGE,
	 * BPF_JSET) against k: to t if the test holds, to f if not. */
	uint32_t offset;
	uint32_t mask;
	uint16_t jop;
	uint32_t k;
	int t, f;
};

struct graph {
	struct node *nodes;
	size_t n, cap;
	int *slots;             /* hash table of node indices, -1 when empty */
	size_t n_slots;
};

void graph_init(struct graph *g);
void graph_free(struct graph *g);
int graph_ret(struct graph *g, uint32_t ret);
/* A test node; a test whose two outcomes lead to the same node is that node. */
int graph_cmp(struct graph *g, uint32_t offset, uint32_t mask, uint16_t jop, uint32_t k, int t, int f);
/* A test node even when both outcomes lead to the same node: for the arch
 * check, which every blob begins with whatever follows it. */
int graph_test(struct graph *g, uint32_t offset, uint32_t mask, uint16_t jop, uint32_t k, int t, int f);

#endif
