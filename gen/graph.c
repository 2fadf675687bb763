#include "graph.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static uint64_t node_hash(const struct node *x)
{
	uint64_t h = 1469598103934665603ull;
	const uint64_t fields[] = {
		x->kind, x->ret, x->offset, x->mask, x->jop, x->k, (uint32_t)x->t, (uint32_t)x->f,
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		h = (h ^ fields[i]) * 1099511628211ull;
	return h;
}

static bool node_equal(const struct node *a, const struct node *b)
{
	return a->kind == b->kind && a->ret == b->ret && a->offset == b->offset &&
	       a->mask == b->mask && a->jop == b->jop && a->k == b->k && a->t == b->t && a->f == b->f;
}

static void rehash(struct graph *g, size_t n_slots)
{
	free(g->slots);
	g->n_slots = n_slots;
	g->slots = xreallocarray(NULL, n_slots, sizeof(*g->slots));
	memset(g->slots, 0xff, n_slots * sizeof(*g->slots));
	for (size_t i = 0; i < g->n; i++) {
		size_t s = node_hash(&g->nodes[i]) & (n_slots - 1);

		while (g->slots[s] >= 0)
			s = (s + 1) & (n_slots - 1);
		g->slots[s] = (int)i;
	}
}

void graph_init(struct graph *g)
{
	memset(g, 0, sizeof(*g));
	rehash(g, 64);
}

void graph_free(struct graph *g)
{
	free(g->nodes);
	free(g->slots);
	memset(g, 0, sizeof(*g));
}

static int intern(struct graph *g, const struct node *x)
{
	size_t s = node_hash(x) & (g->n_slots - 1);

	for (; g->slots[s] >= 0; s = (s + 1) & (g->n_slots - 1))
		if (node_equal(&g->nodes[g->slots[s]], x))
			return g->slots[s];
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->nodes = xreallocarray(g->nodes, g->cap, sizeof(*g->nodes));
	}
	g->nodes[g->n] = *x;
	g->slots[s] = (int)g->n++;
	/* Keep the table at most half full. */
	if (2 * g->n > g->n_slots)
		rehash(g, 2 * g->n_slots);
	return (int)g->n - 1;
}

int graph_ret(struct graph *g, uint32_t ret)
{
	struct node x = { .kind = NODE_RET, .ret = ret, .t = -1, .f = -1 };

	return intern(g, &x);
}

int graph_test(struct graph *g, uint32_t offset, uint32_t mask, uint16_t jop, uint32_t k, int t, int f)
{
	struct node x = {
		.kind = NODE_CMP, .offset = offset, .mask = mask, .jop = jop, .k = k, .t = t, .f = f,
	};

	return intern(g, &x);
}

int graph_cmp(struct graph *g, uint32_t offset, uint32_t mask, uint16_t jop, uint32_t k, int t, int f)
{
	return t == f ? t : graph_test(g, offset, mask, jop, k, t, f);
}
