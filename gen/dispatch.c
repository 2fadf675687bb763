#include "dispatch.h"

#include <stdbool.h>
#include <stdlib.h>
#include <linux/filter.h>

#include "verify.h"
#include "xalloc.h"

#define CHAIN_MAX 4             /* single numbers a JEQ chain may test */
#define EXACT_MAX 600           /* above this many intervals, split points are
				 * searched only between the optimal ones of the
				 * two sub-ranges (Knuth's bound) */

enum { LEAF = -1, CHAIN = -2 };

struct planner {
	const struct interval *iv;
	size_t n;
	uint64_t *prefix;       /* prefix[i]: weight of iv[0..i) */
	uint64_t *cost;         /* cost[i * n + j]: best tree for iv[i..j] */
	int *choice;            /* LEAF, CHAIN, or the first interval of the right side */
	int *split;             /* best split point even where a chain won */
};

static uint64_t weight(const struct planner *p, size_t i, size_t j)
{
	return p->prefix[j + 1] - p->prefix[i];
}

static bool single(const struct interval *x)
{
	return x->lo == x->hi;
}

/* The background leaf of a JEQ chain over iv[i..j], or -1 when the range is
 * not one leaf with at most CHAIN_MAX single numbers of other leaves. */
static int chain_background(const struct planner *p, size_t i, size_t j)
{
	int bg = !single(&p->iv[i]) ? p->iv[i].leaf : !single(&p->iv[j]) ? p->iv[j].leaf : -1;
	size_t singles = 0;

	if (bg < 0)
		return -1;
	for (size_t k = i; k <= j; k++) {
		if (p->iv[k].leaf == bg)
			continue;
		if (!single(&p->iv[k]) || ++singles > CHAIN_MAX)
			return -1;
	}
	return bg;
}

/* The chain's single numbers, heaviest first (ties: lower number first);
 * returns how many. */
static size_t chain_order(const struct planner *p, size_t i, size_t j, int bg, size_t *order)
{
	size_t m = 0;

	for (size_t k = i; k <= j; k++) {
		size_t pos;

		if (p->iv[k].leaf == bg)
			continue;
		for (pos = m++; pos > 0 && p->iv[order[pos - 1]].weight < p->iv[k].weight; pos--)
			order[pos] = order[pos - 1];
		order[pos] = k;
	}
	return m;
}

/* Every interval pays one test per single number tested before it. */
static uint64_t chain_cost(const struct planner *p, size_t i, size_t j, int bg)
{
	size_t order[CHAIN_MAX];
	size_t m = chain_order(p, i, j, bg, order);
	uint64_t cost = 0, singles_weight = 0;

	for (size_t t = 0; t < m; t++) {
		cost += p->iv[order[t]].weight * (t + 1);
		singles_weight += p->iv[order[t]].weight;
	}
	return cost + (weight(p, i, j) - singles_weight) * m;
}

static void plan(struct planner *p)
{
	size_t n = p->n;

	for (size_t len = 1; len <= n; len++) {
		for (size_t i = 0; i + len <= n; i++) {
			size_t j = i + len - 1, lo = i + 1, hi = j;
			uint64_t best = UINT64_MAX;
			int best_split = -1;
			int bg;

			if (len == 1) {
				p->cost[i * n + j] = 0;
				p->choice[i * n + j] = LEAF;
				p->split[i * n + j] = (int)i;
				continue;
			}
			if (n > EXACT_MAX && len > 2) {
				lo = (size_t)p->split[i * n + j - 1];
				hi = (size_t)p->split[(i + 1) * n + j];
				lo = lo < i + 1 ? i + 1 : lo;
				hi = hi < lo ? lo : hi;
			}
			for (size_t s = lo; s <= hi; s++) {
				uint64_t c = p->cost[i * n + s - 1] + p->cost[s * n + j];

				if (c < best) {
					best = c;
					best_split = (int)s;
				}
			}
			best += weight(p, i, j);
			p->split[i * n + j] = best_split;
			p->choice[i * n + j] = best_split;
			if (len <= 2 * CHAIN_MAX + 1 && (bg = chain_background(p, i, j)) >= 0) {
				uint64_t c = chain_cost(p, i, j, bg);

				if (c < best) {
					best = c;
					p->choice[i * n + j] = CHAIN;
				}
			}
			p->cost[i * n + j] = best;
		}
	}
}

static int build(struct graph *g, const struct planner *p, size_t i, size_t j)
{
	int c = p->choice[i * p->n + j];

	if (c == LEAF)
		return p->iv[i].leaf;
	if (c == CHAIN) {
		size_t order[CHAIN_MAX];
		int bg = chain_background(p, i, j);
		size_t m = chain_order(p, i, j, bg, order);
		int node = bg;

		while (m-- > 0) {
			const struct interval *x = &p->iv[order[m]];

			node = graph_cmp(g, SD_NR, NO_MASK, BPF_JEQ, x->lo, x->leaf, node);
		}
		return node;
	}
	return graph_cmp(g, SD_NR, NO_MASK, BPF_JGE, p->iv[c].lo,
			 build(g, p, (size_t)c, j), build(g, p, i, (size_t)c - 1));
}

int dispatch_build(struct graph *g, const struct interval *iv, size_t n)
{
	struct planner p = { .iv = iv, .n = n };
	int root;

	p.prefix = xcalloc(n + 1, sizeof(*p.prefix));
	for (size_t i = 0; i < n; i++)
		p.prefix[i + 1] = p.prefix[i] + iv[i].weight;
	p.cost = xcalloc(n * n, sizeof(*p.cost));
	p.choice = xcalloc(n * n, sizeof(*p.choice));
	p.split = xcalloc(n * n, sizeof(*p.split));
	plan(&p);
	root = build(g, &p, 0, n - 1);
	free(p.prefix);
	free(p.cost);
	free(p.choice);
	free(p.split);
	return root;
}
