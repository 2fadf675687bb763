/* Readable listings of programs. */
#ifndef DISASM_H
#define DISASM_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdio.h>

#include "arch.h"

/* One line per instruction, jump targets as instruction numbers, with what
 * is loaded, which syscall a number is, and what a return means. */
void disasm_print(FILE *out, const struct sock_filter *prog, size_t n, const struct arch *arch);

#endif
