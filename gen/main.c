/* seccomp-gen: compiles a policy into seccomp-BPF blobs for x86_64 and
 * aarch64, and inspects blobs (listing, simulation, verification, header). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action.h"
#include "blob.h"
#include "compile.h"
#include "disasm.h"
#include "fail.h"
#include "header.h"
#include "policy.h"
#include "sim.h"
#include "syscalls.h"
#include "verify.h"
#include "xalloc.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: seccomp-gen compile --arch ARCH [-o OUT] POLICY...\n"
	"       seccomp-gen disasm BLOB\n"
	"       seccomp-gen sim [--arch-value N] [--ip N] BLOB SYSCALL [ARG0 .. ARG5]\n"
	"       seccomp-gen verify BLOB\n"
	"       seccomp-gen header -o OUT.h BLOB...\n"
	"       seccomp-gen --help | --version\n"
	"\n"
	"  compile  compile the POLICY files, rules in file order, into one raw seccomp-BPF\n"
	"           blob for ARCH (x86_64 or aarch64); they must share one default\n"
	"  disasm   list a blob's instructions\n"
	"  sim      the action the kernel would take for a syscall (name or number),\n"
	"           and how many instructions ran; --arch-value sets seccomp_data.arch\n"
	"  verify   the kernel's checks and ours; prints a summary or the first problem\n"
	"  header   a C header embedding blobs by architecture\n";

static _Noreturn void __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "seccomp-gen: %s\n%s", msg, usage_text);
	exit(EXIT_USAGE);
}

/* Reads a whole policy file, refusing one larger than the parser takes. */
static char *read_policy(const char *path, size_t *len)
{
	size_t cap = POLICY_MAX_BYTES + 1, n = 0;
	char *text;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		die_errno("%s", path);
	if (S_ISDIR(st.st_mode))
		die("%s: is a directory", path);
	if (S_ISREG(st.st_mode) && st.st_size > (off_t)POLICY_MAX_BYTES)
		die("%s: policy of %lld bytes is larger than the limit of %u", path,
		    (long long)st.st_size, POLICY_MAX_BYTES);
	text = xcalloc(cap, 1);
	for (;;) {
		ssize_t r = read(fd, text + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_errno("%s", path);
		if (r == 0 || (n += (size_t)r) == cap)
			break;
	}
	if (n == cap)
		die("%s: policy is larger than the limit of %u bytes", path, POLICY_MAX_BYTES);
	close(fd);
	*len = n;
	return text;
}

static void write_all(int fd, const void *buf, size_t len, const char *what)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die_errno("%s", what);
		p += w;
		len -= (size_t)w;
	}
}

/* Writes out to path through a temporary file in the same directory, so a
 * failure never leaves a half-written file behind. */
static void write_file(const char *path, const void *buf, size_t len)
{
	size_t plen = strlen(path);
	char *tmp = xcalloc(plen + 16, 1);
	int fd;

	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", 12);
	fd = mkstemp(tmp);
	if (fd < 0)
		die_errno("%s", tmp);
	if (fchmod(fd, 0644) < 0) {
		unlink(tmp);
		die_errno("%s", tmp);
	}
	write_all(fd, buf, len, tmp);
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int saved = errno;

		unlink(tmp);
		errno = saved;
		die_errno("%s", path);
	}
	free(tmp);
}

/* Parses the policy files in order into one policy: their rules one file
 * after another, and the default they must all share. Ends on an error. */
static void load_policies(char **paths, size_t n, struct policy *pol, char ***texts)
{
	char err[1024];

	memset(pol, 0, sizeof(*pol));
	*texts = xcalloc(n, sizeof(**texts));
	for (size_t i = 0; i < n; i++) {
		struct policy one;
		size_t len;

		(*texts)[i] = read_policy(paths[i], &len);
		if (policy_parse(paths[i], (*texts)[i], len, &one, err, sizeof(err)) < 0 ||
		    policy_combine(pol, &one, err, sizeof(err)) < 0)
			die("%s", err);
	}
}

static void free_policies(struct policy *pol, char **texts, size_t n)
{
	policy_free(pol);
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
}

static int cmd_compile(int argc, char **argv)
{
	const char *out = NULL;
	const struct arch *arch = NULL;
	struct sock_filter *prog;
	struct policy pol;
	char err[1024];
	unsigned char *bytes;
	char **paths = xcalloc((size_t)argc, sizeof(*paths)), **texts;
	size_t n, n_paths = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--arch") == 0 && i + 1 < argc) {
			arch = arch_by_name(argv[++i]);
			if (!arch)
				usage_error("unknown architecture '%s'", argv[i]);
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage_error("compile: unknown option or missing value: %s", argv[i]);
		} else {
			paths[n_paths++] = argv[i];
		}
	}
	if (!arch || !n_paths)
		usage_error("compile needs --arch ARCH and a POLICY");
	if (!out && isatty(STDOUT_FILENO))
		die("will not write a binary blob to a terminal; use -o FILE");

	load_policies(paths, n_paths, &pol, &texts);
	n = compile_policy(&pol, arch, &prog, err, sizeof(err));
	free_policies(&pol, texts, n_paths);
	free(paths);
	if (n == 0)
		die("%s", err);
	bytes = xcalloc(n, BLOB_INSN_SIZE);
	blob_encode(prog, n, bytes);
	if (out)
		write_file(out, bytes, n * BLOB_INSN_SIZE);
	else
		write_all(STDOUT_FILENO, bytes, n * BLOB_INSN_SIZE, "standard output");
	free(bytes);
	free(prog);
	return 0;
}

/* Loads and verifies a blob, or ends with the reason. */
static size_t load_verified(const char *path, struct sock_filter *prog, const struct arch **arch)
{
	char err[512];
	size_t n = blob_load(path, prog, err, sizeof(err));

	if (n == 0)
		die("%s", err);
	if (bpf_verify(prog, n, arch, err, sizeof(err)) < 0)
		die("%s: %s", path, err);
	return n;
}

static const char *one_blob(int argc, char **argv, const char *cmd)
{
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1]))
		usage_error("%s takes exactly one BLOB", cmd);
	return argv[1];
}

static int cmd_disasm(int argc, char **argv)
{
	static struct sock_filter prog[BLOB_MAX_INSNS];
	const struct arch *arch;
	size_t n = load_verified(one_blob(argc, argv, "disasm"), prog, &arch);

	disasm_print(stdout, prog, n, arch);
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	static struct sock_filter prog[BLOB_MAX_INSNS];
	const char *path = one_blob(argc, argv, "verify");
	const struct arch *arch;
	size_t n = load_verified(path, prog, &arch), count, cached = 0;
	const struct syscall *table = syscall_table(arch, &count);
	uint32_t numbers = table[count - 1].nr + 1;

	for (uint32_t nr = 0; nr < numbers; nr++)
		cached += sim_cacheable(prog, n, arch->audit_arch, nr);
	printf("%s: ok: %s, %zu instructions, longest path %zu, "
	       "%zu of %u syscall numbers (0-%u) cache-eligible\n",
	       path, arch->name, n, sim_longest_path(prog, n), cached, numbers, numbers - 1);
	return 0;
}

/* A number as C writes it (0x.., 0.., decimal), or negative, as two's complement. */
static uint64_t parse_number(const char *s, const char *what)
{
	char *end;
	uint64_t v;

	errno = 0;
	if (s[0] == '-')
		v = (uint64_t)strtoll(s, &end, 0);
	else
		v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		usage_error("bad %s '%s'", what, s);
	return v;
}

static int cmd_sim(int argc, char **argv)
{
	static struct sock_filter prog[BLOB_MAX_INSNS];
	struct sim_data d = { 0 };
	const struct arch *arch;
	const char *path = NULL, *syscall = NULL;
	const char *arch_value = NULL;
	char action[96];
	const struct syscall *table;
	size_t n, steps, count, n_args = 0;
	uint64_t nr;
	uint32_t ret;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--arch-value") == 0 && i + 1 < argc && !path) {
			arch_value = argv[++i];
		} else if (strcmp(argv[i], "--ip") == 0 && i + 1 < argc && !path) {
			d.ip = parse_number(argv[++i], "instruction pointer");
		} else if (!path) {
			if (argv[i][0] == '-' && argv[i][1])
				usage_error("sim: unknown option or missing value: %s", argv[i]);
			path = argv[i];
		} else if (!syscall) {
			syscall = argv[i];
		} else if (n_args < 6) {
			d.args[n_args++] = parse_number(argv[i], "argument");
		} else {
			usage_error("sim takes at most six arguments");
		}
	}
	if (!syscall)
		usage_error("sim needs a BLOB and a SYSCALL");
	n = load_verified(path, prog, &arch);
	d.arch = arch_value ? (uint32_t)parse_number(arch_value, "arch value") : arch->audit_arch;
	if ((syscall[0] >= '0' && syscall[0] <= '9') || syscall[0] == '-') {
		nr = parse_number(syscall, "syscall number");
		/* A 32-bit number, or a negative one such as -1. */
		if (nr > UINT32_MAX && (int64_t)nr < INT32_MIN)
			usage_error("syscall number '%s' does not fit in 32 bits", syscall);
	} else {
		long found = syscall_nr(arch, syscall);

		if (found < 0)
			die("%s has no syscall '%s'", arch->name, syscall);
		nr = (uint64_t)found;
	}
	d.nr = (uint32_t)nr;
	ret = sim_run(prog, n, &d, &steps);
	action_format(ret, action, sizeof(action));
	/* The kernel caches only the numbers of its own syscall table. */
	table = syscall_table(arch, &count);
	if (d.arch == arch->audit_arch && d.nr <= table[count - 1].nr &&
	    sim_cacheable(prog, n, d.arch, d.nr))
		printf("%s (%zu instructions; cached: the kernel skips the filter)\n", action, steps);
	else
		printf("%s (%zu instructions)\n", action, steps);
	return 0;
}

static int cmd_header(int argc, char **argv)
{
	struct embedded *blobs = xcalloc((size_t)argc, sizeof(*blobs));
	const char *out = NULL;
	size_t n_blobs = 0;
	char *text = NULL, err[1024];
	size_t len = 0;
	FILE *mem;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage_error("header: unknown option or missing value: %s", argv[i]);
		} else {
			struct sock_filter *prog = xcalloc(BLOB_MAX_INSNS, sizeof(*prog));
			struct embedded *b = &blobs[n_blobs++];

			b->path = argv[i];
			b->name = header_blob_name(argv[i]);
			b->prog = prog;
			b->n = load_verified(argv[i], prog, &b->arch);
		}
	}
	if (!out || n_blobs == 0)
		usage_error("header needs -o OUT.h and at least one BLOB");
	if (header_check(blobs, n_blobs, err, sizeof(err)) < 0)
		die("%s", err);
	mem = open_memstream(&text, &len);
	if (!mem)
		die_errno("open_memstream");
	header_print(mem, blobs, n_blobs);
	if (fclose(mem) != 0)
		die_errno("open_memstream");
	write_file(out, text, len);
	for (size_t j = 0; j < n_blobs; j++) {
		free((void *)blobs[j].prog);
		free(blobs[j].name);
	}
	free(blobs);
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} commands[] = {
		{ "compile", cmd_compile }, { "disasm", cmd_disasm }, { "sim", cmd_sim },
		{ "verify", cmd_verify }, { "header", cmd_header },
	};
	int status;

	fail_prog = "seccomp-gen";
	fail_status = 1;
	if (argc < 2)
		usage_error("no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("seccomp-gen %s\n", VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			status = commands[i].run(argc - 1, argv + 1);
			if (fflush(stdout) != 0 || ferror(stdout))
				die_errno("standard output");
			return status;
		}
	}
	usage_error("unknown command '%s'", argv[1]);
}
