/* The same policy built by libseccomp (tests and benchmark only). */
#ifndef TEST_LIBSECCOMP_H
#define TEST_LIBSECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "policy.h"

uint32_t libseccomp_arch_token(const struct arch *arch);

/* Builds pol for arch with libseccomp (its binary tree when `tree`), with
 * kill-process for other arches; rules may use == and masked == only.
 * Returns the instruction count; exits on failure. */
size_t libseccomp_blob(const struct policy *pol, const struct arch *arch, struct sock_filter *prog,
		       bool tree);

#endif
