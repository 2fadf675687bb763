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
#include "graph.h"
#include "syscalls.h"

uint32_t libseccomp_arch_token(const struct arch *arch)
{
	return strcmp(arch->name, "x86_64") == 0 ? SCMP_ARCH_X86_64 : SCMP_ARCH_AARCH64;
}

/* libseccomp takes a number of the host's arch and maps it to the target by
 * name; a syscall its tables lack can only be given as a number of the host
 * itself. Returns the number to give, or -1 if libseccomp cannot take it. */
static int host_number(const struct arch *arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr != __NR_SCMP_ERROR &&
	    seccomp_syscall_resolve_name_arch(libseccomp_arch_token(arch), name) != __NR_SCMP_ERROR)
		return nr;
	if (arch_native() == arch)
		return (int)syscall_nr(arch, name);
	return -1;
}

/* Adds a rule whose conditions from c on are still to be turned into
 * libseccomp's: a masked "!= 0" becomes one rule per bit of its mask (the
 * test holds when any bit is set), since libseccomp has masked equality only. */
static void add_rule(scmp_filter_ctx ctx, const struct rule *rule, int nr, struct scmp_arg_cmp *cmp,
		     size_t c)
{
	const struct cond *x;

	if (c == rule->n_conds) {
		if (seccomp_rule_add_array(ctx, rule->ret, nr, (unsigned)rule->n_conds, cmp) < 0) {
			printf("libseccomp: %s:%u: libseccomp refused the rule\n", rule->path, rule->line);
			exit(1);
		}
		return;
	}
	x = &rule->conds[c];
	if (x->op == OP_NE && x->value == 0 && x->mask != NO_MASK) {
		for (unsigned bit = 0; bit < 32; bit++) {
			if (!(x->mask >> bit & 1))
				continue;
			cmp[c] = (struct scmp_arg_cmp){ x->arg, SCMP_CMP_MASKED_EQ, 1u << bit, 1u << bit };
			add_rule(ctx, rule, nr, cmp, c + 1);
		}
		return;
	}
	if (x->op != OP_EQ) {
		printf("libseccomp: %s:%u: only == and (masked) != 0 conditions can be given to libseccomp\n",
		       rule->path, rule->line);
		exit(1);
	}
	/* A masked comparison ignores the upper half, as ours does. */
	cmp[c] = (struct scmp_arg_cmp){ x->arg, SCMP_CMP_MASKED_EQ, x->mask, x->value };
	add_rule(ctx, rule, nr, cmp, c + 1);
}

size_t libseccomp_blob(const struct policy *pol, const struct arch *arch, struct sock_filter *prog,
		       bool tree, long *skipped)
{
	size_t n_skipped = 0;
	static unsigned char bytes[BLOB_MAX_INSNS * BLOB_INSN_SIZE + 1];
	scmp_filter_ctx ctx = seccomp_init(pol->default_ret);
	int fd = memfd_create("oracle", 0);
	ssize_t n;

	skipped[0] = -1;
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
		int nr;

		if (syscall_nr(arch, rule->syscall) < 0)
			continue;
		nr = host_number(arch, rule->syscall);
		if (nr < 0) {
			if (n_skipped + 1 == LIBSECCOMP_MAX_SKIPPED) {
				printf("libseccomp: %s:%u: too many syscalls libseccomp cannot take\n",
				       rule->path, rule->line);
				exit(1);
			}
			if (!libseccomp_skipped(skipped, (uint32_t)syscall_nr(arch, rule->syscall))) {
				skipped[n_skipped++] = syscall_nr(arch, rule->syscall);
				skipped[n_skipped] = -1;
			}
			continue;
		}
		add_rule(ctx, rule, nr, cmp, 0);
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

bool libseccomp_skipped(const long *skipped, uint32_t nr)
{
	for (size_t i = 0; skipped[i] >= 0; i++)
		if (skipped[i] == (long)nr)
			return true;
	return false;
}
