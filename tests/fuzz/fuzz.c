#include "fuzz.h"

#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

void rng_seed(uint64_t *state, const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ull;     /* FNV-1a */

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	*state = h;
}

/* splitmix64: any seed, zero included, gives a good sequence. */
uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void broken(const char *fmt, ...)
{
	va_list ap;

	fputs("invariant broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

uint32_t program_word(const struct sock_filter *prog, size_t n, uint64_t *state)
{
	uint64_t r = rng_next(state);
	uint32_t k = prog[(r >> 8) % n].k;

	switch (r & 7) {
	case 0: return (uint32_t)(r >> 32);
	case 1: return k + 1;
	case 2: return k - 1;
	case 3: return ~k;
	default: return k;
	}
}

static bool is_kill(uint32_t ret)
{
	uint32_t action = ret & SECCOMP_RET_ACTION_FULL;

	return action == SECCOMP_RET_KILL_PROCESS || action == SECCOMP_RET_KILL_THREAD;
}

uint32_t check_run(const struct sock_filter *prog, size_t n, uint32_t audit_arch, size_t longest,
		   const struct sim_data *d)
{
	size_t steps;
	uint32_t ret = sim_run(prog, n, d, &steps);

	if (steps == 0 || steps > longest)
		broken("a run of %zu steps, but the longest path is %zu", steps, longest);
	if (d->arch != audit_arch && !is_kill(ret))
		broken("arch 0x%08x on a filter for 0x%08x returned 0x%08x, not a kill", d->arch,
		       audit_arch, ret);
	if (sim_cacheable(prog, n, d->arch, d->nr) && ret != SECCOMP_RET_ALLOW)
		broken("nr %u is cache-eligible (always allow) but this run returned 0x%08x", d->nr, ret);
	return ret;
}
