/* One error idiom for both tools: "prog: what: why" on one line, then exit. */
#ifndef FAIL_H
#define FAIL_H

/* Set once by main(): the program name printed first, and die()'s exit status. */
extern const char *fail_prog;
extern int fail_status;

/* Prints "prog: MESSAGE" and exits with fail_status. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* The same, with ": strerror(errno)" appended. */
void die_errno(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Prints "prog: MESSAGE" and returns. */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
