/*
 * observe-listen: a listener on a Unix stream socket, speaking srt's side of
 * the write observer's protocol as far as the tests need: it accepts one
 * connection and copies what arrives to stdout. Static, libc only; the
 * aarch64 guest runs it too.
 *
 *   observe-listen PATH                 copy until the connection ends
 *   observe-listen --stall PATH         accept, then read nothing until a line
 *                                       (or end of file) comes on stdin; then
 *                                       copy until the connection ends
 *   observe-listen --close-after N PATH copy N lines, then close the connection
 *                                       and exit
 *   observe-listen --serve N PATH       N connections one after the other, each
 *                                       copied until it ends
 *   observe-listen --no-accept PATH     a backlog of one connection, never
 *                                       accepted; exits on a line (or end of
 *                                       file) on stdin
 *
 * The socket appears at PATH only once it listens (it is bound under another
 * name and renamed), so a caller may wait for PATH to exist.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void fail(const char *what)
{
	fprintf(stderr, "observe-listen: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char tmp[sizeof(addr.sun_path)], buf[65536], line[16];
	long close_after = -1, lines = 0, serve = 1;
	int stall = 0, no_accept = 0, srv;
	const char *path;

	if (argc == 3 && strcmp(argv[1], "--stall") == 0)
		stall = 1;
	else if (argc == 3 && strcmp(argv[1], "--no-accept") == 0)
		no_accept = 1;
	else if (argc == 4 && strcmp(argv[1], "--close-after") == 0)
		close_after = strtol(argv[2], NULL, 10);
	else if (argc == 4 && strcmp(argv[1], "--serve") == 0)
		serve = strtol(argv[2], NULL, 10);
	else if (argc != 2) {
		fprintf(stderr, "usage: observe-listen [--stall | --no-accept | --close-after N | --serve N] PATH\n");
		return 2;
	}
	path = argv[argc - 1];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return 2;
	memcpy(addr.sun_path, tmp, strlen(tmp) + 1);
	srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv < 0)
		fail("socket");
	if (bind(srv, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		fail(tmp);
	/* A backlog of 0 holds one connection: the next connect() finds it full. */
	if (listen(srv, no_accept ? 0 : 8) < 0)
		fail("listen");
	if (rename(tmp, path) < 0)
		fail(path);
	if (no_accept)
		return !fgets(line, sizeof(line), stdin) && ferror(stdin);
	for (long served = 0; served < serve; served++) {
		int conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
		ssize_t n;

		if (conn < 0)
			fail("accept");
		if (stall && !fgets(line, sizeof(line), stdin) && ferror(stdin))
			fail("stdin");
		while ((n = read(conn, buf, sizeof(buf))) > 0) {
			ssize_t keep = n;

			if (close_after >= 0) {
				for (keep = 0; keep < n && lines < close_after; keep++)
					if (buf[keep] == '\n')
						lines++;
			}
			if (fwrite(buf, 1, (size_t)keep, stdout) != (size_t)keep)
				fail("stdout");
			if (close_after >= 0 && lines >= close_after)
				break;
		}
		if (n < 0)
			fail("read");
		if (close(conn) < 0)
			fail("close");
	}
	if (fflush(stdout) != 0)
		fail("stdout");
	return 0;
}
