/* mkcpio: write a "newc" cpio archive (the initramfs format) to stdout from a
 * list of entries read on stdin, one per line:
 *
 *     dir   NAME MODE
 *     file  NAME MODE SOURCE      (SOURCE: a file on the host)
 *     slink NAME TARGET
 *     nod   NAME MODE c|b MAJOR MINOR
 *
 * NAME is the path inside the archive, without a leading slash; MODE is octal
 * permission bits. Every entry is owned by 0:0 with mtime 0, so the archive
 * depends only on the list and the files' contents. A host build tool of the
 * aarch64 test (scripts/test-aarch64.sh); Debian's cpio is not needed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static unsigned long ino = 300000;
static unsigned long long written;
static unsigned lineno;

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "mkcpio: line %u: ", lineno);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void out(const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, stdout) != n) {
		fprintf(stderr, "mkcpio: write: %s\n", strerror(errno));
		exit(1);
	}
	written += n;
}

static void pad4(void)
{
	static const char zero[4];
	out(zero, (4 - written % 4) % 4);
}

static void header(const char *name, unsigned mode, unsigned long size,
		   unsigned nlink, unsigned rmaj, unsigned rmin)
{
	char h[160];
	if (size > 0xffffffffUL)
		die("%s: too large for newc", name);
	int n = snprintf(h, sizeof h,
			 "070701%08lX%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08lX%08X",
			 ino++, mode, 0u, 0u, nlink, 0u, size, 0u, 0u, rmaj, rmin,
			 (unsigned long)strlen(name) + 1, 0u);
	if (n != 110)
		die("%s: bad header", name);
	out(h, 110);
	out(name, strlen(name) + 1);
	pad4();
}

static unsigned parse_mode(const char *s)
{
	char *end;
	unsigned long m = strtoul(s, &end, 8);
	if (!*s || *end || m > 07777)
		die("bad mode '%s'", s);
	return (unsigned)m;
}

static void add_file(const char *name, unsigned mode, const char *src)
{
	FILE *f = fopen(src, "rb");
	if (!f)
		die("%s: %s", src, strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
		die("%s: not a regular file", src);
	header(name, S_IFREG | mode, (unsigned long)st.st_size, 1, 0, 0);
	char buf[65536];
	unsigned long long left = (unsigned long long)st.st_size;
	while (left) {
		size_t n = fread(buf, 1, sizeof buf, f);
		if (n == 0)
			die("%s: short read", src);
		if (n > left)
			n = (size_t)left;
		out(buf, n);
		left -= n;
	}
	fclose(f);
	pad4();
}

int main(void)
{
	char line[4096];
	while (fgets(line, sizeof line, stdin)) {
		lineno++;
		char *w[7];
		int n = 0;
		for (char *tok = strtok(line, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
			if (n == 7)
				die("too many words");
			w[n++] = tok;
		}
		if (n == 0 || w[0][0] == '#')
			continue;
		if (n < 3 || w[1][0] == '/')
			die("expected '%s NAME ...' with a relative NAME", w[0]);
		if (!strcmp(w[0], "dir") && n == 3) {
			header(w[1], S_IFDIR | parse_mode(w[2]), 0, 2, 0, 0);
		} else if (!strcmp(w[0], "file") && n == 4) {
			add_file(w[1], parse_mode(w[2]), w[3]);
		} else if (!strcmp(w[0], "slink") && n == 3) {
			header(w[1], S_IFLNK | 0777, (unsigned long)strlen(w[2]), 1, 0, 0);
			out(w[2], strlen(w[2]));
			pad4();
		} else if (!strcmp(w[0], "nod") && n == 6 &&
			   (!strcmp(w[3], "c") || !strcmp(w[3], "b"))) {
			unsigned type = w[3][0] == 'c' ? S_IFCHR : S_IFBLK;
			header(w[1], type | parse_mode(w[2]), 0, 1,
			       (unsigned)strtoul(w[4], NULL, 10),
			       (unsigned)strtoul(w[5], NULL, 10));
		} else {
			die("cannot parse entry '%s' with %d words", w[0], n);
		}
	}
	lineno = 0;
	header("TRAILER!!!", 0, 0, 1, 0, 0);
	/* The kernel reads the archive in 512-byte blocks like cpio does. */
	static const char zero[512];
	out(zero, (512 - written % 512) % 512);
	if (fflush(stdout) != 0)
		die("write: %s", strerror(errno));
	return 0;
}
