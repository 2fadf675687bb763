/* The simulator against the kernel on programs the compiler never writes:
 * random verified programs with arithmetic, shifts and division by X,
 * scratch memory, LEN, forward jumps and returns of every action. Each is
 * installed in a child (the kernel must accept whatever bpf_verify accepts)
 * and run on getppid with chosen arguments; the value the body computes is
 * returned as an errno, nine bits at a time (a5 picks which), so the kernel
 * shows it whole. Deterministic for a given seed.
 * usage: hard-programs [PROGRAMS [SEED]] */
#define _GNU_SOURCE
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel-run.h"
#include "random.h"
#include "sim.h"
#include "syscalls.h"
#include "verify.h"

#define BODY_MAX 48u
#define SLOTS 4u                /* scratch slots the body uses; 15 is the epilogue's */
#define SLICE_BITS 9u
#define VECTORS 6u
#define SLICES 4u               /* 4 * 9 bits cover the 32 of the accumulator */
#define MAX_INSNS 128u

static uint64_t state;

static uint64_t rnd(void)
{
	return xorshift64(&state);
}

/* Constants the body compares and computes with: edges, and the values the
 * calls pass, so that jumps go both ways. */
static uint32_t constant(void)
{
	static const uint32_t k[] = {
		0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 0xff, 0x1000, 0x7fffffff, 0x80000000, 0xffffffff,
		0x12345678, 0xdeadbeef,
	};

	return rnd() % 3 ? k[rnd() % (sizeof(k) / sizeof(k[0]))] : (uint32_t)rnd();
}

/* An offset in seccomp_data that the test controls: nr, arch, a0..a5 (not
 * instruction_pointer, which is wherever libc made the call). */
static uint32_t data_offset(void)
{
	uint32_t i = (uint32_t)(rnd() % 14);

	return i < 2 ? i * 4 : SD_ARG_LO(0) + (i - 2) * 4;
}

static const uint32_t body_rets[] = {
	SECCOMP_RET_ALLOW, SECCOMP_RET_LOG, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD,
	SECCOMP_RET_TRAP | 0x2a, SECCOMP_RET_ERRNO | 300, SECCOMP_RET_ERRNO | 0xffff,
	SECCOMP_RET_TRACE | 5, SECCOMP_RET_USER_NOTIF, 0x12340000, SECCOMP_RET_ALLOW | 0x77,
};

/* One random instruction at pc of a body that ends before `end`. */
static struct sock_filter body_insn(size_t pc, size_t end)
{
	static const uint16_t alu[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR,
					BPF_XOR, BPF_LSH, BPF_RSH };
	static const uint16_t jmp[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };
	size_t room = end - pc - 1;     /* a jump may land anywhere up to `end` */
	uint32_t k = constant();
	uint16_t op;

	switch (rnd() % 12) {
	case 0: return (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, data_offset());
	case 1: return (struct sock_filter)BPF_STMT((rnd() % 2 ? BPF_LD : BPF_LDX) | BPF_IMM, k);
	case 2: return (struct sock_filter)BPF_STMT((rnd() % 2 ? BPF_LD : BPF_LDX) | BPF_MEM, k % SLOTS);
	case 3: return (struct sock_filter)BPF_STMT(rnd() % 2 ? BPF_ST : BPF_STX, k % SLOTS);
	case 4: return (struct sock_filter)BPF_STMT((rnd() % 2 ? BPF_LD : BPF_LDX) | BPF_W | BPF_LEN, 0);
	case 5: return (struct sock_filter)BPF_STMT(BPF_MISC | (rnd() % 2 ? BPF_TAX : BPF_TXA), 0);
	case 6:
		if (rnd() % 4 == 0)
			return (struct sock_filter)BPF_STMT(BPF_ALU | BPF_NEG, 0);
		op = alu[rnd() % (sizeof(alu) / sizeof(alu[0]))];
		if (rnd() % 2)
			return (struct sock_filter)BPF_STMT(BPF_ALU | op | BPF_X, 0);
		/* The constant forms the kernel refuses: division by 0, shifts of 32+. */
		if (op == BPF_DIV && k == 0)
			k = 3;
		if (op == BPF_LSH || op == BPF_RSH)
			k %= 32;
		return (struct sock_filter)BPF_STMT(BPF_ALU | op | BPF_K, k);
	case 7:
		if (rnd() % 8 == 0)
			return (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
							    body_rets[rnd() % (sizeof(body_rets) / sizeof(body_rets[0]))]);
		return (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, (uint32_t)(rnd() % (room < 6 ? room + 1 : 6)));
	default:
		op = jmp[rnd() % (sizeof(jmp) / sizeof(jmp[0]))];
		return (struct sock_filter)BPF_JUMP(BPF_JMP | op | (rnd() % 3 ? BPF_K : BPF_X), k,
						    (uint8_t)(rnd() % (room < 8 ? room + 1 : 8)),
						    (uint8_t)(rnd() % (room < 8 ? room + 1 : 8)));
	}
}

/* arch check; getppid goes to the body, everything else is allowed (the
 * test's own calls under the filter); the scratch slots get values; the
 * body; then the epilogue returns errno 512 + bits [a5, a5 + 9) of A. */
static size_t random_program(struct sock_filter *prog, const struct arch *arch, uint32_t nr)
{
	size_t n = 0, body, end;

	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_ARCH);
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch->audit_arch, 1, 0);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_NR);
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 1, 0);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	for (uint32_t s = 0; s < SLOTS; s++) {
		prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, data_offset());
		prog[n++] = (struct sock_filter)BPF_STMT(BPF_ST, s);
	}
	body = 1 + rnd() % BODY_MAX;
	end = n + body;
	while (n < end)
		prog[n] = body_insn(n, end), n++;
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_ST, 15);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_ARG_LO(5));
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_MISC | BPF_TAX, 0);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_MEM, 15);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, (1u << SLICE_BITS) - 1);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO | 1u << SLICE_BITS);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	return n;
}

int main(int argc, char **argv)
{
	unsigned n_programs = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1000;
	const struct arch *native = arch_native();
	size_t checked = 0, failures = 0, by_kind[4] = { 0 };
	long nr;

	state = argc > 2 ? strtoull(argv[2], NULL, 0) : 0xb1ab1a2026ull;
	if (!native) {
		fprintf(stderr, "hard-programs: this machine is not a target architecture\n");
		return 1;
	}
	nr = syscall_nr(native, "getppid");
	for (unsigned p = 0; p < n_programs && failures < 10; p++) {
		struct sock_filter prog[MAX_INSNS];
		struct call calls[VECTORS * SLICES];
		struct outcome seen[VECTORS * SLICES];
		const struct arch *verified;
		size_t n = random_program(prog, native, (uint32_t)nr), n_calls = 0;
		char err[256];

		if (bpf_verify(prog, n, &verified, err, sizeof(err)) < 0) {
			printf("FAIL program %u: the generator made a program the verifier refuses: %s\n", p, err);
			failures++;
			continue;
		}
		for (unsigned v = 0; v < VECTORS; v++) {
			struct call c = { .nr = nr, .never_fails = true };

			for (int a = 0; a < 5; a++)
				c.args[a] = (uint64_t)constant() << 32 | constant();
			for (unsigned s = 0; s < SLICES; s++) {
				c.args[5] = (uint64_t)constant() << 32 | s * SLICE_BITS;
				calls[n_calls++] = c;
			}
		}
		if (kernel_run(prog, n, calls, n_calls, seen, err, sizeof(err)) < 0) {
			printf("FAIL program %u (%zu instructions, verified): %s\n", p, n, err);
			failures++;
			continue;
		}
		for (size_t i = 0; i < n_calls; i++) {
			struct outcome want = sim_outcome(prog, n, native->audit_arch, &calls[i]);
			const uint64_t *a6 = calls[i].args;

			by_kind[want.seen]++;
			if (want.seen != seen[i].seen || want.value != seen[i].value) {
				char a[48], b[48];

				printf("FAIL program %u, call %zu (a0 %#llx a1 %#llx a5 %#llx): kernel: %s, sim: %s\n",
				       p, i, (unsigned long long)a6[0], (unsigned long long)a6[1],
				       (unsigned long long)a6[5], outcome_text(seen[i], a, sizeof(a)),
				       outcome_text(want, b, sizeof(b)));
				for (size_t pc = 0; pc < n; pc++)
					printf("  %3zu: code 0x%04x jt %u jf %u k 0x%08x\n", pc, prog[pc].code,
					       prog[pc].jt, prog[pc].jf, prog[pc].k);
				failures++;
				break;
			}
		}
		checked += n_calls;
	}
	printf("hard-programs: %u random programs, %zu calls: the kernel agrees with sim on %zu that ran, "
	       "%zu errno, %zu trap, %zu kill; %zu failures\n", n_programs, checked, by_kind[SEEN_RAN],
	       by_kind[SEEN_ERRNO], by_kind[SEEN_TRAP], by_kind[SEEN_KILLED], failures);
	return failures ? 1 : 0;
}
