/* mkarm32: write a tiny AArch32 (32-bit ARM, EABI) static executable to the
 * file named by argv[1]. It needs no ARM toolchain: the five-word ELF header,
 * one program header and the hand-encoded A32 instructions are laid out here.
 *
 * The program makes the 32-bit socket(AF_UNIX, SOCK_STREAM, 0) syscall
 * (EABI number 281), then exit_group(7) if that returned a descriptor and
 * exit_group(8) if it failed. On an aarch64 kernel with CONFIG_COMPAT its
 * syscalls arrive with AUDIT_ARCH_ARM, so under an aarch64 seccomp filter the
 * very first one must kill it with SIGSYS; without a filter it exits 7, which
 * the guest checks first to prove the kernel runs AArch32 code at all. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define BASE 0x10000u
#define EHDR 52u
#define PHDR 32u

static const uint32_t code[] = {
	0xe3a00001, /* mov   r0, #1          AF_UNIX */
	0xe3a01001, /* mov   r1, #1          SOCK_STREAM */
	0xe3a02000, /* mov   r2, #0 */
	0xe3007119, /* movw  r7, #281        __NR_socket (ARM EABI) */
	0xef000000, /* svc   #0 */
	0xe3500000, /* cmp   r0, #0 */
	0xa3a00007, /* movge r0, #7          got a descriptor */
	0xb3a00008, /* movlt r0, #8          -errno */
	0xe3a070f8, /* mov   r7, #248        __NR_exit_group */
	0xef000000, /* svc   #0 */
	0xeafffffe, /* b     .               not reached */
};

static unsigned char img[EHDR + PHDR + sizeof code];

static void put16(unsigned off, uint16_t v)
{
	img[off] = (unsigned char)v;
	img[off + 1] = (unsigned char)(v >> 8);
}

static void put32(unsigned off, uint32_t v)
{
	put16(off, (uint16_t)v);
	put16(off + 2, (uint16_t)(v >> 16));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkarm32 OUTPUT\n");
		return 2;
	}
	/* ELF32 header: little-endian, EM_ARM, EABI version 5. */
	static const unsigned char ident[] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };

	memcpy(img, ident, sizeof(ident));
	put16(16, 2);                      /* e_type: ET_EXEC */
	put16(18, 40);                     /* e_machine: EM_ARM */
	put32(20, 1);                      /* e_version */
	put32(24, BASE + EHDR + PHDR);     /* e_entry */
	put32(28, EHDR);                   /* e_phoff */
	put32(32, 0);                      /* e_shoff: no sections */
	put32(36, 0x05000000);             /* e_flags: EF_ARM_EABI_VER5 */
	put16(40, EHDR);                   /* e_ehsize */
	put16(42, PHDR);                   /* e_phentsize */
	put16(44, 1);                      /* e_phnum */
	put16(46, 40);                     /* e_shentsize */
	/* One PT_LOAD of the whole file, read+execute. */
	put32(EHDR + 0, 1);                /* p_type: PT_LOAD */
	put32(EHDR + 4, 0);                /* p_offset */
	put32(EHDR + 8, BASE);             /* p_vaddr */
	put32(EHDR + 12, BASE);            /* p_paddr */
	put32(EHDR + 16, sizeof img);      /* p_filesz */
	put32(EHDR + 20, sizeof img);      /* p_memsz */
	put32(EHDR + 24, 5);               /* p_flags: R+X */
	put32(EHDR + 28, 0x1000);          /* p_align */
	for (unsigned i = 0; i < sizeof code / sizeof code[0]; i++)
		put32(EHDR + PHDR + 4 * i, code[i]);

	FILE *f = fopen(argv[1], "wb");
	if (!f || fwrite(img, 1, sizeof img, f) != sizeof img || fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	chmod(argv[1], 0755);
	return 0;
}
