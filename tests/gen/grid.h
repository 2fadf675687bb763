/* The grid of syscalls the generator's tests run a blob on: every number of
 * the arch's table and a sample beyond it, x32 numbers, foreign arch values,
 * and argument values around every constant the policy compares with, with
 * and without junk in the upper 32 bits. */
#ifndef GRID_H
#define GRID_H

#include <stdbool.h>
#include <stddef.h>

#include "arch.h"
#include "policy.h"
#include "sim.h"

struct grid {
	struct sim_data *cases;
	size_t n;
};

void grid_build(struct grid *g, const struct policy *pol, const struct arch *arch);
void grid_free(struct grid *g);

/* Each rule's syscall number on arch, or -1 where the arch lacks it. */
long *rule_numbers(const struct policy *pol, const struct arch *arch);

/* The action the policy gives, evaluated straight from its rules (nrs from
 * rule_numbers). */
uint32_t policy_expected(const struct policy *pol, const long *nrs, const struct arch *arch,
			 const struct sim_data *d);

/* Whether the policy allows nr whatever its arguments (1) or not (0),
 * decided by brute force: every combination, over the arguments the rules of
 * nr look at, of the values that bound the classes its conditions induce
 * (each compared value, its neighbours, its mask's bits, 0 and the largest
 * word); -1 when there are more than PROBE_COMBINATIONS combinations. */
#define PROBE_COMBINATIONS 20000u
int policy_allows_always(const struct policy *pol, const long *nrs, const struct arch *arch, uint32_t nr);

/* Reads a whole file, or exits. */
char *read_text(const char *path, size_t *len);

/* Parses spec, a policy file or several joined by '+' (compiled together,
 * as `seccomp-gen compile A B` does); spec is split in place and must outlive
 * the policy. Returns 0, or -1 with the message in err. */
int load_policy_spec(char *spec, struct policy *pol, char *err, size_t errlen);

#endif
