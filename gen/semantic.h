/* What a policy means, exactly, as sets of syscalls (gen/bdd.h): each
 * condition is the set of argument words it holds for, a rule the
 * intersection of its conditions, and a syscall's rules a partition of its
 * arguments in which the first rule that holds decides. Nothing is sampled:
 * every 32-bit value of every argument, number and arch is accounted for. */
#ifndef SEMANTIC_H
#define SEMANTIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "bdd.h"
#include "policy.h"

/* Words of seccomp_data in the decision diagrams (offset / 4). */
#define WORD_NR 0u
#define WORD_ARCH 1u
#define WORD_ARG_LO(i) (4u + 2u * (i))

/* The syscalls whose argument c->arg satisfies c. */
bdd cond_set(struct bdd_store *s, const struct cond *c);

enum rule_flaw {
	RULE_SOUND,
	RULE_ALWAYS,            /* conds[*at] holds whatever the argument */
	RULE_NEVER,             /* conds[*at] holds for no argument */
	RULE_CONTRADICTS,       /* its conditions on one argument hold together for no value */
	RULE_REDUNDANT,         /* the other conditions on its argument imply conds[*at] */
	RULE_TOO_BIG,           /* its conditions on one argument are too many to decide */
};

/* Checks a rule's own conditions: each alone, then those on each argument
 * together. For RULE_REDUNDANT, the last such condition. */
enum rule_flaw semantic_rule(const struct rule *r, size_t *at);

/* The tests that decide whether r's conditions hold, into out (room for
 * r->n_conds): for each argument, in the order r first names it, the
 * conditions on it merged into one set, tested the shortest way that set
 * allows (one value or a masked class, an interval from 0 or to the top,
 * the complement of a masked class, an interval), or as written when it is
 * none of those. Returns how many. */
size_t semantic_tests(const struct rule *r, struct cond *out);

/* A rule that applies on an arch: its syscall number there, and its index
 * in the policy. */
struct numbered {
	uint32_t nr;
	size_t index;
};

/* Numbers the rules of pol for arch, sorted by number then file order; a
 * syscall the arch lacks is an error unless the rule marks it optional.
 * Returns the count (out has room for pol->n_rules), or -1 with
 * "FILE:LINE:COL: message" in err. */
long semantic_number(const struct policy *pol, const struct arch *arch, struct numbered *out,
		     char *err, size_t errlen);

enum semantic_result {
	SEM_VARIES,             /* the action depends on the arguments */
	SEM_CONSTANT,           /* one action for every argument: *action */
	SEM_DEAD_RULE,          /* rules[*at] is never reached */
	SEM_TOO_BIG,            /* with rules[*at], more than BDD_MAX_NODES nodes */
};

/* Decides rules[0..n) of one syscall, in order, with deflt when none
 * matches. For SEM_DEAD_RULE, covering[] (n entries) marks the earlier rules
 * that decide where the dead one's conditions hold. */
enum semantic_result semantic_decide(const struct rule *const *rules, size_t n, uint32_t deflt,
				     uint32_t *action, size_t *at, bool *covering);

/* The action pol gives every syscall on arch: n distinct actions, each
 * with the set of syscalls (any nr, arch value and arguments) that get it;
 * the sets are disjoint and cover everything. Another arch value kills the
 * process, and so does an x32 number on x86_64 (every nr from 0x40000000
 * up but -1). */
struct meaning {
	size_t n;
	uint32_t *ret;
	bdd *where;
};

/* Builds it in s from the rules num[0..n_num) (semantic_number's). Returns
 * 0, or -1 when s ran out of nodes. */
int semantic_meaning(struct bdd_store *s, const struct policy *pol, const struct arch *arch,
		     const struct numbered *num, size_t n_num, struct meaning *m);
void meaning_free(struct meaning *m);

#endif
