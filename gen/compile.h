/* Compiling a policy into a seccomp program for one architecture. */
#ifndef COMPILE_H
#define COMPILE_H

#include <linux/filter.h>
#include <stddef.h>

#include "arch.h"
#include "policy.h"

/* Returns the instruction count and a malloc'd program in *prog, or 0 with
 * "FILE:LINE:COL: message" (or "FILE: message") in err. */
size_t compile_policy(const struct policy *pol, const struct arch *arch, struct sock_filter **prog,
		      char *err, size_t errlen);

#endif
