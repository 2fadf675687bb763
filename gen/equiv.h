/* Whether a blob implements a policy, decided for every syscall: every
 * 32-bit nr (the table's, x32 numbers, -1, beyond the table), every arch
 * value and every value of every argument word, low and high, and of the
 * instruction pointer. The program is run symbolically: each state is a set
 * of syscalls (gen/bdd.h) with the machine's registers and scratch words as
 * functions of seccomp_data (gen/bvec.h), split at each jump; each return
 * gives its value to its set, which must be the policy's action on all of it
 * (gen/semantic.h, semantic_meaning). */
#ifndef EQUIV_H
#define EQUIV_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "policy.h"
#include "semantic.h"
#include "sim.h"

enum equiv_result {
	EQUIV_SAME,
	EQUIV_DIFFERS,          /* *witness is the first syscall where they differ */
	EQUIV_TOO_BIG,          /* more nodes than allowed: undecided */
};

/* A syscall where blob and policy disagree: the first in the order nr,
 * arch, ip, arguments, and one under arch itself when there is one. */
struct witness {
	struct sim_data d;
	uint32_t blob_ret;      /* as sim_run() gives it */
	uint32_t policy_ret;
};

/* Compares prog[0..n), which must pass bpf_verify() for arch, with pol's
 * rules num[0..n_num) (semantic_number()'s for arch), in at most max_nodes
 * decision-diagram nodes (seccomp-gen: BDD_MAX_NODES). */
enum equiv_result equiv_check(const struct policy *pol, const struct arch *arch,
			      const struct numbered *num, size_t n_num, const struct sock_filter *prog,
			      size_t n, size_t max_nodes, struct witness *witness);

#endif
