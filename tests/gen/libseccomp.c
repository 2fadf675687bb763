/* The same policy built by libseccomp, for the oracle and the benchmark
 * (tests only: the product never links libseccomp). */
#define _GNU_SOURCE
#include "libseccomp.h"

#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "blob.h"
#include "syscalls.h"

uint32_t libseccomp_arch_token(const struct arch *arch)
{
	return strcmp(arch->name, "x86_64") == 0 ? SCMP_ARCH_X86_64 : SCMP_ARCH_AARCH64;
}

size_t libseccomp_blob(const struct policy *pol, const struct arch *arch, struct sock_filter *prog,
		       bool tree)
{
	static unsigned char bytes[BLOB_MAX_INSNS * BLOB_INSN_SIZE + 1];
	scmp_filter_ctx ctx = seccomp_init(pol->default_ret);
	int fd = memfd_create("oracle", 0);
	ssize_t n;

	if (!ctx || fd < 0 || seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE) < 0 ||
	    seccomp_arch_add(ctx, libseccomp_arch_token(arch)) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0 ||
	    (tree && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)) {
		printf("libseccomp: libseccomp setup failed\n");
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
				printf("libseccomp: %s:%u: only == conditions can be given to libseccomp\n",
				       pol->path, rule->line);
				exit(1);
			}
			/* A masked comparison ignores the upper half, as ours does. */
			cmp[c] = (struct scmp_arg_cmp){ x->arg, SCMP_CMP_MASKED_EQ, x->mask, x->value };
		}
		if (seccomp_rule_add_array(ctx, rule->ret, nr, (unsigned)rule->n_conds, cmp) < 0) {
			printf("libseccomp: %s:%u: libseccomp refused the rule\n", pol->path, rule->line);
			exit(1);
		}
	}
	if (seccomp_export_bpf(ctx, fd) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		printf("libseccomp: seccomp_export_bpf failed\n");
		exit(1);
	}
	n = read(fd, bytes, sizeof(bytes));
	if (n <= 0 || n % BLOB_INSN_SIZE || (size_t)n > sizeof(bytes) - 1) {
		printf("libseccomp: libseccomp wrote %zd bytes\n", n);
		exit(1);
	}
	close(fd);
	seccomp_release(ctx);
	blob_decode(bytes, (size_t)n, prog);
	return (size_t)n / BLOB_INSN_SIZE;
}

