#include "semantic.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bvec.h"
#include "syscalls.h"
#include "xalloc.h"

#define ALL_BITS 0xffffffffu

bdd cond_set(struct bdd_store *s, const struct cond *c)
{
	struct bvec x, k;

	bvec_word(s, &x, WORD_ARG_LO(c->arg));
	if (c->mask != ALL_BITS) {
		bvec_const(&k, c->mask);
		bvec_alu(s, BPF_AND, &x, &x, &k);
	}
	bvec_const(&k, c->value);
	switch (c->op) {
	case OP_EQ:
		return bvec_test(s, BPF_JEQ, &x, &k);
	case OP_NE:
		return bdd_not(s, bvec_test(s, BPF_JEQ, &x, &k));
	case OP_GT:
		return bvec_test(s, BPF_JGT, &x, &k);
	case OP_GE:
		return bvec_test(s, BPF_JGE, &x, &k);
	case OP_LT:
		return bdd_not(s, bvec_test(s, BPF_JGE, &x, &k));
	case OP_LE:
		return bdd_not(s, bvec_test(s, BPF_JGT, &x, &k));
	}
	return BDD_FALSE;
}

/* The syscalls r's conditions on argument arg hold for (all if none). */
static bdd arg_set(struct bdd_store *s, const struct rule *r, unsigned arg, size_t skip)
{
	bdd set = BDD_TRUE;

	for (size_t i = 0; i < r->n_conds; i++)
		if (r->conds[i].arg == arg && i != skip)
			set = bdd_and(s, set, cond_set(s, &r->conds[i]));
	return set;
}

static bdd rule_set(struct bdd_store *s, const struct rule *r)
{
	bdd set = BDD_TRUE;

	for (size_t i = 0; i < r->n_conds; i++)
		set = bdd_and(s, set, cond_set(s, &r->conds[i]));
	return set;
}

static enum rule_flaw check_rule(struct bdd_store *s, const struct rule *r, size_t *at)
{
	for (size_t i = 0; i < r->n_conds; i++) {
		bdd set = cond_set(s, &r->conds[i]);

		*at = i;
		if (set == BDD_TRUE || set == BDD_FALSE)
			return set == BDD_TRUE ? RULE_ALWAYS : RULE_NEVER;
	}
	for (size_t i = 0; i < r->n_conds; i++) {
		bdd all = arg_set(s, r, r->conds[i].arg, r->n_conds);

		*at = i;
		if (bdd_exhausted(s))
			return RULE_TOO_BIG;
		if (all == BDD_FALSE)
			return RULE_CONTRADICTS;
	}
	for (size_t i = r->n_conds; i-- > 0;) {
		const struct cond *c = &r->conds[i];
		bdd others = arg_set(s, r, c->arg, i), outside = bdd_and(s, others, bdd_not(s, cond_set(s, c)));

		*at = i;
		if (bdd_exhausted(s))
			return RULE_TOO_BIG;
		if (others != BDD_TRUE && outside == BDD_FALSE)
			return RULE_REDUNDANT;
	}
	return RULE_SOUND;
}

enum rule_flaw semantic_rule(const struct rule *r, size_t *at)
{
	struct bdd_store *s = bdd_store_new(BDD_MAX_NODES);
	enum rule_flaw flaw = check_rule(s, r, at);

	bdd_store_free(s);
	return flaw;
}

static struct cond test_of(unsigned arg, enum cmp_op op, uint32_t mask, uint32_t value)
{
	return (struct cond){ .arg = arg, .op = op, .mask = mask, .value = value };
}

/* set, the values of argument arg a rule's conditions (two or more, none
 * implied by the others) allow, as the fewest tests: returns how many went
 * to out, 0 when none of the shapes fits. (All but one value is not among
 * them: no two such conditions make it without one implying the other.) */
static size_t merge(struct bdd_store *s, unsigned arg, bdd set, struct cond *out)
{
	unsigned word = WORD_ARG_LO(arg);
	uint32_t w[BDD_WORDS], lo, hi, mask, value;
	bdd outside = bdd_not(s, set), range;
	bool interval;

	bdd_pick(s, set, false, w);
	lo = w[word];
	bdd_pick(s, set, true, w);
	hi = w[word];
	range = bdd_and(s, cond_set(s, &(struct cond){ .arg = arg, .op = OP_GE, .mask = ALL_BITS, .value = lo }),
			cond_set(s, &(struct cond){ .arg = arg, .op = OP_LE, .mask = ALL_BITS, .value = hi }));
	interval = range == set;
	if (bdd_exhausted(s))
		return 0;
	/* One value, or a masked class: one test. */
	if (bdd_cube(s, set, word, &mask, &value)) {
		out[0] = test_of(arg, OP_EQ, mask, value);
		return 1;
	}
	if (interval && (lo == 0 || hi == ALL_BITS)) {
		out[0] = lo == 0 ? test_of(arg, OP_LE, ALL_BITS, hi) : test_of(arg, OP_GE, ALL_BITS, lo);
		return 1;
	}
	if (bdd_cube(s, outside, word, &mask, &value)) {
		out[0] = test_of(arg, OP_NE, mask, value);
		return 1;
	}
	if (interval) {
		out[0] = test_of(arg, OP_GE, ALL_BITS, lo);
		out[1] = test_of(arg, OP_LE, ALL_BITS, hi);
		return 2;
	}
	return 0;
}

size_t semantic_tests(const struct rule *r, struct cond *out)
{
	struct bdd_store *s = bdd_store_new(BDD_MAX_NODES);
	bool seen[6] = { false };
	size_t n = 0;

	for (size_t i = 0; i < r->n_conds; i++) {
		unsigned arg = r->conds[i].arg;
		size_t count = 0, merged = 0;

		if (seen[arg])
			continue;
		seen[arg] = true;
		for (size_t j = i; j < r->n_conds; j++)
			count += r->conds[j].arg == arg;
		/* One condition is one test already. */
		if (count > 1)
			merged = merge(s, arg, arg_set(s, r, arg, r->n_conds), out + n);
		n += merged;
		for (size_t j = i; j < r->n_conds && !merged; j++)
			if (r->conds[j].arg == arg)
				out[n++] = r->conds[j];
	}
	bdd_store_free(s);
	return n;
}

static int by_nr_then_index(const void *pa, const void *pb)
{
	const struct numbered *a = pa, *b = pb;

	if (a->nr != b->nr)
		return a->nr < b->nr ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

long semantic_number(const struct policy *pol, const struct arch *arch, struct numbered *out,
		     char *err, size_t errlen)
{
	size_t n = 0;

	for (size_t i = 0; i < pol->n_rules; i++) {
		const struct rule *r = &pol->rules[i];
		long nr = syscall_nr(arch, r->syscall);

		if (nr >= 0) {
			out[n++] = (struct numbered){ (uint32_t)nr, i };
			continue;
		}
		if (r->optional)
			continue;
		for (unsigned a = 0; a < n_arches; a++) {
			if (syscall_nr(&arches[a], r->syscall) >= 0) {
				snprintf(err, errlen, "%s:%u:%u: %s has no syscall '%s' "
					 "(write '%s?' to skip it where it does not exist)",
					 r->path, r->line, r->col, arch->name, r->syscall, r->syscall);
				return -1;
			}
		}
		snprintf(err, errlen, "%s:%u:%u: unknown syscall '%s'", r->path, r->line, r->col, r->syscall);
		return -1;
	}
	qsort(out, n, sizeof(*out), by_nr_then_index);
	return (long)n;
}

enum semantic_result semantic_decide(const struct rule *const *rules, size_t n, uint32_t deflt,
				     uint32_t *action, size_t *at, bool *covering)
{
	struct bdd_store *s = bdd_store_new(BDD_MAX_NODES);
	bdd *holds = xcalloc(n, sizeof(*holds)), *wins = xcalloc(n, sizeof(*wins)), covered = BDD_FALSE;
	enum semantic_result result = SEM_CONSTANT;

	*action = n ? rules[0]->ret : deflt;
	for (size_t r = 0; r < n && result != SEM_DEAD_RULE; r++) {
		*at = r;
		holds[r] = rule_set(s, rules[r]);
		wins[r] = bdd_and(s, holds[r], bdd_not(s, covered));
		covered = bdd_or(s, covered, holds[r]);
		if (bdd_exhausted(s)) {
			result = SEM_TOO_BIG;
			break;
		}
		if (wins[r] == BDD_FALSE) {
			/* Dead: the earlier rules that win where it holds. */
			result = SEM_DEAD_RULE;
			for (size_t e = 0; e < r; e++)
				covering[e] = bdd_and(s, holds[r], wins[e]) != BDD_FALSE;
		} else if (rules[r]->ret != *action) {
			result = SEM_VARIES;
		}
	}
	/* Where no rule holds, the default decides. */
	if (result == SEM_CONSTANT && covered != BDD_TRUE && deflt != *action)
		result = SEM_VARIES;
	bdd_store_free(s);
	free(holds);
	free(wins);
	return result;
}

/* Adds the syscalls in `where` to those that get ret. */
static void give(struct bdd_store *s, struct meaning *m, uint32_t ret, bdd where)
{
	size_t i;

	for (i = 0; i < m->n && m->ret[i] != ret; i++)
		;
	if (i == m->n) {
		m->ret[m->n] = ret;
		m->where[m->n++] = BDD_FALSE;
	}
	m->where[i] = bdd_or(s, m->where[i], where);
}

int semantic_meaning(struct bdd_store *s, const struct policy *pol, const struct arch *arch,
		     const struct numbered *num, size_t n_num, struct meaning *m)
{
	struct bvec nr, arch_word, k;
	bdd native, x32 = BDD_FALSE, ruled = BDD_FALSE;

	m->n = 0;
	m->ret = xcalloc(n_num + 2, sizeof(*m->ret));
	m->where = xcalloc(n_num + 2, sizeof(*m->where));
	bvec_word(s, &nr, WORD_NR);
	bvec_word(s, &arch_word, WORD_ARCH);
	bvec_const(&k, arch->audit_arch);
	native = bvec_test(s, BPF_JEQ, &arch_word, &k);
	if (arch->abi_bit) {
		bvec_const(&k, arch->abi_bit);
		x32 = bvec_test(s, BPF_JGE, &nr, &k);
		bvec_const(&k, UINT32_MAX);
		x32 = bdd_and(s, x32, bdd_not(s, bvec_test(s, BPF_JEQ, &nr, &k)));
	}
	give(s, m, SECCOMP_RET_KILL_PROCESS, bdd_or(s, bdd_not(s, native), bdd_and(s, native, x32)));
	for (size_t i = 0; i < n_num;) {
		bdd covered = BDD_FALSE, here;

		bvec_const(&k, num[i].nr);
		here = bdd_and(s, native, bvec_test(s, BPF_JEQ, &nr, &k));
		ruled = bdd_or(s, ruled, here);
		for (uint32_t this_nr = num[i].nr; i < n_num && num[i].nr == this_nr; i++) {
			const struct rule *r = &pol->rules[num[i].index];
			bdd holds = rule_set(s, r);

			give(s, m, r->ret, bdd_and(s, here, bdd_and(s, holds, bdd_not(s, covered))));
			covered = bdd_or(s, covered, holds);
		}
		give(s, m, pol->default_ret, bdd_and(s, here, bdd_not(s, covered)));
	}
	give(s, m, pol->default_ret, bdd_and(s, native, bdd_not(s, bdd_or(s, x32, ruled))));
	return bdd_exhausted(s) ? -1 : 0;
}

void meaning_free(struct meaning *m)
{
	free(m->ret);
	free(m->where);
	m->ret = NULL;
	m->where = NULL;
	m->n = 0;
}
