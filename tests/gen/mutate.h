/* `verify --policy` (equiv_check) against single-instruction changes of a
 * blob that implements its policy: every change of opcode, jt, jf or k that
 * still passes bpf_verify must be rejected with a witness that the simulator
 * and the rules (policy_expected) confirm, or accepted, and then agree with
 * the rules on every sampled syscall (numbers, arguments and arch values
 * drawn from the program's and the policy's own constants, their
 * neighbours and random words). A mutant the analysis cannot decide within
 * its node budget counts as undecided, and must be of the kind README says
 * that can happen to: one that multiplies, divides or computes with X. */
#ifndef MUTATE_H
#define MUTATE_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "policy.h"

struct mutation_tally {
	size_t tried;           /* mutants made */
	size_t invalid;         /* refused by bpf_verify, or checking another arch */
	size_t same;            /* accepted, and no sample differs */
	size_t differ;          /* rejected with a confirmed witness */
	size_t undecided;       /* past the node budget (products, quotients, X) */
	size_t undecided_differ; /* of which a sample shows a changed verdict */
};

/* Checks the mutants of prog (which implements pol on arch): with
 * `exhaustive`, every opcode, every jt and jf, and for k its neighbours,
 * each single bit flipped, 0, ~k and all ones; else `per_insn` random ones
 * of each instruction. max_nodes: equiv_check's budget. Returns NULL, or a
 * message naming the first mutant that breaks the property. */
const char *check_mutants(const struct policy *pol, const struct arch *arch, const struct sock_filter *prog,
			  size_t n, bool exhaustive, unsigned per_insn, size_t max_nodes, uint64_t *rng,
			  struct mutation_tally *t);

/* Checks `count` mutants of prog drawn at random: instruction, field, value. */
const char *check_some_mutants(const struct policy *pol, const struct arch *arch, const struct sock_filter *prog,
			       size_t n, unsigned count, size_t max_nodes, uint64_t *rng, struct mutation_tally *t);

#endif
