/* State that the loader's three processes share: the outer stub fills it in,
 * and PID 1 and PID 2 inherit a copy through fork(). */
#ifndef LOADER_H
#define LOADER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>

/* The most programs stacked on COMMAND: a caller's FILTER and the guard. */
#define MAX_FILTERS 2

struct run {
	char *const *argv;          /* COMMAND [ARG...]; NULL for --check */
	/* The filters, verified for this machine, in the order they are
	 * installed; the most restrictive action of all of them wins. */
	struct sock_fprog filters[MAX_FILTERS];
	unsigned n_filters;
	const char *filter_desc;    /* what they are, for --check */
	bool allow_nested_userns;   /* --allow-nested-userns: no guard, no limit */
	bool allow_stale_proc;      /* --allow-stale-proc */
	int landlock_abi;           /* the kernel's Landlock ABI, 0 without it */
	bool nested_userns;         /* the loader created the user namespace */
	bool fresh_proc;            /* PID 1 mounted a fresh /proc */
	/* The write observer (observe.h): SRT_OBSERVE_SOCK, SRT_ENCODED_CMD. */
	bool observe;               /* set, and the stub is ready to serve it */
	const char *observe_sock;
	const char *encoded_cmd;
	int observe_fd;             /* PID 2's end of the channel to the stub */
	uint64_t caller_mask;       /* the caller's signal mask (kernel set), for COMMAND */
	bool caller_ignored_sigchld;
};

#endif
