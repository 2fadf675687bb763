/* Running a verified program as the kernel would, and what follows from it. */
#ifndef SIM_H
#define SIM_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fields of struct seccomp_data, as the filter sees them. */
struct sim_data {
	uint32_t nr;
	uint32_t arch;
	uint64_t ip;
	uint64_t args[6];
};

/* Runs prog (which must have passed bpf_verify) on d; returns the filter's
 * return value and counts the instructions executed in *steps. */
uint32_t sim_run(const struct sock_filter *prog, size_t n, const struct sim_data *d, size_t *steps);

/* Whether the kernel's seccomp action cache would answer nr on arch with
 * "allow" without running the filter: emulating the program while knowing
 * only nr and arch reaches RET ALLOW (kernel/seccomp.c, seccomp_is_const_allow). */
bool sim_cacheable(const struct sock_filter *prog, size_t n, uint32_t arch, uint32_t nr);

/* The most instructions any run can execute. */
size_t sim_longest_path(const struct sock_filter *prog, size_t n);

#endif
