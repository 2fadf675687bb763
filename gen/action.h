/* Seccomp actions: policy keywords and the SECCOMP_RET_* values they stand for. */
#ifndef ACTION_H
#define ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct action_word {
	const char *word;
	uint32_t ret;           /* SECCOMP_RET_* with no data */
	uint32_t max_data;      /* 0: takes no value; else the largest value it takes */
};

/* The keyword of len bytes at word, or NULL. */
const struct action_word *action_lookup(const char *word, size_t len);
/* "allow, errno, ..., trace": every keyword, for messages. */
extern const char action_list[];
/* Writes a readable form of a filter's return value: "allow", "errno EPERM",
 * "trace 7"... as a policy would spell it where it can. */
void action_format(uint32_t ret, char *buf, size_t len);

#endif
