#include "grid.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consts.h"
#include "random.h"
#include "syscalls.h"
#include "xalloc.h"

static void add(struct grid *g, size_t *cap, const struct sim_data *d)
{
	if (g->n == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		g->cases = xreallocarray(g->cases, *cap, sizeof(*g->cases));
	}
	g->cases[g->n++] = *d;
}

/* Values worth passing: those the policy compares with, their neighbours,
 * the masked bits flipped, and fixed values of the default policy's kind. */
static size_t interesting_values(const struct policy *pol, uint32_t *v, size_t cap)
{
	static const uint32_t fixed[] = {
		0, 1, 2, 3, 5, 10, 16, 0x7fffffff, 0x80000000, 0xffffffff,
	};
	uint32_t sock_flags;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		v[n++] = fixed[i];
	if (const_lookup("SOCK_CLOEXEC", 12, &sock_flags)) {
		uint32_t nonblock;

		if (const_lookup("SOCK_NONBLOCK", 13, &nonblock))
			sock_flags |= nonblock;
		for (uint32_t t = 1; t <= 5; t++)
			v[n++] = t | sock_flags;
	}
	for (size_t r = 0; r < pol->n_rules; r++) {
		for (size_t c = 0; c < pol->rules[r].n_conds && n + 5 <= cap; c++) {
			const struct cond *x = &pol->rules[r].conds[c];

			v[n++] = x->value;
			v[n++] = x->value + 1;
			v[n++] = x->value - 1;
			v[n++] = x->value | ~x->mask;
			v[n++] = x->value ^ 0x100;
		}
	}
	return n;
}

long *rule_numbers(const struct policy *pol, const struct arch *arch)
{
	long *nrs = xcalloc(pol->n_rules + 1, sizeof(*nrs));

	for (size_t r = 0; r < pol->n_rules; r++)
		nrs[r] = syscall_nr(arch, pol->rules[r].syscall);
	return nrs;
}

static bool has_rules(const struct policy *pol, const long *nrs, uint32_t nr)
{
	for (size_t r = 0; r < pol->n_rules; r++)
		if (nrs[r] == (long)nr)
			return true;
	return false;
}

void grid_build(struct grid *g, const struct policy *pol, const struct arch *arch)
{
	static const uint32_t extra_nrs[] = {
		451, 500, 1000, 4095, 0x3fffffff, 0x40000000, 0x40000001, 0x40000029,
		0x40000035, 0x400001a9, 0x40000200, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	};
	const uint32_t foreign[] = {
		AUDIT_ARCH_I386, AUDIT_ARCH_ARM, 0x12345678, 0, 0xffffffff,
		arch->audit_arch == AUDIT_ARCH_X86_64 ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_X86_64,
	};
	static const uint64_t junk[] = {
		0, 0xdeadbeef00000000ull, 0xffffffff00000000ull, 0x0000000100000000ull,
	};
	uint32_t values[4096];
	size_t n_values = interesting_values(pol, values, sizeof(values) / sizeof(values[0]));
	size_t count, cap = 0;
	const struct syscall *table = syscall_table(arch, &count);
	uint64_t state = 0x9e3779b97f4a7c15ull;
	uint32_t *nrs = xcalloc(count + sizeof(extra_nrs) / sizeof(extra_nrs[0]), sizeof(*nrs));
	long *rule_nrs = rule_numbers(pol, arch);
	size_t n_nrs = 0;

	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < count; i++)
		nrs[n_nrs++] = table[i].nr;
	for (size_t i = 0; i < sizeof(extra_nrs) / sizeof(extra_nrs[0]); i++)
		nrs[n_nrs++] = extra_nrs[i];

	for (size_t i = 0; i < n_nrs; i++) {
		/* Pairs of a0 and a1 values (all of them where a rule looks at
		 * the arguments), then random vectors. */
		size_t pairs = has_rules(pol, rule_nrs, nrs[i]) ? 32 : 6;

		for (size_t a = 0; a < n_values && a < pairs; a++) {
			for (size_t b = 0; b < n_values && b < pairs; b++) {
				struct sim_data d = { .nr = nrs[i], .arch = arch->audit_arch };

				d.args[0] = values[a] | junk[(a + b) % 4];
				d.args[1] = values[b] | junk[(a * 3 + b) % 4];
				add(g, &cap, &d);
			}
		}
		for (int k = 0; k < 64; k++) {
			struct sim_data d = { .nr = nrs[i], .arch = arch->audit_arch };

			for (int arg = 0; arg < 6; arg++)
				d.args[arg] = values[xorshift64(&state) % n_values] |
					      junk[xorshift64(&state) % 4];
			d.ip = xorshift64(&state);
			add(g, &cap, &d);
		}
		for (size_t f = 0; f < sizeof(foreign) / sizeof(foreign[0]); f++) {
			struct sim_data d = { .nr = nrs[i], .arch = foreign[f], .args = { 1, 2, 3, 4, 5, 6 } };

			add(g, &cap, &d);
		}
	}
	free(nrs);
	free(rule_nrs);
}

void grid_free(struct grid *g)
{
	free(g->cases);
	memset(g, 0, sizeof(*g));
}

uint32_t policy_expected(const struct policy *pol, const long *nrs, const struct arch *arch,
			 const struct sim_data *d)
{
	if (d->arch != arch->audit_arch)
		return SECCOMP_RET_KILL_PROCESS;
	if (arch->abi_bit && d->nr >= arch->abi_bit && d->nr != 0xffffffffu)
		return SECCOMP_RET_KILL_PROCESS;
	for (size_t r = 0; r < pol->n_rules; r++) {
		const struct rule *rule = &pol->rules[r];
		size_t c;

		if (nrs[r] < 0 || (uint32_t)nrs[r] != d->nr)
			continue;
		for (c = 0; c < rule->n_conds; c++)
			if (!cond_holds(&rule->conds[c], (uint32_t)d->args[rule->conds[c].arg]))
				break;
		if (c == rule->n_conds)
			return rule->ret;
	}
	return pol->default_ret;
}

char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long size;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		exit(1);
	}
	text = xcalloc((size_t)size + 1, 1);
	if (fread(text, 1, (size_t)size, f) != (size_t)size) {
		perror(path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)size;
	return text;
}

int load_policy_spec(char *spec, struct policy *pol, char *err, size_t errlen)
{
	char *path = spec, *plus;

	memset(pol, 0, sizeof(*pol));
	do {
		struct policy one;
		size_t len;
		char *text;
		int r;

		plus = strchr(path, '+');
		if (plus)
			*plus = '\0';
		text = read_text(path, &len);
		r = policy_parse(path, text, len, &one, err, errlen);
		free(text);
		if (r < 0 || policy_combine(pol, &one, err, errlen) < 0) {
			policy_free(pol);
			return -1;
		}
		path = plus + 1;
	} while (plus);
	return 0;
}

#define MAX_PROBES 24

static void add_probe(uint32_t *v, size_t *n, uint32_t x)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i] == x)
			return;
	if (*n < MAX_PROBES)
		v[(*n)++] = x;
}

/* Tries every combination of probes[arg][0..n[arg]) from arg on. */
static bool all_allow(const struct policy *pol, const long *nrs, const struct arch *arch,
		      struct sim_data *d, uint32_t probes[6][MAX_PROBES], const size_t n[6], unsigned arg)
{
	if (arg == 6)
		return policy_expected(pol, nrs, arch, d) == SECCOMP_RET_ALLOW;
	if (n[arg] == 0)
		return all_allow(pol, nrs, arch, d, probes, n, arg + 1);
	for (size_t i = 0; i < n[arg]; i++) {
		d->args[arg] = probes[arg][i];
		if (!all_allow(pol, nrs, arch, d, probes, n, arg + 1))
			return false;
	}
	return true;
}

int policy_allows_always(const struct policy *pol, const long *nrs, const struct arch *arch, uint32_t nr)
{
	uint32_t probes[6][MAX_PROBES];
	size_t n[6] = { 0 }, combinations = 1;
	struct sim_data d = { .nr = nr, .arch = arch->audit_arch };

	for (size_t r = 0; r < pol->n_rules; r++) {
		if (nrs[r] != (long)nr)
			continue;
		for (size_t c = 0; c < pol->rules[r].n_conds; c++) {
			const struct cond *x = &pol->rules[r].conds[c];
			uint32_t *v = probes[x->arg];

			add_probe(v, &n[x->arg], x->value);
			add_probe(v, &n[x->arg], x->value - 1);
			add_probe(v, &n[x->arg], x->value + 1);
			add_probe(v, &n[x->arg], x->value ^ x->mask);
			add_probe(v, &n[x->arg], x->mask & (0 - x->mask));
			add_probe(v, &n[x->arg], 0);
			add_probe(v, &n[x->arg], 0xffffffffu);
		}
	}
	for (unsigned a = 0; a < 6; a++) {
		combinations *= n[a] ? n[a] : 1;
		if (combinations > PROBE_COMBINATIONS)
			return -1;
	}
	return all_allow(pol, nrs, arch, &d, probes, n, 0);
}
