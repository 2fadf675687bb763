/* Differential oracle: the same policy built by libseccomp (test-only), for
 * both arches, with kill-process for foreign arches as DESIGN.md asks; both
 * blobs are simulated on the same grid and must agree everywhere. Also checks
 * every syscall number of our tables against libseccomp's tables.
 * usage: gen-oracle POLICY...  (A+B: compiled together; rules use ==, masked ==
 * and masked != 0, and rules of one syscall do not overlap, or agree where
 * they do: libseccomp has no first-match order) */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>

#include "blob.h"
#include "compile.h"
#include "grid.h"
#include "libseccomp.h"
#include "sim.h"
#include "syscalls.h"
#include "verify.h"

static int failures;

/* Every name both tables know must have one number. Ours (Linux 6.18) are
 * newer than libseccomp 2.5.4's, which lack the latest syscalls. */
static int check_tables(void)
{
	int bad = 0;

	for (unsigned a = 0; a < n_arches; a++) {
		size_t count, agree = 0, unknown = 0;
		const struct syscall *t = syscall_table(&arches[a], &count);

		for (size_t i = 0; i < count; i++) {
			int theirs = seccomp_syscall_resolve_name_arch(libseccomp_arch_token(&arches[a]), t[i].name);

			if (theirs == __NR_SCMP_ERROR) {
				unknown++;
			} else if (theirs != (int)t[i].nr) {
				printf("gen-oracle: %s %s: ours %u, libseccomp %d\n", arches[a].name,
				       t[i].name, t[i].nr, theirs);
				bad++;
			} else {
				agree++;
			}
		}
		printf("gen-oracle: %s: %zu syscall numbers agree with libseccomp, %zu names it does not know\n",
		       arches[a].name, agree, unknown);
		if (agree < 300) {
			printf("gen-oracle: %s: too few names in common with libseccomp\n", arches[a].name);
			bad++;
		}
	}
	return bad;
}

static size_t compare(char *spec)
{
	static struct sock_filter theirs[BLOB_MAX_INSNS];
	struct policy pol;
	char err[1024];
	size_t checked = 0, skipped_cases = 0;
	const char *path;

	if (load_policy_spec(spec, &pol, err, sizeof(err)) < 0) {
		printf("gen-oracle: %s\n", err);
		exit(1);
	}
	path = pol.path;
	for (unsigned a = 0; a < n_arches; a++) {
		const struct arch *arch = &arches[a], *verified;
		struct sock_filter *ours;
		size_t n_ours = compile_policy(&pol, arch, &ours, err, sizeof(err));
		long skipped[LIBSECCOMP_MAX_SKIPPED];
		size_t n_theirs = libseccomp_blob(&pol, arch, theirs, false, skipped);
		struct grid g;

		if (n_ours == 0) {
			printf("gen-oracle: %s\n", err);
			exit(1);
		}
		if (bpf_verify(theirs, n_theirs, &verified, err, sizeof(err)) < 0 || verified != arch) {
			printf("gen-oracle: %s (%s): libseccomp's blob fails our verifier: %s\n", path,
			       arch->name, err);
			failures++;
		}
		grid_build(&g, &pol, arch);
		for (size_t i = 0; i < g.n; i++) {
			size_t steps;

			/* A syscall libseccomp could not be given: gen-semantics checks it. */
			if (libseccomp_skipped(skipped, g.cases[i].nr) && g.cases[i].arch == arch->audit_arch) {
				skipped_cases++;
				continue;
			}
			uint32_t mine = sim_run(ours, n_ours, &g.cases[i], &steps);
			uint32_t lib = sim_run(theirs, n_theirs, &g.cases[i], &steps);

			if (mine != lib && ++failures <= 20)
				printf("gen-oracle: %s (%s): nr %u arch 0x%x args %#llx %#llx: ours 0x%08x, "
				       "libseccomp 0x%08x\n", path, arch->name, g.cases[i].nr, g.cases[i].arch,
				       (unsigned long long)g.cases[i].args[0],
				       (unsigned long long)g.cases[i].args[1], mine, lib);
		}
		checked += g.n;
		grid_free(&g);
		free(ours);
	}
	if (skipped_cases)
		printf("gen-oracle: %s: %zu cases of syscalls libseccomp 2.5.4 does not know on aarch64 "
		       "left to gen-semantics\n", path, skipped_cases);
	policy_free(&pol);
	return checked - skipped_cases;
}

int main(int argc, char **argv)
{
	size_t checked = 0;

	failures += check_tables();
	for (int i = 1; i < argc; i++)
		checked += compare(argv[i]);
	printf("gen-oracle: %zu cases compared with libseccomp, %d failures\n", checked, failures);
	return failures ? 1 : 0;
}
