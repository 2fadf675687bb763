/* Compares seccomp-gen's blobs with libseccomp's for the same policies, per
 * arch: size, the instructions run for every call the policies deny (one
 * call per rule that does not allow, with arguments that reach that rule) and
 * for socket(AF_INET), the average over a syscall mix recorded from real
 * workloads (without and with the kernel's action cache), and how many
 * syscall numbers the cache can answer, checked to be exactly those the
 * policies allow whatever the arguments. Paths are counted by the simulator,
 * the same way for every blob.
 * usage: gen-bench MIX POLICY...  (several policies are compiled together) */
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "compile.h"
#include "grid.h"
#include "libseccomp.h"
#include "sim.h"
#include "syscalls.h"

#define AF_INET_ 2
#define SOCK_STREAM_ 1
#define TCGETS_ 0x5401
/* What glibc's fork() passes to clone: SIGCHLD|CHILD_SETTID|CHILD_CLEARTID. */
#define FORK_FLAGS_ 0x1200011
#define MAX_DENIED 64

/* Calls of the x86_64 mix that aarch64 lacks, as its C library makes them. */
static const char *const aarch64_equivalent[][2] = {
	{ "access", "faccessat" }, { "creat", "openat" }, { "dup2", "dup3" },
	{ "readlink", "readlinkat" }, { "unlink", "unlinkat" }, { "vfork", "clone" },
	{ "arch_prctl", NULL },
};

struct mix_entry {
	char name[64];
	unsigned long calls;
};

struct mix {
	struct mix_entry *e;
	size_t n;
	unsigned long total;
	unsigned workloads;
};

static void read_mix(const char *path, struct mix *m)
{
	FILE *f = fopen(path, "r");
	char line[256], workload[64], last[64] = "";
	size_t cap = 0;

	memset(m, 0, sizeof(*m));
	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		struct mix_entry e;
		char count[32], *end;

		if (line[0] == '#' || sscanf(line, "%63s %63s %31s", workload, e.name, count) != 3)
			continue;
		e.calls = strtoul(count, &end, 10);
		if (*end) {
			fprintf(stderr, "%s: bad count in: %s", path, line);
			exit(1);
		}
		if (strcmp(workload, last) != 0) {
			m->workloads++;
			snprintf(last, sizeof(last), "%s", workload);
		}
		if (m->n == cap) {
			cap = cap ? 2 * cap : 256;
			m->e = realloc(m->e, cap * sizeof(*m->e));
			if (!m->e)
				exit(1);
		}
		m->e[m->n++] = e;
		m->total += e.calls;
	}
	fclose(f);
}

static long mix_nr(const struct arch *arch, const char *name)
{
	if (strcmp(arch->name, "aarch64") == 0) {
		for (size_t i = 0; i < sizeof(aarch64_equivalent) / sizeof(aarch64_equivalent[0]); i++)
			if (strcmp(name, aarch64_equivalent[i][0]) == 0)
				return aarch64_equivalent[i][1] ? syscall_nr(arch, aarch64_equivalent[i][1]) : -1;
	}
	return syscall_nr(arch, name);
}

/* A call of the policy's that is denied: a rule that does not allow, with
 * arguments that reach it. */
struct denied {
	char name[96];
	struct sim_data d;
};

struct figures {
	size_t insns;
	size_t denied[MAX_DENIED];
	size_t inet;
	double mix_plain, mix_cached;
	size_t cacheable;
	bool cache_exact;       /* cached = allowed whatever the arguments */
};

/* A value of the low word that satisfies c. */
static uint32_t satisfying(const struct cond *c)
{
	switch (c->op) {
	case OP_EQ: return c->value;
	case OP_NE: return c->mask != 0xffffffffu && c->value == 0 ? c->mask & -c->mask : c->value + 1;
	case OP_LT: return c->value - 1;
	case OP_LE: return c->value;
	case OP_GT: return c->value + 1;
	case OP_GE: return c->value;
	}
	return 0;
}

/* One call per denying rule, for arch; junk in the upper halves, as the
 * kernel ignores it. A rule whose witness an earlier rule takes is left out. */
static size_t denied_calls(const struct policy *pol, const struct arch *arch, struct denied *out)
{
	long *nrs = rule_numbers(pol, arch);
	size_t n = 0;

	for (size_t r = 0; r < pol->n_rules && n < MAX_DENIED; r++) {
		const struct rule *rule = &pol->rules[r];
		struct denied *dn = &out[n];
		int len;

		if (nrs[r] < 0 || rule->ret == SECCOMP_RET_ALLOW)
			continue;
		memset(dn, 0, sizeof(*dn));
		dn->d = (struct sim_data){ .nr = (uint32_t)nrs[r], .arch = arch->audit_arch };
		for (size_t c = 0; c < rule->n_conds; c++)
			dn->d.args[rule->conds[c].arg] = 0xdeadbeef00000000ull | satisfying(&rule->conds[c]);
		if (policy_expected(pol, nrs, arch, &dn->d) != rule->ret)
			continue;
		len = snprintf(dn->name, sizeof(dn->name), "%s", rule->syscall);
		for (size_t c = 0; c < rule->n_conds && len > 0 && (size_t)len < sizeof(dn->name); c++)
			len += snprintf(dn->name + len, sizeof(dn->name) - (size_t)len, "%s a%u=%#x",
					c ? "," : "", rule->conds[c].arg, satisfying(&rule->conds[c]));
		n++;
	}
	free(nrs);
	return n;
}

/* The arguments a call of the mix is counted with. */
static void mix_args(const char *name, struct sim_data *d)
{
	if (strcmp(name, "socket") == 0) {
		d->args[0] = AF_INET_;
		d->args[1] = SOCK_STREAM_;
	} else if (strcmp(name, "ioctl") == 0) {
		d->args[0] = 1;
		d->args[1] = TCGETS_;
	} else if (strcmp(name, "clone") == 0 || strcmp(name, "vfork") == 0) {
		d->args[0] = FORK_FLAGS_;
	}
}

static void measure(const struct sock_filter *p, size_t n, const struct arch *arch, const struct mix *m,
		    const struct policy *pol, const struct denied *dn, size_t n_dn, struct figures *f)
{
	size_t count, steps;
	const struct syscall *table = syscall_table(arch, &count);
	unsigned long counted = 0;
	double plain = 0, cached = 0;
	long *nrs = rule_numbers(pol, arch);
	struct sim_data inet = { .nr = (uint32_t)syscall_nr(arch, "socket"), .arch = arch->audit_arch,
				 .args = { AF_INET_, SOCK_STREAM_ } };

	f->insns = n;
	for (size_t i = 0; i < n_dn; i++)
		sim_run(p, n, &dn[i].d, &f->denied[i]);
	sim_run(p, n, &inet, &f->inet);
	for (size_t i = 0; i < m->n; i++) {
		long nr = mix_nr(arch, m->e[i].name);
		struct sim_data d = { .arch = arch->audit_arch };

		if (nr < 0)
			continue;
		d.nr = (uint32_t)nr;
		mix_args(m->e[i].name, &d);
		sim_run(p, n, &d, &steps);
		plain += (double)steps * m->e[i].calls;
		if (!sim_cacheable(p, n, arch->audit_arch, d.nr))
			cached += (double)steps * m->e[i].calls;
		counted += m->e[i].calls;
	}
	f->mix_plain = plain / (double)counted;
	f->mix_cached = cached / (double)counted;
	f->cacheable = 0;
	f->cache_exact = true;
	for (uint32_t nr = 0; nr <= table[count - 1].nr; nr++) {
		bool c = sim_cacheable(p, n, arch->audit_arch, nr);

		f->cacheable += c;
		if (c != (policy_allows_always(pol, nrs, arch, nr) == 1))
			f->cache_exact = false;
	}
	free(nrs);
}

static double mean(const size_t *v, size_t n, const bool *skip)
{
	double sum = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (!skip[i]) {
			sum += (double)v[i];
			k++;
		}
	}
	return k ? sum / (double)k : 0;
}

static bool worse_double(double ours, double lib)
{
	return ours > lib + 1e-9;
}

int main(int argc, char **argv)
{
	static struct sock_filter lib[BLOB_MAX_INSNS], tree[BLOB_MAX_INSNS];
	static struct denied dn[MAX_DENIED];
	struct policy pol;
	struct mix m;
	char err[1024], names[1024] = "";
	int worse = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: gen-bench MIX POLICY...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i > 2 ? " + " : "", argv[i]);
	/* Joined with '+', as load_policy_spec takes them. */
	for (int i = 3; i < argc; i++)
		argv[i][-1] = '+';
	if (load_policy_spec(argv[2], &pol, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	read_mix(argv[1], &m);
	printf("Policies %s; mix: %lu syscalls from %u workloads (%s); libseccomp %u.%u.%u.\n"
	       "Instructions run, counted by seccomp-gen's simulator for every blob; the last\n"
	       "column is seccomp-gen over default libseccomp (lower is better).\n",
	       names, m.total, m.workloads, argv[1], seccomp_version()->major,
	       seccomp_version()->minor, seccomp_version()->micro);

	for (unsigned a = 0; a < n_arches; a++) {
		const struct arch *arch = &arches[a];
		struct sock_filter *ours;
		size_t n = compile_policy(&pol, arch, &ours, err, sizeof(err)), count;
		size_t n_dn = denied_calls(&pol, arch, dn), n_lib, n_tree;
		long skipped[LIBSECCOMP_MAX_SKIPPED];
		bool skip[MAX_DENIED] = { false };
		struct figures fo, fl, ft;

		if (n == 0) {
			fprintf(stderr, "%s\n", err);
			worse = 1;
			break;
		}
		n_lib = libseccomp_blob(&pol, arch, lib, false, skipped);
		n_tree = libseccomp_blob(&pol, arch, tree, true, skipped);
		measure(ours, n, arch, &m, &pol, dn, n_dn, &fo);
		measure(lib, n_lib, arch, &m, &pol, dn, n_dn, &fl);
		measure(tree, n_tree, arch, &m, &pol, dn, n_dn, &ft);
		for (size_t i = 0; i < n_dn; i++)
			skip[i] = libseccomp_skipped(skipped, dn[i].d.nr);

		printf("\n| %s | seccomp-gen | libseccomp | libseccomp, binary tree | ratio |\n"
		       "|---|---:|---:|---:|---:|\n", arch->name);
		printf("| instructions%s | %zu | %zu | %zu | %.2f |\n", skipped[0] >= 0 ? " (*)" : "", fo.insns,
		       fl.insns, ft.insns, (double)fo.insns / (double)fl.insns);
		worse += fo.insns > fl.insns;
		for (size_t d = 0; d < n_dn; d++) {
			if (skip[d]) {
				printf("| denied: %s | %zu | (*) | (*) | |\n", dn[d].name, fo.denied[d]);
				continue;
			}
			printf("| denied: %s | %zu | %zu | %zu | %.2f |\n", dn[d].name, fo.denied[d],
			       fl.denied[d], ft.denied[d], (double)fo.denied[d] / (double)fl.denied[d]);
		}
		printf("| denied calls, mean | %.2f | %.2f | %.2f | %.2f |\n", mean(fo.denied, n_dn, skip),
		       mean(fl.denied, n_dn, skip), mean(ft.denied, n_dn, skip),
		       mean(fo.denied, n_dn, skip) / mean(fl.denied, n_dn, skip));
		worse += worse_double(mean(fo.denied, n_dn, skip), mean(fl.denied, n_dn, skip));
		printf("| socket(AF_INET) | %zu | %zu | %zu | %.2f |\n", fo.inet, fl.inet, ft.inet,
		       (double)fo.inet / (double)fl.inet);
		worse += fo.inet > fl.inet;
		printf("| mix, mean per syscall, no cache (before 5.11) | %.2f | %.2f | %.2f | %.2f |\n",
		       fo.mix_plain, fl.mix_plain, ft.mix_plain, fo.mix_plain / fl.mix_plain);
		worse += worse_double(fo.mix_plain, fl.mix_plain);
		printf("| mix, mean per syscall, action cache (5.11+) | %.3f | %.3f | %.3f | %.2f |\n",
		       fo.mix_cached, fl.mix_cached, ft.mix_cached,
		       fl.mix_cached > 0 ? fo.mix_cached / fl.mix_cached : 1.0);
		worse += worse_double(fo.mix_cached, fl.mix_cached);
		printf("| cache-eligible numbers (of %u) | %zu | %zu | %zu | %.2f |\n",
		       syscall_table(arch, &count)[count - 1].nr + 1, fo.cacheable, fl.cacheable,
		       ft.cacheable, (double)fo.cacheable / (double)fl.cacheable);
		printf("| cache-eligible = allowed whatever the arguments | %s | %s | %s | |\n",
		       fo.cache_exact ? "yes" : "NO", fl.cache_exact ? "yes" : "no", ft.cache_exact ? "yes" : "no");
		/* A blob that caches a call the policy does not always allow is wrong, not better. */
		worse += (fo.cacheable < fl.cacheable && fl.cache_exact) || !fo.cache_exact;
		if (skipped[0] >= 0)
			printf("\n(*) libseccomp %u.%u.%u cannot be given a rule for syscall %ld on %s (its tables "
			       "lack it): its blobs lack that rule, and that call is left out of the means.\n",
			       seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro,
			       skipped[0], arch->name);
		free(ours);
	}
	printf("\nAgainst default libseccomp (instructions, mean denied path, socket(AF_INET), both\n"
	       "mix means, cache-eligible numbers): seccomp-gen is %s.\n",
	       worse ? "WORSE on some figure" : "no worse on any figure");
	policy_free(&pol);
	free(m.e);
	return worse ? 1 : 0;
}
