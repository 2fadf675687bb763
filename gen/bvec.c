#include "bvec.h"

#include <linux/filter.h>
#include <string.h>

/* Marks v as no masked word (struct bvec, word). */
static void untag(struct bvec *v)
{
	v->word = -1;
	v->mask = 0;
}

void bvec_const(struct bvec *v, uint32_t c)
{
	for (unsigned i = 0; i < 32; i++)
		v->bit[i] = c >> i & 1 ? BDD_TRUE : BDD_FALSE;
	untag(v);
}

void bvec_word(struct bdd_store *s, struct bvec *v, unsigned word)
{
	for (unsigned i = 0; i < 32; i++)
		v->bit[i] = bdd_var(s, word, i);
	v->word = (int)word;
	v->mask = UINT32_MAX;
}

bool bvec_is_const(const struct bvec *v, uint32_t *c)
{
	*c = 0;
	for (unsigned i = 0; i < 32; i++) {
		if (v->bit[i] == BDD_TRUE)
			*c |= 1u << i;
		else if (v->bit[i] != BDD_FALSE)
			return false;
	}
	return true;
}

static bdd xor(struct bdd_store *s, bdd f, bdd g)
{
	return bdd_ite(s, f, bdd_not(s, g), g);
}

/* a + b + carry, ripple-carry from the least significant bit. */
static void add(struct bdd_store *s, struct bvec *out, const struct bvec *a, const struct bvec *b, bdd carry)
{
	struct bvec r;

	for (unsigned i = 0; i < 32; i++) {
		bdd half = xor(s, a->bit[i], b->bit[i]);

		r.bit[i] = xor(s, half, carry);
		/* The carry out is a majority: a and b, or one of them and carry in. */
		carry = bdd_ite(s, half, carry, a->bit[i]);
	}
	untag(&r);
	*out = r;
}

static void complement(struct bdd_store *s, struct bvec *out, const struct bvec *a)
{
	for (unsigned i = 0; i < 32; i++)
		out->bit[i] = bdd_not(s, a->bit[i]);
	untag(out);
}

/* a shifted by the constant n (< 32), left or right. */
static void shift(struct bvec *out, const struct bvec *a, unsigned n, bool left)
{
	struct bvec r;

	for (unsigned i = 0; i < 32; i++) {
		if (left)
			r.bit[i] = i >= n ? a->bit[i - n] : BDD_FALSE;
		else
			r.bit[i] = i + n < 32 ? a->bit[i + n] : BDD_FALSE;
	}
	untag(&r);
	*out = r;
}

/* Where `where` holds, a; elsewhere b. */
static void select_vec(struct bdd_store *s, struct bvec *out, bdd where, const struct bvec *a, const struct bvec *b)
{
	for (unsigned i = 0; i < 32; i++)
		out->bit[i] = bdd_ite(s, where, a->bit[i], b->bit[i]);
	untag(out);
}

/* Shift and add, one partial product per bit of b that can be 1. */
static void multiply(struct bdd_store *s, struct bvec *out, const struct bvec *a, const struct bvec *b)
{
	struct bvec sum, term, zero;

	bvec_const(&sum, 0);
	bvec_const(&zero, 0);
	for (unsigned i = 0; i < 32; i++) {
		if (b->bit[i] == BDD_FALSE)
			continue;
		shift(&term, a, i, true);
		select_vec(s, &term, b->bit[i], &term, &zero);
		add(s, &sum, &sum, &term, BDD_FALSE);
	}
	*out = sum;
}

/* Restoring division, from the most significant bit: the remainder shifted
 * left by one, with the bit shifted out kept, is compared with b. */
static void divide(struct bdd_store *s, struct bvec *out, const struct bvec *a, const struct bvec *b)
{
	struct bvec rem, quotient, nb, diff;

	bvec_const(&quotient, 0);
	bvec_const(&rem, 0);
	complement(s, &nb, b);
	for (unsigned i = 32; i-- > 0;) {
		bdd out_bit = rem.bit[31], fits;

		shift(&rem, &rem, 1, true);
		rem.bit[0] = a->bit[i];
		fits = bdd_or(s, out_bit, bvec_test(s, BPF_JGE, &rem, b));
		quotient.bit[i] = fits;
		add(s, &diff, &rem, &nb, BDD_TRUE);
		select_vec(s, &rem, fits, &diff, &rem);
	}
	*out = quotient;
}

/* Shifts by the low five bits of b, one stage a bit. */
static void shift_by(struct bdd_store *s, struct bvec *out, const struct bvec *a, const struct bvec *b, bool left)
{
	struct bvec r = *a, moved;

	for (unsigned j = 0; j < 5; j++) {
		shift(&moved, &r, 1u << j, left);
		select_vec(s, &r, b->bit[j], &moved, &r);
	}
	*out = r;
}

void bvec_alu(struct bdd_store *s, uint16_t op, struct bvec *out, const struct bvec *a, const struct bvec *b)
{
	struct bvec r, t;
	uint32_t k;

	switch (op) {
	case BPF_ADD:
		add(s, &r, a, b, BDD_FALSE);
		break;
	case BPF_SUB:
		complement(s, &t, b);
		add(s, &r, a, &t, BDD_TRUE);
		break;
	case BPF_MUL:
		multiply(s, &r, a, b);
		break;
	case BPF_DIV:
		divide(s, &r, a, b);
		break;
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		for (unsigned i = 0; i < 32; i++)
			r.bit[i] = op == BPF_AND ? bdd_and(s, a->bit[i], b->bit[i]) :
				   op == BPF_OR ? bdd_or(s, a->bit[i], b->bit[i]) : xor(s, a->bit[i], b->bit[i]);
		break;
	case BPF_LSH:
	case BPF_RSH:
		if (bvec_is_const(b, &k))
			shift(&r, a, k & 31, op == BPF_LSH);
		else
			shift_by(s, &r, a, b, op == BPF_LSH);
		break;
	default:                /* BPF_NEG */
		complement(s, &t, a);
		bvec_const(&r, 0);
		add(s, &r, &r, &t, BDD_TRUE);
		break;
	}
	untag(&r);
	if (op == BPF_AND && a->word >= 0 && bvec_is_const(b, &k)) {
		r.word = a->word;
		r.mask = a->mask & k;
	}
	*out = r;
}

bdd bvec_test(struct bdd_store *s, uint16_t op, const struct bvec *a, const struct bvec *b)
{
	uint32_t k;
	bdd r;

	if (a->word >= 0 && bvec_is_const(b, &k))
		return bdd_word_test(s, (unsigned)a->word, a->mask, op, k);
	switch (op) {
	case BPF_JEQ:
		r = BDD_TRUE;
		for (unsigned i = 0; i < 32; i++)
			r = bdd_and(s, r, bdd_not(s, xor(s, a->bit[i], b->bit[i])));
		return r;
	case BPF_JSET:
		r = BDD_FALSE;
		for (unsigned i = 0; i < 32; i++)
			r = bdd_or(s, r, bdd_and(s, a->bit[i], b->bit[i]));
		return r;
	default:
		/* From the least significant bit up: where a and b differ in
		 * bit i, a > b iff a has the 1; where they agree, what the
		 * bits below said. Equal words are >= but not >. */
		r = op == BPF_JGE ? BDD_TRUE : BDD_FALSE;
		for (unsigned i = 0; i < 32; i++)
			r = bdd_ite(s, xor(s, a->bit[i], b->bit[i]), a->bit[i], r);
		return r;
	}
}
