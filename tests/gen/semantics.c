/* Compiles policies for both architectures and checks, on a grid of syscall
 * numbers, arguments and arch values, that the simulated blob gives exactly
 * the action the policy's rules give; that a syscall is cache-eligible if
 * and only if the rules allow it whatever its arguments (tests/gen/reference.c,
 * by brute force over the argument classes); that the policy has no flaw the
 * reference finds (a condition that always or never holds, alone or beside
 * the rule's others on its argument, a rule that never decides); that
 * `verify --policy` (equiv_check) accepts the blob, and handles every
 * single-instruction change of it (tests/gen/mutate.c); and that a program
 * too large for the kernel is refused with a clear message.
 *
 * Then the same properties on random policies, both ways: every policy the
 * parser or the compiler refuses for a flaw has that flaw where the
 * reference finds it, and every policy they accept has none.
 *
 * usage: gen-semantics [--all-mutants | --some-mutants] [--random N] POLICY...
 * (A+B: A and B compiled together; --all-mutants tries every mutant of the
 * blobs of the POLICYs after it, --some-mutants a sample of each
 * instruction's) */
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "equiv.h"
#include "grid.h"
#include "mutate.h"
#include "random.h"
#include "reference.h"
#include "semantic.h"
#include "sim.h"
#include "syscalls.h"
#include "verify.h"
#include "xalloc.h"

#define SOME_MUTANTS 3          /* per field of each instruction */

static int failures;
static struct mutation_tally mutants;
static uint64_t rng = 0x243f6a8885a308d3ull;          /* mutants */
static uint64_t policy_rng = 0x13198a2e03707344ull;   /* random policies */

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
	va_list ap;

	if (++failures > 20)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static const char *const verdicts[] = {
	"sound", "a condition that always holds", "a condition that never holds",
	"contradictory conditions", "a redundant condition", "a dead rule", "too many classes",
};

/* The checks every blob of an accepted policy passes beyond the grid: the
 * reference finds no flaw, verify --policy accepts the blob, and handles
 * its mutants. */
static void check_meaning(const char *path, const struct policy *pol, const struct arch *arch,
			  const struct sock_filter *prog, size_t n, bool all_mutants)
{
	struct numbered *num = xcalloc(pol->n_rules + 1, sizeof(*num));
	size_t rule = 0, cond = 0;
	enum ref_verdict v = reference_policy(pol, arch, &rule, &cond);
	const char *broken;
	struct witness w;
	char err[1024];
	long n_num = semantic_number(pol, arch, num, err, sizeof(err));

	if (v != REF_SOUND)
		failf("%s (%s): compiled, but the reference finds %s (rule on line %u, condition %zu)\n",
		      path, arch->name, verdicts[v], pol->rules[rule].line, cond + 1);
	if (n_num < 0)
		failf("%s (%s): %s\n", path, arch->name, err);
	else if (equiv_check(pol, arch, num, (size_t)n_num, prog, n, BDD_MAX_NODES, &w) != EQUIV_SAME)
		failf("%s (%s): verify --policy does not accept the policy's own blob\n", path, arch->name);
	broken = check_mutants(pol, arch, prog, n, all_mutants, SOME_MUTANTS, BDD_MAX_NODES, &rng, &mutants);
	if (broken)
		failf("%s: %s\n", path, broken);
	free(num);
}

static void check_cache(const char *path, const struct policy *pol, const long *nrs, const struct arch *arch,
			const struct sock_filter *prog, size_t n)
{
	size_t count;
	const struct syscall *table = syscall_table(arch, &count);

	for (size_t t = 0; t < count; t++) {
		bool cached = sim_cacheable(prog, n, arch->audit_arch, table[t].nr);
		int always = policy_allows_always(pol, nrs, table[t].nr);

		if (always < 0)
			failf("%s (%s): %s has too many argument classes for the reference\n", path,
			      arch->name, table[t].name);
		else if (cached != (always == 1))
			failf("%s (%s): %s is%s cache-eligible\n", path, arch->name, table[t].name,
			      cached ? "" : " not");
	}
}

/* Checks pol, which it frees. */
static size_t check_parsed(const char *path, const struct policy *pol_in, bool all_mutants)
{
	struct policy pol = *pol_in;
	char err[1024];
	size_t checked = 0;

	for (unsigned a = 0; a < n_arches; a++) {
		const struct arch *arch = &arches[a], *verified;
		struct sock_filter *prog;
		size_t n = compile_policy(&pol, arch, &prog, err, sizeof(err)), longest;
		long *nrs = rule_numbers(&pol, arch);
		struct grid g;

		if (n == 0) {
			free(nrs);
			failf("%s (%s): %s\n", path, arch->name, err);
			continue;
		}
		if (bpf_verify(prog, n, &verified, err, sizeof(err)) < 0 || verified != arch)
			failf("%s (%s): does not verify: %s\n", path, arch->name, err);
		longest = sim_longest_path(prog, n);
		if (strcmp(path, "big-policy") == 0) {
			size_t detours = 0;

			for (size_t i = 0; i < n; i++)
				detours += prog[i].code == (BPF_JMP | BPF_JA);
			printf("big-policy (%s): %zu instructions, %zu JA detours for far jumps\n",
			       arch->name, n, detours);
			if (detours == 0)
				failf("big-policy (%s): no far jumps; the test lost its point\n", arch->name);
		}
		grid_build(&g, &pol, arch);
		for (size_t i = 0; i < g.n; i++) {
			const struct sim_data *d = &g.cases[i];
			size_t steps;
			uint32_t got = sim_run(prog, n, d, &steps), want = policy_expected(&pol, nrs, arch, d);

			if (got != want)
				failf("%s (%s): nr %u arch 0x%x args %#llx %#llx %#llx: got 0x%08x, want 0x%08x\n",
				      path, arch->name, d->nr, d->arch, (unsigned long long)d->args[0],
				      (unsigned long long)d->args[1], (unsigned long long)d->args[2], got, want);
			if (steps > longest)
				failf("%s (%s): a run of %zu steps beats the longest path %zu\n", path,
				      arch->name, steps, longest);
		}
		check_cache(path, &pol, nrs, arch, prog, n);
		if (strcmp(path, "big-policy") != 0)
			check_meaning(path, &pol, arch, prog, n, all_mutants);
		checked += g.n;
		grid_free(&g);
		free(prog);
		free(nrs);
	}
	policy_free(&pol);
	return checked;
}

static size_t check_policy(const char *path, const char *text, size_t len)
{
	struct policy pol;
	char err[1024];

	if (policy_parse(path, text, len, &pol, err, sizeof(err)) < 0) {
		failf("%s\n", err);
		return 0;
	}
	return check_parsed(path, &pol, false);
}

/* A policy with rules for every syscall both arches have, each with several
 * conditions: its program needs jumps beyond 255 instructions. With
 * `per_syscall` rules it is sized to fit, or not, in 4096 instructions. */
static char *big_policy(unsigned per_syscall, size_t *len)
{
	size_t count, cap = 1 << 20, n = 0;
	const struct syscall *table = syscall_table(&arches[0], &count);
	char *text = xcalloc(cap, 1);

	n += (size_t)snprintf(text + n, cap - n, "default errno 38\n");
	for (size_t i = 0; i < count; i++) {
		if (syscall_nr(&arches[1], table[i].name) < 0)
			continue;
		for (unsigned r = 0; r < per_syscall; r++)
			n += (size_t)snprintf(text + n, cap - n,
					      "%s %s a%u == %zu && (a%u & 0x%x) != %u && a%u < %u\n",
					      r % 3 == 0 ? "allow" : r % 3 == 1 ? "errno 7" : "trap",
					      table[i].name, r % 6, i + r, (r + 4) % 6, 0xf0u << (r % 4),
					      ((r * 16) & 0xf0u) << (r % 4), (r + 2) % 6, 1000 + r);
		n += (size_t)snprintf(text + n, cap - n, "kill-thread %s a5 >= 0x%x\n", table[i].name,
				      0x80000000u + (unsigned)i);
	}
	*len = n;
	return text;
}

/* --- random policies ------------------------------------------------------ */

static const char *const random_syscalls[] = { "read", "write", "openat", "socket", "ioctl", "mmap" };
static const struct {
	const char *text;
	uint32_t ret;
} random_actions[] = {
	{ "allow", SECCOMP_RET_ALLOW }, { "errno 1", SECCOMP_RET_ERRNO | 1 },
	{ "errno 13", SECCOMP_RET_ERRNO | 13 }, { "kill-process", SECCOMP_RET_KILL_PROCESS },
	{ "kill-thread", SECCOMP_RET_KILL_THREAD }, { "trap", SECCOMP_RET_TRAP }, { "log", SECCOMP_RET_LOG },
	{ "trace 7", SECCOMP_RET_TRACE | 7 }, { "notify", SECCOMP_RET_USER_NOTIF },
};
#define N_ACTIONS (sizeof(random_actions) / sizeof(random_actions[0]))
static const uint32_t random_values[] = {
	0, 1, 2, 3, 5, 7, 8, 0xf, 0x10, 0x7f, 0x80, 0x1000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
};
static const uint32_t random_masks[] = { 0x1, 0x3, 0xf, 0x10, 0xf0, 0xff, 0x80000000, 0xffff0000 };
static const char *const op_text[] = { "==", "!=", "<", "<=", ">", ">=" };

struct tally {
	size_t policies, parse_refused, compile_refused, accepted;
};

static uint64_t draw(uint64_t n)
{
	return xorshift64(&policy_rng) % n;
}

/* A random policy, as rules in *pol and as text: one to ten rules over one
 * to three syscalls, each with zero to three conditions on a0 to a2, values
 * and masks mostly from small sets or next to the rule's other values (so
 * that they meet, overlap and merge). */
static size_t random_policy(struct policy *pol, char *text, size_t cap)
{
	size_t n = 0, syscalls = 1 + draw(3), first = draw(6);
	unsigned deflt = (unsigned)draw(N_ACTIONS);

	memset(pol, 0, sizeof(*pol));
	pol->path = "random";
	pol->default_ret = random_actions[deflt].ret;
	pol->n_rules = 1 + draw(10);
	pol->rules = xcalloc(pol->n_rules, sizeof(*pol->rules));
	n += (size_t)snprintf(text + n, cap - n, "default %s\n", random_actions[deflt].text);
	for (size_t r = 0; r < pol->n_rules; r++) {
		struct rule *rule = &pol->rules[r];
		unsigned act = (unsigned)draw(N_ACTIONS);

		rule->ret = random_actions[act].ret;
		rule->syscall = strdup(random_syscalls[(first + draw(syscalls)) % 6]);
		rule->path = pol->path;
		rule->line = (unsigned)r + 2;
		rule->n_conds = draw(4);
		rule->conds = xcalloc(rule->n_conds + 1, sizeof(*rule->conds));
		n += (size_t)snprintf(text + n, cap - n, "%s %s", random_actions[act].text, rule->syscall);
		for (size_t i = 0; i < rule->n_conds; i++) {
			struct cond *c = &rule->conds[i];

			c->arg = (unsigned)draw(3);
			c->op = (enum cmp_op)draw(6);
			c->value = draw(8) ? random_values[draw(16)] : (uint32_t)xorshift64(&policy_rng);
			if (i > 0 && draw(2))
				c->value = rule->conds[draw(i)].value + (uint32_t)draw(3) - 1;
			c->mask = 0xffffffffu;
			if (draw(3) == 0) {
				c->mask = random_masks[draw(8)];
				c->op = c->op % 2 ? OP_NE : OP_EQ;
				c->value &= c->mask;
				n += (size_t)snprintf(text + n, cap - n, "%s(a%u & 0x%x) %s 0x%x", i ? " && " : " ",
						      c->arg, c->mask, op_text[c->op], c->value);
			} else {
				n += (size_t)snprintf(text + n, cap - n, "%sa%u %s 0x%x", i ? " && " : " ", c->arg,
						      op_text[c->op], c->value);
			}
		}
		n += (size_t)snprintf(text + n, cap - n, "\n");
	}
	return n;
}

/* The flaw a refusal message names. */
static enum ref_verdict refusal_kind(const char *err)
{
	if (strstr(err, "always holds, whatever"))
		return REF_ALWAYS;
	if (strstr(err, "never holds, whatever"))
		return REF_NEVER;
	if (strstr(err, "contradict each other"))
		return REF_CONTRADICTS;
	if (strstr(err, "always holds where the rule's other"))
		return REF_REDUNDANT;
	if (strstr(err, "never reached"))
		return REF_DEAD;
	return REF_TOO_BIG;
}

/* A refusal of the text of gen must be the reference's first flaw of gen,
 * on the same line. */
static void check_refusal(const struct policy *gen, const char *text, const char *err)
{
	size_t rule = 0, cond = 0;
	unsigned line = 0;
	enum ref_verdict said = refusal_kind(err), v = REF_SOUND;

	for (unsigned a = 0; a < n_arches && v == REF_SOUND; a++)
		v = reference_policy(gen, &arches[a], &rule, &cond);
	if (strncmp(err, "random:", 7) == 0)
		line = (unsigned)strtoul(err + 7, NULL, 10);
	if (v != said || gen->rules[rule].line != line)
		failf("random policy refused with \"%s\", but the reference finds %s on line %u:\n%s", err,
		      verdicts[v], gen->rules[rule].line, text);
}

static void check_random(struct tally *t)
{
	struct policy gen, parsed;
	char text[4096], err[1024];
	size_t len = random_policy(&gen, text, sizeof(text));
	size_t rule = 0, cond = 0;
	struct sock_filter *prog;
	int before;

	t->policies++;
	if (policy_parse("random", text, len, &parsed, err, sizeof(err)) < 0) {
		check_refusal(&gen, text, err);
		t->parse_refused++;
	} else if (compile_policy(&parsed, &arches[0], &prog, err, sizeof(err)) == 0) {
		check_refusal(&gen, text, err);
		t->compile_refused++;
		policy_free(&parsed);
	} else {
		free(prog);
		for (unsigned a = 0; a < n_arches; a++)
			if (reference_policy(&gen, &arches[a], &rule, &cond) != REF_SOUND)
				failf("random policy accepted, but the reference finds a flaw on line %u:\n%s",
				      gen.rules[rule].line, text);
		t->accepted++;
		before = failures;
		check_parsed("random", &parsed, false);
		if (failures > before && failures <= 20)
			printf("the random policy:\n%s", text);
	}
	policy_free(&gen);
}

int main(int argc, char **argv)
{
	size_t checked = 0, len;
	struct policy pol;
	struct sock_filter *prog;
	struct tally random = { 0 };
	char err[1024], *text;
	bool all_mutants = true;
	unsigned long n_random = 0;

	for (int i = 1; i < argc; i++) {
		char *name;

		if (strcmp(argv[i], "--all-mutants") == 0 || strcmp(argv[i], "--some-mutants") == 0) {
			all_mutants = argv[i][2] == 'a';
			continue;
		}
		if (strcmp(argv[i], "--random") == 0 && i + 1 < argc) {
			n_random = strtoul(argv[++i], NULL, 10);
			continue;
		}
		name = strdup(argv[i]);
		if (!name || load_policy_spec(argv[i], &pol, err, sizeof(err)) < 0)
			failf("%s\n", err);
		else
			checked += check_parsed(name, &pol, all_mutants);
		free(name);
	}

	text = big_policy(1, &len);
	checked += check_policy("big-policy", text, len);
	free(text);

	text = big_policy(3, &len);
	if (policy_parse("huge-policy", text, len, &pol, err, sizeof(err)) < 0) {
		failf("huge-policy: %s\n", err);
	} else {
		if (compile_policy(&pol, &arches[0], &prog, err, sizeof(err)) != 0)
			failf("huge-policy: compiled although over 4096 instructions\n");
		else if (!strstr(err, "more than the kernel's limit of 4096"))
			failf("huge-policy: unexpected message: %s\n", err);
		policy_free(&pol);
	}
	free(text);

	for (unsigned long i = 0; i < n_random; i++)
		check_random(&random);
	printf("gen-semantics: %zu random policies: %zu refused by the parser, %zu by the compiler, "
	       "%zu accepted; every refusal and acceptance agrees with the reference\n",
	       random.policies, random.parse_refused, random.compile_refused, random.accepted);
	printf("gen-semantics: %zu mutants: %zu not valid blobs, %zu accepted (verdicts unchanged), "
	       "%zu rejected with a confirmed witness, %zu undecided (products, quotients; %zu of them "
	       "with a changed verdict sampled)\n", mutants.tried, mutants.invalid, mutants.same,
	       mutants.differ, mutants.undecided, mutants.undecided_differ);
	printf("gen-semantics: %zu cases checked, %d failures\n", checked, failures);
	return failures ? 1 : 0;
}
