/* The caller's session keyring (keyrings are not namespaced): the test put a
 * key holding the token there before starting the sandbox. */
#define _GNU_SOURCE
#include "attack.h"

#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Reads key id; reports OPEN if it holds the token. */
static bool read_key(const char *name, long id, const char *how)
{
	char buf[256] = "";
	long n = syscall(SYS_keyctl, KEYCTL_READ, id, buf, sizeof(buf) - 1, 0);

	if (n > 0 && has_token(buf)) {
		open_door(name, "%s, then KEYCTL_READ gave the token", how);
		return true;
	}
	open_door(name, "%s (the policy denies keyctl), KEYCTL_READ: %s", how,
		  n < 0 ? errname(errno) : "no token");
	return false;
}

void attack_keys(void)
{
	const char *desc = conf_need("keyring-search", "key_desc");
	long id;

	if (!desc)
		return;
	id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", desc, 0);
	if (id >= 0)
		read_key("keyring-search", id, "KEYCTL_SEARCH found the key in the caller's session keyring");
	else if (errno == ENOKEY)
		open_door("keyring-search", "keyctl reached the kernel (ENOKEY: the caller's session "
			  "keyring is not this one?)");
	else
		blocked("keyring-search", "%s", who("keyctl", errno));

	id = syscall(SYS_request_key, "user", desc, NULL, 0);
	if (id >= 0)
		read_key("request_key", id, "request_key found the key");
	else if (errno == ENOKEY)
		open_door("request_key", "request_key reached the kernel (ENOKEY)");
	else
		blocked("request_key", "%s", who("request_key", errno));

	id = syscall(SYS_add_key, "user", "escape-added", "x", 1, KEY_SPEC_SESSION_KEYRING);
	if (id >= 0)
		open_door("add_key", "added a key to the caller's session keyring");
	else
		blocked("add_key", "%s", who("add_key", errno));
}
