/* Differential oracle: the same policy built by libseccomp (test-only), for
 * both arches, with kill-process for foreign arches as DESIGN.md asks; both
 * blobs are simulated on the same grid and must agree everywhere. Also checks
 * every syscall number of our tables against libseccomp's tables.
 * usage: gen-oracle POLICY...  (rules use == and masked ==, and rules of one
 * syscall do not overlap: libseccomp has no first-match order) */
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

static int check_tables(void)
{
	int bad = 0;

	for (unsigned a = 0; a < n_arches; a++) {
		size_t count;
		const struct syscall *t = syscall_table(&arches[a], &count);

		for (size_t i = 0; i < count; i++) {
			int theirs = seccomp_syscall_resolve_name_arch(libseccomp_arch_token(&arches[a]), t[i].name);

			if (theirs != (int)t[i].nr) {
				printf("gen-oracle: %s %s: ours %u, libseccomp %d\n", arches[a].name,
				       t[i].name, t[i].nr, theirs);
				bad++;
			}
		}
		printf("gen-oracle: %s: %zu syscall numbers agree with libseccomp\n", arches[a].name,
		       count - (size_t)bad);
	}
	return bad;
}

static size_t compare(const char *path)
{
	static struct sock_filter theirs[BLOB_MAX_INSNS];
	struct policy pol;
	char err[512];
	size_t len, checked = 0;
	char *text = read_text(path, &len);

	if (policy_parse(path, text, len, &pol, err, sizeof(err)) < 0) {
		printf("gen-oracle: %s\n", err);
		exit(1);
	}
	for (unsigned a = 0; a < n_arches; a++) {
		const struct arch *arch = &arches[a], *verified;
		struct sock_filter *ours;
		size_t n_ours = compile_policy(&pol, arch, &ours, err, sizeof(err));
		size_t n_theirs = libseccomp_blob(&pol, arch, theirs, false);
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
	policy_free(&pol);
	free(text);
	return checked;
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
