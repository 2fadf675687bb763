/* Differential oracle: the same policy built by libseccomp (test-only), for
 * both arches, with kill-process for foreign arches as DESIGN.md asks; both
 * blobs are simulated on the same grid and must agree everywhere. Also checks
 * every syscall number of our tables against libseccomp's tables.
 * usage: gen-oracle POLICY...  (rules use == and masked ==, and rules of one
 * syscall do not overlap: libseccomp has no first-match order) */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "blob.h"
#include "compile.h"
#include "grid.h"
#include "sim.h"
#include "syscalls.h"
#include "verify.h"

static int failures;

static uint32_t token_of(const struct arch *arch)
{
	return strcmp(arch->name, "x86_64") == 0 ? SCMP_ARCH_X86_64 : SCMP_ARCH_AARCH64;
}

static int check_tables(void)
{
	int bad = 0;

	for (unsigned a = 0; a < n_arches; a++) {
		size_t count;
		const struct syscall *t = syscall_table(&arches[a], &count);

		for (size_t i = 0; i < count; i++) {
			int theirs = seccomp_syscall_resolve_name_arch(token_of(&arches[a]), t[i].name);

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

/* Builds pol for arch with libseccomp; returns the instruction count. */
static size_t libseccomp_blob(const struct policy *pol, const struct arch *arch, struct sock_filter *prog)
{
	static unsigned char bytes[BLOB_MAX_INSNS * BLOB_INSN_SIZE + 1];
	scmp_filter_ctx ctx = seccomp_init(pol->default_ret);
	int fd = memfd_create("oracle", 0);
	ssize_t n;

	if (!ctx || fd < 0 || seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE) < 0 ||
	    seccomp_arch_add(ctx, token_of(arch)) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0) {
		printf("gen-oracle: libseccomp setup failed\n");
		exit(1);
	}
	for (size_t r = 0; r < pol->n_rules; r++) {
		const struct rule *rule = &pol->rules[r];
		struct scmp_arg_cmp cmp[POLICY_MAX_CONDS];
		/* libseccomp takes the host's number and maps it to each arch. */
		int nr = seccomp_syscall_resolve_name(rule->syscall);

		if (syscall_nr(arch, rule->syscall) < 0)
			continue;
		for (size_t c = 0; c < rule->n_conds; c++) {
			const struct cond *x = &rule->conds[c];

			if (x->op != OP_EQ) {
				printf("gen-oracle: %s:%u: only == conditions can be given to libseccomp\n",
				       pol->path, rule->line);
				exit(1);
			}
			/* A masked comparison ignores the upper half, as ours does. */
			cmp[c] = (struct scmp_arg_cmp){ x->arg, SCMP_CMP_MASKED_EQ, x->mask, x->value };
		}
		if (seccomp_rule_add_array(ctx, rule->ret, nr, (unsigned)rule->n_conds, cmp) < 0) {
			printf("gen-oracle: %s:%u: libseccomp refused the rule\n", pol->path, rule->line);
			exit(1);
		}
	}
	if (seccomp_export_bpf(ctx, fd) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		printf("gen-oracle: seccomp_export_bpf failed\n");
		exit(1);
	}
	n = read(fd, bytes, sizeof(bytes));
	if (n <= 0 || n % BLOB_INSN_SIZE || (size_t)n > sizeof(bytes) - 1) {
		printf("gen-oracle: libseccomp wrote %zd bytes\n", n);
		exit(1);
	}
	close(fd);
	seccomp_release(ctx);
	blob_decode(bytes, (size_t)n, prog);
	return (size_t)n / BLOB_INSN_SIZE;
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
		size_t n_theirs = libseccomp_blob(&pol, arch, theirs);
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
