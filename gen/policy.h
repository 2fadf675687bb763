/* The policy language: parsing a policy file into rules. The grammar and its
 * meaning are in README.md ("The policy language"). */
#ifndef POLICY_H
#define POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_MAX_BYTES (256u * 1024u)
#define POLICY_MAX_CONDS 64u    /* conditions in one rule */

enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

/* A test on the low 32 bits of one argument: (a[arg] & mask) OP value. */
struct cond {
	unsigned arg;
	enum cmp_op op;
	uint32_t mask;          /* 0xffffffff when the policy gave none */
	uint32_t value;
};

struct rule {
	uint32_t ret;           /* SECCOMP_RET_* value of its action */
	char *syscall;
	bool optional;          /* "name?": skipped where the arch lacks it */
	struct cond *conds;     /* all must hold */
	size_t n_conds;
	const char *path;       /* of the policy file it is in */
	unsigned line, col;     /* of the syscall name */
};

struct policy {
	const char *path;       /* of the (first) file */
	uint32_t default_ret;
	unsigned default_line, default_col;     /* of the default's action */
	struct rule *rules;     /* in file order: the first that matches wins */
	size_t n_rules;
};

/* Parses len bytes of text read from path. Returns 0, or -1 with
 * "PATH:LINE:COL: message" (or "PATH: message") in err. On success the caller
 * frees the policy with policy_free(). */
int policy_parse(const char *path, const char *text, size_t len, struct policy *p,
		 char *err, size_t errlen);
/* Appends next's rules to all's, after them in order, and empties next; the
 * first call (all zeroed) takes next whole. Both must have the same default,
 * else -1 with "FILE:LINE:COL: message" at next's default in err. */
int policy_combine(struct policy *all, struct policy *next, char *err, size_t errlen);
void policy_free(struct policy *p);

/* Whether a 32-bit argument word satisfies c. */
bool cond_holds(const struct cond *c, uint32_t word);

#endif
