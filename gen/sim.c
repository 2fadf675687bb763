#include "sim.h"

#include <linux/seccomp.h>
#include <stdlib.h>

#include "verify.h"
#include "xalloc.h"

static uint32_t data_word(const struct sim_data *d, uint32_t offset)
{
	uint64_t field;

	if (offset == SD_NR)
		return d->nr;
	if (offset == SD_ARCH)
		return d->arch;
	field = offset < SD_ARG_LO(0) ? d->ip : d->args[(offset - SD_ARG_LO(0)) / 8];
	/* Both targets are little-endian: the low half comes first. */
	return (uint32_t)(offset % 8 ? field >> 32 : field);
}

static bool jump_taken(uint16_t code, uint32_t a, uint32_t operand)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ:
		return a == operand;
	case BPF_JGT:
		return a > operand;
	case BPF_JGE:
		return a >= operand;
	default:
		return a & operand;
	}
}

uint32_t sim_run(const struct sock_filter *prog, size_t n, const struct sim_data *d, size_t *steps)
{
	uint32_t a = 0, x = 0, mem[16] = { 0 };
	size_t pc = 0;

	*steps = 0;
	while (pc < n) {
		const struct sock_filter *in = &prog[pc++];
		uint32_t operand = BPF_SRC(in->code) == BPF_X ? x : in->k;

		++*steps;
		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t v = BPF_MODE(in->code) == BPF_ABS ? data_word(d, in->k) :
				     BPF_MODE(in->code) == BPF_LEN ? (uint32_t)SD_SIZE :
				     BPF_MODE(in->code) == BPF_MEM ? mem[in->k] : in->k;

			if (BPF_CLASS(in->code) == BPF_LD)
				a = v;
			else
				x = v;
			break;
		}
		case BPF_ST:
			mem[in->k] = a;
			break;
		case BPF_STX:
			mem[in->k] = x;
			break;
		case BPF_ALU:
			switch (BPF_OP(in->code)) {
			case BPF_ADD: a += operand; break;
			case BPF_SUB: a -= operand; break;
			case BPF_MUL: a *= operand; break;
			/* A run-time division by zero makes classic BPF return 0. */
			case BPF_DIV:
				if (operand == 0)
					return 0;
				a /= operand;
				break;
			case BPF_AND: a &= operand; break;
			case BPF_OR: a |= operand; break;
			case BPF_XOR: a ^= operand; break;
			/* The verifier refuses a constant shift of 32 or more; one
			 * by X uses the low five bits of X, as the kernel's BPF
			 * interpreter and JITs do (x86 SHL/SHR, arm64 LSLV/LSRV). */
			case BPF_LSH: a <<= operand & 31; break;
			case BPF_RSH: a >>= operand & 31; break;
			default: a = 0 - a; break;      /* BPF_NEG */
			}
			break;
		case BPF_JMP:
			if (BPF_OP(in->code) == BPF_JA)
				pc += in->k;
			else
				pc += jump_taken(in->code, a, operand) ? in->jt : in->jf;
			break;
		case BPF_RET:
			return BPF_RVAL(in->code) == BPF_A ? a : in->k;
		default:                /* BPF_MISC */
			if (BPF_MISCOP(in->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	/* A verified program never gets here: its jumps land inside it and it
	 * ends in a return. Reaching it means the verifier let a broken program
	 * through; no answer would be the kernel's, so stop loudly (the fuzz
	 * harnesses rely on this to catch such a program). */
	abort();
}

bool sim_cacheable(const struct sock_filter *prog, size_t n, uint32_t arch, uint32_t nr)
{
	uint32_t a = 0;
	size_t pc = 0;

	while (pc < n) {
		const struct sock_filter *in = &prog[pc++];

		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (in->k == SD_NR)
				a = nr;
			else if (in->k == SD_ARCH)
				a = arch;
			else
				return false;
			break;
		case BPF_RET | BPF_K:
			return in->k == SECCOMP_RET_ALLOW;
		case BPF_JMP | BPF_JA:
			pc += in->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += jump_taken(in->code, a, in->k) ? in->jt : in->jf;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= in->k;
			break;
		default:
			return false;
		}
	}
	return false;
}

size_t sim_longest_path(const struct sock_filter *prog, size_t n)
{
	/* Jumps go forward only, so the longest path from each instruction
	 * follows from those after it. */
	size_t *longest = xcalloc(n + 1, sizeof(*longest)), result;

	for (size_t pc = n; pc-- > 0;) {
		const struct sock_filter *in = &prog[pc];
		size_t after = 0;

		if (BPF_CLASS(in->code) == BPF_RET)
			after = 0;
		else if (in->code == (BPF_JMP | BPF_JA))
			after = longest[pc + 1 + in->k];
		else if (BPF_CLASS(in->code) == BPF_JMP)
			after = longest[pc + 1 + in->jt] > longest[pc + 1 + in->jf] ?
				longest[pc + 1 + in->jt] : longest[pc + 1 + in->jf];
		else
			after = longest[pc + 1];
		longest[pc] = 1 + after;
	}
	result = longest[0];
	free(longest);
	return result;
}
