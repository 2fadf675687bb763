/* State that the loader's three processes share: the outer stub fills it in,
 * and PID 1 and PID 2 inherit a copy through fork(). */
#ifndef LOADER_H
#define LOADER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>

struct run {
	char *const *argv;          /* COMMAND [ARG...]; NULL for --check */
	struct sock_fprog prog;     /* the filter, verified for this machine */
	const char *arch;           /* its architecture's name */
	bool allow_stale_proc;      /* --allow-stale-proc */
	bool nested_userns;         /* the loader created the user namespace */
	bool fresh_proc;            /* PID 1 mounted a fresh /proc */
	uint64_t caller_mask;       /* the caller's signal mask (kernel set), for COMMAND */
	bool caller_ignored_sigchld;
};

#endif
