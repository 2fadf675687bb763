/* libFuzzer harness: the policy parser and the compiler on arbitrary text.
 * A refusal must come with a "fuzz:..." message; an internal error of the
 * compiler is a failure. Every program compiled for either architecture must
 * pass bpf_verify for that architecture, and on seccomp_data drawn from the
 * rules' own numbers and constants its simulation must stay inside it
 * (check_run) and give exactly the action that evaluating the rules gives
 * (policy_expected, the reference of tests/gen). The cache must answer
 * exactly the numbers the rules allow whatever the arguments (decided by
 * brute force over the argument classes the conditions induce, where they
 * are few enough to try them all). */
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "fuzz.h"
#include "grid.h"
#include "syscalls.h"
#include "verify.h"

#define PATH "fuzz"
#define RUNS_PER_RULE 4u
#define MAX_RUNS 256u

static void check_message(const char *what, const char *err)
{
	if (strncmp(err, PATH ":", strlen(PATH ":")) != 0)
		broken("%s message without the file name: %s", what, err);
	if (strstr(err, "internal error"))
		broken("%s", err);
}

/* A value for argument a of a run aimed at rule r: its own constants, their
 * neighbours, bits outside its masks, or anything, with junk or a sign
 * extension in the upper half now and then. */
static uint64_t argument(const struct rule *r, unsigned a, uint64_t *state)
{
	uint64_t x = rng_next(state);
	uint32_t low = (uint32_t)(x >> 32);

	for (size_t c = 0; c < r->n_conds; c++) {
		const struct cond *cd = &r->conds[(c + x) % r->n_conds];

		if (cd->arg != a || (x & 3) == 0)
			continue;
		low = (x & 12) == 4 ? cd->value + 1 : (x & 12) == 8 ? cd->value - 1 :
		      (x & 12) == 12 ? cd->value | ~cd->mask : cd->value;
		break;
	}
	switch ((x >> 4) & 3) {
	case 0: return (uint64_t)rng_next(state) << 32 | low;
	case 1: return (uint64_t)(int64_t)(int32_t)low;
	default: return low;
	}
}

static void check_data(const struct policy *pol, const long *nrs, const struct arch *arch,
		       const struct sock_filter *prog, size_t n, size_t longest, const struct sim_data *d)
{
	uint32_t got = check_run(prog, n, arch->audit_arch, longest, d);
	uint32_t want = policy_expected(pol, nrs, arch, d);
	int always;

	if (got != want)
		broken("%s: nr %u arch 0x%08x args %#llx %#llx %#llx %#llx %#llx %#llx: "
		       "the program returns 0x%08x, the rules say 0x%08x", arch->name, d->nr, d->arch,
		       (unsigned long long)d->args[0], (unsigned long long)d->args[1],
		       (unsigned long long)d->args[2], (unsigned long long)d->args[3],
		       (unsigned long long)d->args[4], (unsigned long long)d->args[5], got, want);
	/* Cache-eligible exactly when the rules allow whatever the arguments,
	 * by brute force over the classes the conditions induce. */
	if (d->arch == arch->audit_arch && syscall_name(arch, d->nr) &&
	    (always = policy_allows_always(pol, nrs, arch, d->nr)) >= 0 &&
	    (always == 1) != sim_cacheable(prog, n, d->arch, d->nr))
		broken("%s: nr %u is %scache-eligible, but the rules %s allow it whatever the arguments",
		       arch->name, d->nr, sim_cacheable(prog, n, d->arch, d->nr) ? "" : "not ",
		       sim_cacheable(prog, n, d->arch, d->nr) ? "do not" : "do");
}

static void check_program(const struct policy *pol, const struct arch *arch,
			  const struct sock_filter *prog, size_t n, uint64_t *state)
{
	static const uint32_t odd_nrs[] = { 0xffffffffu, 0x40000000u, 0x40000029u, 0xfffffffeu, 4095 };
	const struct arch *verified;
	long *nrs = rule_numbers(pol, arch);
	size_t longest, count, runs = 0;
	const struct syscall *table = syscall_table(arch, &count);
	char err[256];

	if (bpf_verify(prog, n, &verified, err, sizeof(err)) < 0)
		broken("%s program fails verification: %s", arch->name, err);
	if (verified != arch)
		broken("%s program verified as %s", arch->name, verified->name);
	longest = sim_longest_path(prog, n);
	for (size_t r = 0; r < pol->n_rules && runs < MAX_RUNS; r++) {
		if (nrs[r] < 0)
			continue;
		for (unsigned k = 0; k < RUNS_PER_RULE; k++, runs++) {
			struct sim_data d = { .nr = (uint32_t)nrs[r], .arch = arch->audit_arch };

			for (unsigned a = 0; a < 6; a++)
				d.args[a] = argument(&pol->rules[r], a, state);
			d.ip = rng_next(state);
			check_data(pol, nrs, arch, prog, n, longest, &d);
		}
	}
	for (size_t i = 0; i < 8; i++) {
		uint64_t x = rng_next(state);
		struct sim_data d = { .arch = arch->audit_arch, .args = { x, x >> 8, 1, 2, 3, 4 } };

		d.nr = i < 5 ? odd_nrs[i] : table[x % count].nr;
		if (i == 7)
			d.arch = arches[0].audit_arch == arch->audit_arch ? arches[1].audit_arch :
									  arches[0].audit_arch;
		check_data(pol, nrs, arch, prog, n, longest, &d);
	}
	free(nrs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy pol;
	char err[512];
	uint64_t state;

	if (policy_parse(PATH, (const char *)data, size, &pol, err, sizeof(err)) < 0) {
		check_message("parse", err);
		return 0;
	}
	rng_seed(&state, data, size);
	for (unsigned a = 0; a < n_arches; a++) {
		struct sock_filter *prog;
		size_t n = compile_policy(&pol, &arches[a], &prog, err, sizeof(err));

		if (n == 0) {
			check_message("compile", err);
			continue;
		}
		check_program(&pol, &arches[a], prog, n, &state);
		free(prog);
	}
	policy_free(&pol);
	return 0;
}
