#include "equiv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bvec.h"
#include "verify.h"
#include "xalloc.h"

#define MEMWORDS 16u

/* Live-register bits: A, X and each scratch word. */
#define LIVE_A 1u
#define LIVE_X 2u
#define LIVE_MEM(k) (4u << (k))

/* A product or quotient of A by a constant that waits until something
 * needs its bits: a comparison of a quotient with a constant is one of the
 * dividend with an interval, and equality of a product with a constant one
 * of the factor's low bits with a constant (an odd number has an inverse
 * modulo 2^32), where the result's own bits can take millions of nodes. */
struct waiting {
	uint16_t op;            /* BPF_MUL, BPF_DIV, or 0: none */
	uint32_t k;
};

/* The machine on a set of syscalls: `region`, and what each register holds
 * there (A is wait.op(a, wait.k)). A register dead at this point (never read
 * before it is written again) holds 0, so that no work is spent on values
 * nothing reads. */
struct state {
	bdd region;
	struct bvec a, x, mem[MEMWORDS];
	struct waiting wait;
	struct state *next;     /* another way in, with another wait */
};

struct run {
	struct bdd_store *s;
	const struct sock_filter *prog;
	size_t n;
	uint32_t *live;         /* live registers on entry to each instruction */
	struct state **at;      /* the states that reach each instruction */
	struct meaning m;
	bdd differs;            /* syscalls where the program and the policy disagree */
};

/* What each instruction reads and writes, as LIVE_* bits. */
static void uses_defs(const struct sock_filter *in, uint32_t *use, uint32_t *def)
{
	uint32_t operand = BPF_SRC(in->code) == BPF_X ? LIVE_X : 0;

	*use = *def = 0;
	switch (BPF_CLASS(in->code)) {
	case BPF_LD:
		*use = BPF_MODE(in->code) == BPF_MEM ? LIVE_MEM(in->k) : 0;
		*def = LIVE_A;
		break;
	case BPF_LDX:
		*use = BPF_MODE(in->code) == BPF_MEM ? LIVE_MEM(in->k) : 0;
		*def = LIVE_X;
		break;
	case BPF_ST:
		*use = LIVE_A;
		*def = LIVE_MEM(in->k);
		break;
	case BPF_STX:
		*use = LIVE_X;
		*def = LIVE_MEM(in->k);
		break;
	case BPF_ALU:
		*use = LIVE_A | (BPF_OP(in->code) == BPF_NEG ? 0 : operand);
		*def = LIVE_A;
		break;
	case BPF_JMP:
		*use = BPF_OP(in->code) == BPF_JA ? 0 : LIVE_A | operand;
		break;
	case BPF_RET:
		*use = BPF_RVAL(in->code) == BPF_A ? LIVE_A : 0;
		break;
	default:                /* BPF_MISC */
		*use = BPF_MISCOP(in->code) == BPF_TAX ? LIVE_A : LIVE_X;
		*def = BPF_MISCOP(in->code) == BPF_TAX ? LIVE_X : LIVE_A;
		break;
	}
}

/* Jumps go forward only, so one backward pass decides liveness. */
static void liveness(struct run *r)
{
	for (size_t pc = r->n; pc-- > 0;) {
		const struct sock_filter *in = &r->prog[pc];
		uint32_t use, def, out = 0;

		uses_defs(in, &use, &def);
		if (in->code == (BPF_JMP | BPF_JA))
			out = r->live[pc + 1 + in->k];
		else if (BPF_CLASS(in->code) == BPF_JMP)
			out = r->live[pc + 1 + in->jt] | r->live[pc + 1 + in->jf];
		else if (BPF_CLASS(in->code) != BPF_RET)
			out = r->live[pc + 1];
		r->live[pc] = use | (out & ~def);
	}
}

/* Carries out the operation that waits on A. */
static void settle(struct bdd_store *s, struct state *st)
{
	struct bvec k;

	if (!st->wait.op)
		return;
	bvec_const(&k, st->wait.k);
	bvec_alu(s, st->wait.op, &st->a, &st->a, &k);
	st->wait.op = 0;
}

/* A = A op k (BPF_MUL or BPF_DIV, k > 0 for a division), waiting. A
 * quotient of a quotient is one quotient (0 past 2^32), a product of a
 * product one product. */
static void wait_for(struct bdd_store *s, struct state *st, uint16_t op, uint32_t k)
{
	uint64_t by;

	if (st->wait.op && st->wait.op != op)
		settle(s, st);
	by = (uint64_t)(st->wait.op ? st->wait.k : 1) * k;
	if (op == BPF_MUL)
		by &= UINT32_MAX;
	st->wait = (struct waiting){ op, (uint32_t)by };
	if (by == 0 || by > UINT32_MAX) {
		bvec_const(&st->a, 0);
		st->wait.op = 0;
	} else if (by == 1) {
		st->wait.op = 0;
	}
}

static void zero_dead(struct state *st, uint32_t live)
{
	if (!(live & LIVE_A)) {
		bvec_const(&st->a, 0);
		st->wait.op = 0;
	}
	if (!(live & LIVE_X))
		bvec_const(&st->x, 0);
	for (unsigned k = 0; k < MEMWORDS; k++)
		if (!(live & LIVE_MEM(k)))
			bvec_const(&st->mem[k], 0);
}

static void merge_vec(struct bdd_store *s, bdd where, struct bvec *into, const struct bvec *from)
{
	for (unsigned i = 0; i < 32; i++)
		into->bit[i] = bdd_ite(s, where, from->bit[i], into->bit[i]);
	if (into->word != from->word || (into->word >= 0 && into->mask != from->mask))
		into->word = -1;
}

/* Sends st, narrowed to `where`, to instruction pc. Ways in whose A waits
 * on the same operation merge: the registers are where's values inside it
 * and the others' outside. Others stay apart, so that no waiting operation
 * is carried out for a merge alone. */
static void send(struct run *r, size_t pc, const struct state *st, bdd where)
{
	struct waiting wait = r->live[pc] & LIVE_A ? st->wait : (struct waiting){ 0, 0 };
	struct state *to = r->at[pc];

	if (where == BDD_FALSE)
		return;
	while (to && (to->wait.op != wait.op || (wait.op && to->wait.k != wait.k)))
		to = to->next;
	if (!to) {
		to = xcalloc(1, sizeof(*to));
		*to = *st;
		to->region = where;
		zero_dead(to, r->live[pc]);
		to->next = r->at[pc];
		r->at[pc] = to;
		return;
	}
	if (r->live[pc] & LIVE_A)
		merge_vec(r->s, where, &to->a, &st->a);
	if (r->live[pc] & LIVE_X)
		merge_vec(r->s, where, &to->x, &st->x);
	for (unsigned k = 0; k < MEMWORDS; k++)
		if (r->live[pc] & LIVE_MEM(k))
			merge_vec(r->s, where, &to->mem[k], &st->mem[k]);
	to->region = bdd_or(r->s, to->region, where);
}

/* A return of value on `where`: wherever the policy says otherwise differs. */
static void returns(struct run *r, bdd where, const struct bvec *value)
{
	struct bvec v;
	uint32_t k;

	if (bvec_is_const(value, &k)) {
		bdd same = BDD_FALSE;

		for (size_t i = 0; i < r->m.n; i++)
			if (r->m.ret[i] == k)
				same = r->m.where[i];
		r->differs = bdd_or(r->s, r->differs, bdd_and(r->s, where, bdd_not(r->s, same)));
		return;
	}
	for (size_t i = 0; i < r->m.n; i++) {
		bdd same;

		bvec_const(&v, r->m.ret[i]);
		same = bvec_test(r->s, BPF_JEQ, value, &v);
		r->differs = bdd_or(r->s, r->differs,
				    bdd_and(r->s, where, bdd_and(r->s, r->m.where[i], bdd_not(r->s, same))));
	}
}

static const struct bvec *load(struct run *r, const struct state *st, const struct sock_filter *in,
			       struct bvec *tmp)
{
	switch (BPF_MODE(in->code)) {
	case BPF_ABS:
		bvec_word(r->s, tmp, in->k / 4);
		return tmp;
	case BPF_LEN:
		bvec_const(tmp, SD_SIZE);
		return tmp;
	case BPF_MEM:
		return &st->mem[in->k];
	default:                /* BPF_IMM */
		bvec_const(tmp, in->k);
		return tmp;
	}
}

/* Where a / d compares with k as op (BPF_JEQ, JGT, JGE) says: where a
 * lies in the interval of the dividends whose quotients do. */
static bdd quotient_test(struct bdd_store *s, uint16_t op, const struct bvec *a, uint32_t d, uint32_t k)
{
	uint64_t lo = (op == BPF_JGT ? (uint64_t)k + 1 : k) * d;
	uint64_t hi = op == BPF_JEQ ? lo + d - 1 : UINT32_MAX;
	struct bvec bound;
	bdd in;

	if (lo > UINT32_MAX)
		return BDD_FALSE;
	bvec_const(&bound, (uint32_t)lo);
	in = bvec_test(s, BPF_JGE, a, &bound);
	if (hi < UINT32_MAX) {
		bvec_const(&bound, (uint32_t)hi);
		in = bdd_and(s, in, bdd_not(s, bvec_test(s, BPF_JGT, a, &bound)));
	}
	return in;
}

/* Where a * c == k (c not 0): with c = 2^shift * odd, k must be a multiple
 * of 2^shift, and then a's low 32 - shift bits are (k >> shift) times the
 * inverse of odd. */
static bdd product_test(struct bdd_store *s, const struct bvec *a, uint32_t c, uint32_t k)
{
	unsigned shift = (unsigned)__builtin_ctz(c);
	uint32_t odd = c >> shift, inverse = odd, low = UINT32_MAX >> shift;
	struct bvec mask, masked, want;

	if (k & ~(UINT32_MAX << shift))
		return BDD_FALSE;
	/* Newton's step doubles the bits of the inverse that are right: odd
	 * is its own inverse modulo 8, so 3, 6, 12, 24, 48. */
	for (int i = 0; i < 4; i++)
		inverse *= 2 - odd * inverse;
	bvec_const(&mask, low);
	bvec_alu(s, BPF_AND, &masked, a, &mask);
	bvec_const(&want, (k >> shift) * inverse & low);
	return bvec_test(s, BPF_JEQ, &masked, &want);
}

/* Runs instruction pc on its state. */
static void step(struct run *r, size_t pc, struct state *st)
{
	const struct sock_filter *in = &r->prog[pc];
	uint32_t out = BPF_CLASS(in->code) == BPF_RET || BPF_CLASS(in->code) == BPF_JMP ? 0 : r->live[pc + 1];
	uint16_t op = BPF_OP(in->code);
	struct bvec tmp, operand;
	uint32_t k = in->k;
	bool constant = true;
	bdd taken;

	bvec_const(&operand, in->k);
	if (BPF_SRC(in->code) == BPF_X && BPF_CLASS(in->code) != BPF_RET) {
		operand = st->x;
		constant = bvec_is_const(&operand, &k);
	}
	switch (BPF_CLASS(in->code)) {
	case BPF_LD:
		if (out & LIVE_A) {
			st->a = *load(r, st, in, &tmp);
			st->wait.op = 0;
		}
		break;
	case BPF_LDX:
		if (out & LIVE_X)
			st->x = *load(r, st, in, &tmp);
		break;
	case BPF_ST:
		settle(r->s, st);
		st->mem[in->k] = st->a;
		break;
	case BPF_STX:
		st->mem[in->k] = st->x;
		break;
	case BPF_ALU:
		/* Division by an X of 0 ends the program with 0, whatever is live. */
		if (op == BPF_DIV && BPF_SRC(in->code) == BPF_X) {
			bdd zero;

			bvec_const(&tmp, 0);
			zero = bdd_and(r->s, st->region, bvec_test(r->s, BPF_JEQ, &st->x, &tmp));
			returns(r, zero, &tmp);
			st->region = bdd_and(r->s, st->region, bdd_not(r->s, zero));
		}
		if (!(out & LIVE_A))
			break;
		/* (k is not 0 for a division here: the verifier refuses it, and
		 * an X of 0 went above.) */
		if ((op == BPF_MUL || op == BPF_DIV) && constant && k) {
			wait_for(r->s, st, op, k);
			break;
		}
		settle(r->s, st);
		bvec_alu(r->s, op, &st->a, &st->a, &operand);
		break;
	case BPF_JMP:
		if (op == BPF_JA) {
			send(r, pc + 1 + in->k, st, st->region);
			return;
		}
		if (constant && st->wait.op == BPF_DIV && op != BPF_JSET) {
			taken = quotient_test(r->s, op, &st->a, st->wait.k, k);
		} else if (constant && st->wait.op == BPF_MUL && op == BPF_JEQ) {
			taken = product_test(r->s, &st->a, st->wait.k, k);
		} else {
			settle(r->s, st);
			taken = bvec_test(r->s, op, &st->a, &operand);
		}
		send(r, pc + 1 + in->jt, st, bdd_and(r->s, st->region, taken));
		send(r, pc + 1 + in->jf, st, bdd_and(r->s, st->region, bdd_not(r->s, taken)));
		return;
	case BPF_RET:
		settle(r->s, st);
		returns(r, st->region, BPF_RVAL(in->code) == BPF_A ? &st->a : &operand);
		return;
	default:                /* BPF_MISC */
		settle(r->s, st);
		if (BPF_MISCOP(in->code) == BPF_TAX)
			st->x = st->a;
		else
			st->a = st->x;
		break;
	}
	send(r, pc + 1, st, st->region);
}

/* The first syscall in `where` (under arch itself if any is), with what the
 * program and the policy give it. */
static void first_witness(struct run *r, const struct arch *arch, bdd where, struct witness *w)
{
	bdd native = bdd_and(r->s, where, bdd_word_test(r->s, WORD_ARCH, UINT32_MAX, BPF_JEQ, arch->audit_arch));
	uint32_t words[BDD_WORDS];
	size_t steps;

	bdd_pick(r->s, native != BDD_FALSE ? native : where, false, words);
	memset(w, 0, sizeof(*w));
	w->d.nr = words[SD_NR / 4];
	w->d.arch = words[SD_ARCH / 4];
	w->d.ip = (uint64_t)words[SD_IP / 4 + 1] << 32 | words[SD_IP / 4];
	for (unsigned a = 0; a < 6; a++)
		w->d.args[a] = (uint64_t)words[SD_ARG_HI(a) / 4] << 32 | words[SD_ARG_LO(a) / 4];
	w->blob_ret = sim_run(r->prog, r->n, &w->d, &steps);
	for (size_t i = 0; i < r->m.n; i++)
		if (bdd_holds(r->s, r->m.where[i], words))
			w->policy_ret = r->m.ret[i];
}

enum equiv_result equiv_check(const struct policy *pol, const struct arch *arch,
			      const struct numbered *num, size_t n_num, const struct sock_filter *prog,
			      size_t n, size_t max_nodes, struct witness *witness)
{
	struct run r = { .prog = prog, .n = n, .differs = BDD_FALSE };
	enum equiv_result result = EQUIV_TOO_BIG;
	struct state start;

	r.s = bdd_store_new(max_nodes);
	r.live = xcalloc(n + 1, sizeof(*r.live));
	r.at = xcalloc(n, sizeof(struct state *));
	liveness(&r);
	if (semantic_meaning(r.s, pol, arch, num, n_num, &r.m) < 0)
		goto out;
	memset(&start, 0, sizeof(start));
	for (unsigned k = 0; k < MEMWORDS; k++)
		bvec_const(&start.mem[k], 0);
	bvec_const(&start.a, 0);
	bvec_const(&start.x, 0);
	send(&r, 0, &start, BDD_TRUE);
	for (size_t pc = 0; pc < n && !bdd_exhausted(r.s); pc++) {
		while (r.at[pc]) {
			struct state *st = r.at[pc];

			r.at[pc] = st->next;
			step(&r, pc, st);
			free(st);
		}
	}
	if (bdd_exhausted(r.s))
		goto out;
	result = r.differs == BDD_FALSE ? EQUIV_SAME : EQUIV_DIFFERS;
	if (result == EQUIV_DIFFERS)
		first_witness(&r, arch, r.differs, witness);
out:
	for (size_t pc = 0; pc < n; pc++) {
		while (r.at[pc]) {
			struct state *st = r.at[pc];

			r.at[pc] = st->next;
			free(st);
		}
	}
	free(r.at);
	free(r.live);
	meaning_free(&r.m);
	bdd_store_free(r.s);
	return result;
}
