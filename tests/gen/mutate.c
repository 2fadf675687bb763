#include "mutate.h"

#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "equiv.h"
#include "grid.h"
#include "random.h"
#include "semantic.h"
#include "sim.h"
#include "syscalls.h"
#include "verify.h"
#include "xalloc.h"

#define MAX_CODES 128
#define NR_VECTORS 4            /* argument vectors tried per sampled number */
#define RANDOM_SAMPLES 64

static char message[1024];
static uint16_t valid_codes[MAX_CODES];
static size_t n_valid_codes;

/* The opcodes bpf_verify takes: each of the 65,536 tried in a small program
 * whose other instructions make room for any of them (a written scratch
 * slot 4, a k of 4, jumps that land inside). */
static void find_valid_codes(void)
{
	struct sock_filter p[10];
	const struct arch *verified;
	char err[256];

	if (n_valid_codes)
		return;
	p[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_ARCH);
	p[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arches[0].audit_arch, 0, 7);
	p[2] = (struct sock_filter)BPF_STMT(BPF_ST, 4);
	for (unsigned i = 4; i < 9; i++)
		p[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	p[9] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	for (uint32_t code = 0; code <= 0xffff && n_valid_codes < MAX_CODES; code++) {
		p[3] = (struct sock_filter){ .code = (uint16_t)code, .jt = 0, .jf = 0, .k = 4 };
		if (bpf_verify(p, 10, &verified, err, sizeof(err)) == 0)
			valid_codes[n_valid_codes++] = (uint16_t)code;
	}
}

#define FIXED_VALUES 4

/* Values worth trying in a word: the ends of the range (FIXED_VALUES of
 * them), then the program's and the policy's constants, their neighbours
 * and complements. Returns how many past the fixed ones. */
static size_t value_pool(const struct policy *pol, const struct sock_filter *prog, size_t n, uint32_t **out)
{
	size_t cap = FIXED_VALUES + 4 * n, len = 0;
	uint32_t *v;

	for (size_t r = 0; r < pol->n_rules; r++)
		cap += 4 * pol->rules[r].n_conds;
	v = xcalloc(cap, sizeof(*v));
	v[len++] = 0;
	v[len++] = 1;
	v[len++] = 0x80000000u;
	v[len++] = UINT32_MAX;
	for (size_t i = 0; i < n; i++) {
		v[len++] = prog[i].k;
		v[len++] = prog[i].k + 1;
		v[len++] = prog[i].k - 1;
		v[len++] = ~prog[i].k;
	}
	for (size_t r = 0; r < pol->n_rules; r++) {
		for (size_t c = 0; c < pol->rules[r].n_conds; c++) {
			const struct cond *x = &pol->rules[r].conds[c];

			v[len++] = x->value;
			v[len++] = x->value + 1;
			v[len++] = x->value - 1;
			v[len++] = x->value | ~x->mask;
		}
	}
	*out = v;
	return len - FIXED_VALUES;
}

/* A syscall of the sample where mutant and rules disagree, into *d. */
static bool sample_differs(const struct policy *pol, const long *nrs, const struct arch *arch,
			   const struct sock_filter *mutant, size_t n, uint64_t seed, struct sim_data *d)
{
	static const uint32_t foreign[] = { 0, 0x40000003u, 0x40000028u, UINT32_MAX };
	size_t count, n_pool;
	const struct syscall *table = syscall_table(arch, &count);
	uint32_t *pool, special[] = { 0, 1, table[count - 1].nr, table[count - 1].nr + 1, 0x3fffffffu,
				      0x40000000u, 0x40000001u, 0xfffffffeu, UINT32_MAX };
	uint64_t state = seed | 1;
	bool found = false;
	size_t steps;

	n_pool = FIXED_VALUES + value_pool(pol, mutant, n, &pool);
	for (size_t i = 0; i < n_pool + pol->n_rules + 9 + RANDOM_SAMPLES && !found; i++) {
		for (unsigned v = 0; v < NR_VECTORS && !found; v++) {
			uint64_t x = xorshift64(&state);

			memset(d, 0, sizeof(*d));
			d->nr = i < n_pool ? pool[i] : i < n_pool + pol->n_rules ? (uint32_t)nrs[i - n_pool] :
				i < n_pool + pol->n_rules + 9 ? special[i - n_pool - pol->n_rules] : (uint32_t)x;
			d->arch = v == NR_VECTORS - 1 ? foreign[x % 4] : arch->audit_arch;
			d->ip = x & 1 ? xorshift64(&state) : 0;
			for (unsigned a = 0; a < 6; a++) {
				uint64_t y = xorshift64(&state);

				/* n_pool is at least FIXED_VALUES: the analyzer takes the
				 * sum for one that may wrap to 0. */
				d->args[a] = (y & 3 ? pool[(y >> 8) % n_pool] : (uint32_t)(y >> 32)) | // NOLINT(clang-analyzer-core.DivideZero)
					     (y & 4 ? (y >> 16) << 32 : 0);
			}
			/* Rules whose syscall the arch lacks have no number here. */
			if (i >= n_pool && i < n_pool + pol->n_rules && nrs[i - n_pool] < 0)
				continue;
			found = sim_run(mutant, n, d, &steps) != policy_expected(pol, nrs, arch, d);
		}
	}
	free(pool);
	return found;
}

/* Whether prog multiplies or divides, or computes with X: the operations
 * whose results' bits the analysis may not hold within its node budget
 * (README, "verify --policy"). */
static bool hard_arithmetic(const struct sock_filter *prog, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t code = prog[i].code;

		if (BPF_CLASS(code) == BPF_ALU &&
		    (BPF_OP(code) == BPF_MUL || BPF_OP(code) == BPF_DIV || BPF_SRC(code) == BPF_X))
			return true;
	}
	return false;
}

static const char *check_one(const struct policy *pol, const long *nrs, const struct arch *arch,
			     const struct numbered *num, size_t n_num, const struct sock_filter *m, size_t n,
			     size_t max_nodes, const char *what, struct mutation_tally *t)
{
	const struct arch *verified;
	struct witness w;
	struct sim_data d;
	char err[256];
	size_t steps;

	t->tried++;
	if (bpf_verify(m, n, &verified, err, sizeof(err)) < 0 || verified != arch) {
		t->invalid++;
		return NULL;
	}
	switch (equiv_check(pol, arch, num, n_num, m, n, max_nodes, &w)) {
	case EQUIV_SAME:
		if (sample_differs(pol, nrs, arch, m, n, t->tried, &d)) {
			snprintf(message, sizeof(message), "%s: verify --policy accepts %s, which gives "
				 "0x%08x to nr %u arch 0x%08x a0 %#llx a1 %#llx where the rules say 0x%08x",
				 arch->name, what, sim_run(m, n, &d, &steps), d.nr, d.arch,
				 (unsigned long long)d.args[0], (unsigned long long)d.args[1],
				 policy_expected(pol, nrs, arch, &d));
			return message;
		}
		t->same++;
		return NULL;
	case EQUIV_DIFFERS:
		if (sim_run(m, n, &w.d, &steps) != w.blob_ret || w.blob_ret == w.policy_ret ||
		    policy_expected(pol, nrs, arch, &w.d) != w.policy_ret) {
			snprintf(message, sizeof(message), "%s: verify --policy rejects %s with a witness "
				 "that does not hold: nr %u arch 0x%08x, blob 0x%08x, rules 0x%08x", arch->name,
				 what, w.d.nr, w.d.arch, w.blob_ret, w.policy_ret);
			return message;
		}
		t->differ++;
		return NULL;
	case EQUIV_TOO_BIG:
		if (!hard_arithmetic(m, n)) {
			snprintf(message, sizeof(message), "%s: verify --policy cannot decide %s, which "
				 "multiplies, divides and computes with X nowhere", arch->name, what);
			return message;
		}
		t->undecided++;
		t->undecided_differ += sample_differs(pol, nrs, arch, m, n, t->tried, &d);
		return NULL;
	}
	return NULL;
}

/* The k values an exhaustive run tries for k. */
static size_t k_variants(uint32_t k, uint32_t *out)
{
	size_t n = 0;

	for (unsigned b = 0; b < 32; b++)
		out[n++] = k ^ (1u << b);
	out[n++] = k + 1;
	out[n++] = k - 1;
	out[n++] = 0;
	out[n++] = ~k;
	out[n++] = UINT32_MAX;
	return n;
}

/* Mutant `i` of field `field` of instruction pc, into m[pc]: exhaustive
 * runs count i up, random ones draw it. */
static void mutate(const struct sock_filter *in, unsigned field, uint64_t i, bool exhaustive,
		   const uint32_t *ks, size_t n_ks, struct sock_filter *out)
{
	*out = *in;
	switch (field) {
	case 0: out->code = valid_codes[i % n_valid_codes]; break;
	case 1: out->jt = (uint8_t)i; break;
	case 2: out->jf = (uint8_t)i; break;
	default: out->k = exhaustive ? ks[i] : i & 1 ? ks[(i >> 8) % n_ks] : (uint32_t)(i >> 32); break;
	}
}

/* What every mutant of one program is checked against. */
struct run {
	const struct policy *pol;
	const struct arch *arch;
	const struct sock_filter *prog;
	size_t n, max_nodes;
	struct sock_filter *m;  /* the program, one instruction changed at a time */
	struct numbered *num;
	long n_num, *nrs;
	struct mutation_tally *t;
};

/* Numbers pol's rules for equiv_check; NULL, or the message why not. */
static const char *begin(struct run *r)
{
	char err[512];

	find_valid_codes();
	r->m = xcalloc(r->n, sizeof(*r->m));
	memcpy(r->m, r->prog, r->n * sizeof(*r->m));
	r->nrs = rule_numbers(r->pol, r->arch);
	r->num = xcalloc(r->pol->n_rules + 1, sizeof(*r->num));
	r->n_num = semantic_number(r->pol, r->arch, r->num, err, sizeof(err));
	if (r->n_num >= 0)
		return NULL;
	snprintf(message, sizeof(message), "%s", err);
	return message;
}

static void end(struct run *r)
{
	free(r->m);
	free(r->num);
	free(r->nrs);
}

/* Checks the program with m[pc] changed as `mutate` says, then puts it back. */
static const char *try_mutant(struct run *r, size_t pc, unsigned field, uint64_t i, bool exhaustive)
{
	const char *broken = NULL;
	uint32_t ks[40];
	size_t n_ks = k_variants(r->prog[pc].k, ks);

	mutate(&r->prog[pc], field, i, exhaustive, ks, n_ks, &r->m[pc]);
	if (memcmp(&r->m[pc], &r->prog[pc], sizeof(*r->m)) != 0) {
		char what[128];

		snprintf(what, sizeof(what), "instruction %zu as {0x%04x, %u, %u, 0x%x}", pc, r->m[pc].code,
			 r->m[pc].jt, r->m[pc].jf, r->m[pc].k);
		broken = check_one(r->pol, r->nrs, r->arch, r->num, (size_t)r->n_num, r->m, r->n, r->max_nodes,
				   what, r->t);
	}
	r->m[pc] = r->prog[pc];
	return broken;
}

const char *check_mutants(const struct policy *pol, const struct arch *arch, const struct sock_filter *prog,
			  size_t n, bool exhaustive, unsigned per_insn, size_t max_nodes, uint64_t *rng,
			  struct mutation_tally *t)
{
	struct run r = { pol, arch, prog, n, max_nodes, NULL, NULL, 0, NULL, t };
	const char *broken = begin(&r);

	for (size_t pc = 0; pc < n && !broken; pc++) {
		uint32_t ks[40];
		unsigned field_count[4] = { (unsigned)n_valid_codes, 256, 256, (unsigned)k_variants(prog[pc].k, ks) };

		for (unsigned field = 0; field < 4 && !broken; field++)
			for (unsigned i = 0; i < (exhaustive ? field_count[field] : per_insn) && !broken; i++)
				broken = try_mutant(&r, pc, field, exhaustive ? i : xorshift64(rng), exhaustive);
	}
	end(&r);
	return broken;
}

const char *check_some_mutants(const struct policy *pol, const struct arch *arch, const struct sock_filter *prog,
			       size_t n, unsigned count, size_t max_nodes, uint64_t *rng, struct mutation_tally *t)
{
	struct run r = { pol, arch, prog, n, max_nodes, NULL, NULL, 0, NULL, t };
	const char *broken = begin(&r);

	for (unsigned i = 0; i < count && !broken; i++) {
		size_t pc = xorshift64(rng) % n;
		unsigned field = (unsigned)(xorshift64(rng) % 4);

		broken = try_mutant(&r, pc, field, xorshift64(rng), false);
	}
	end(&r);
	return broken;
}
