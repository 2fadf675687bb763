#include "fail.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *fail_prog = "?";
int fail_status = 1;

/* The line goes out in one write(2), so that lines from the loader's several
 * processes never interleave, and without stdio, so that a forked child
 * flushes nothing its parent had buffered. */
static void __attribute__((format(printf, 2, 0))) emit(int saved_errno, const char *fmt, va_list ap)
{
	char line[1024];
	size_t len;
	int n = snprintf(line, sizeof(line), "%s: ", fail_prog);

	len = n < 0 ? 0 : (size_t)n;
	if (len < sizeof(line)) {
		n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
		len += n < 0 ? 0 : (size_t)n;
	}
	if (saved_errno && len < sizeof(line)) {
		n = snprintf(line + len, sizeof(line) - len, ": %s", strerror(saved_errno));
		len += n < 0 ? 0 : (size_t)n;
	}
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	/* Nothing useful can be done when stderr is gone. */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

void warn_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(0, fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(0, fmt, ap);
	va_end(ap);
	_exit(fail_status);
}

void die_errno(const char *fmt, ...)
{
	int saved_errno = errno ? errno : EIO;
	va_list ap;

	va_start(ap, fmt);
	emit(saved_errno, fmt, ap);
	va_end(ap);
	_exit(fail_status);
}
