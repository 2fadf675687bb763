/* libFuzzer harness: the blob verifier on arbitrary bytes. Whenever
 * bpf_verify accepts a program, simulated runs on seccomp_data drawn from the
 * program's own constants must stay inside it and end in a return within
 * sim_longest_path steps (check_run), and the listing must print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "disasm.h"
#include "fuzz.h"
#include "syscalls.h"
#include "verify.h"

#define RUNS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sock_filter prog[BLOB_MAX_INSNS];
	static FILE *null_out;
	const struct arch *arch = NULL;
	size_t n = size / BLOB_INSN_SIZE, longest, count;
	const struct syscall *table;
	char err[256] = "";
	uint64_t state;

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
	rng_seed(&state, data, size);
	for (int i = 0; i < RUNS; i++) {
		struct sim_data d = { .arch = arch->audit_arch };
		uint64_t r = rng_next(&state);

		d.nr = r & 1 ? table[(r >> 8) % count].nr : program_word(prog, n, &state);
		if ((r & 0x70) == 0)
			d.arch = program_word(prog, n, &state);
		d.ip = (uint64_t)program_word(prog, n, &state) << 32 | program_word(prog, n, &state);
		for (int a = 0; a < 6; a++)
			d.args[a] = (uint64_t)program_word(prog, n, &state) << 32 |
				    program_word(prog, n, &state);
		check_run(prog, n, arch->audit_arch, longest, &d);
	}
	if (!null_out && !(null_out = fopen("/dev/null", "w")))
		broken("cannot open /dev/null");
	disasm_print(null_out, prog, n, arch);
	return 0;
}
