/* The write observer. PID 2 installs filter_observe (filters/observe.policy:
 * SECCOMP_RET_USER_NOTIF for the file-changing calls) with a listener, before
 * its other filters, and hands the listener to the stub, which COMMAND cannot
 * reach. The stub reads each notified call's path out of the caller, answers
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE, and queues one JSON line for the socket.
 *
 * Nothing here may stall or break COMMAND: the socket is written without ever
 * blocking (a line that finds no room is lost and counted), a failure to
 * report is said once and reporting stops, and the listener is served for as
 * long as COMMAND lives, whatever happens to the socket (closing it would fail
 * every observed call with ENOSYS). */
#define _GNU_SOURCE
#include "observe.h"

#include <asm/unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "builtin-filter.h"
#include "fail.h"
#include "verify.h"

#ifdef __NR_fchmodat2
#define NR_FCHMODAT2 __NR_fchmodat2
#else
#define NR_FCHMODAT2 452        /* Linux 6.6; the same number on both targets */
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL     /* Linux 6.9: a pidfd for a thread */
#endif

#define LENGTH(a) (sizeof(a) / sizeof((a)[0]))

/* The reference helper writes at most this much of SRT_ENCODED_CMD. */
#define ENCODED_CMD_MAX 700
/* Lines waiting for the socket. A line that does not fit is lost; events
 * leave room for the last line, the count of those lost. */
#define OUT_SIZE (256 * 1024)
#define LAST_LINE_ROOM 128
/* A resolved path: a directory (at most PATH_MAX - 1 bytes, as readlink of
 * /proc gives it), a slash, and a name of at most PATH_MAX bytes. */
#define RESOLVED_MAX (2 * PATH_MAX + 1)
/* One event line: every byte of a path may become \u00XX. */
#define LINE_SIZE (6 * RESOLVED_MAX + 256)
/* How long the stub, once COMMAND is gone, waits for a listener that reads,
 * in all and without any progress. */
#define DRAIN_TOTAL_MS 1000
#define DRAIN_IDLE_MS 50
/* Events go out together: once this much waits, or the first of them has
 * waited this long. One send and one wake-up of the listener for many. */
#define BATCH_BYTES 8192
#define BATCH_MS 2

/* Where each observed call names the files it changes: for up to two files,
 * the argument that holds the path and the one that holds its dirfd (CWD: the
 * call has none). An empty first path names the dirfd's own file when the
 * argument at empty_flags holds AT_EMPTY_PATH; a NULL one does for utimensat. */
#define CWD (-1)
#define NONE (-1)
static const struct observed_call {
	int nr;
	const char *name;
	signed char dirfd[2], path[2];
	signed char empty_flags;
	bool null_is_dirfd;
} calls[] = {
	{ __NR_openat, "openat", { 0, CWD }, { 1, NONE }, NONE, false },
	{ __NR_openat2, "openat2", { 0, CWD }, { 1, NONE }, NONE, false },
	{ __NR_unlinkat, "unlinkat", { 0, CWD }, { 1, NONE }, NONE, false },
	{ __NR_mkdirat, "mkdirat", { 0, CWD }, { 1, NONE }, NONE, false },
	{ __NR_mknodat, "mknodat", { 0, CWD }, { 1, NONE }, NONE, false },
	{ __NR_symlinkat, "symlinkat", { 1, CWD }, { 2, NONE }, NONE, false },
	{ __NR_linkat, "linkat", { 0, 2 }, { 1, 3 }, 4, false },
	{ __NR_renameat, "renameat", { 0, 2 }, { 1, 3 }, NONE, false },
	{ __NR_renameat2, "renameat2", { 0, 2 }, { 1, 3 }, NONE, false },
	{ __NR_fchmodat, "fchmodat", { 0, CWD }, { 1, NONE }, NONE, false },
	{ NR_FCHMODAT2, "fchmodat2", { 0, CWD }, { 1, NONE }, 3, false },
	{ __NR_fchownat, "fchownat", { 0, CWD }, { 1, NONE }, 4, false },
	{ __NR_utimensat, "utimensat", { 0, CWD }, { 1, NONE }, 3, true },
#ifdef __NR_open
	{ __NR_open, "open", { CWD, CWD }, { 0, NONE }, NONE, false },
	{ __NR_creat, "creat", { CWD, CWD }, { 0, NONE }, NONE, false },
	{ __NR_unlink, "unlink", { CWD, CWD }, { 0, NONE }, NONE, false },
	{ __NR_rmdir, "rmdir", { CWD, CWD }, { 0, NONE }, NONE, false },
	{ __NR_rename, "rename", { CWD, CWD }, { 0, 1 }, NONE, false },
	{ __NR_link, "link", { CWD, CWD }, { 0, 1 }, NONE, false },
	{ __NR_symlink, "symlink", { CWD, CWD }, { 1, NONE }, NONE, false },
	{ __NR_mkdir, "mkdir", { CWD, CWD }, { 0, NONE }, NONE, false },
	{ __NR_mknod, "mknod", { CWD, CWD }, { 0, NONE }, NONE, false },
	{ __NR_truncate, "truncate", { CWD, CWD }, { 0, NONE }, NONE, false },
	{ __NR_chmod, "chmod", { CWD, CWD }, { 0, NONE }, NONE, false },
	{ __NR_chown, "chown", { CWD, CWD }, { 0, NONE }, NONE, false },
	{ __NR_lchown, "lchown", { CWD, CWD }, { 0, NONE }, NONE, false },
	{ __NR_utime, "utime", { CWD, CWD }, { 0, NONE }, NONE, false },
	{ __NR_utimes, "utimes", { CWD, CWD }, { 0, NONE }, NONE, false },
#endif
};

/* Which processes the stub's /proc shows under which numbers. */
enum proc_view {
	PROC_NONE,      /* not the stub's, nor an ancestor's: no path is guessed */
	PROC_OWN,       /* the stub's own PID namespace: notification pids as they are */
	PROC_ANCESTOR,  /* an ancestor's (srt's enableWeakerNestedSandbox binds the
			 * host's /proc): each pid is translated */
};

/* A file a call names, once resolved. */
struct file {
	char path[RESOLVED_MAX + 1];
	size_t len;
	bool cut;       /* the name had no end within PATH_MAX bytes */
};

enum resolved {
	FILE_NONE,      /* the call names no file (the kernel refuses it) */
	FILE_KNOWN,
	FILE_UNKNOWN,   /* a relative path whose directory cannot be told */
};

/* The stub's state; PID 1 and PID 2 inherit a copy they do not use. */
static struct {
	int sock;               /* connected to SRT_OBSERVE_SOCK; -1 once reporting stopped */
	int channel;            /* from PID 2, until the listener came */
	int listener;           /* -1 before it came and once COMMAND is gone */
	int proc;               /* this /proc, from before PID 1 mounts a fresh one */
	enum proc_view view;
	size_t notif_size, resp_size;
	bool blocked;           /* the last send found the socket full */
	long queued_at;         /* when out went from empty to not (ms) */
	size_t out_head, out_len;
	unsigned long lost, unresolved;
} obs = { .sock = -1, .channel = -1, .listener = -1, .proc = -1 };

static char out[OUT_SIZE];
static char line[LINE_SIZE];
static struct file files[2];
static char name[PATH_MAX + 1];
/* Room for the kernel's struct seccomp_notif and _resp, which may outgrow
 * the headers', checked against SECCOMP_GET_NOTIF_SIZES. */
static uint64_t notif_buf[64], resp_buf[16];

/* --- reading /proc and uname ---------------------------------------------------- */

/* The unsigned decimal number at *p, moving *p past it; -1 if none is there. */
static long decimal(const char **p)
{
	long n = -1;

	for (; **p >= '0' && **p <= '9'; (*p)++)
		n = (n < 0 ? 0 : n * 10) + (**p - '0');
	return n;
}

/* Just past key in the line of text that begins with it, or NULL. */
static const char *after_key(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *at = text; at; at = strchr(at, '\n')) {
		if (*at == '\n')
			at++;
		if (strncmp(at, key, len) == 0)
			return at + len;
	}
	return NULL;
}

/* --- JSON ------------------------------------------------------------------ */

/* The length of the UTF-8 sequence at s[0..n) and whether it is valid; an
 * invalid one's length is that of its maximal subpart (at least 1), as the
 * WHATWG decoder, and so srt's listener, reads it. */
static bool utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need;

	if (s[0] < 0x80) {
		*len = 1;
		return true;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		lo = s[0] == 0xe0 ? 0xa0 : lo;
		hi = s[0] == 0xed ? 0x9f : hi;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		lo = s[0] == 0xf0 ? 0x90 : lo;
		hi = s[0] == 0xf4 ? 0x8f : hi;
	} else {
		*len = 1;
		return false;
	}
	for (size_t i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*len = i;
			return false;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	*len = need + 1;
	return true;
}

/* Writes s[0..n) at p as the inside of a JSON string: quote and backslash
 * escaped, control bytes and DEL as \u00XX, valid UTF-8 as it is, and each
 * invalid sequence as U+FFFD (then *replaced is set). At most 6n bytes. */
static char *put_json(char *p, const char *s, size_t n, bool *replaced)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len;

	for (size_t i = 0; i < n; i += len) {
		if (!utf8_next(u + i, n - i, &len)) {
			*p++ = '\xef';
			*p++ = '\xbf';
			*p++ = '\xbd';
			*replaced = true;
		} else if (u[i] == '"' || u[i] == '\\') {
			*p++ = '\\';
			*p++ = (char)u[i];
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			p += sprintf(p, "\\u%04x", u[i]);
		} else {
			for (size_t k = 0; k < len; k++)
				*p++ = (char)u[i + k];
		}
	}
	return p;
}

/* {"KEY":"VALUE"} from len bytes of value; cut: value was cut, which the
 * line then says. */
static size_t json_line(char *buf, const char *key, const char *value, size_t len, bool cut)
{
	bool replaced = false;
	char *p = buf + sprintf(buf, "{\"%s\":\"", key);

	p = put_json(p, value, len, &replaced);
	*p++ = '"';
	if (cut)
		p = stpcpy(p, ",\"truncated\":true");
	return (size_t)(stpcpy(p, "}\n") - buf);
}

/* {"observe_init_error":"TEXT"} in line, TEXT made as printf() does and cut
 * (which the line says) past 1 KiB. */
static size_t __attribute__((format(printf, 1, 2))) error_line(const char *fmt, ...)
{
	char text[1025];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	return json_line(line, "observe_init_error", text, strlen(text), (size_t)n >= sizeof(text));
}

/* --- the socket ---------------------------------------------------------- */

static long now_ms(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_MONOTONIC, &t) < 0)
		return 0;
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reporting failed: said once, and nothing more is sent. */
static void stop_reporting(const char *what)
{
	warn_msg("observer: %s: %s; COMMAND's write attempts are no longer reported", what,
		 strerror(errno));
	/* The socket is of no more use, whatever close() says. */
	(void)close(obs.sock);
	obs.sock = -1;
	obs.out_len = 0;
}

/* Sends what is queued, as far as the socket takes it without blocking. */
static void flush(void)
{
	while (obs.sock >= 0 && obs.out_len > 0 && !obs.blocked) {
		ssize_t n = send(obs.sock, out + obs.out_head, obs.out_len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			obs.blocked = true;
		} else if (n < 0 && errno != EINTR) {
			stop_reporting("sending to SRT_OBSERVE_SOCK");
		} else if (n > 0) {
			obs.out_head += (size_t)n;
			obs.out_len -= (size_t)n;
		}
	}
	if (obs.out_len == 0)
		obs.out_head = 0;
}

/* Queues one whole line, or loses it whole when there is no room (an event,
 * when there is no more than the last line's). */
static void queue(const char *text, size_t len, bool event)
{
	if (obs.sock < 0)
		return;
	if (len + (event ? LAST_LINE_ROOM : 0) > sizeof(out) - obs.out_len) {
		obs.lost++;
		return;
	}
	if (obs.out_head + obs.out_len + len > sizeof(out)) {
		memmove(out, out + obs.out_head, obs.out_len);
		obs.out_head = 0;
	}
	memcpy(out + obs.out_head + obs.out_len, text, len);
	if (obs.out_len == 0)
		obs.queued_at = now_ms();
	obs.out_len += len;
}

/* The observer cannot go on: srt's listener is told why (its debug log shows
 * it), and COMMAND runs unobserved. */
static void give_up(const char *what, const char *why)
{
	queue(line, error_line("%s: %s", what, why), false);
	flush();
	if (obs.sock >= 0 && close(obs.sock) < 0)
		warn_msg("observer: closing SRT_OBSERVE_SOCK: %s", strerror(errno));
	obs.sock = -1;
}

/* --- setting up ------------------------------------------------------------- */

/* SECCOMP_USER_NOTIF_FLAG_CONTINUE came with Linux 5.5; an older kernel
 * refuses it, and then no answer would let a notified call go on. */
static bool kernel_continues(void)
{
	struct utsname u;
	const char *p = u.release;
	long major, minor = 0;

	if (uname(&u) < 0)
		return false;
	major = decimal(&p);
	if (*p == '.') {
		p++;
		minor = decimal(&p);
	}
	return major > 5 || (major == 5 && minor >= 5);
}

/* The kernel runs the observer's notification, once continued, in place of
 * a TRACE or LOG action of another filter (they rank below USER_NOTIF): a
 * FILTER that may return them would behave otherwise under the observer. */
static bool filters_rank_above_notify(const struct run *run)
{
	for (unsigned i = 0; i < run->n_filters; i++) {
		for (unsigned j = 0; j < run->filters[i].len; j++) {
			const struct sock_filter *insn = &run->filters[i].filter[j];
			uint32_t action = insn->k & SECCOMP_RET_ACTION_FULL;

			if (insn->code == (BPF_RET | BPF_A) ||
			    (insn->code == (BPF_RET | BPF_K) &&
			     (action == SECCOMP_RET_TRACE || action == SECCOMP_RET_LOG)))
				return false;
		}
	}
	return true;
}

/* Which PID namespace this /proc shows: the NSpid line of our own status
 * there has one number per level from that namespace down to ours. */
static enum proc_view proc_view(int proc)
{
	char buf[4096];
	const char *nspid;
	ssize_t n;
	int fd, levels = 0;

	fd = openat(proc, "self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return PROC_NONE;       /* we are not in it at all */
	n = read(fd, buf, sizeof(buf) - 1);
	if (close(fd) < 0 || n <= 0)
		return PROC_NONE;
	buf[n] = '\0';
	nspid = after_key(buf, "NSpid:");
	if (!nspid)
		return PROC_NONE;
	for (; *nspid && *nspid != '\n'; nspid++)
		if (*nspid == '\t')
			levels++;
	return levels == 1 ? PROC_OWN : levels > 1 ? PROC_ANCESTOR : PROC_NONE;
}

/* Connects to path without waiting: connect() to a listener whose backlog is
 * full fails with EAGAIN, as a send to one that does not read. Returns false,
 * having said why on stderr as the reference helper does, when it cannot. */
static bool connect_socket(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ssize_t n;

	if (fd >= 0 && len < sizeof(addr.sun_path)) {
		memcpy(addr.sun_path, path, len);
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
			obs.sock = fd;
			return true;
		}
	} else if (fd >= 0) {
		errno = ENAMETOOLONG;
	}
	if (fd < 0)
		n = (ssize_t)error_line("socket: %s", strerror(errno));
	else
		n = (ssize_t)error_line("connect %s: %s", path, strerror(errno));
	if (fd >= 0 && close(fd) < 0)
		warn_msg("observer: closing the socket: %s", strerror(errno));
	if (write(STDERR_FILENO, line, (size_t)n) != n) {
		/* Nothing is left to do when stderr is gone. */
	}
	return false;
}

void observe_start(struct run *run)
{
	struct seccomp_notif_sizes sizes;
	const struct arch *arch;
	char err[256];
	int pair[2];

	if (!connect_socket(run->observe_sock)) {
		run->observe = false;
		return;
	}
	if (run->encoded_cmd && run->encoded_cmd[0]) {
		size_t len = strlen(run->encoded_cmd);

		queue(line, json_line(line, "encodedCommand", run->encoded_cmd,
				      len > ENCODED_CMD_MAX ? ENCODED_CMD_MAX : len, len > ENCODED_CMD_MAX), false);
	}
	flush();

	run->observe = false;
	if (!kernel_continues())
		return give_up("seccomp", "SECCOMP_USER_NOTIF_FLAG_CONTINUE needs Linux 5.5");
	if (!filters_rank_above_notify(run))
		return give_up("FILTER", "it may return SECCOMP_RET_TRACE or SECCOMP_RET_LOG, which the "
				"observer's notification would override");
	if (bpf_verify(filter_observe, LENGTH(filter_observe), &arch, err, sizeof(err)) < 0)
		return give_up("built-in observer filter", err);
	if (arch != arch_native())
		return give_up("built-in observer filter", "built for another architecture");
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return give_up("seccomp(SECCOMP_GET_NOTIF_SIZES)", strerror(errno));
	if (sizes.seccomp_notif > sizeof(notif_buf) || sizes.seccomp_notif_resp > sizeof(resp_buf) ||
	    sizes.seccomp_data != sizeof(struct seccomp_data))
		return give_up("seccomp", "the kernel's notification layout is unknown");
	obs.notif_size = sizes.seccomp_notif;
	obs.resp_size = sizes.seccomp_notif_resp;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return give_up("socketpair", strerror(errno));
	obs.channel = pair[0];
	run->observe_fd = pair[1];
	run->observe = true;
	/* PID 1 is about to mount a fresh /proc over this one, in the mount
	 * namespace we share; paths under this fd still lead to this one. */
	obs.proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	obs.view = obs.proc < 0 ? PROC_NONE : proc_view(obs.proc);
}

void observe_close_stub_fds(void)
{
	if ((obs.sock >= 0 && close(obs.sock) < 0) || (obs.channel >= 0 && close(obs.channel) < 0) ||
	    (obs.proc >= 0 && close(obs.proc) < 0))
		die_errno("closing the observer's descriptors");
}

void observe_install(const struct run *run)
{
	struct sock_fprog prog = { LENGTH(filter_observe), (struct sock_filter *)filter_observe };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control = { 0 };
	int err, listener;
	struct iovec iov = { &err, sizeof(err) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	err = listener < 0 ? errno : 0;
	if (listener >= 0) {
		struct cmsghdr *c;

		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &listener, sizeof(int));
	}
	/* From here on, a listener nobody holds would fail every observed call
	 * with ENOSYS: it reaches the stub, or COMMAND does not run. */
	if (sendmsg(run->observe_fd, &msg, MSG_NOSIGNAL) != (ssize_t)sizeof(err))
		die_errno("handing the observer's listener to the outer process");
	if ((listener >= 0 && close(listener) < 0) || close(run->observe_fd) < 0)
		die_errno("closing the observer's listener");
}

/* --- serving the listener ------------------------------------------------------ */

/* The stub's once-only message from PID 2: the listener, or why there is none. */
static void receive_listener(void)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	int err = 0;
	struct iovec iov = { &err, sizeof(err) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(obs.channel, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0)
		die_errno("receiving the observer's listener");
	c = CMSG_FIRSTHDR(&msg);
	if (n == (ssize_t)sizeof(err) && err == 0 && c && c->cmsg_level == SOL_SOCKET &&
	    c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&obs.listener, CMSG_DATA(c), sizeof(int));
	else if (n == (ssize_t)sizeof(err) && err != 0)
		give_up("seccomp", strerror(err));
	/* n == 0: PID 2 failed before installing anything, and said why. */
	if (close(obs.channel) < 0)
		die_errno("closing the observer's channel");
	obs.channel = -1;
}

/* pid (the stub's numbering) as this /proc numbers it, or -1. A pidfd's
 * fdinfo names its pid in the namespace of the /proc it is read through. */
static pid_t proc_pid(pid_t pid)
{
	char path[64];
	long fd, r = -1;
	int info;

	if (obs.view != PROC_ANCESTOR)
		return obs.view == PROC_OWN ? pid : -1;
	fd = syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
	if (fd < 0 && errno == EINVAL)
		fd = syscall(SYS_pidfd_open, pid, 0);   /* before Linux 6.9: leaders only */
	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "self/fdinfo/%ld", fd);
	info = openat(obs.proc, path, O_RDONLY | O_CLOEXEC);
	if (info >= 0) {
		char buf[512];
		ssize_t n = read(info, buf, sizeof(buf) - 1);

		if (close(info) == 0 && n > 0) {
			const char *field;

			buf[n] = '\0';
			field = after_key(buf, "Pid:\t");
			if (field)
				r = decimal(&field);
		}
	}
	if (close((int)fd) < 0)
		return -1;
	return r > 0 ? (pid_t)r : -1;
}

/* Copies the string at addr in pid's memory to name: its length, or PATH_MAX
 * and *cut when it has no end within PATH_MAX bytes (the kernel refuses such
 * a path with ENAMETOOLONG), or -1 when the memory cannot be read (EFAULT). */
static ssize_t read_name(pid_t pid, uint64_t addr, bool *cut)
{
	size_t got = 0, want = 4096 - addr % 4096;      /* first, to the end of the page */

	while (got < PATH_MAX) {
		ssize_t n;
		char *end;

		struct iovec local, remote;

		if (want > PATH_MAX - got)
			want = PATH_MAX - got;
		local = (struct iovec){ name + got, want };
		/* The caller's address, never dereferenced here. */
		remote = (struct iovec){ (void *)(uintptr_t)(addr + got), want }; // NOLINT(performance-no-int-to-ptr)
		n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			return -1;
		end = memchr(name + got, '\0', (size_t)n);
		if (end)
			return end - name;
		got += (size_t)n;
		if ((size_t)n < want)
			return -1;
		want = PATH_MAX - got;
	}
	name[PATH_MAX] = '\0';
	*cut = true;
	return PATH_MAX;
}

/* The path of pid's cwd (fd AT_FDCWD) or of its descriptor fd, into f. */
static bool read_dir(pid_t pid, int fd, struct file *f)
{
	char link[64];
	pid_t proc = proc_pid(pid);
	ssize_t n;

	if (proc < 0 || (fd < 0 && fd != AT_FDCWD))
		return false;
	if (fd == AT_FDCWD)
		snprintf(link, sizeof(link), "%d/cwd", (int)proc);
	else
		snprintf(link, sizeof(link), "%d/fd/%d", (int)proc, fd);
	n = readlinkat(obs.proc, link, f->path, PATH_MAX);
	/* Anything but an absolute path (a pipe, a socket, a directory out of
	 * reach) names no directory. */
	if (n <= 0 || n >= PATH_MAX || f->path[0] != '/')
		return false;
	f->len = (size_t)n;
	return true;
}

/* Resolves file i of call as req made it, into f. */
static enum resolved resolve(const struct seccomp_notif *req, const struct observed_call *call,
			     int i, struct file *f)
{
	const __u64 *args = req->data.args;
	int dirfd = call->dirfd[i] == CWD ? AT_FDCWD : (int)args[call->dirfd[i]];
	uint64_t addr = args[call->path[i]];
	ssize_t n = 0;

	f->cut = false;
	if (addr == 0 && !(i == 0 && call->null_is_dirfd))
		return FILE_NONE;
	if (addr != 0) {
		n = read_name(req->pid, addr, &f->cut);
		if (n < 0)
			return FILE_NONE;
	}
	if (n > 0 && name[0] == '/') {
		memcpy(f->path, name, (size_t)n);
		f->len = (size_t)n;
		return FILE_KNOWN;
	}
	/* An empty path names the dirfd's own file only where asked. */
	if (addr != 0 && n == 0 &&
	    !(i == 0 && call->empty_flags != NONE && (args[call->empty_flags] & AT_EMPTY_PATH)))
		return FILE_NONE;
	if (!read_dir(req->pid, dirfd, f))
		return FILE_UNKNOWN;
	if (n > 0) {
		if (f->path[f->len - 1] != '/')
			f->path[f->len++] = '/';
		memcpy(f->path + f->len, name, (size_t)n);
		f->len += (size_t)n;
	}
	return FILE_KNOWN;
}

static const struct observed_call *observed_call(int nr)
{
	for (size_t i = 0; i < LENGTH(calls); i++)
		if (calls[i].nr == nr)
			return &calls[i];
	return NULL;
}

static void queue_event(const struct seccomp_notif *req, const char *syscall_name, const struct file *f)
{
	bool replaced = false;
	char *p = line + sprintf(line, "{\"nr\":%d,\"syscall\":\"%s\",\"pid\":%u,\"path\":\"", req->data.nr,
				 syscall_name, req->pid);

	p = put_json(p, f->path, f->len, &replaced);
	*p++ = '"';
	if (f->cut)
		p = stpcpy(p, ",\"truncated\":true");
	if (replaced)
		p = stpcpy(p, ",\"invalid_utf8\":true");
	p = stpcpy(p, "}\n");
	queue(line, (size_t)(p - line), true);
}

/* Sends the events queued when a batch is full or old enough. */
static void flush_due(void)
{
	if (obs.out_len >= BATCH_BYTES || (obs.out_len > 0 && now_ms() - obs.queued_at >= BATCH_MS))
		flush();
}

/* One notification: read what the call names, make sure the caller is still
 * the one that made it, let the call go on, then report. */
static void serve(void)
{
	struct seccomp_notif *req = (struct seccomp_notif *)notif_buf;
	struct seccomp_notif_resp *resp = (struct seccomp_notif_resp *)resp_buf;
	const struct observed_call *call;
	enum resolved found[2] = { FILE_NONE, FILE_NONE };
	bool valid;

	memset(notif_buf, 0, obs.notif_size);
	if (ioctl(obs.listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
		/* ENOENT: the caller was killed before we got to it. */
		if (errno == ENOENT || errno == EINTR)
			return;
		warn_msg("observer: SECCOMP_IOCTL_NOTIF_RECV: %s; COMMAND's file-changing calls now fail "
			 "with ENOSYS", strerror(errno));
		/* Nothing else could answer them: closing makes the kernel do so. */
		(void)close(obs.listener);
		obs.listener = -1;
		return;
	}
	call = observed_call(req->data.nr);
	for (int i = 0; call && i < 2 && call->path[i] != NONE; i++)
		found[i] = resolve(req, call, i, &files[i]);
	/* Checked after every read of the caller's memory and /proc files: a
	 * notification stays valid only while its caller waits in the call,
	 * alive, so its pid named that caller, and no reused one, throughout.
	 * What was read for a caller that is gone is dropped unseen. */
	valid = ioctl(obs.listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) == 0;
	memset(resp_buf, 0, obs.resp_size);
	resp->id = req->id;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	/* ENOENT: the caller was killed meanwhile; nothing waits for an answer. */
	if (ioctl(obs.listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
		warn_msg("observer: SECCOMP_IOCTL_NOTIF_SEND: %s", strerror(errno));
	if (!valid)
		return;
	for (int i = 0; call && i < 2; i++) {
		if (found[i] == FILE_KNOWN)
			queue_event(req, call->name, &files[i]);
		else if (found[i] == FILE_UNKNOWN)
			obs.unresolved++;
	}
}

int observe_pollfds(struct pollfd *pfd, int *timeout_ms)
{
	int n = 0;

	*timeout_ms = obs.sock >= 0 && obs.out_len > 0 && !obs.blocked ? BATCH_MS : -1;

	if (obs.channel >= 0)
		pfd[n++] = (struct pollfd){ .fd = obs.channel, .events = POLLIN };
	if (obs.listener >= 0)
		pfd[n++] = (struct pollfd){ .fd = obs.listener, .events = POLLIN };
	if (obs.sock >= 0 && obs.blocked)
		pfd[n++] = (struct pollfd){ .fd = obs.sock, .events = POLLOUT };
	return n;
}

void observe_ready(const struct pollfd *pfd, int n)
{
	for (int i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == obs.channel) {
			receive_listener();
		} else if (pfd[i].fd == obs.listener && (pfd[i].revents & POLLIN)) {
			serve();
		} else if (pfd[i].fd == obs.listener) {
			/* POLLHUP: no process is left under the filter. */
			if (close(obs.listener) < 0)
				warn_msg("observer: closing the listener: %s", strerror(errno));
			obs.listener = -1;
		} else if (pfd[i].fd == obs.sock) {
			obs.blocked = false;
			flush();
		}
	}
	flush_due();
}

void observe_finish(void)
{
	long deadline = now_ms() + DRAIN_TOTAL_MS;

	if (obs.lost || obs.unresolved) {
		char text[LAST_LINE_ROOM];
		size_t len = (size_t)snprintf(text, sizeof(text), "{\"observe_lost\":%lu,\"observe_unresolved\":%lu}\n",
					      obs.lost, obs.unresolved);

		queue(text, len, false);
	}
	flush();
	while (obs.sock >= 0 && obs.out_len > 0) {
		struct pollfd pfd = { .fd = obs.sock, .events = POLLOUT };
		long left = deadline - now_ms();
		int r = poll(&pfd, 1, left < DRAIN_IDLE_MS ? (int)(left > 0 ? left : 0) : DRAIN_IDLE_MS);

		if (r <= 0)
			break;  /* a listener that does not read, or out of time */
		obs.blocked = false;
		flush();
	}
}
