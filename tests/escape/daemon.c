/* escape-daemon TOKEN SECONDS STREAM_PATH STREAM_ABSTRACT DGRAM_PATH DGRAM_ABSTRACT:
 * the targets outside the sandbox. Listens on a Unix stream socket and a
 * datagram socket, each on a path and on an abstract name ("@name"), and
 * answers every connection and datagram with TOKEN. Prints "ready" once all
 * four are bound, then "served NAME" for each answer (the outer side's
 * record), and exits by itself after SECONDS. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void fail(const char *what)
{
	fprintf(stderr, "escape-daemon: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_on(const char *spec, int type)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(spec);
	socklen_t len;
	int fd;

	if (n >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		fail(spec);
	}
	memcpy(sun.sun_path, spec, n);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	if (spec[0] == '@') {
		sun.sun_path[0] = '\0';
		len--;
	} else {
		unlink(spec);
	}
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) < 0)
		fail(spec);
	if (type == SOCK_STREAM && listen(fd, 16) < 0)
		fail(spec);
	return fd;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "stream-path", "stream-abstract", "dgram-path", "dgram-abstract" };
	struct pollfd fds[4];
	const char *token;
	time_t end;

	if (argc != 7) {
		fprintf(stderr, "usage: escape-daemon TOKEN SECONDS STREAM_PATH STREAM_ABSTRACT "
			"DGRAM_PATH DGRAM_ABSTRACT\n");
		return 2;
	}
	token = argv[1];
	end = time(NULL) + strtol(argv[2], NULL, 10);
	/* Every user may connect to the path sockets: the sandbox runs as 65534. */
	umask(0);
	for (int i = 0; i < 4; i++) {
		fds[i].fd = listen_on(argv[3 + i], i < 2 ? SOCK_STREAM : SOCK_DGRAM);
		fds[i].events = POLLIN;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	while (time(NULL) < end) {
		int r = poll(fds, 4, 1000);

		if (r < 0 && errno != EINTR)
			fail("poll");
		for (int i = 0; r > 0 && i < 4; i++) {
			if (!(fds[i].revents & POLLIN))
				continue;
			if (i < 2) {
				int c = accept4(fds[i].fd, NULL, NULL, SOCK_CLOEXEC);

				if (c < 0)
					continue;
				if (write(c, token, strlen(token)) > 0)
					printf("served %s\n", names[i]);
				close(c);
			} else {
				struct sockaddr_un from;
				socklen_t len = sizeof(from);
				char buf[64];

				if (recvfrom(fds[i].fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) < 0)
					continue;
				if (sendto(fds[i].fd, token, strlen(token), 0, (struct sockaddr *)&from, len) > 0)
					printf("served %s\n", names[i]);
			}
		}
	}
	return 0;
}
