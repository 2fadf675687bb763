/* The blob verifier: the kernel's own checks on a seccomp filter, plus ours.
 * One implementation, used by seccomp-gen and by the loader. */
#ifndef VERIFY_H
#define VERIFY_H

#include <linux/filter.h>
#include <stddef.h>

#include "arch.h"

/* Offsets in struct seccomp_data (identical on both little-endian targets). */
#define SD_NR 0u
#define SD_ARCH 4u
#define SD_IP 8u
#define SD_ARG_LO(i) (16u + 8u * (i))
#define SD_ARG_HI(i) (20u + 8u * (i))
#define SD_SIZE 64u

/* Checks prog[0..n) as seccomp_prepare_filter() would (length, opcodes,
 * jump targets, final RET, constants, scratch memory) and requires that it
 * begins by loading seccomp_data.arch and comparing it, with JEQ, to a
 * target's AUDIT_ARCH_* value whose mismatch branch is a kill.
 * Returns 0 and that target in *arch, or -1 with a one-line reason in err. */
int bpf_verify(const struct sock_filter *prog, size_t n, const struct arch **arch,
	       char *err, size_t errlen);

#endif
