/* Kernel settings out of COMMAND's reach: /proc and /sys read-only. */
#ifndef KNOBS_H
#define KNOBS_H

/* Binds read-only over itself every entry of /proc that is not a process's
 * own (the numbered directories, self, thread-self, and the links into them):
 * each directory (sys, irq, bus, fs, ...) and each file with a write
 * permission bit (sysrq-trigger, mtrr, ...); and makes every mount at or
 * under /sys read-only. As uid 0, even without any capability, COMMAND could
 * otherwise write kernel settings such as kernel.core_pattern or
 * /sys/kernel/mm: the kernel checks those writes against the euid and the
 * file's owner. Exits with 125 if a step fails. */
void knobs_protect(void);

#endif
