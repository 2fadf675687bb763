/* The same policy built by libseccomp (tests and benchmark only). */
#ifndef TEST_LIBSECCOMP_H
#define TEST_LIBSECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "policy.h"

/* Syscalls of a policy libseccomp could not take, by number (-1 ends it). */
#define LIBSECCOMP_MAX_SKIPPED 8

uint32_t libseccomp_arch_token(const struct arch *arch);

/* Builds pol for arch with libseccomp (its binary tree when `tree`), with
 * kill-process for other arches; conditions may be == and masked == or a
 * masked != 0. A syscall libseccomp 2.5.4's tables lack can be given on the
 * host's own arch only; on the other its rules are left out and its number
 * is listed in skipped[LIBSECCOMP_MAX_SKIPPED], which ends with -1. Returns
 * the instruction count; exits on failure. */
size_t libseccomp_blob(const struct policy *pol, const struct arch *arch, struct sock_filter *prog,
		       bool tree, long *skipped);
/* Whether nr is in skipped. */
bool libseccomp_skipped(const long *skipped, uint32_t nr);

#endif
