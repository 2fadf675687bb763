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
		return cond_node(g, &(struct cond){ .arg = c->arg, .op = OP_EQ, .mask = c->mask, .value = c->value },
				 f, t);
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
 * that begin with the same condition share one test of it. A rule whose
 * tests are used up ends the list: any after it would never be reached,
 * which semantic_decide() has refused already. */
static int rules_node(struct compiler *c, const struct view *v, size_t n, int fall)
{
	size_t *start = xcalloc(n + 1, sizeof(*start));
	size_t groups = 0, i = 0;
	int node = fall;

	while (i < n) {
		size_t j = i + 1;

		start[groups++] = i;
		if (v[i].n_conds == 0) {
			n = j;
		} else {
			while (j < n && v[j].n_conds > 0 && cond_equal(&v[j].conds[0], &v[i].conds[0]))
				j++;
		}
		i = j;
	}
	start[groups] = n;

	/* Built from the last group back, since each falls through to the next. */
	while (groups-- > 0) {
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
		node = cond_node(&c->g, &v[a].conds[0], inner, node);
	}
	free(start);
	return node;
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

/* One syscall's rules v[0..n): what they mean decides the node. The same
 * action for every argument is that action alone, with no argument test (so
 * the cache answers it when it is allow); a rule never reached is an error
 * naming the rules that cover it; otherwise the rules' decision graph. */
static int decide_syscall(struct compiler *c, const struct view *v, size_t n, int deflt)
{
	const struct rule **rules = xcalloc(n, sizeof(const struct rule *));
	bool *covering = xcalloc(n, sizeof(*covering));
	size_t at = 0;
	uint32_t action = 0;
	char who[512];
	int node = -1;

	for (size_t i = 0; i < n; i++)
		rules[i] = v[i].rule;
	switch (semantic_decide(rules, n, c->pol->default_ret, &action, &at, covering)) {
	case SEM_CONSTANT:
		node = graph_ret(&c->g, action);
		break;
	case SEM_DEAD_RULE:
		name_rules(v, n, covering, rules[at], who, sizeof(who));
		snprintf(c->err, c->errlen, "%s:%u:%u: this rule is never reached: %s match%s first "
			 "whenever it would", rules[at]->path, rules[at]->line, rules[at]->col, who,
			 strstr(who, "rules ") ? "" : "es");
		break;
	case SEM_TOO_BIG:
		snprintf(c->err, c->errlen, "%s:%u:%u: with this rule, the rules for %s are too many to "
			 "analyse exactly (more than %u decision-diagram nodes)", rules[at]->path,
			 rules[at]->line, rules[at]->col, rules[at]->syscall, BDD_MAX_NODES);
		break;
	case SEM_VARIES:
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

		/* Each rule by its merged tests (semantic_tests). */
		for (; i < n_num && num[i].nr == nr; i++) {
			const struct rule *r = &c->pol->rules[num[i].index];
			struct cond *tests = xcalloc(r->n_conds + 1, sizeof(*tests));

			v[n_v++] = (struct view){ tests, semantic_tests(r, tests), r };
		}
		leaf = decide_syscall(c, v, n_v, deflt);
		for (size_t k = 0; k < n_v; k++)
			free((void *)v[k].conds);
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
	n_num = semantic_number(pol, arch, num, err, errlen);
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
