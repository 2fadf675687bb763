/* Kernel filter acceptance: random valid policies over harmless syscalls
 * (getpid, getppid, getuid, umask, socket, socketpair) are compiled, each
 * blob is installed in a child with the real kernel, every call is made with
 * chosen arguments, and what the kernel did (return value or errno, SIGSYS
 * trap, death by SIGSYS) must be what `sim` says for the same seccomp_data.
 * The other arch's blob must verify too. Deterministic for a given seed.
 * usage: hard-accept [POLICIES [SEED]] */
#define _GNU_SOURCE
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "compile.h"
#include "kernel-run.h"
#include "random.h"
#include "policy.h"
#include "sim.h"
#include "syscalls.h"
#include "verify.h"

#define CALLS_PER_SYSCALL 6
#define JUNK 0xdeadbeef00000000ull

static uint64_t state;

static uint64_t rnd(void)
{
	return xorshift64(&state);
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd() % n];
}

#define PICK(v) pick(v, sizeof(v) / sizeof((v)[0]))

static const char *const targets[] = { "getpid", "getppid", "getuid", "umask", "socket", "socketpair" };
enum { GETPID, GETPPID, GETUID, UMASK, SOCKET, SOCKETPAIR, N_TARGETS };

/* Argument values the calls use and the rules compare with. Every socket
 * call is one the kernel answers without loading a module: a family it
 * refuses outright (>= AF_MAX), or a family and type it has built in. */
static const uint64_t domains[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, 0xdead };
static const uint64_t types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW };
static const uint64_t type_flags[] = { 0, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_CLOEXEC | SOCK_NONBLOCK };
static const uint64_t masks[] = { 0x7, 0xf, 0xff, 0xfff, SOCK_CLOEXEC | SOCK_NONBLOCK, 0xffff0000 };
static const uint64_t small[] = { 0, 1, 2, 3, 5, 0x12, 0x3f, 0x1ff, 0777, 022, 077, 0xffffffff, 0x80000000 };

static int pair[2];

static void socket_args(uint64_t *a)
{
	uint64_t domain = PICK(domains), type = PICK(types);

	/* Inet families without a built-in protocol for the type would make
	 * the kernel look for a module. */
	if ((domain == AF_INET || domain == AF_INET6) && type != SOCK_STREAM && type != SOCK_DGRAM)
		type = SOCK_DGRAM;
	if (domain == AF_NETLINK)
		type = SOCK_RAW;
	a[0] = domain | (rnd() % 3 == 0 ? JUNK : 0);
	a[1] = type | PICK(type_flags) | (rnd() % 4 == 0 ? JUNK : 0);
	a[2] = rnd() % 4 == 0 ? JUNK : 0;       /* protocol 0, junk above it */
}

static struct call make_call(int which, const struct arch *arch)
{
	struct call c = { .nr = syscall_nr(arch, targets[which]), .never_fails = which < SOCKET };

	for (int i = 0; i < 6; i++)
		c.args[i] = PICK(small) | (rnd() % 2 ? (uint64_t)rnd() << 32 : 0);
	if (which == UMASK)
		c.args[0] &= 0xffffffff000001ffull;
	if (which >= SOCKET) {
		socket_args(c.args);
		c.closes = which == SOCKET ? CLOSE_RESULT : CLOSE_PAIR;
		if (which == SOCKETPAIR) {
			c.pair = pair;
			c.args[3] = (uintptr_t)pair;
		}
	}
	return c;
}

/* A value for a condition on argument a of syscall which: one the calls
 * pass (or near it), so that rules do match. */
static uint32_t cond_value(int which, unsigned a)
{
	uint64_t v[6];

	if (which >= SOCKET && a < 3)
		socket_args(v);
	else
		v[a] = PICK(small);
	return (uint32_t)v[a] + (rnd() % 5 == 0 ? 1 : 0);
}

static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
}

static void action_word(char *buf, size_t cap, size_t *len, bool is_default)
{
	static const char *const fixed[] = { "allow", "log", "kill-process", "kill-thread", "trap" };
	/* The default also answers what the test itself calls under the filter
	 * (close, rt_sigreturn, exit_group are allowed by name), but not the
	 * libc and sanitizer internals that might run: no kill, no trap. */
	uint64_t r = is_default ? rnd() % 3 : rnd() % 7;

	if (r >= (is_default ? 2 : 5))
		append(buf, cap, len, "errno %u", FILTER_ERRNO_MIN + (unsigned)(rnd() % (4096 - FILTER_ERRNO_MIN)));
	else
		append(buf, cap, len, "%s", fixed[r]);
}

static void random_policy(char *buf, size_t cap, size_t *len)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	unsigned rules = 1 + (unsigned)(rnd() % 10);

	*len = 0;
	append(buf, cap, len, "default ");
	action_word(buf, cap, len, true);
	append(buf, cap, len, "\nallow close\nallow rt_sigreturn\nallow exit_group\n");
	for (unsigned r = 0; r < rules; r++) {
		int which = (int)(rnd() % N_TARGETS);
		unsigned conds = (unsigned)(rnd() % 4);

		action_word(buf, cap, len, false);
		append(buf, cap, len, " %s", targets[which]);
		for (unsigned c = 0; c < conds; c++) {
			unsigned a = (unsigned)(rnd() % (which >= SOCKET ? 3 : 6));
			uint32_t v = cond_value(which, a);

			append(buf, cap, len, "%s", c ? " &&" : "");
			if (rnd() % 3 == 0) {
				uint32_t m = (uint32_t)PICK(masks);

				append(buf, cap, len, " (a%u & 0x%x) %s 0x%x", a, m, rnd() % 2 ? "==" : "!=", v & m);
			} else {
				append(buf, cap, len, " a%u %s 0x%x", a, ops[rnd() % 6], v);
			}
		}
		append(buf, cap, len, "\n");
	}
}

/* Whether err is the compiler refusing what a random policy may well hold:
 * a rule that never matches or is never reached, a condition that always or
 * never holds. The policy's fault, not the compiler's: it is redrawn. */
static bool policy_fault(const char *err)
{
	static const char *const faults[] = { "never reached", "never matches", "always holds", "never holds" };

	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (strstr(err, faults[i]))
			return true;
	return false;
}

/* Checks one policy: it compiles for every arch (or is refused for its own
 * fault: returns 1, to be redrawn), and the kernel agrees with sim on every
 * call. Returns 0, or -1 after printing the difference. */
static int check_policy(unsigned p, const char *text, size_t len, const struct arch *native,
			size_t *checked, size_t *by_kind)
{
	struct sock_filter *prog = NULL;
	struct call calls[N_TARGETS * CALLS_PER_SYSCALL];
	struct outcome seen[N_TARGETS * CALLS_PER_SYSCALL];
	struct policy pol;
	size_t n = 0, n_calls = 0;
	char err[512];
	int result = 0;

	if (policy_parse("random", text, len, &pol, err, sizeof(err)) < 0) {
		if (policy_fault(err))
			return 1;
		printf("FAIL policy %u does not parse: %s\n%s", p, err, text);
		return -1;
	}
	for (unsigned a = 0; a < n_arches && result == 0; a++) {
		struct sock_filter *other;
		size_t m = compile_policy(&pol, &arches[a], &other, err, sizeof(err));

		if (m == 0) {
			result = policy_fault(err) ? 1 : -1;
			if (result < 0)
				printf("FAIL policy %u (%s): %s\n%s", p, arches[a].name, err, text);
		} else if (&arches[a] == native) {
			prog = other;
			n = m;
		} else {
			free(other);
		}
	}
	policy_free(&pol);
	if (result != 0)
		return result;

	for (int w = 0; w < N_TARGETS; w++)
		for (int k = 0; k < CALLS_PER_SYSCALL; k++)
			calls[n_calls++] = make_call(w, native);
	if (kernel_run(prog, n, calls, n_calls, seen, err, sizeof(err)) < 0) {
		printf("FAIL policy %u: %s\n%s", p, err, text);
		free(prog);
		return -1;
	}
	for (size_t i = 0; i < n_calls && result == 0; i++) {
		struct outcome want = sim_outcome(prog, n, native->audit_arch, &calls[i]);
		const uint64_t *a6 = calls[i].args;

		by_kind[want.seen]++;
		if (want.seen != seen[i].seen || want.value != seen[i].value) {
			char a[48], b[48];

			printf("FAIL policy %u: %s(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx): "
			       "kernel: %s, sim: %s\n%s", p, syscall_name(native, (uint32_t)calls[i].nr),
			       (unsigned long long)a6[0], (unsigned long long)a6[1],
			       (unsigned long long)a6[2], (unsigned long long)a6[3],
			       (unsigned long long)a6[4], (unsigned long long)a6[5],
			       outcome_text(seen[i], a, sizeof(a)), outcome_text(want, b, sizeof(b)), text);
			result = -1;
		}
	}
	*checked += n_calls;
	free(prog);
	return result;
}

int main(int argc, char **argv)
{
	unsigned n_policies = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 300;
	const struct arch *native = arch_native();
	size_t checked = 0, redrawn = 0, failures = 0, by_kind[4] = { 0 };

	state = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eccc0de2026ull;
	if (!native) {
		fprintf(stderr, "hard-accept: this machine is not a target architecture\n");
		return 1;
	}
	for (unsigned p = 0; p < n_policies && failures < 10;) {
		char text[4096];
		size_t len;
		int r;

		random_policy(text, sizeof(text), &len);
		r = check_policy(p, text, len, native, &checked, by_kind);
		redrawn += r > 0;
		failures += r < 0;
		p += r <= 0;
	}
	printf("hard-accept: %u policies, %zu calls: the kernel agrees with sim on %zu that ran, "
	       "%zu errno, %zu trap, %zu kill; %zu policies redrawn (a dead rule or a constant "
	       "condition); %zu failures\n", n_policies, checked, by_kind[SEEN_RAN], by_kind[SEEN_ERRNO],
	       by_kind[SEEN_TRAP], by_kind[SEEN_KILLED], redrawn, failures);
	return failures ? 1 : 0;
}
