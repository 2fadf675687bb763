/* Seccomp actions: policy keywords and the SECCOMP_RET_* values they stand for. */
#ifndef ACTION_H
#define ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Looks up an action keyword (len bytes). *ret gets its SECCOMP_RET_* value
 * and *takes_value tells whether a value (the errno) must follow. */
bool action_lookup(const char *word, size_t len, uint32_t *ret, bool *takes_value);
/* Writes a readable form of a filter's return value: "allow", "errno EPERM",
 * "kill-process"... as a policy would spell it where it can. */
void action_format(uint32_t ret, char *buf, size_t len);

#endif
