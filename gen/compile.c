#include "compile.h"

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "dispatch.h"
#include "emit.h"
#include "graph.h"
#include "semantic.h"
#include "syscalls.h"
#include "verify.h"
#include "xalloc.h"

/* The dispatch tree is shaped for the calls that run the filter. Since Linux
 * 5.11 the kernel's action cache answers a syscall whose number alone leads
 * to "allow" without running the filter at all; every other syscall (one
 * whose arguments are checked, or one denied) runs it on every call. Each of
 * those weighs this much against 1 for a cached one, which only still counts
 * on older kernels. */
#define UNCACHED_WEIGHT 1024u

/* The rules of one syscall still to be decided, each with the conditions
 * that the tests already on the way have not yet covered. */
struct view {
	const struct cond *conds;
	size_t n_conds;
	const struct rule *rule;
};

struct compiler {
	const struct policy *pol;
	const struct arch *arch;
	struct graph g;
	char *err;
	size_t errlen;
};

/* A resolved rule: its syscall number on this arch and its place in the file. */
struct numbered {
	uint32_t nr;
	size_t index;
};

static bool cond_equal(const struct cond *a, const struct cond *b)
{
	return a->arg == b->arg && a->op == b->op && a->mask == b->mask && a->value == b->value;
}

static bool single_bit(uint32_t x)
{
	return x && !(x & (x - 1));
}

/* The test node for c, leading to t when it holds and to f when not. */
static int cond_node(struct graph *g, const struct cond *c, int t, int f)
{
	uint32_t offset = SD_ARG_LO(c->arg);

	switch (c->op) {
	case OP_NE:
		return cond_node(g, &(struct cond){ c->arg, OP_EQ, c->mask, c->value }, f, t);
	case OP_EQ:
		if (c->mask == NO_MASK)
			return graph_cmp(g, offset, NO_MASK, BPF_JEQ, c->value, t, f);
		/* JSET tests masked bits without an AND. */
		if (c->value == 0)
			return graph_cmp(g, offset, NO_MASK, BPF_JSET, c->mask, f, t);
		if (c->value == c->mask && single_bit(c->mask))
			return graph_cmp(g, offset, NO_MASK, BPF_JSET, c->mask, t, f);
		return graph_cmp(g, offset, c->mask, BPF_JEQ, c->value, t, f);
	case OP_GT:
		return graph_cmp(g, offset, NO_MASK, BPF_JGT, c->value, t, f);
	case OP_GE:
		return graph_cmp(g, offset, NO_MASK, BPF_JGE, c->value, t, f);
	case OP_LT:
		return graph_cmp(g, offset, NO_MASK, BPF_JGE, c->value, f, t);
	case OP_LE:
		return graph_cmp(g, offset, NO_MASK, BPF_JGT, c->value, f, t);
	}
	return f;
}

/* Decides v[0..n), in file order: the first whose conditions all hold gives
 * its action, and `fall` is where to go when none does. Consecutive rules
 * that begin with the same condition share one test of it. Returns the node,
 * or -1 with a message when a rule can never be reached. */
static int rules_node(struct compiler *c, const struct view *v, size_t n, int fall)
{
	size_t *start = xcalloc(n + 1, sizeof(*start));
	size_t groups = 0, i = 0;
	int node = fall;

	while (i < n) {
		size_t j = i + 1;

		start[groups++] = i;
		if (v[i].n_conds == 0) {
			if (j < n) {
				char where[512] = "";

				if (v[i].rule->path != v[j].rule->path)
					snprintf(where, sizeof(where), " of %s", v[i].rule->path);
				snprintf(c->err, c->errlen, "%s:%u:%u: this rule is never reached: "
					 "the rule on line %u%s matches first whenever it would",
					 v[j].rule->path, v[j].rule->line, v[j].rule->col, v[i].rule->line, where);
				free(start);
				return -1;
			}
		} else {
			while (j < n && v[j].n_conds > 0 && cond_equal(&v[j].conds[0], &v[i].conds[0]))
				j++;
		}
		i = j;
	}
	start[groups] = n;

	/* Built from the last group back, since each falls through to the next. */
	while (node >= 0 && groups-- > 0) {
		size_t a = start[groups], b = start[groups + 1];
		struct view *rest;
		int inner;

		if (v[a].n_conds == 0) {
			node = graph_ret(&c->g, v[a].rule->ret);
			continue;
		}
		rest = xcalloc(b - a, sizeof(*rest));
		for (size_t k = a; k < b; k++)
			rest[k - a] = (struct view){ v[k].conds + 1, v[k].n_conds - 1, v[k].rule };
		inner = rules_node(c, rest, b - a, node);
		free(rest);
		node = inner < 0 ? -1 : cond_node(&c->g, &v[a].conds[0], inner, node);
	}
	free(start);
	return node;
}

static int by_nr_then_index(const void *pa, const void *pb)
{
	const struct numbered *a = pa, *b = pb;

	if (a->nr != b->nr)
		return a->nr < b->nr ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Numbers the rules for this arch; a syscall the arch lacks is an error
 * unless the rule marks it optional. Returns the count, or -1. */
static long number_rules(struct compiler *c, struct numbered *out)
{
	size_t n = 0;

	for (size_t i = 0; i < c->pol->n_rules; i++) {
		const struct rule *r = &c->pol->rules[i];
		long nr = syscall_nr(c->arch, r->syscall);

		if (nr >= 0) {
			out[n++] = (struct numbered){ (uint32_t)nr, i };
			continue;
		}
		if (r->optional)
			continue;
		for (unsigned a = 0; a < n_arches; a++) {
			if (syscall_nr(&arches[a], r->syscall) >= 0) {
				snprintf(c->err, c->errlen, "%s:%u:%u: %s has no syscall '%s' "
					 "(write '%s?' to skip it where it does not exist)",
					 r->path, r->line, r->col, c->arch->name, r->syscall, r->syscall);
				return -1;
			}
		}
		snprintf(c->err, c->errlen, "%s:%u:%u: unknown syscall '%s'", r->path, r->line,
			 r->col, r->syscall);
		return -1;
	}
	qsort(out, n, sizeof(*out), by_nr_then_index);
	return (long)n;
}

static void add_interval(struct interval *iv, size_t *n, uint32_t lo, uint32_t hi, int leaf)
{
	if (*n > 0 && iv[*n - 1].leaf == leaf && iv[*n - 1].hi + 1 == lo) {
		iv[*n - 1].hi = hi;
		return;
	}
	iv[(*n)++] = (struct interval){ .lo = lo, .hi = hi, .leaf = leaf };
}

/* Weighs each interval by the syscalls of the table in it; an interval
 * with none (x32 numbers, numbers beyond the table) weighs 1. */
static void weigh(const struct compiler *c, struct interval *iv, size_t n)
{
	size_t count, t = 0;
	const struct syscall *table = syscall_table(c->arch, &count);

	for (size_t i = 0; i < n; i++) {
		const struct node *leaf = &c->g.nodes[iv[i].leaf];
		uint64_t per = leaf->kind == NODE_RET && leaf->ret == SECCOMP_RET_ALLOW ? 1 : UNCACHED_WEIGHT;

		iv[i].weight = 0;
		for (; t < count && table[t].nr <= iv[i].hi; t++)
			iv[i].weight += per;
		if (iv[i].weight == 0)
			iv[i].weight = 1;
	}
}

/* Names the rules marked in covering[0..n) for a message: "the rule on line
 * 3", "the rules on lines 3 and 5", with the file where it is another's. */
static void name_rules(const struct view *v, size_t n, const bool *covering, const struct rule *dead,
		       char *buf, size_t len)
{
	size_t count = 0, done = 0, at;

	for (size_t i = 0; i < n; i++)
		count += covering[i];
	at = (size_t)snprintf(buf, len, "the rule%s on line%s", count > 1 ? "s" : "", count > 1 ? "s" : "");
	for (size_t i = 0; i < n && at < len; i++) {
		if (!covering[i])
			continue;
		done++;
		at += (size_t)snprintf(buf + at, len - at, "%s%u", done == 1 ? " " : done == count ? " and " : ", ",
				       v[i].rule->line);
		if (v[i].rule->path != dead->path && at < len)
			at += (size_t)snprintf(buf + at, len - at, " of %s", v[i].rule->path);
	}
}

static bool any_true(const bool *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return true;
	return false;
}

/* One syscall's rules v[0..n): what they mean decides the node. The same
 * action for every argument is that action alone, with no argument test (so
 * the cache answers it when it is allow); a rule never reached is an error
 * naming the rules that cover it; otherwise the rules' decision graph. */
static int decide_syscall(struct compiler *c, const struct view *v, size_t n, int deflt)
{
	const struct rule **rules = xcalloc(n, sizeof(const struct rule *));
	bool *covering = xcalloc(n, sizeof(*covering));
	size_t dead = 0;
	uint32_t action = 0;
	char who[512];
	int node = -1;

	for (size_t i = 0; i < n; i++)
		rules[i] = v[i].rule;
	switch (semantic_decide(rules, n, c->pol->default_ret, &action, &dead, covering)) {
	case SEM_CONSTANT:
		node = graph_ret(&c->g, action);
		break;
	case SEM_DEAD_RULE:
		name_rules(v, n, covering, rules[dead], who, sizeof(who));
		if (!any_true(covering, n))
			snprintf(c->err, c->errlen, "%s:%u:%u: this rule never matches: its conditions "
				 "contradict each other", rules[dead]->path, rules[dead]->line, rules[dead]->col);
		else
			snprintf(c->err, c->errlen, "%s:%u:%u: this rule is never reached: %s match%s first "
				 "whenever it would", rules[dead]->path, rules[dead]->line, rules[dead]->col, who,
				 strstr(who, "rules ") ? "" : "es");
		break;
	default:
		node = rules_node(c, v, n, deflt);
		break;
	}
	free(rules);
	free(covering);
	return node;
}

/* The syscall-number dispatch: each numbered syscall to its rules, the
 * rest to the default, and on x86_64 the x32 numbers to kill-process
 * (except -1, which a tracer leaves for a skipped syscall). */
static int dispatch_node(struct compiler *c, const struct numbered *num, size_t n_num)
{
	struct interval *iv = xcalloc(2 * n_num + 4, sizeof(*iv));
	struct view *v = xcalloc(n_num ? n_num : 1, sizeof(*v));
	int deflt = graph_ret(&c->g, c->pol->default_ret);
	uint32_t next = 0;      /* lowest number not yet in an interval */
	size_t n_iv = 0, i = 0;
	int root = -1;

	while (i < n_num) {
		uint32_t nr = num[i].nr;
		size_t n_v = 0;
		int leaf;

		for (; i < n_num && num[i].nr == nr; i++) {
			const struct rule *r = &c->pol->rules[num[i].index];

			v[n_v++] = (struct view){ r->conds, r->n_conds, r };
		}
		leaf = decide_syscall(c, v, n_v, deflt);
		if (leaf < 0)
			goto out;
		if (nr > next)
			add_interval(iv, &n_iv, next, nr - 1, deflt);
		add_interval(iv, &n_iv, nr, nr, leaf);
		next = nr + 1;
	}
	if (c->arch->abi_bit) {
		if (next < c->arch->abi_bit)
			add_interval(iv, &n_iv, next, c->arch->abi_bit - 1, deflt);
		add_interval(iv, &n_iv, c->arch->abi_bit, 0xfffffffeu,
			     graph_ret(&c->g, SECCOMP_RET_KILL_PROCESS));
		add_interval(iv, &n_iv, 0xffffffffu, 0xffffffffu, deflt);
	} else {
		add_interval(iv, &n_iv, next, 0xffffffffu, deflt);
	}
	weigh(c, iv, n_iv);
	root = dispatch_build(&c->g, iv, n_iv);
out:
	free(iv);
	free(v);
	return root;
}

/* The program for pol on arch, unchecked against the kernel's limit: its
 * length, or 0 with the message in err. */
static size_t build(const struct policy *pol, const struct arch *arch, struct sock_filter **prog,
		    char *err, size_t errlen)
{
	struct compiler c = { .pol = pol, .arch = arch, .errlen = errlen };
	struct numbered *num = xcalloc(pol->n_rules ? pol->n_rules : 1, sizeof(*num));
	size_t n = 0;
	long n_num;
	int dispatch;

	c.err = err;
	*prog = NULL;
	graph_init(&c.g);
	n_num = number_rules(&c, num);
	dispatch = n_num < 0 ? -1 : dispatch_node(&c, num, (size_t)n_num);
	if (dispatch >= 0) {
		/* The arch check stays even when every call is killed anyway. */
		int root = graph_test(&c.g, SD_ARCH, NO_MASK, BPF_JEQ, arch->audit_arch, dispatch,
				      graph_ret(&c.g, SECCOMP_RET_KILL_PROCESS));

		n = emit_program(&c.g, root, prog);
	}
	free(num);
	graph_free(&c.g);
	return n;
}

/* The first rule whose addition makes the program longer than the kernel
 * takes (programs grow with the rules they hold): the shortest prefix of
 * the rules that is too long ends with it. */
static const struct rule *first_too_many(const struct policy *pol, const struct arch *arch)
{
	size_t lo = 1, hi = pol->n_rules;
	char err[512];

	while (lo < hi) {
		struct policy prefix = *pol;
		struct sock_filter *prog;
		size_t mid = lo + (hi - lo) / 2, n;

		prefix.n_rules = mid;
		n = build(&prefix, arch, &prog, err, sizeof(err));
		free(prog);
		if (n > BLOB_MAX_INSNS)
			hi = mid;
		else
			lo = mid + 1;
	}
	return &pol->rules[lo - 1];
}

size_t compile_policy(const struct policy *pol, const struct arch *arch, struct sock_filter **prog,
		      char *err, size_t errlen)
{
	size_t n = build(pol, arch, prog, err, errlen);
	const struct arch *checked;
	char why[256] = "it checks for another architecture";

	if (n > BLOB_MAX_INSNS) {
		const struct rule *r = first_too_many(pol, arch);

		snprintf(err, errlen, "%s:%u:%u: with this rule the %s program would have more than "
			 "the kernel's limit of %u instructions (%zu with all the rules)", r->path,
			 r->line, r->col, arch->name, BLOB_MAX_INSNS, n);
		n = 0;
	} else if (n > 0 && (bpf_verify(*prog, n, &checked, why, sizeof(why)) < 0 || checked != arch)) {
		snprintf(err, errlen, "%s: internal error: the %s program fails verification: %s",
			 pol->path, arch->name, why);
		n = 0;
	}
	if (n == 0) {
		free(*prog);
		*prog = NULL;
	}
	return n;
}
