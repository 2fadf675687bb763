#include "semantic.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Conditions on one argument past this many are not analysed (2^k truth
 * vectors, each checked by inclusion-exclusion over up to k sets). */
#define MAX_CONDS_PER_ARG 8
/* Cells past this many are not enumerated. */
#define MAX_CELLS 200000u

/* A set of words: [lo, hi] intersected with the class (x & mask) == value. */
struct wset {
	uint32_t lo, hi, mask, value;
};

/* Words x <= n with (x & m) == v (v within m). */
static uint64_t count_le(uint32_t n, uint32_t m, uint32_t v)
{
	uint64_t total = 0;

	for (int b = 31; b >= 0; b--) {
		uint32_t bit = 1u << b, below = bit - 1;
		bool fixed = m & bit, one = v & bit;

		if (n & bit) {
			/* x takes 0 here, below it anything the class allows. */
			if (!fixed || !one)
				total += (uint64_t)1 << __builtin_popcount(~m & below);
			if (fixed && !one)
				return total;
		} else if (fixed && one) {
			return total;
		}
	}
	return total + 1;
}

static uint64_t wset_count(const struct wset *s)
{
	if (s->lo > s->hi)
		return 0;
	return count_le(s->hi, s->mask, s->value) - (s->lo ? count_le(s->lo - 1, s->mask, s->value) : 0);
}

/* Intersects a with b into a; false if the classes conflict. */
static bool wset_and(struct wset *a, const struct wset *b)
{
	uint32_t both = a->mask & b->mask;

	if ((a->value & both) != (b->value & both))
		return false;
	a->lo = a->lo > b->lo ? a->lo : b->lo;
	a->hi = a->hi < b->hi ? a->hi : b->hi;
	a->value |= b->value;
	a->mask |= b->mask;
	return a->lo <= a->hi;
}

static const struct wset all_words = { 0, 0xffffffffu, 0, 0 };

/* The set c describes, as base (negated when *negated). */
static struct wset cond_set(const struct cond *c, bool *negated)
{
	struct wset s = all_words;

	*negated = false;
	if (c->mask != 0xffffffffu) {
		s.mask = c->mask;
		s.value = c->value & c->mask;
		*negated = c->op == OP_NE;
		return s;
	}
	switch (c->op) {
	case OP_NE:
		*negated = true;
		/* fall through */
	case OP_EQ: s.lo = s.hi = c->value; break;
	case OP_LT: if (c->value == 0) s.lo = 1, s.hi = 0; else s.hi = c->value - 1; break;
	case OP_LE: s.hi = c->value; break;
	case OP_GT: if (c->value == 0xffffffffu) s.lo = 1, s.hi = 0; else s.lo = c->value + 1; break;
	case OP_GE: s.lo = c->value; break;
	}
	return s;
}

uint64_t cond_count(const struct cond *c)
{
	bool negated;
	struct wset s = cond_set(c, &negated);
	uint64_t n = wset_count(&s);

	return negated ? ((uint64_t)1 << 32) - n : n;
}

/* Whether some word lies in pos and in none of neg[0..k): inclusion-exclusion. */
static bool feasible(const struct wset *pos, const struct wset *neg, size_t k)
{
	int64_t total = 0;

	for (uint32_t sub = 0; sub < 1u << k; sub++) {
		struct wset s = *pos;
		bool empty = false;

		for (size_t i = 0; i < k && !empty; i++)
			if (sub >> i & 1)
				empty = !wset_and(&s, &neg[i]);
		if (!empty)
			total += (__builtin_popcount(sub) & 1 ? -1 : 1) * (int64_t)wset_count(&s);
	}
	return total > 0;
}

struct arg_classes {
	const struct cond *conds[MAX_CONDS_PER_ARG];
	size_t n_conds;
	uint32_t *vectors;      /* realised truth vectors, bit i for conds[i] */
	size_t n_vectors;
};

static bool same_cond(const struct cond *a, const struct cond *b)
{
	return a->arg == b->arg && a->op == b->op && a->mask == b->mask && a->value == b->value;
}

/* Collects the distinct conditions per argument; false if one has too many. */
static bool collect(const struct rule *const *rules, size_t n, struct arg_classes *args)
{
	for (size_t r = 0; r < n; r++) {
		for (size_t i = 0; i < rules[r]->n_conds; i++) {
			const struct cond *c = &rules[r]->conds[i];
			struct arg_classes *a = &args[c->arg];
			size_t j;

			for (j = 0; j < a->n_conds && !same_cond(a->conds[j], c); j++)
				;
			if (j < a->n_conds)
				continue;
			if (a->n_conds == MAX_CONDS_PER_ARG)
				return false;
			a->conds[a->n_conds++] = c;
		}
	}
	return true;
}

static void realise(struct arg_classes *a)
{
	size_t k = a->n_conds;

	a->vectors = xcalloc((size_t)1 << k, sizeof(*a->vectors));
	for (uint32_t vec = 0; vec < 1u << k; vec++) {
		struct wset pos = all_words, neg[MAX_CONDS_PER_ARG];
		size_t n_neg = 0;
		bool ok = true;

		for (size_t i = 0; i < k && ok; i++) {
			bool negated, want = vec >> i & 1;
			struct wset s = cond_set(a->conds[i], &negated);

			if (want != negated)
				ok = wset_and(&pos, &s);
			else
				neg[n_neg++] = s;
		}
		if (ok && feasible(&pos, neg, n_neg))
			a->vectors[a->n_vectors++] = vec;
	}
}

static size_t index_of(const struct arg_classes *a, const struct cond *c)
{
	for (size_t j = 0; j < a->n_conds; j++)
		if (same_cond(a->conds[j], c))
			return j;
	return 0;
}

/* Whether every condition of rule holds in the cell pick[] names. */
static bool rule_holds(const struct rule *rule, const struct arg_classes *args, const size_t *pick)
{
	for (size_t i = 0; i < rule->n_conds; i++) {
		const struct cond *c = &rule->conds[i];
		const struct arg_classes *a = &args[c->arg];

		if (!(a->vectors[pick[c->arg]] >> index_of(a, c) & 1))
			return false;
	}
	return true;
}

/* Sets pick[] to the classes of cell number cell. */
static void cell_classes(const struct arg_classes *args, size_t cell, size_t *pick)
{
	for (unsigned a = 0; a < 6; a++) {
		pick[a] = cell % args[a].n_vectors;
		cell /= args[a].n_vectors;
	}
}

enum semantic_result semantic_decide(const struct rule *const *rules, size_t n, uint32_t deflt,
				     uint32_t *action, size_t *dead, bool *covering)
{
	struct arg_classes args[6];
	size_t pick[6] = { 0 }, cells = 1, *wins = xcalloc(n + 1, sizeof(*wins));
	enum semantic_result result = SEM_TOO_BIG;
	bool varies = false, first = true;

	memset(args, 0, sizeof(args));
	if (!collect(rules, n, args))
		goto out;
	for (unsigned a = 0; a < 6; a++) {
		realise(&args[a]);
		cells *= args[a].n_vectors;
		if (cells > MAX_CELLS)
			goto out;
	}
	/* Every cell: one realised vector per argument. */
	for (size_t cell = 0; cell < cells; cell++) {
		size_t winner = n;
		uint32_t act;

		cell_classes(args, cell, pick);
		for (size_t r = 0; r < n && winner == n; r++)
			if (rule_holds(rules[r], args, pick))
				winner = r;
		wins[winner]++;
		act = winner < n ? rules[winner]->ret : deflt;
		if (first)
			*action = act;
		else if (act != *action)
			varies = true;
		first = false;
	}
	result = varies ? SEM_VARIES : SEM_CONSTANT;
	for (size_t r = 0; r < n; r++) {
		if (wins[r])
			continue;
		/* Dead: the earlier rules that win where its conditions hold. */
		result = SEM_DEAD_RULE;
		*dead = r;
		memset(covering, 0, n * sizeof(*covering));
		for (size_t cell = 0; cell < cells; cell++) {
			cell_classes(args, cell, pick);
			if (!rule_holds(rules[r], args, pick))
				continue;
			for (size_t e = 0; e < r; e++) {
				if (rule_holds(rules[e], args, pick)) {
					covering[e] = true;
					break;
				}
			}
		}
		break;
	}
out:
	for (unsigned a = 0; a < 6; a++)
		free(args[a].vectors);
	free(wins);
	return result;
}
