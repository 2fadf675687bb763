/* /proc without kernel settings that COMMAND could change. */
#ifndef PROC_H
#define PROC_H

/* Binds read-only over itself every entry of /proc that is not a process's
 * own (the numbered directories, self, thread-self, and the links into them):
 * each directory (sys, irq, bus, fs, ...) and each file with a write
 * permission bit (sysrq-trigger, mtrr, ...). As uid 0, even without any
 * capability, COMMAND could otherwise write kernel settings such as
 * kernel.core_pattern: the kernel checks sysctl writes against the euid.
 * Exits with 125 if a bind fails. */
void proc_protect(void);

#endif
