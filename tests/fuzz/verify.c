/* libFuzzer harness: the blob verifier on arbitrary bytes. Whenever
 * bpf_verify accepts a program, simulated runs on seccomp_data drawn from the
 * program's own constants must stay inside it and end in a return within
 * sim_longest_path steps (check_run), and the listing must print.
 *
 * And verify --policy's analysis (equiv_check), on every such program, with
 * the policy "default allow": a program it finds different must differ, as
 * the simulator and the rules (policy_expected) say, on the witness it
 * names; a program it finds the same must agree with the rules on every run
 * above. Arbitrary programs compute anything, so the analysis gets a small
 * node budget, and a program past it is left undecided. */
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "disasm.h"
#include "equiv.h"
#include "fuzz.h"
#include "grid.h"
#include "semantic.h"
#include "syscalls.h"
#include "verify.h"

#define RUNS 32
#define NODES (1u << 16)

/* What equiv_check says of prog against "default allow"; EQUIV_DIFFERS
 * only with a witness checked here. */
static enum equiv_result check_equivalence(const struct sock_filter *prog, size_t n, const struct arch *arch)
{
	static const char text[] = "default allow\n";
	static struct policy allow;
	static long nrs[1];
	struct witness w;
	enum equiv_result r;
	size_t steps;
	char err[128];

	if (!allow.path && policy_parse("allow", text, sizeof(text) - 1, &allow, err, sizeof(err)) < 0)
		broken("default allow: %s", err);
	r = equiv_check(&allow, arch, NULL, 0, prog, n, NODES, &w);
	if (r == EQUIV_DIFFERS && (sim_run(prog, n, &w.d, &steps) != w.blob_ret || w.blob_ret == w.policy_ret ||
				   policy_expected(&allow, nrs, arch, &w.d) != w.policy_ret))
		broken("verify --policy names nr %u arch 0x%08x as a difference: program 0x%08x, rules 0x%08x",
		       w.d.nr, w.d.arch, w.blob_ret, w.policy_ret);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sock_filter prog[BLOB_MAX_INSNS];
	static FILE *null_out;
	const struct arch *arch = NULL;
	size_t n = size / BLOB_INSN_SIZE, longest, count;
	const struct syscall *table;
	char err[256] = "";
	uint64_t state;
	bool same;

	if (n > BLOB_MAX_INSNS)
		return -1;      /* the blob reader refuses these before verifying */
	blob_decode(data, n * BLOB_INSN_SIZE, prog);
	if (bpf_verify(prog, n, &arch, err, sizeof(err)) < 0) {
		if (!err[0] || !memchr(err, '\0', sizeof(err)))
			broken("a refusal without a reason");
		return 0;
	}
	if (!arch)
		broken("accepted without naming an architecture");
	longest = sim_longest_path(prog, n);
	table = syscall_table(arch, &count);
	same = check_equivalence(prog, n, arch) == EQUIV_SAME;
	rng_seed(&state, data, size);
	for (int i = 0; i < RUNS; i++) {
		struct sim_data d = { .arch = arch->audit_arch };
		uint64_t r = rng_next(&state);
		uint32_t ret;

		d.nr = r & 1 ? table[(r >> 8) % count].nr : program_word(prog, n, &state);
		if ((r & 0x70) == 0)
			d.arch = program_word(prog, n, &state);
		d.ip = (uint64_t)program_word(prog, n, &state) << 32 | program_word(prog, n, &state);
		for (int a = 0; a < 6; a++)
			d.args[a] = (uint64_t)program_word(prog, n, &state) << 32 |
				    program_word(prog, n, &state);
		ret = check_run(prog, n, arch->audit_arch, longest, &d);
		if (same && ret != policy_expected(&(struct policy){ .default_ret = SECCOMP_RET_ALLOW }, NULL, arch, &d))
			broken("verify --policy says the program is \"default allow\", but nr %u arch 0x%08x "
			       "gets 0x%08x", d.nr, d.arch, ret);
	}
	if (!null_out && !(null_out = fopen("/dev/null", "w")))
		broken("cannot open /dev/null");
	disasm_print(null_out, prog, n, arch);
	return 0;
}
