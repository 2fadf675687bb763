/* What a policy means, by brute force over the argument classes: the tests'
 * reading of the README, independent of gen/semantic.c (no decision
 * diagrams, no shared code but the parser's structures and cond_holds()).
 *
 * The conditions on one argument cut its 2^32 values into classes, one per
 * truth vector of those conditions that some value realises. They are found
 * by walking the word's bits from the most significant down, with the state
 * of every condition so far (a masked test: still matching or not; an
 * unmasked one: below, equal to or above its value), keeping one prefix per
 * distinct state: a value per class, exactly. Each rule then holds or not
 * per class, and a walk over the arguments with the set of rules still
 * alive (merging equal sets) finds every rule that decides some call.
 *
 * Bounds: at most REFERENCE_MAX_STATES states at one bit of one argument,
 * and as many alive sets over all arguments; past them the answer is
 * REF_TOO_BIG, which the tests treat as a failure (semantics grid) or as an
 * input outside the harness's domain (the policy fuzzer). */
#ifndef REFERENCE_H
#define REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "policy.h"

#define REFERENCE_MAX_STATES (1u << 16)

enum ref_verdict {
	REF_SOUND,
	REF_ALWAYS,             /* a condition holds for every value */
	REF_NEVER,              /* a condition holds for no value */
	REF_CONTRADICTS,        /* a rule's conditions on one argument hold together for no value */
	REF_REDUNDANT,          /* the rule's other conditions on its argument imply a condition */
	REF_DEAD,               /* a rule decides no call */
	REF_TOO_BIG,
};

/* The first flaw of the policy on arch, rules in file order for the flaws of
 * one rule's own conditions, then by syscall number for dead rules (the
 * order seccomp-gen reports them in). *rule and *cond say where. */
enum ref_verdict reference_policy(const struct policy *pol, const struct arch *arch, size_t *rule,
				  size_t *cond);

/* Whether the policy allows nr whatever its arguments (1) or not (0); -1
 * past the bounds. nrs: each rule's number on the arch (rule_numbers()). */
int policy_allows_always(const struct policy *pol, const long *nrs, uint32_t nr);

#endif
