/* 32-bit words as vectors of decision diagrams: bit i of a word that a BPF
 * program computes, as a function of seccomp_data. The arithmetic is the
 * classic BPF machine's (sim.c): modulo 2^32, unsigned, shifts by X use the
 * low five bits of X. */
#ifndef BVEC_H
#define BVEC_H

#include <stdbool.h>
#include <stdint.h>

#include "bdd.h"

struct bvec {
	bdd bit[32];            /* bit[0] is the least significant */
	/* When the vector is a word of seccomp_data ANDed with a constant,
	 * that word and constant (so that a test against a constant builds
	 * its diagram directly, 32 nodes at most); else word is -1. */
	int word;
	uint32_t mask;
};

void bvec_const(struct bvec *v, uint32_t c);
/* Word `word` of seccomp_data. */
void bvec_word(struct bdd_store *s, struct bvec *v, unsigned word);
/* Whether v is the same constant everywhere. */
bool bvec_is_const(const struct bvec *v, uint32_t *c);

/* out = op(a, b); out may be a or b. op is a BPF_ALU operation
 * (BPF_ADD ... BPF_NEG, b unused for BPF_NEG); for BPF_DIV, b must not be 0
 * where the result matters. */
void bvec_alu(struct bdd_store *s, uint16_t op, struct bvec *out, const struct bvec *a, const struct bvec *b);

/* Where a == b, a > b, a >= b, (a & b) != 0 (BPF_JEQ, JGT, JGE, JSET). */
bdd bvec_test(struct bdd_store *s, uint16_t op, const struct bvec *a, const struct bvec *b);

#endif
