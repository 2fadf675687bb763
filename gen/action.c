#include "action.h"

#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>

#include "consts.h"

static const struct action_word actions[] = {
	{ "allow", SECCOMP_RET_ALLOW, 0 },
	/* The kernel caps an errno at 4095 (MAX_ERRNO). */
	{ "errno", SECCOMP_RET_ERRNO, 4095 },
	{ "kill-process", SECCOMP_RET_KILL_PROCESS, 0 },
	{ "kill-thread", SECCOMP_RET_KILL_THREAD, 0 },
	{ "trap", SECCOMP_RET_TRAP, 0 },
	{ "log", SECCOMP_RET_LOG, 0 },
	{ "notify", SECCOMP_RET_USER_NOTIF, 0 },
	/* The tracer reads the 16 data bits as PTRACE_GETEVENTMSG. */
	{ "trace", SECCOMP_RET_TRACE, 0xffff },
};

const char action_list[] = "allow, errno, kill-process, kill-thread, trap, log, notify, trace";

const struct action_word *action_lookup(const char *word, size_t len)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strlen(actions[i].word) == len && memcmp(actions[i].word, word, len) == 0)
			return &actions[i];
	return NULL;
}

void action_format(uint32_t ret, char *buf, size_t len)
{
	uint32_t action = ret & SECCOMP_RET_ACTION_FULL, data = ret & SECCOMP_RET_DATA;

	if (action == SECCOMP_RET_ERRNO && errno_name(data)) {
		snprintf(buf, len, "errno %s", errno_name(data));
		return;
	}
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (actions[i].ret != action)
			continue;
		if (actions[i].max_data)
			snprintf(buf, len, "%s %u", actions[i].word, data);
		else if (data)
			snprintf(buf, len, "%s (data %u)", actions[i].word, data);
		else
			snprintf(buf, len, "%s", actions[i].word);
		return;
	}
	snprintf(buf, len, "unknown action 0x%08x (the kernel kills the process)", ret);
}
