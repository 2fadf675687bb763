/* What the libFuzzer harnesses share: a deterministic generator seeded from
 * the input (so a crash reproduces from its file alone), and the way an
 * invariant failure is reported (abort, which libFuzzer saves as a crash). */
#ifndef FUZZ_H
#define FUZZ_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Seeds *state from the input bytes. */
void rng_seed(uint64_t *state, const uint8_t *data, size_t size);
uint64_t rng_next(uint64_t *state);

/* Prints "invariant broken: MESSAGE" and aborts. */
void broken(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* A constant that prog compares or loads with, or a random word: values that
 * steer a run down the program's own branches. */
uint32_t program_word(const struct sock_filter *prog, size_t n, uint64_t *state);

/* Runs the checks every verified program must pass on d: the run stays
 * inside the program (sim_run aborts otherwise), takes no more steps than
 * the longest path, kills a foreign arch, and gives "allow" wherever the
 * kernel's action cache would answer d's nr without running it. Returns
 * the program's return value. */
uint32_t check_run(const struct sock_filter *prog, size_t n, uint32_t audit_arch, size_t longest,
	       const struct sim_data *d);

#endif
