#include "disasm.h"

#include <linux/seccomp.h>
#include <stdint.h>
#include <stdlib.h>

#include "action.h"
#include "syscalls.h"
#include "verify.h"
#include "xalloc.h"

/* What the accumulator holds before an instruction, on every way there. */
enum { HOLDS_NOTHING_YET = -1, HOLDS_OTHER = -2 };

static void merge(int *at, int holds)
{
	if (*at == HOLDS_NOTHING_YET)
		*at = holds;
	else if (*at != holds)
		*at = HOLDS_OTHER;
}

/* For each instruction: the seccomp_data offset the accumulator was loaded
 * from, if the same on every path, else HOLDS_OTHER. */
static int *accumulator_sources(const struct sock_filter *prog, size_t n)
{
	int *at = xcalloc(n + 1, sizeof(*at));

	for (size_t pc = 0; pc <= n; pc++)
		at[pc] = pc == 0 ? HOLDS_OTHER : HOLDS_NOTHING_YET;
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *in = &prog[pc];
		int holds = at[pc];

		if (in->code == (BPF_LD | BPF_W | BPF_ABS))
			holds = (int)in->k;
		else if (BPF_CLASS(in->code) == BPF_LD || BPF_CLASS(in->code) == BPF_ALU ||
			 in->code == (BPF_MISC | BPF_TXA))
			holds = HOLDS_OTHER;
		if (in->code == (BPF_JMP | BPF_JA)) {
			merge(&at[pc + 1 + in->k], holds);
		} else if (BPF_CLASS(in->code) == BPF_JMP) {
			merge(&at[pc + 1 + in->jt], holds);
			merge(&at[pc + 1 + in->jf], holds);
		} else if (BPF_CLASS(in->code) != BPF_RET) {
			merge(&at[pc + 1], holds);
		}
	}
	return at;
}

static const char *field_name(uint32_t offset, char *buf, size_t len)
{
	if (offset == SD_NR)
		return "nr";
	if (offset == SD_ARCH)
		return "arch";
	if (offset < SD_ARG_LO(0))
		return offset == SD_IP ? "instruction_pointer (low)" : "instruction_pointer (high)";
	snprintf(buf, len, "a%u (%s)", (offset - SD_ARG_LO(0)) / 8, offset % 8 ? "high" : "low");
	return buf;
}

static const char *const alu_names[16] = {
	[BPF_ADD >> 4] = "add", [BPF_SUB >> 4] = "sub", [BPF_MUL >> 4] = "mul",
	[BPF_DIV >> 4] = "div", [BPF_OR >> 4] = "or", [BPF_AND >> 4] = "and",
	[BPF_LSH >> 4] = "lsh", [BPF_RSH >> 4] = "rsh", [BPF_NEG >> 4] = "neg",
	[BPF_MOD >> 4] = "mod", [BPF_XOR >> 4] = "xor",
};
static const char *const jump_names[16] = {
	[BPF_JA >> 4] = "ja", [BPF_JEQ >> 4] = "jeq", [BPF_JGT >> 4] = "jgt",
	[BPF_JGE >> 4] = "jge", [BPF_JSET >> 4] = "jset",
};

void disasm_print(FILE *out, const struct sock_filter *prog, size_t n, const struct arch *arch)
{
	int *holds = accumulator_sources(prog, n);

	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *in = &prog[pc];
		const char *src = BPF_SRC(in->code) == BPF_X ? "x" : NULL;
		char text[64], note[96] = "";

		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
		case BPF_LDX: {
			const char *op = BPF_CLASS(in->code) == BPF_LD ? "ld" : "ldx";

			if (BPF_MODE(in->code) == BPF_ABS) {
				char buf[48];

				snprintf(text, sizeof(text), "%-5s[%u]", op, in->k);
				snprintf(note, sizeof(note), "%s", field_name(in->k, buf, sizeof(buf)));
			} else if (BPF_MODE(in->code) == BPF_MEM) {
				snprintf(text, sizeof(text), "%-5sM[%u]", op, in->k);
			} else if (BPF_MODE(in->code) == BPF_LEN) {
				snprintf(text, sizeof(text), "%-5slen", op);
			} else {
				snprintf(text, sizeof(text), "%-5s#0x%x", op, in->k);
			}
			break;
		}
		case BPF_ST:
		case BPF_STX:
			snprintf(text, sizeof(text), "%-5sM[%u]", BPF_CLASS(in->code) == BPF_ST ? "st" : "stx",
				 in->k);
			break;
		case BPF_ALU:
			if (BPF_OP(in->code) == BPF_NEG)
				snprintf(text, sizeof(text), "neg");
			else if (src)
				snprintf(text, sizeof(text), "%-5sx", alu_names[BPF_OP(in->code) >> 4]);
			else
				snprintf(text, sizeof(text), "%-5s#0x%x", alu_names[BPF_OP(in->code) >> 4], in->k);
			break;
		case BPF_JMP: {
			const char *name = jump_names[BPF_OP(in->code) >> 4];

			if (BPF_OP(in->code) == BPF_JA) {
				snprintf(text, sizeof(text), "%-5s%zu", name, pc + 1 + in->k);
				break;
			}
			if (src)
				snprintf(text, sizeof(text), "%-5sx, %zu, %zu", name, pc + 1 + in->jt,
					 pc + 1 + in->jf);
			else
				snprintf(text, sizeof(text), "%-5s#0x%x, %zu, %zu", name, in->k,
					 pc + 1 + in->jt, pc + 1 + in->jf);
			if (!src && holds[pc] == (int)SD_NR && BPF_OP(in->code) != BPF_JSET &&
			    syscall_name(arch, in->k))
				snprintf(note, sizeof(note), "%s", syscall_name(arch, in->k));
			else if (!src && holds[pc] == (int)SD_ARCH && audit_arch_name(in->k))
				snprintf(note, sizeof(note), "%s", audit_arch_name(in->k));
			break;
		}
		case BPF_RET:
			if (BPF_RVAL(in->code) == BPF_A) {
				snprintf(text, sizeof(text), "ret  a");
			} else {
				snprintf(text, sizeof(text), "ret  #0x%08x", in->k);
				action_format(in->k, note, sizeof(note));
			}
			break;
		default:
			snprintf(text, sizeof(text), "%s", BPF_MISCOP(in->code) == BPF_TAX ? "tax" : "txa");
			break;
		}
		if (note[0])
			fprintf(out, "%4zu: %-28s; %s\n", pc, text, note);
		else
			fprintf(out, "%4zu: %s\n", pc, text);
	}
	free(holds);
}
