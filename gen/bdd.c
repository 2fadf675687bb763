#include "bdd.h"

#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define LEAF_VAR BDD_VARS       /* below every variable */
#define MEMO_MAX (1u << 20)     /* entries of the operation cache, at most */

struct node {
	uint32_t var;
	bdd lo, hi;             /* where the variable is 0, 1 */
};

/* One remembered if-then-else. */
struct memo {
	bdd f, g, h, r;
};

struct bdd_store {
	struct node *nodes;
	size_t n, cap, max;
	bdd *slots;             /* unique table: node indices, 0 when empty */
	size_t n_slots;
	struct memo *memo;
	size_t n_memo;
	bool exhausted;
};

static uint64_t mix(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t h = (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full) ^ (c * 0x165667b19e3779f9ull);

	return h ^ (h >> 29);
}

static void clear_memo(struct bdd_store *s)
{
	for (size_t i = 0; i < s->n_memo; i++)
		s->memo[i].f = UINT32_MAX;
}

/* Doubles the unique table (and the cache with it, up to MEMO_MAX). */
static void grow_tables(struct bdd_store *s)
{
	s->n_slots *= 2;
	free(s->slots);
	s->slots = xcalloc(s->n_slots, sizeof(*s->slots));
	for (size_t i = 2; i < s->n; i++) {
		size_t at = mix(s->nodes[i].var, s->nodes[i].lo, s->nodes[i].hi) & (s->n_slots - 1);

		while (s->slots[at])
			at = (at + 1) & (s->n_slots - 1);
		s->slots[at] = (bdd)i;
	}
	if (s->n_memo < MEMO_MAX) {
		s->n_memo *= 2;
		free(s->memo);
		s->memo = xcalloc(s->n_memo, sizeof(*s->memo));
		clear_memo(s);
	}
}

struct bdd_store *bdd_store_new(size_t max_nodes)
{
	struct bdd_store *s = xcalloc(1, sizeof(*s));

	s->max = max_nodes;
	s->cap = 1024;
	s->nodes = xcalloc(s->cap, sizeof(*s->nodes));
	s->nodes[BDD_FALSE] = (struct node){ LEAF_VAR, BDD_FALSE, BDD_FALSE };
	s->nodes[BDD_TRUE] = (struct node){ LEAF_VAR, BDD_TRUE, BDD_TRUE };
	s->n = 2;
	s->n_slots = 2048;
	s->slots = xcalloc(s->n_slots, sizeof(*s->slots));
	s->n_memo = 1024;
	s->memo = xcalloc(s->n_memo, sizeof(*s->memo));
	clear_memo(s);
	return s;
}

void bdd_store_free(struct bdd_store *s)
{
	if (!s)
		return;
	free(s->nodes);
	free(s->slots);
	free(s->memo);
	free(s);
}

bool bdd_exhausted(const struct bdd_store *s)
{
	return s->exhausted;
}

/* The node (var, lo, hi), shared with any equal one. */
static bdd make(struct bdd_store *s, uint32_t var, bdd lo, bdd hi)
{
	size_t at;

	if (lo == hi)
		return lo;
	at = mix(var, lo, hi) & (s->n_slots - 1);
	for (; s->slots[at]; at = (at + 1) & (s->n_slots - 1)) {
		const struct node *x = &s->nodes[s->slots[at]];

		if (x->var == var && x->lo == lo && x->hi == hi)
			return s->slots[at];
	}
	if (s->n == s->max) {
		s->exhausted = true;
		return BDD_FALSE;
	}
	if (s->n == s->cap) {
		s->cap *= 2;
		s->nodes = xreallocarray(s->nodes, s->cap, sizeof(*s->nodes));
	}
	s->nodes[s->n] = (struct node){ var, lo, hi };
	s->slots[at] = (bdd)s->n++;
	/* Keep the table at most half full. */
	if (2 * s->n > s->n_slots)
		grow_tables(s);
	return (bdd)s->n - 1;
}

bdd bdd_var(struct bdd_store *s, unsigned word, unsigned bit)
{
	return make(s, word * 32 + 31 - bit, BDD_FALSE, BDD_TRUE);
}

bdd bdd_word_test(struct bdd_store *s, unsigned word, uint32_t mask, uint16_t op, uint32_t k)
{
	/* From the least significant bit up, r is the outcome on the bits so
	 * far: where the masked word and k first differ from the top decides
	 * an order, and equal words are >= but not >. */
	bdd r = op == BPF_JEQ || op == BPF_JGE ? BDD_TRUE : BDD_FALSE;

	if (op == BPF_JEQ && k & ~mask)
		return BDD_FALSE;
	for (unsigned i = 0; i < 32 && !s->exhausted; i++) {
		uint32_t var = word * 32 + 31 - i;
		bool m = mask >> i & 1, b = k >> i & 1;

		switch (op) {
		case BPF_JEQ:
			if (m)
				r = b ? make(s, var, BDD_FALSE, r) : make(s, var, r, BDD_FALSE);
			break;
		case BPF_JSET:
			if (m && b)
				r = make(s, var, r, BDD_TRUE);
			break;
		default:
			if (!m)
				r = b ? BDD_FALSE : r;
			else
				r = b ? make(s, var, BDD_FALSE, r) : make(s, var, r, BDD_TRUE);
			break;
		}
	}
	return s->exhausted ? BDD_FALSE : r;
}

static uint32_t top_var(const struct bdd_store *s, bdd f)
{
	return s->nodes[f].var;
}

/* f where variable var is `one`. */
static bdd cofactor(const struct bdd_store *s, bdd f, uint32_t var, bool one)
{
	const struct node *x = &s->nodes[f];

	if (x->var != var)
		return f;
	return one ? x->hi : x->lo;
}

bdd bdd_ite(struct bdd_store *s, bdd f, bdd g, bdd h)
{
	uint32_t var;
	size_t at;
	bdd lo, hi, r;

	if (s->exhausted)
		return BDD_FALSE;
	if (f == BDD_TRUE || g == h)
		return g;
	if (f == BDD_FALSE)
		return h;
	if (g == BDD_TRUE && h == BDD_FALSE)
		return f;
	at = mix(f, g, h) & (s->n_memo - 1);
	if (s->memo[at].f == f && s->memo[at].g == g && s->memo[at].h == h)
		return s->memo[at].r;
	var = top_var(s, f);
	if (top_var(s, g) < var)
		var = top_var(s, g);
	if (top_var(s, h) < var)
		var = top_var(s, h);
	lo = bdd_ite(s, cofactor(s, f, var, false), cofactor(s, g, var, false), cofactor(s, h, var, false));
	hi = bdd_ite(s, cofactor(s, f, var, true), cofactor(s, g, var, true), cofactor(s, h, var, true));
	r = make(s, var, lo, hi);
	if (s->exhausted)
		return BDD_FALSE;
	/* The cache may have grown meanwhile: place the entry anew. */
	at = mix(f, g, h) & (s->n_memo - 1);
	s->memo[at] = (struct memo){ f, g, h, r };
	return r;
}

bdd bdd_and(struct bdd_store *s, bdd f, bdd g)
{
	return bdd_ite(s, f, g, BDD_FALSE);
}

bdd bdd_or(struct bdd_store *s, bdd f, bdd g)
{
	return bdd_ite(s, f, BDD_TRUE, g);
}

bdd bdd_not(struct bdd_store *s, bdd f)
{
	return bdd_ite(s, f, BDD_FALSE, BDD_TRUE);
}

bool bdd_holds(const struct bdd_store *s, bdd f, const uint32_t words[BDD_WORDS])
{
	while (f > BDD_TRUE) {
		const struct node *x = &s->nodes[f];

		f = words[x->var / 32] >> (31 - x->var % 32) & 1 ? x->hi : x->lo;
	}
	return f == BDD_TRUE;
}

void bdd_pick(const struct bdd_store *s, bdd f, bool last, uint32_t words[BDD_WORDS])
{
	for (unsigned w = 0; w < BDD_WORDS; w++)
		words[w] = last ? UINT32_MAX : 0;
	while (f > BDD_TRUE) {
		const struct node *x = &s->nodes[f];
		uint32_t bit = 1u << (31 - x->var % 32);
		bool one = last ? x->hi != BDD_FALSE : x->lo == BDD_FALSE;

		if (one)
			words[x->var / 32] |= bit;
		else
			words[x->var / 32] &= ~bit;
		f = one ? x->hi : x->lo;
	}
}

bool bdd_cube(const struct bdd_store *s, bdd f, unsigned word, uint32_t *mask, uint32_t *value)
{
	*mask = *value = 0;
	while (f > BDD_TRUE) {
		const struct node *x = &s->nodes[f];
		uint32_t bit = 1u << (31 - x->var % 32);

		if (x->var / 32 != word || (x->lo != BDD_FALSE && x->hi != BDD_FALSE))
			return false;
		*mask |= bit;
		if (x->lo == BDD_FALSE)
			*value |= bit;
		f = x->lo == BDD_FALSE ? x->hi : x->lo;
	}
	return f == BDD_TRUE;
}
