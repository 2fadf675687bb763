#include "policy.h"

#include <ctype.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "consts.h"
#include "semantic.h"
#include "xalloc.h"

struct parser {
	const char *path;
	const char *text, *end;
	const char *p;          /* cursor */
	const char *line_start;
	unsigned line;
	unsigned default_line;  /* 0 until a default action is seen */
	struct policy *pol;
	char *err;
	size_t errlen;
	jmp_buf fail;
};

/* Reports an error at pos and abandons the parse. */
static _Noreturn void __attribute__((format(printf, 3, 4)))
error_at(struct parser *ps, const char *pos, const char *fmt, ...)
{
	int n = snprintf(ps->err, ps->errlen, "%s:%u:%u: ", ps->path, ps->line,
			 (unsigned)(pos - ps->line_start) + 1);

	if (n >= 0 && (size_t)n < ps->errlen) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	longjmp(ps->fail, 1);
}

static bool is_word_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool is_word_char(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

static int peek(const struct parser *ps)
{
	return ps->p < ps->end ? (unsigned char)*ps->p : EOF;
}

static void skip_blanks(struct parser *ps)
{
	while (peek(ps) == ' ' || peek(ps) == '\t' || peek(ps) == '\r')
		ps->p++;
}

static bool at_eol(struct parser *ps)
{
	skip_blanks(ps);
	return peek(ps) == EOF || peek(ps) == '\n' || peek(ps) == '#';
}

/* Names what stands at the cursor, for "expected X, found Y" messages. */
static const char *describe(struct parser *ps, char *buf, size_t len)
{
	int c = peek(ps);

	if (c == EOF || c == '\n' || c == '#')
		return "the end of the line";
	if (isprint(c))
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", (unsigned)c);
	return buf;
}

static _Noreturn void expected(struct parser *ps, const char *what)
{
	char buf[32];

	error_at(ps, ps->p, "expected %s, found %s", what, describe(ps, buf, sizeof(buf)));
}

/* Reads a word at the cursor; returns its length, 0 if there is none. */
static size_t word(struct parser *ps, const char **start)
{
	skip_blanks(ps);
	*start = ps->p;
	if (!is_word_start(peek(ps)))
		return 0;
	while (is_word_char(peek(ps)))
		ps->p++;
	return (size_t)(ps->p - *start);
}

static bool looking_at(struct parser *ps, const char *token)
{
	size_t len = strlen(token);

	skip_blanks(ps);
	return (size_t)(ps->end - ps->p) >= len && memcmp(ps->p, token, len) == 0;
}

static bool accept(struct parser *ps, const char *token)
{
	if (!looking_at(ps, token))
		return false;
	ps->p += strlen(token);
	return true;
}

static void expect(struct parser *ps, const char *token)
{
	if (!accept(ps, token)) {
		char what[16];

		snprintf(what, sizeof(what), "'%s'", token);
		expected(ps, what);
	}
}

static int digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* An unsigned integer in C notation: 0x1f, 017, 42. */
static uint64_t number(struct parser *ps)
{
	const char *start = ps->p;
	unsigned base = 10;
	uint64_t v = 0;
	int d;

	if (peek(ps) == '0') {
		ps->p++;
		base = 8;
		if (peek(ps) == 'x' || peek(ps) == 'X') {
			ps->p++;
			base = 16;
			if (digit_value(peek(ps)) >= 16)
				error_at(ps, start, "malformed number");
		}
	}
	while ((d = digit_value(peek(ps))) < (int)base) {
		v = v * base + (unsigned)d;
		if (v > 0xffffffffu)
			error_at(ps, start, "value does not fit in 32 bits");
		ps->p++;
	}
	if (is_word_char(peek(ps)))
		error_at(ps, start, "malformed number");
	return v;
}

/* value := term ('|' term)*,  term := NUMBER | '-' NUMBER | NAME */
static uint32_t value(struct parser *ps)
{
	uint32_t v = 0;

	do {
		const char *start;
		size_t len;
		uint32_t term;

		skip_blanks(ps);
		start = ps->p;
		if (peek(ps) == '-') {
			uint64_t magnitude;

			ps->p++;
			if (!isdigit(peek(ps)))
				expected(ps, "a number after '-'");
			magnitude = number(ps);
			if (magnitude > 0x80000000u)
				error_at(ps, start, "value does not fit in 32 bits");
			term = (uint32_t)(0 - magnitude);
		} else if (isdigit(peek(ps))) {
			term = (uint32_t)number(ps);
		} else if ((len = word(ps, &start)) > 0) {
			uint32_t x86, arm;

			if (const_arch_dependent(start, len, &x86, &arm))
				error_at(ps, start, "'%.*s' is 0x%x on x86_64 and 0x%x on aarch64, "
					 "so a policy for both cannot name it", (int)len, start, x86, arm);
			if (!const_lookup(start, len, &term))
				error_at(ps, start, "unknown constant '%.*s'", (int)len, start);
		} else {
			expected(ps, "a value (a number or a constant such as AF_UNIX)");
		}
		v |= term;
	} while (!looking_at(ps, "||") && accept(ps, "|"));
	return v;
}

static unsigned argument(struct parser *ps)
{
	const char *start;
	size_t len = word(ps, &start);

	if (len != 2 || start[0] != 'a' || start[1] < '0' || start[1] > '5') {
		ps->p = start;
		expected(ps, "an argument a0 to a5");
	}
	return (unsigned)(start[1] - '0');
}

static enum cmp_op operator(struct parser *ps, bool masked)
{
	static const struct {
		const char *token;
		enum cmp_op op;
	} ops[] = {
		/* Two-character operators first, so "<=" is not read as "<". */
		{ "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE },
		{ ">=", OP_GE }, { "<", OP_LT }, { ">", OP_GT },
	};
	const char *start;

	skip_blanks(ps);
	start = ps->p;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (accept(ps, ops[i].token)) {
			if (masked && ops[i].op != OP_EQ && ops[i].op != OP_NE)
				error_at(ps, start, "a masked argument can only be compared with == or !=");
			return ops[i].op;
		}
	}
	expected(ps, masked ? "== or !=" : "a comparison (== != < <= > >=)");
}

/* cond := ARG OP value | '(' ARG '&' value ')' ('==' | '!=') value */
static void condition(struct parser *ps, struct cond *c)
{
	const char *value_pos, *start;
	uint64_t holds;

	c->mask = 0xffffffffu;
	skip_blanks(ps);
	start = ps->p;
	if (accept(ps, "(")) {
		c->arg = argument(ps);
		expect(ps, "&");
		c->mask = value(ps);
		expect(ps, ")");
		c->op = operator(ps, true);
	} else {
		c->arg = argument(ps);
		c->op = operator(ps, false);
	}
	skip_blanks(ps);
	value_pos = ps->p;
	c->value = value(ps);
	if (c->value & ~c->mask)
		error_at(ps, value_pos, "the value has bits outside the mask 0x%x, so the test %s",
			 c->mask, c->op == OP_EQ ? "never holds" : "always holds");
	/* A test whose outcome is known is a mistake: mask 0, "<= -1", "< 0"... */
	holds = cond_count(c);
	if (holds == 0 || holds == (uint64_t)1 << 32)
		error_at(ps, start, "this condition %s holds, whatever the argument",
			 holds ? "always" : "never");
}

static uint32_t action(struct parser *ps)
{
	const char *start;
	size_t len = word(ps, &start);
	const struct action_word *a;
	long e;

	if (!len)
		expected(ps, "an action (allow, errno, kill-process, kill-thread, trap, log, notify, trace)");
	a = action_lookup(start, len);
	if (!a)
		error_at(ps, start, "unknown action '%.*s' (expected %s or default)", (int)len, start,
			 action_list);
	if (!a->max_data)
		return a->ret;
	skip_blanks(ps);
	start = ps->p;
	if (isdigit(peek(ps))) {
		uint64_t v = number(ps);

		if (v > a->max_data)
			error_at(ps, start, "%s %llu is out of range (0 to %u)", a->word,
				 (unsigned long long)v, a->max_data);
		return a->ret | (uint32_t)v;
	}
	if (a->ret != SECCOMP_RET_ERRNO)
		expected(ps, "a number after 'trace'");
	len = word(ps, &start);
	if (!len)
		expected(ps, "an errno name or number after 'errno'");
	e = errno_lookup(start, len);
	if (e < 0)
		error_at(ps, start, "unknown errno name '%.*s'", (int)len, start);
	return a->ret | (uint32_t)e;
}

static struct rule *new_rule(struct policy *pol)
{
	if ((pol->n_rules & (pol->n_rules - 1)) == 0)
		pol->rules = xreallocarray(pol->rules, pol->n_rules ? 2 * pol->n_rules : 8,
					   sizeof(*pol->rules));
	memset(&pol->rules[pol->n_rules], 0, sizeof(*pol->rules));
	return &pol->rules[pol->n_rules++];
}

/* rule := action SYSCALL ['?'] [cond ('&&' cond)*] */
static void rule(struct parser *ps, uint32_t ret)
{
	struct rule *r = new_rule(ps->pol);
	const char *start;
	size_t len = word(ps, &start);

	r->ret = ret;
	if (!len || isupper((unsigned char)start[0])) {
		ps->p = start;
		expected(ps, "a syscall name");
	}
	r->syscall = xstrndup(start, len);
	r->line = ps->line;
	r->col = (unsigned)(start - ps->line_start) + 1;
	r->path = ps->path;
	skip_blanks(ps);
	if (peek(ps) == '?') {
		ps->p++;
		r->optional = true;
	}
	if (at_eol(ps))
		return;
	r->conds = xcalloc(POLICY_MAX_CONDS, sizeof(*r->conds));
	do {
		if (r->n_conds == POLICY_MAX_CONDS)
			error_at(ps, ps->p, "more than %u conditions in one rule", POLICY_MAX_CONDS);
		condition(ps, &r->conds[r->n_conds++]);
	} while (accept(ps, "&&"));
}

static void statement(struct parser *ps)
{
	const char *start = ps->p;
	const char *w;
	size_t len = word(ps, &w);

	if (len == 7 && memcmp(w, "default", 7) == 0) {
		if (ps->default_line)
			error_at(ps, start, "a second default action (the first is on line %u)",
				 ps->default_line);
		ps->default_line = ps->line;
		skip_blanks(ps);
		ps->pol->default_line = ps->line;
		ps->pol->default_col = (unsigned)(ps->p - ps->line_start) + 1;
		ps->pol->default_ret = action(ps);
	} else {
		ps->p = start;
		rule(ps, action(ps));
	}
	if (looking_at(ps, "||"))
		error_at(ps, ps->p, "there is no '||': write one rule for each alternative");
	if (!at_eol(ps))
		expected(ps, "'&&' or the end of the line");
}

/* Bytes a text policy never holds outside comments. */
static void check_bytes(struct parser *ps)
{
	bool comment = false;

	for (ps->p = ps->text; ps->p < ps->end; ps->p++) {
		int c = (unsigned char)*ps->p;

		if (c == '\n') {
			ps->line++;
			ps->line_start = ps->p + 1;
			comment = false;
		} else if (c == '#') {
			comment = true;
		} else if (c == 0) {
			error_at(ps, ps->p, "NUL byte: this is not a text file");
		} else if (!comment && c != '\t' && c != '\r' && (c < 0x20 || c >= 0x7f)) {
			error_at(ps, ps->p, "unexpected byte 0x%02x outside a comment", (unsigned)c);
		}
	}
}

static void start_over(struct parser *ps)
{
	ps->p = ps->line_start = ps->text;
	ps->line = 1;
}

int policy_parse(const char *path, const char *text, size_t len, struct policy *p,
		 char *err, size_t errlen)
{
	struct parser ps = {
		.path = path, .text = text, .end = text + len, .pol = p, .err = err, .errlen = errlen,
	};

	memset(p, 0, sizeof(*p));
	p->path = path;
	if (len == 0) {
		snprintf(err, errlen, "%s: empty policy", path);
		return -1;
	}
	if (len > POLICY_MAX_BYTES) {
		snprintf(err, errlen, "%s: policy of %zu bytes is larger than the limit of %u",
			 path, len, POLICY_MAX_BYTES);
		return -1;
	}
	if (setjmp(ps.fail)) {
		policy_free(p);
		return -1;
	}
	start_over(&ps);
	check_bytes(&ps);
	start_over(&ps);
	while (ps.p < ps.end) {
		if (!at_eol(&ps))
			statement(&ps);
		while (ps.p < ps.end && *ps.p != '\n')
			ps.p++;
		if (ps.p < ps.end) {
			ps.p++;
			ps.line++;
			ps.line_start = ps.p;
		}
	}
	if (!ps.default_line) {
		snprintf(err, errlen, "%s:%u:1: no default action (add a line such as 'default allow')",
			 path, ps.line);
		policy_free(p);
		return -1;
	}
	return 0;
}

int policy_combine(struct policy *all, struct policy *next, char *err, size_t errlen)
{
	if (all->rules == NULL && all->path == NULL) {
		*all = *next;
		memset(next, 0, sizeof(*next));
		return 0;
	}
	if (next->default_ret != all->default_ret) {
		char mine[64], first[64];

		action_format(next->default_ret, mine, sizeof(mine));
		action_format(all->default_ret, first, sizeof(first));
		snprintf(err, errlen, "%s:%u:%u: default %s disagrees with the default %s of %s:%u:%u; "
			 "policies compiled together need one default", next->path, next->default_line,
			 next->default_col, mine, first, all->path, all->default_line, all->default_col);
		return -1;
	}
	all->rules = xreallocarray(all->rules, all->n_rules + next->n_rules + 1, sizeof(*all->rules));
	memcpy(all->rules + all->n_rules, next->rules, next->n_rules * sizeof(*next->rules));
	all->n_rules += next->n_rules;
	free(next->rules);
	next->rules = NULL;
	next->n_rules = 0;
	return 0;
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		free(p->rules[i].syscall);
		free(p->rules[i].conds);
	}
	free(p->rules);
	p->rules = NULL;
	p->n_rules = 0;
}

bool cond_holds(const struct cond *c, uint32_t word)
{
	uint32_t a = word & c->mask;

	switch (c->op) {
	case OP_EQ:
		return a == c->value;
	case OP_NE:
		return a != c->value;
	case OP_LT:
		return a < c->value;
	case OP_LE:
		return a <= c->value;
	case OP_GT:
		return a > c->value;
	case OP_GE:
		return a >= c->value;
	}
	return false;
}
