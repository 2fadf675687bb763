/* What a syscall's rules mean over the 32-bit argument words, exactly.
 *
 * Each condition is a set of values of one argument's low word: an interval
 * ([lo, hi], from == < <= > >=, or its complement for !=) or a masked class
 * ((a & m) == v, or its complement). The conditions on one argument cut its
 * 2^32 values into classes, one per truth vector of those conditions that
 * some value realises; the arguments are independent, so every combination
 * of one class per argument is a cell that some call reaches. In each cell
 * the first rule whose conditions all hold decides (else the default). */
#ifndef SEMANTIC_H
#define SEMANTIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* How many of the 2^32 words satisfy c (0: never; 2^32: always). */
uint64_t cond_count(const struct cond *c);

enum semantic_result {
	SEM_VARIES,             /* the action depends on the arguments */
	SEM_CONSTANT,           /* one action for every argument: *action */
	SEM_DEAD_RULE,          /* rules[*dead] is never reached */
	SEM_TOO_BIG,            /* too many conditions on one argument to decide */
};

/* Decides rules[0..n) of one syscall, in order, with deflt when none
 * matches. For SEM_DEAD_RULE, covering[] (n entries) marks the earlier rules
 * that decide where the dead one's conditions hold (none marked: its own
 * conditions contradict each other). */
enum semantic_result semantic_decide(const struct rule *const *rules, size_t n, uint32_t deflt,
				     uint32_t *action, size_t *dead, bool *covering);

#endif
