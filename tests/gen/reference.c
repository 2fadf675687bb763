#include "reference.h"

#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls.h"
#include "xalloc.h"

#define ALL_BITS 0xffffffffu

/* A condition's state after a prefix of the word's bits. Masked: MATCHING
 * or MISSED; unmasked: the prefix EQUAL to, BELOW or ABOVE the value's. */
enum { EQUAL, BELOW, ABOVE };
#define MATCHING EQUAL
#define MISSED ABOVE

static unsigned char next_state(const struct cond *c, unsigned char st, unsigned bit, unsigned b)
{
	unsigned want = c->value >> bit & 1;

	if (c->mask != ALL_BITS)
		return st == MATCHING && (!(c->mask >> bit & 1) || b == want) ? MATCHING : MISSED;
	if (st != EQUAL || b == want)
		return st;
	return b < want ? BELOW : ABOVE;
}

static bool final_truth(const struct cond *c, unsigned char st)
{
	if (c->mask != ALL_BITS)
		return (st == MATCHING) == (c->op == OP_EQ);
	switch (c->op) {
	case OP_EQ: return st == EQUAL;
	case OP_NE: return st != EQUAL;
	case OP_LT: return st == BELOW;
	case OP_LE: return st != ABOVE;
	case OP_GT: return st == ABOVE;
	case OP_GE: return st != BELOW;
	}
	return false;
}

static size_t row_k;            /* qsort's comparison needs the row length */

static int by_row(const void *a, const void *b)
{
	return memcmp(a, b, row_k);
}

/* Sorts rows (k bytes of state, then 4 of prefix) and keeps one per state. */
static size_t unique_rows(unsigned char *rows, size_t n, size_t k)
{
	size_t out = 0;

	row_k = k;
	qsort(rows, n, k + 4, by_row);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || memcmp(rows + (out - 1) * (k + 4), rows + i * (k + 4), k) != 0)
			memmove(rows + out++ * (k + 4), rows + i * (k + 4), k + 4);
	return out;
}

/* One value per class the conditions conds[0..k) cut the word into, in
 * *reps; returns the count, or 0 past REFERENCE_MAX_STATES. */
static size_t classes(const struct cond *const *conds, size_t k, uint32_t **reps)
{
	size_t row = k + 4, n = 1;
	unsigned char *rows = xcalloc(1, row), *next = NULL;

	for (unsigned bit = 32; bit-- > 0 && n;) {
		size_t m = 0;

		next = xreallocarray(next, 2 * n, row);
		for (size_t i = 0; i < n; i++) {
			for (unsigned b = 0; b < 2; b++) {
				unsigned char *to = next + m++ * row;
				uint32_t prefix;

				memcpy(&prefix, rows + i * row + k, 4);
				prefix |= b << bit;
				for (size_t c = 0; c < k; c++)
					to[c] = next_state(conds[c], rows[i * row + c], bit, b);
				memcpy(to + k, &prefix, 4);
			}
		}
		n = unique_rows(next, m, k);
		if (n > REFERENCE_MAX_STATES)
			n = 0;
		rows = xreallocarray(rows, n + 1, row);
		memcpy(rows, next, n * row);
	}
	/* The truth vectors, one row (and value) each. */
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < k; c++)
			rows[i * row + c] = final_truth(conds[c], rows[i * row + c]);
	n = n ? unique_rows(rows, n, k) : 0;
	*reps = xcalloc(n + 1, sizeof(**reps));
	for (size_t i = 0; i < n; i++)
		memcpy(&(*reps)[i], rows + i * row + k, 4);
	free(rows);
	free(next);
	return n;
}

/* The classes of argument arg under rules[0..n)'s conditions on it. */
static size_t arg_classes(const struct rule *const *rules, size_t n, unsigned arg, uint32_t **reps)
{
	const struct cond **conds;
	size_t k = 0, total = 0, count;

	for (size_t r = 0; r < n; r++)
		total += rules[r]->n_conds;
	conds = xcalloc(total + 1, sizeof(const struct cond *));
	for (size_t r = 0; r < n; r++)
		for (size_t i = 0; i < rules[r]->n_conds; i++)
			if (rules[r]->conds[i].arg == arg)
				conds[k++] = &rules[r]->conds[i];
	count = classes(conds, k, reps);
	free(conds);
	return count;
}

/* Whether every condition of r on arg, but skip, holds for x. */
static bool holds_on(const struct rule *r, unsigned arg, size_t skip, uint32_t x)
{
	for (size_t i = 0; i < r->n_conds; i++)
		if (r->conds[i].arg == arg && i != skip && !cond_holds(&r->conds[i], x))
			return false;
	return true;
}

/* The flaws of one rule's own conditions, in the parser's order. */
static enum ref_verdict rule_flaw(const struct rule *r, size_t *cond)
{
	enum ref_verdict v = REF_SOUND;
	uint32_t *reps[6];
	size_t n[6];

	for (unsigned a = 0; a < 6; a++)
		n[a] = arg_classes(&r, 1, a, &reps[a]);
	for (unsigned a = 0; a < 6; a++)
		if (!n[a])
			v = REF_TOO_BIG;
	for (size_t i = 0; i < r->n_conds && v == REF_SOUND; i++) {
		const struct cond *c = &r->conds[i];
		bool some_true = false, some_false = false;

		for (size_t j = 0; j < n[c->arg]; j++) {
			bool h = cond_holds(c, reps[c->arg][j]);

			some_true |= h;
			some_false |= !h;
		}
		*cond = i;
		if (!some_true || !some_false)
			v = some_true ? REF_ALWAYS : REF_NEVER;
	}
	for (size_t i = 0; i < r->n_conds && v == REF_SOUND; i++) {
		unsigned a = r->conds[i].arg;
		bool any = false;

		for (size_t j = 0; j < n[a]; j++)
			any |= holds_on(r, a, r->n_conds, reps[a][j]);
		*cond = i;
		if (!any)
			v = REF_CONTRADICTS;
	}
	for (size_t i = r->n_conds; i-- > 0 && v == REF_SOUND;) {
		const struct cond *c = &r->conds[i];
		bool others = false, escapes = false;

		for (size_t j = 0; j < r->n_conds; j++)
			others |= j != i && r->conds[j].arg == c->arg;
		for (size_t j = 0; j < n[c->arg]; j++)
			escapes |= holds_on(r, c->arg, i, reps[c->arg][j]) && !cond_holds(c, reps[c->arg][j]);
		*cond = i;
		if (others && !escapes)
			v = REF_REDUNDANT;
	}
	for (unsigned a = 0; a < 6; a++)
		free(reps[a]);
	return v;
}

/* The walk over the arguments of one syscall's rules. */
struct search {
	size_t n, words;        /* rules; 64-bit words of an alive set */
	uint32_t *reps[6];
	size_t n_reps[6];
	uint64_t **holds[6];    /* holds[a][class]: the rules whose conditions on a hold */
	uint64_t *seen;         /* hash set of (1 + argument, alive set) rows, 0 when empty */
	size_t n_seen, n_slots;
	bool *wins;             /* n + 1: the default last */
	bool too_big;
};

static size_t slot_of(const struct search *s, const uint64_t *key)
{
	size_t len = 1 + s->words, at;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	at = (h ^ (h >> 31)) & (s->n_slots - 1);
	while (s->seen[at * len] && memcmp(&s->seen[at * len], key, len * sizeof(*key)) != 0)
		at = (at + 1) & (s->n_slots - 1);
	return at;
}

/* Adds (arg, alive) to the seen set; false if it was there. */
static bool first_visit(struct search *s, unsigned arg, const uint64_t *alive)
{
	size_t len = 1 + s->words, at;
	uint64_t *key = xcalloc(len, sizeof(*key));
	bool fresh;

	key[0] = 1 + arg;
	memcpy(key + 1, alive, s->words * sizeof(*alive));
	at = slot_of(s, key);
	fresh = !s->seen[at * len];
	if (fresh) {
		memcpy(&s->seen[at * len], key, len * sizeof(*key));
		s->too_big |= ++s->n_seen > REFERENCE_MAX_STATES;
	}
	/* Keep the table at most half full. */
	if (2 * s->n_seen > s->n_slots) {
		uint64_t *old = s->seen;
		size_t old_slots = s->n_slots;

		s->n_slots *= 2;
		s->seen = xcalloc(s->n_slots * len, sizeof(*s->seen));
		for (size_t i = 0; i < old_slots; i++)
			if (old[i * len])
				memcpy(&s->seen[slot_of(s, &old[i * len]) * len], &old[i * len],
				       len * sizeof(*old));
		free(old);
	}
	free(key);
	return fresh;
}

static void visit(struct search *s, unsigned arg, const uint64_t *alive)
{
	uint64_t *next;

	if (s->too_big || !first_visit(s, arg, alive))
		return;
	if (arg == 6) {
		size_t r;

		for (r = 0; r < s->n && !(alive[r / 64] >> (r % 64) & 1); r++)
			;
		s->wins[r] = true;
		return;
	}
	next = xcalloc(s->words, sizeof(*next));
	for (size_t j = 0; j < s->n_reps[arg]; j++) {
		for (size_t w = 0; w < s->words; w++)
			next[w] = alive[w] & s->holds[arg][j][w];
		visit(s, arg + 1, next);
	}
	free(next);
}

/* Which of rules[0..n) (and the default, wins[n]) decide some call; false
 * past the bounds. */
static bool decide(const struct rule *const *rules, size_t n, bool *wins)
{
	struct search s = { .n = n, .words = n / 64 + 1, .wins = wins };
	uint64_t *all;
	bool ok = true;

	memset(wins, 0, (n + 1) * sizeof(*wins));
	for (unsigned a = 0; a < 6; a++) {
		s.n_reps[a] = arg_classes(rules, n, a, &s.reps[a]);
		ok &= s.n_reps[a] > 0;
		s.holds[a] = xcalloc(s.n_reps[a] + 1, sizeof(*s.holds[a]));
		for (size_t j = 0; j < s.n_reps[a]; j++) {
			s.holds[a][j] = xcalloc(s.words, sizeof(uint64_t));
			for (size_t r = 0; r < n; r++)
				if (holds_on(rules[r], a, rules[r]->n_conds, s.reps[a][j]))
					s.holds[a][j][r / 64] |= 1ull << (r % 64);
		}
	}
	s.n_slots = 64;
	s.seen = xcalloc(s.n_slots * (s.words + 1), sizeof(*s.seen));
	all = xcalloc(s.words, sizeof(*all));
	for (size_t r = 0; r < n; r++)
		all[r / 64] |= 1ull << (r % 64);
	if (ok)
		visit(&s, 0, all);
	for (unsigned a = 0; a < 6; a++) {
		for (size_t j = 0; j < s.n_reps[a]; j++)
			free(s.holds[a][j]);
		free(s.holds[a]);
		free(s.reps[a]);
	}
	free(s.seen);
	free(all);
	return ok && !s.too_big;
}

/* The rules of pol for nr (nrs: each rule's number), in file order. */
static size_t rules_of(const struct policy *pol, const long *nrs, uint32_t nr, const struct rule **out,
		       size_t *index)
{
	size_t n = 0;

	for (size_t r = 0; r < pol->n_rules; r++) {
		if (nrs[r] >= 0 && (uint32_t)nrs[r] == nr) {
			index[n] = r;
			out[n++] = &pol->rules[r];
		}
	}
	return n;
}

enum ref_verdict reference_policy(const struct policy *pol, const struct arch *arch, size_t *rule,
				  size_t *cond)
{
	const struct rule **rules = xcalloc(pol->n_rules + 1, sizeof(const struct rule *));
	size_t *index = xcalloc(pol->n_rules + 1, sizeof(*index));
	bool *wins = xcalloc(pol->n_rules + 2, sizeof(*wins));
	long *nrs = xcalloc(pol->n_rules + 1, sizeof(*nrs)), last = -1;
	enum ref_verdict v = REF_SOUND;

	for (size_t r = 0; r < pol->n_rules; r++)
		nrs[r] = syscall_nr(arch, pol->rules[r].syscall);
	for (size_t r = 0; r < pol->n_rules && v == REF_SOUND; r++) {
		*rule = r;
		v = rule_flaw(&pol->rules[r], cond);
	}
	/* Dead rules, by syscall number. */
	while (v == REF_SOUND) {
		long nr = -1;
		size_t n;

		for (size_t r = 0; r < pol->n_rules; r++)
			if (nrs[r] > last && (nr < 0 || nrs[r] < nr))
				nr = nrs[r];
		if (nr < 0)
			break;
		last = nr;
		n = rules_of(pol, nrs, (uint32_t)nr, rules, index);
		if (!decide(rules, n, wins))
			v = REF_TOO_BIG;
		for (size_t i = 0; i < n && v == REF_SOUND; i++) {
			if (!wins[i]) {
				*rule = index[i];
				v = REF_DEAD;
			}
		}
	}
	free(rules);
	free(index);
	free(wins);
	free(nrs);
	return v;
}

int policy_allows_always(const struct policy *pol, const long *nrs, uint32_t nr)
{
	const struct rule **rules = xcalloc(pol->n_rules + 1, sizeof(const struct rule *));
	size_t *index = xcalloc(pol->n_rules + 1, sizeof(*index));
	bool *wins = xcalloc(pol->n_rules + 2, sizeof(*wins));
	size_t n = rules_of(pol, nrs, nr, rules, index);
	int allows = -1;

	if (decide(rules, n, wins)) {
		allows = !wins[n] || pol->default_ret == SECCOMP_RET_ALLOW;
		for (size_t i = 0; i < n; i++)
			allows &= !wins[i] || rules[i]->ret == SECCOMP_RET_ALLOW;
	}
	free(rules);
	free(index);
	free(wins);
	return allows;
}
