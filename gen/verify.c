#include "verify.h"

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "blob.h"

#define MEMWORDS 16u            /* BPF_MEMWORDS: scratch slots */

/* The opcodes seccomp accepts (seccomp_check_filter), each with the check on k
 * that the kernel's classic verifier (bpf_check_classic) adds. */
enum operand_check { K_ANY, K_SECCOMP_DATA, K_NONZERO, K_SHIFT, K_MEM, K_JA };

static const struct {
	uint16_t code;
	enum operand_check check;
} allowed[] = {
	{ BPF_LD | BPF_W | BPF_ABS, K_SECCOMP_DATA },
	{ BPF_LD | BPF_W | BPF_LEN, K_ANY },
	{ BPF_LDX | BPF_W | BPF_LEN, K_ANY },
	{ BPF_LD | BPF_IMM, K_ANY },
	{ BPF_LDX | BPF_IMM, K_ANY },
	{ BPF_LD | BPF_MEM, K_MEM },
	{ BPF_LDX | BPF_MEM, K_MEM },
	{ BPF_ST, K_MEM },
	{ BPF_STX, K_MEM },
	{ BPF_ALU | BPF_ADD | BPF_K, K_ANY },
	{ BPF_ALU | BPF_ADD | BPF_X, K_ANY },
	{ BPF_ALU | BPF_SUB | BPF_K, K_ANY },
	{ BPF_ALU | BPF_SUB | BPF_X, K_ANY },
	{ BPF_ALU | BPF_MUL | BPF_K, K_ANY },
	{ BPF_ALU | BPF_MUL | BPF_X, K_ANY },
	{ BPF_ALU | BPF_DIV | BPF_K, K_NONZERO },
	{ BPF_ALU | BPF_DIV | BPF_X, K_ANY },
	{ BPF_ALU | BPF_AND | BPF_K, K_ANY },
	{ BPF_ALU | BPF_AND | BPF_X, K_ANY },
	{ BPF_ALU | BPF_OR | BPF_K, K_ANY },
	{ BPF_ALU | BPF_OR | BPF_X, K_ANY },
	{ BPF_ALU | BPF_XOR | BPF_K, K_ANY },
	{ BPF_ALU | BPF_XOR | BPF_X, K_ANY },
	{ BPF_ALU | BPF_LSH | BPF_K, K_SHIFT },
	{ BPF_ALU | BPF_LSH | BPF_X, K_ANY },
	{ BPF_ALU | BPF_RSH | BPF_K, K_SHIFT },
	{ BPF_ALU | BPF_RSH | BPF_X, K_ANY },
	{ BPF_ALU | BPF_NEG, K_ANY },
	{ BPF_RET | BPF_K, K_ANY },
	{ BPF_RET | BPF_A, K_ANY },
	{ BPF_MISC | BPF_TAX, K_ANY },
	{ BPF_MISC | BPF_TXA, K_ANY },
	{ BPF_JMP | BPF_JA, K_JA },
	{ BPF_JMP | BPF_JEQ | BPF_K, K_ANY },
	{ BPF_JMP | BPF_JEQ | BPF_X, K_ANY },
	{ BPF_JMP | BPF_JGE | BPF_K, K_ANY },
	{ BPF_JMP | BPF_JGE | BPF_X, K_ANY },
	{ BPF_JMP | BPF_JGT | BPF_K, K_ANY },
	{ BPF_JMP | BPF_JGT | BPF_X, K_ANY },
	{ BPF_JMP | BPF_JSET | BPF_K, K_ANY },
	{ BPF_JMP | BPF_JSET | BPF_X, K_ANY },
};

static int find_allowed(uint16_t code)
{
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i].code == code)
			return (int)i;
	return -1;
}

static bool is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

static int check_insn(const struct sock_filter *prog, size_t n, size_t pc, char *err, size_t errlen)
{
	const struct sock_filter *in = &prog[pc];
	int a = find_allowed(in->code);
	size_t room = n - pc - 1;      /* instructions after this one */

	if (a < 0) {
		snprintf(err, errlen, "instruction %zu: opcode 0x%04x is not allowed in a seccomp filter",
			 pc, in->code);
		return -1;
	}
	switch (allowed[a].check) {
	case K_SECCOMP_DATA:
		if (in->k >= SD_SIZE || in->k % 4) {
			snprintf(err, errlen, "instruction %zu: load at offset %u is not a 32-bit word of seccomp_data",
				 pc, in->k);
			return -1;
		}
		break;
	case K_NONZERO:
		if (in->k == 0) {
			snprintf(err, errlen, "instruction %zu: division by zero", pc);
			return -1;
		}
		break;
	case K_SHIFT:
		if (in->k >= 32) {
			snprintf(err, errlen, "instruction %zu: shift by %u", pc, in->k);
			return -1;
		}
		break;
	case K_MEM:
		if (in->k >= MEMWORDS) {
			snprintf(err, errlen, "instruction %zu: scratch slot %u does not exist", pc, in->k);
			return -1;
		}
		break;
	case K_JA:
		if (in->k >= room) {
			snprintf(err, errlen, "instruction %zu: jump out of the program", pc);
			return -1;
		}
		break;
	case K_ANY:
		break;
	}
	if (is_cond_jump(in->code) && (in->jt >= room || in->jf >= room)) {
		snprintf(err, errlen, "instruction %zu: jump out of the program", pc);
		return -1;
	}
	return 0;
}

/* Every scratch slot read must have been written on every path to the read
 * (the kernel's check_load_and_stores). Jumps only go forward, so one pass
 * that carries the set of written slots along each edge decides it. */
static int check_scratch(const struct sock_filter *prog, size_t n, char *err, size_t errlen)
{
	static uint16_t valid_at[BLOB_MAX_INSNS];
	uint16_t valid = 0;

	for (size_t pc = 0; pc < n; pc++)
		valid_at[pc] = 0xffff;
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *in = &prog[pc];

		valid &= valid_at[pc];
		switch (in->code) {
		case BPF_ST:
		case BPF_STX:
			valid |= (uint16_t)(1u << in->k);
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(valid & (1u << in->k))) {
				snprintf(err, errlen, "instruction %zu: reads scratch slot %u, which may be unset",
					 pc, in->k);
				return -1;
			}
			break;
		case BPF_JMP | BPF_JA:
			valid_at[pc + 1 + in->k] &= valid;
			valid = 0xffff;
			break;
		case BPF_RET | BPF_K:
		case BPF_RET | BPF_A:
			valid = 0xffff;
			break;
		default:
			if (is_cond_jump(in->code)) {
				valid_at[pc + 1 + in->jt] &= valid;
				valid_at[pc + 1 + in->jf] &= valid;
				valid = 0xffff;
			}
			break;
		}
	}
	return 0;
}

static bool is_kill(const struct sock_filter *in)
{
	uint32_t action = in->k & SECCOMP_RET_ACTION_FULL;

	return in->code == (BPF_RET | BPF_K) &&
	       (action == SECCOMP_RET_KILL_PROCESS || action == SECCOMP_RET_KILL_THREAD);
}

static int check_arch_prologue(const struct sock_filter *prog, size_t n, const struct arch **arch,
			       char *err, size_t errlen)
{
	const struct sock_filter *cmp = &prog[1];

	if (n < 3 || prog[0].code != (BPF_LD | BPF_W | BPF_ABS) || prog[0].k != SD_ARCH ||
	    cmp->code != (BPF_JMP | BPF_JEQ | BPF_K)) {
		snprintf(err, errlen, "does not begin by checking seccomp_data.arch");
		return -1;
	}
	*arch = arch_by_audit(cmp->k);
	if (!*arch) {
		const char *name = audit_arch_name(cmp->k);

		if (name)
			snprintf(err, errlen, "is built for %s, which is not a supported target", name);
		else
			snprintf(err, errlen, "is built for unknown architecture 0x%08x", cmp->k);
		return -1;
	}
	if (!is_kill(&prog[2 + cmp->jf])) {
		snprintf(err, errlen, "does not kill syscalls of other architectures");
		return -1;
	}
	return 0;
}

int bpf_verify(const struct sock_filter *prog, size_t n, const struct arch **arch,
	       char *err, size_t errlen)
{
	if (n == 0 || n > BLOB_MAX_INSNS) {
		snprintf(err, errlen, "has %zu instructions; the kernel takes 1 to %u", n, BLOB_MAX_INSNS);
		return -1;
	}
	for (size_t pc = 0; pc < n; pc++)
		if (check_insn(prog, n, pc, err, errlen) < 0)
			return -1;
	if (BPF_CLASS(prog[n - 1].code) != BPF_RET) {
		snprintf(err, errlen, "instruction %zu: the last instruction is not a return", n - 1);
		return -1;
	}
	if (check_scratch(prog, n, err, errlen) < 0)
		return -1;
	return check_arch_prologue(prog, n, arch, err, errlen);
}
