/* Blobs: raw little-endian arrays of struct sock_filter, shared by both tools. */
#ifndef BLOB_H
#define BLOB_H

#include <linux/filter.h>
#include <stddef.h>

#define BLOB_MAX_INSNS 4096u       /* BPF_MAXINSNS: the kernel refuses more */
#define BLOB_INSN_SIZE 8u

/* Reads PATH, a regular, non-empty file of whole instructions, at most
 * BLOB_MAX_INSNS of them, into prog (room for BLOB_MAX_INSNS). Returns the
 * instruction count, or 0 with a one-line reason (naming PATH) in err. */
size_t blob_load(const char *path, struct sock_filter *prog, char *err, size_t errlen);
/* The same from fd, open on PATH at offset 0; closes fd whatever happens. */
size_t blob_read(int fd, const char *path, struct sock_filter *prog, char *err, size_t errlen);

/* Decodes size bytes (a whole number of instructions, checked by the caller). */
void blob_decode(const unsigned char *bytes, size_t size, struct sock_filter *prog);
/* Encodes n instructions into n * BLOB_INSN_SIZE bytes, whatever the host's byte order. */
void blob_encode(const struct sock_filter *prog, size_t n, unsigned char *bytes);

#endif
