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

/* The machine on a set of syscalls: `region`, and what each register holds
 * there. A register dead at this point (never read before it is written
 * again) holds 0, so that no work is spent on values nothing reads. */
struct state {
	bdd region;
	struct bvec a, x, mem[MEMWORDS];
};

struct run {
	struct bdd_store *s;
	const struct sock_filter *prog;
	size_t n;
	uint32_t *live;         /* live registers on entry to each instruction */
	struct state **at;      /* the state that reaches each instruction */
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

static void zero_dead(struct state *st, uint32_t live)
{
	if (!(live & LIVE_A))
		bvec_const(&st->a, 0);
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
}

/* Sends st, narrowed to `where`, to instruction pc: on a second way in, the
 * registers are where's values inside it and the others' outside. */
static void send(struct run *r, size_t pc, const struct state *st, bdd where)
{
	struct state *to = r->at[pc];

	if (where == BDD_FALSE)
		return;
	if (!to) {
		to = r->at[pc] = xcalloc(1, sizeof(*to));
		*to = *st;
		to->region = where;
		zero_dead(to, r->live[pc]);
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

/* Runs instruction pc on its state. */
static void step(struct run *r, size_t pc, struct state *st)
{
	const struct sock_filter *in = &r->prog[pc];
	uint32_t out = BPF_CLASS(in->code) == BPF_RET || BPF_CLASS(in->code) == BPF_JMP ? 0 : r->live[pc + 1];
	struct bvec tmp, operand;
	bdd taken, zero;

	bvec_const(&operand, in->k);
	if (BPF_SRC(in->code) == BPF_X && BPF_CLASS(in->code) != BPF_RET)
		operand = st->x;
	switch (BPF_CLASS(in->code)) {
	case BPF_LD:
		if (out & LIVE_A)
			st->a = *load(r, st, in, &tmp);
		break;
	case BPF_LDX:
		if (out & LIVE_X)
			st->x = *load(r, st, in, &tmp);
		break;
	case BPF_ST:
		st->mem[in->k] = st->a;
		break;
	case BPF_STX:
		st->mem[in->k] = st->x;
		break;
	case BPF_ALU:
		/* Division by an X of 0 ends the program with 0, whatever is live. */
		if (BPF_OP(in->code) == BPF_DIV && BPF_SRC(in->code) == BPF_X) {
			bvec_const(&tmp, 0);
			zero = bdd_and(r->s, st->region, bvec_test(r->s, BPF_JEQ, &st->x, &tmp));
			returns(r, zero, &tmp);
			st->region = bdd_and(r->s, st->region, bdd_not(r->s, zero));
		}
		if (out & LIVE_A)
			bvec_alu(r->s, BPF_OP(in->code), &st->a, &st->a, &operand);
		break;
	case BPF_JMP:
		if (BPF_OP(in->code) == BPF_JA) {
			send(r, pc + 1 + in->k, st, st->region);
			return;
		}
		taken = bvec_test(r->s, BPF_OP(in->code), &st->a, &operand);
		send(r, pc + 1 + in->jt, st, bdd_and(r->s, st->region, taken));
		send(r, pc + 1 + in->jf, st, bdd_and(r->s, st->region, bdd_not(r->s, taken)));
		return;
	case BPF_RET:
		returns(r, st->region, BPF_RVAL(in->code) == BPF_A ? &st->a : &operand);
		return;
	default:                /* BPF_MISC */
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
	struct bvec arch_word, k;
	uint32_t words[BDD_WORDS];
	bdd native;
	size_t steps;

	bvec_word(r->s, &arch_word, 1);
	bvec_const(&k, arch->audit_arch);
	native = bdd_and(r->s, where, bvec_test(r->s, BPF_JEQ, &arch_word, &k));
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
			      const struct numbered *num, size_t n_num,
			      const struct sock_filter *prog, size_t n, struct witness *witness)
{
	struct run r = { .prog = prog, .n = n, .differs = BDD_FALSE };
	enum equiv_result result = EQUIV_TOO_BIG;
	struct state start;

	r.s = bdd_store_new(BDD_MAX_NODES);
	r.live = xcalloc(n + 1, sizeof(*r.live));
	r.at = xcalloc(n, sizeof(*r.at));
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
		if (!r.at[pc])
			continue;
		step(&r, pc, r.at[pc]);
		free(r.at[pc]);
		r.at[pc] = NULL;
	}
	if (bdd_exhausted(r.s))
		goto out;
	result = r.differs == BDD_FALSE ? EQUIV_SAME : EQUIV_DIFFERS;
	if (result == EQUIV_DIFFERS)
		first_witness(&r, arch, r.differs, witness);
out:
	for (size_t pc = 0; pc < n; pc++)
		free(r.at[pc]);
	free(r.at);
	free(r.live);
	meaning_free(&r.m);
	bdd_store_free(r.s);
	return result;
}
