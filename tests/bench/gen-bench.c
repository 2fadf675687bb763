/* Compares seccomp-gen's blobs with libseccomp's for the same policy, per
 * arch: size, the instructions run for the denied calls and socket(AF_INET),
 * the average over a syscall mix recorded from real workloads (without and
 * with the kernel's action cache), and how many syscall numbers the cache can
 * answer. Paths are counted by the simulator, the same way for every blob.
 * usage: gen-bench POLICY MIX */
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "compile.h"
#include "grid.h"
#include "libseccomp.h"
#include "sim.h"
#include "syscalls.h"

#define AF_UNIX_ 1
#define AF_INET_ 2
#define SOCK_STREAM_ 1
#define SOCK_DGRAM_ 2

/* Calls of the x86_64 mix that aarch64 lacks, as its C library makes them. */
static const char *const aarch64_equivalent[][2] = {
	{ "access", "faccessat" }, { "creat", "openat" }, { "dup2", "dup3" },
	{ "readlink", "readlinkat" }, { "unlink", "unlinkat" }, { "vfork", "clone" },
	{ "arch_prctl", NULL },
};

struct mix_entry {
	char name[64];
	unsigned long calls;
};

struct mix {
	struct mix_entry *e;
	size_t n;
	unsigned long total;
	unsigned workloads;
};

static void read_mix(const char *path, struct mix *m)
{
	FILE *f = fopen(path, "r");
	char line[256], workload[64], last[64] = "";
	size_t cap = 0;

	memset(m, 0, sizeof(*m));
	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		struct mix_entry e;
		char count[32], *end;

		if (line[0] == '#' || sscanf(line, "%63s %63s %31s", workload, e.name, count) != 3)
			continue;
		e.calls = strtoul(count, &end, 10);
		if (*end) {
			fprintf(stderr, "%s: bad count in: %s", path, line);
			exit(1);
		}
		if (strcmp(workload, last) != 0) {
			m->workloads++;
			snprintf(last, sizeof(last), "%s", workload);
		}
		if (m->n == cap) {
			cap = cap ? 2 * cap : 256;
			m->e = realloc(m->e, cap * sizeof(*m->e));
			if (!m->e)
				exit(1);
		}
		m->e[m->n++] = e;
		m->total += e.calls;
	}
	fclose(f);
}

static long mix_nr(const struct arch *arch, const char *name)
{
	if (strcmp(arch->name, "aarch64") == 0) {
		for (size_t i = 0; i < sizeof(aarch64_equivalent) / sizeof(aarch64_equivalent[0]); i++)
			if (strcmp(name, aarch64_equivalent[i][0]) == 0)
				return aarch64_equivalent[i][1] ? syscall_nr(arch, aarch64_equivalent[i][1]) : -1;
	}
	return syscall_nr(arch, name);
}

struct figures {
	size_t insns;
	size_t denied[6];
	size_t inet;
	double mix_plain, mix_cached;
	size_t cacheable;
};

static const char *const denied_names[6] = {
	"socket(AF_UNIX, SOCK_STREAM)", "socketpair(AF_UNIX, SOCK_DGRAM)", "socketpair(AF_UNIX, SOCK_RAW)",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
};

static size_t steps_for(const struct sock_filter *p, size_t n, const struct arch *arch, const char *name,
			uint64_t a0, uint64_t a1)
{
	struct sim_data d = { .nr = (uint32_t)syscall_nr(arch, name), .arch = arch->audit_arch,
			      .args = { a0, a1 } };
	size_t steps;

	sim_run(p, n, &d, &steps);
	return steps;
}

static void measure(const struct sock_filter *p, size_t n, const struct arch *arch, const struct mix *m,
		    struct figures *f)
{
	size_t count;
	const struct syscall *table = syscall_table(arch, &count);
	unsigned long counted = 0;
	double plain = 0, cached = 0;

	f->insns = n;
	f->denied[0] = steps_for(p, n, arch, "socket", AF_UNIX_, SOCK_STREAM_);
	f->denied[1] = steps_for(p, n, arch, "socketpair", AF_UNIX_, SOCK_DGRAM_);
	f->denied[2] = steps_for(p, n, arch, "socketpair", AF_UNIX_, 3);
	f->denied[3] = steps_for(p, n, arch, "io_uring_setup", 1, 0);
	f->denied[4] = steps_for(p, n, arch, "io_uring_enter", 0, 0);
	f->denied[5] = steps_for(p, n, arch, "io_uring_register", 0, 0);
	f->inet = steps_for(p, n, arch, "socket", AF_INET_, SOCK_STREAM_);
	/* Sockets in the mix are counted as AF_INET ones. */
	for (size_t i = 0; i < m->n; i++) {
		long nr = mix_nr(arch, m->e[i].name);
		struct sim_data d = { .arch = arch->audit_arch, .args = { AF_INET_, SOCK_STREAM_ } };
		size_t steps;

		if (nr < 0)
			continue;
		d.nr = (uint32_t)nr;
		sim_run(p, n, &d, &steps);
		plain += (double)steps * m->e[i].calls;
		if (!sim_cacheable(p, n, arch->audit_arch, d.nr))
			cached += (double)steps * m->e[i].calls;
		counted += m->e[i].calls;
	}
	f->mix_plain = plain / (double)counted;
	f->mix_cached = cached / (double)counted;
	f->cacheable = 0;
	for (uint32_t nr = 0; nr <= table[count - 1].nr; nr++)
		f->cacheable += sim_cacheable(p, n, arch->audit_arch, nr);
}

static double mean(const size_t v[6])
{
	return (double)(v[0] + v[1] + v[2] + v[3] + v[4] + v[5]) / 6.0;
}

static bool worse_size(size_t ours, size_t lib)
{
	return ours > lib;
}

static bool worse_double(double ours, double lib)
{
	return ours > lib + 1e-9;
}

int main(int argc, char **argv)
{
	static struct sock_filter lib[BLOB_MAX_INSNS], tree[BLOB_MAX_INSNS];
	struct policy pol;
	struct mix m;
	char err[512];
	size_t len;
	char *text;
	int worse = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: gen-bench POLICY MIX\n");
		return 2;
	}
	text = read_text(argv[1], &len);
	if (policy_parse(argv[1], text, len, &pol, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		free(text);
		return 1;
	}
	read_mix(argv[2], &m);
	printf("Policy %s; mix: %lu syscalls from %u workloads (%s); libseccomp %u.%u.%u.\n"
	       "Instructions run, counted by seccomp-gen's simulator for every blob; the last\n"
	       "column is seccomp-gen over default libseccomp (lower is better).\n",
	       argv[1], m.total, m.workloads, argv[2], seccomp_version()->major,
	       seccomp_version()->minor, seccomp_version()->micro);

	for (unsigned a = 0; a < n_arches; a++) {
		const struct arch *arch = &arches[a];
		struct sock_filter *ours;
		size_t n = compile_policy(&pol, arch, &ours, err, sizeof(err)), count;
		struct figures fo, fl, ft;

		if (n == 0) {
			fprintf(stderr, "%s\n", err);
			worse = 1;
			break;
		}
		syscall_table(arch, &count);
		measure(ours, n, arch, &m, &fo);
		long skipped[LIBSECCOMP_MAX_SKIPPED];

		measure(lib, libseccomp_blob(&pol, arch, lib, false, skipped), arch, &m, &fl);
		measure(tree, libseccomp_blob(&pol, arch, tree, true, skipped), arch, &m, &ft);

		printf("\n| %s | seccomp-gen | libseccomp | libseccomp, binary tree | ratio |\n"
		       "|---|---:|---:|---:|---:|\n", arch->name);
		printf("| instructions | %zu | %zu | %zu | %.2f |\n", fo.insns, fl.insns, ft.insns,
		       (double)fo.insns / (double)fl.insns);
		worse += worse_size(fo.insns, fl.insns);
		for (int d = 0; d < 6; d++)
			printf("| denied: %s | %zu | %zu | %zu | %.2f |\n", denied_names[d], fo.denied[d],
			       fl.denied[d], ft.denied[d], (double)fo.denied[d] / (double)fl.denied[d]);
		printf("| denied calls, mean | %.2f | %.2f | %.2f | %.2f |\n", mean(fo.denied), mean(fl.denied),
		       mean(ft.denied), mean(fo.denied) / mean(fl.denied));
		worse += worse_double(mean(fo.denied), mean(fl.denied));
		printf("| socket(AF_INET) | %zu | %zu | %zu | %.2f |\n", fo.inet, fl.inet, ft.inet,
		       (double)fo.inet / (double)fl.inet);
		worse += worse_size(fo.inet, fl.inet);
		printf("| mix, mean per syscall, no cache (before 5.11) | %.2f | %.2f | %.2f | %.2f |\n",
		       fo.mix_plain, fl.mix_plain, ft.mix_plain, fo.mix_plain / fl.mix_plain);
		worse += worse_double(fo.mix_plain, fl.mix_plain);
		printf("| mix, mean per syscall, action cache (5.11+) | %.3f | %.3f | %.3f | %.2f |\n",
		       fo.mix_cached, fl.mix_cached, ft.mix_cached,
		       fl.mix_cached > 0 ? fo.mix_cached / fl.mix_cached : 1.0);
		worse += worse_double(fo.mix_cached, fl.mix_cached);
		printf("| cache-eligible numbers (of %u) | %zu | %zu | %zu | %.2f |\n",
		       syscall_table(arch, &count)[count - 1].nr + 1, fo.cacheable, fl.cacheable,
		       ft.cacheable, (double)fo.cacheable / (double)fl.cacheable);
		worse += fo.cacheable < fl.cacheable;
		free(ours);
	}
	printf("\nAgainst default libseccomp (instructions, mean denied path, socket(AF_INET), both\n"
	       "mix means, cache-eligible numbers): seccomp-gen is %s.\n",
	       worse ? "WORSE on some figure" : "no worse on any figure");
	policy_free(&pol);
	free(text);
	free(m.e);
	return worse ? 1 : 0;
}
