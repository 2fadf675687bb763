/* Compiles policies for both architectures and checks, on a grid of syscall
 * numbers, arguments and arch values, that the simulated blob gives exactly
 * the action the policy's rules give; that every syscall the policy allows
 * whatever its arguments is cache-eligible and nothing else is; and that a
 * program too large for the kernel is refused with a clear message.
 * usage: gen-semantics POLICY...  (A+B: A and B compiled together) */
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "grid.h"
#include "sim.h"
#include "syscalls.h"
#include "verify.h"
#include "xalloc.h"

static int failures;

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

/* Checks pol, which check_policy frees. */
static size_t check_parsed(const char *path, const struct policy *pol_in)
{
	struct policy pol = *pol_in;
	char err[1024];
	size_t checked = 0;

	for (unsigned a = 0; a < n_arches; a++) {
		const struct arch *arch = &arches[a], *verified;
		struct sock_filter *prog;
		size_t n = compile_policy(&pol, arch, &prog, err, sizeof(err)), count, longest;
		const struct syscall *table = syscall_table(arch, &count);
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
		for (size_t t = 0; t < count; t++) {
			bool cached = sim_cacheable(prog, n, arch->audit_arch, table[t].nr);

			int always = policy_allows_always(&pol, nrs, arch, table[t].nr);

			if (always < 0)
				failf("%s (%s): %s has too many argument classes to check\n", path, arch->name,
				      table[t].name);
			else if (cached != (always == 1))
				failf("%s (%s): %s is%s cache-eligible\n", path, arch->name, table[t].name,
				      cached ? "" : " not");
		}
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
	return check_parsed(path, &pol);
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

int main(int argc, char **argv)
{
	size_t checked = 0, len;
	struct policy pol;
	struct sock_filter *prog;
	char err[1024], *text;

	for (int i = 1; i < argc; i++) {
		const char *name = strdup(argv[i]);

		if (!name || load_policy_spec(argv[i], &pol, err, sizeof(err)) < 0)
			failf("%s\n", err);
		else
			checked += check_parsed(name, &pol);
		free((void *)name);
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

	printf("gen-semantics: %zu cases checked, %d failures\n", checked, failures);
	return failures ? 1 : 0;
}
