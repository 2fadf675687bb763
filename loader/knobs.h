/* Kernel settings out of COMMAND's reach: /proc and /sys read-only. */
#ifndef KNOBS_H
#define KNOBS_H

#include "loader.h"

/* Makes /proc read-only, all of it (every mount at or under it, for an old
 * /proc), or with nested user namespaces allowed every entry of it that is
 * not a process's own: each directory (sys, irq, bus, fs, ...) and each file
 * with a write permission bit (sysrq-trigger, mtrr, ...); and every mount at
 * or under /sys. As uid 0, even without any capability, COMMAND could
 * otherwise write kernel settings such as kernel.core_pattern, or the files
 * of an outer process that an old /proc shows: the kernel checks those
 * writes against the euid and the file's owner. Exits with 125 if a step
 * fails. */
void knobs_protect(const struct run *run);

#endif
