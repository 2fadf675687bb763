#include "action.h"

#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>

#include "consts.h"

static const struct {
	const char *word;
	uint32_t ret;
	bool takes_value;
} actions[] = {
	{ "allow", SECCOMP_RET_ALLOW, false },
	{ "errno", SECCOMP_RET_ERRNO, true },
	{ "kill-process", SECCOMP_RET_KILL_PROCESS, false },
	{ "kill-thread", SECCOMP_RET_KILL_THREAD, false },
	{ "trap", SECCOMP_RET_TRAP, false },
	{ "log", SECCOMP_RET_LOG, false },
};

bool action_lookup(const char *word, size_t len, uint32_t *ret, bool *takes_value)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strlen(actions[i].word) == len && memcmp(actions[i].word, word, len) == 0) {
			*ret = actions[i].ret;
			*takes_value = actions[i].takes_value;
			return true;
		}
	}
	return false;
}

void action_format(uint32_t ret, char *buf, size_t len)
{
	uint32_t action = ret & SECCOMP_RET_ACTION_FULL, data = ret & SECCOMP_RET_DATA;

	if (action == SECCOMP_RET_ERRNO) {
		const char *name = errno_name(data);

		if (name)
			snprintf(buf, len, "errno %s", name);
		else
			snprintf(buf, len, "errno %u", data);
		return;
	}
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (actions[i].ret == action) {
			if (data)
				snprintf(buf, len, "%s (data %u)", actions[i].word, data);
			else
				snprintf(buf, len, "%s", actions[i].word);
			return;
		}
	}
	if (action == SECCOMP_RET_TRACE)
		snprintf(buf, len, "trace %u", data);
	else if (action == SECCOMP_RET_USER_NOTIF)
		snprintf(buf, len, "user-notif");
	else
		snprintf(buf, len, "unknown action 0x%08x (the kernel kills the process)", ret);
}
