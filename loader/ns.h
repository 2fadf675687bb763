/* The namespaces COMMAND runs in. */
#ifndef NS_H
#define NS_H

#include "loader.h"

/* Moves the caller into a new mount namespace and its future children into a
 * new PID namespace, creating a user namespace first when the caller lacks
 * CAP_SYS_ADMIN. Exits with 125, naming the step that failed, otherwise. */
void ns_enter(struct run *run);

/* Run by PID 1: private mount tree, fresh /proc (or, where the kernel refuses
 * one, the old one when COMMAND's Landlock domain or --allow-stale-proc
 * allows), no further user namespaces unless allowed, and /proc's kernel
 * settings read-only. */
void ns_setup_pid1(struct run *run);

/* For --check: says on stderr when COMMAND would run as the host's uid 0. */
void ns_warn_host_root(void);

#endif
