/* A Landlock domain for COMMAND: no process outside it can be ptraced, have
 * its /proc/N/mem or fds opened, or (Landlock ABI 6+) be signalled or reached
 * through an abstract Unix socket. */
#ifndef LANDLOCK_H
#define LANDLOCK_H

/* The kernel's Landlock ABI version, or 0 where Landlock is unavailable. */
int landlock_abi(void);

/* Puts the caller (which has set no_new_privs) in a new Landlock domain for
 * ABI abi (>= 1), or exits with 125. */
void landlock_enter(int abi);

#endif
