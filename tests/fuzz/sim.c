/* libFuzzer harness: the simulator on an arbitrary program and arbitrary
 * seccomp_data. Input: one flags byte, the 64 bytes of seccomp_data (nr,
 * arch, instruction_pointer, args, little-endian), then the program's body.
 * The harness puts an arch check in front of the body (the verifier insists
 * on one, and random bytes seldom make it), so the fuzzer spends its time in
 * the body: arithmetic, scratch memory, X, RET A. Programs the verifier
 * refuses are skipped; on the others check_run's invariants must hold. */
#include <linux/seccomp.h>
#include <string.h>

#include "arch.h"
#include "blob.h"
#include "fuzz.h"
#include "verify.h"

#define HEADER 65u              /* flags byte + struct seccomp_data */
#define PROLOGUE 3u

static uint64_t le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = bytes; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sock_filter prog[BLOB_MAX_INSNS];
	const struct arch *target, *verified;
	struct sim_data d;
	size_t n, longest;
	char err[256];

	if (size < HEADER || (size - HEADER) / BLOB_INSN_SIZE > BLOB_MAX_INSNS - PROLOGUE)
		return -1;
	/* flags: bit 0 picks the target, bit 1 keeps the data's own arch
	 * field (a foreign arch) instead of the target's. */
	target = &arches[data[0] & 1];
	d.nr = (uint32_t)le(data + 1, 4);
	d.arch = data[0] & 2 ? (uint32_t)le(data + 5, 4) : target->audit_arch;
	d.ip = le(data + 9, 8);
	for (int a = 0; a < 6; a++)
		d.args[a] = le(data + 17 + 8 * a, 8);

	prog[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_ARCH);
	prog[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, target->audit_arch, 1, 0);
	prog[2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	n = PROLOGUE + (size - HEADER) / BLOB_INSN_SIZE;
	blob_decode(data + HEADER, (n - PROLOGUE) * BLOB_INSN_SIZE, prog + PROLOGUE);
	if (bpf_verify(prog, n, &verified, err, sizeof(err)) < 0)
		return 0;
	if (verified != target)
		broken("verified as %s, built for %s", verified->name, target->name);
	longest = sim_longest_path(prog, n);
	check_run(prog, n, target->audit_arch, longest, &d);
	return 0;
}
