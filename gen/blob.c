#include "blob.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void blob_decode(const unsigned char *b, size_t size, struct sock_filter *prog)
{
	for (size_t i = 0; i < size / BLOB_INSN_SIZE; i++, b += BLOB_INSN_SIZE) {
		prog[i].code = (uint16_t)(b[0] | b[1] << 8);
		prog[i].jt = b[2];
		prog[i].jf = b[3];
		prog[i].k = (uint32_t)b[4] | (uint32_t)b[5] << 8 |
			    (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
	}
}

void blob_encode(const struct sock_filter *prog, size_t n, unsigned char *b)
{
	for (size_t i = 0; i < n; i++, b += BLOB_INSN_SIZE) {
		b[0] = (unsigned char)prog[i].code;
		b[1] = (unsigned char)(prog[i].code >> 8);
		b[2] = prog[i].jt;
		b[3] = prog[i].jf;
		for (int j = 0; j < 4; j++)
			b[4 + j] = (unsigned char)(prog[i].k >> (8 * j));
	}
}

/* Reads exactly size bytes; one more byte must not exist (the file grew). */
static int read_exact(int fd, unsigned char *buf, size_t size)
{
	size_t done = 0;
	unsigned char extra;
	ssize_t n;

	while (done < size) {
		n = read(fd, buf + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : -2;
		done += (size_t)n;
	}
	do
		n = read(fd, &extra, 1);
	while (n < 0 && errno == EINTR);
	return n == 0 ? 0 : n < 0 ? -1 : -2;
}

/* Fails the load: the reason in err, fd closed. */
static size_t refuse(int fd, char *err, size_t errlen, const char *path, const char *why)
{
	snprintf(err, errlen, "%s: %s", path, why);
	close(fd);
	return 0;
}

size_t blob_read(int fd, const char *path, struct sock_filter *prog, char *err, size_t errlen)
{
	static unsigned char bytes[BLOB_MAX_INSNS * BLOB_INSN_SIZE];
	char why[96];
	struct stat st;
	size_t size;
	int r;

	if (fstat(fd, &st) < 0)
		return refuse(fd, err, errlen, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return refuse(fd, err, errlen, path,
			      S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file");
	size = (size_t)st.st_size;
	if (size == 0)
		return refuse(fd, err, errlen, path, "is empty");
	if (size % BLOB_INSN_SIZE) {
		snprintf(why, sizeof(why), "size %zu is not a multiple of %u (truncated?)", size,
			 BLOB_INSN_SIZE);
		return refuse(fd, err, errlen, path, why);
	}
	if (size > sizeof(bytes)) {
		snprintf(why, sizeof(why), "%zu instructions, more than the kernel's %u",
			 size / BLOB_INSN_SIZE, BLOB_MAX_INSNS);
		return refuse(fd, err, errlen, path, why);
	}
	r = read_exact(fd, bytes, size);
	if (r < 0)
		return refuse(fd, err, errlen, path,
			      r == -1 ? strerror(errno) : "changed size while being read");
	if (close(fd) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return 0;
	}
	blob_decode(bytes, size, prog);
	return size / BLOB_INSN_SIZE;
}

size_t blob_load(const char *path, struct sock_filter *prog, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return 0;
	}
	return blob_read(fd, path, prog, err, errlen);
}
