/* The escape suite's attacker: shared by the attack files (see attack.c). */
#ifndef ATTACK_H
#define ATTACK_H

#include <stdbool.h>
#include <stddef.h>

/* One line per attack on stdout:
 *   ESCAPE NAME BLOCKED by what
 *   ESCAPE NAME OPEN what got through
 * blocked() and open_door() print it; at most one of them per attack. */
void blocked(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void open_door(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A value of the configuration file (key=value lines), or NULL. */
const char *conf(const char *key);
/* The same, and the attack NAME is reported OPEN when it is missing (a
 * broken set-up must never pass for a blocked door). */
const char *conf_need(const char *name, const char *key);

/* The errno's name ("EPERM"; "E123" when not listed). */
const char *errname(int err);

/* Who refused a call that failed with err. The proof call PROOF (proof.c)
 * is the same syscall with arguments the kernel itself rejects; the control
 * run (unfiltered, no capabilities) recorded the kernel's answer to it as
 * proof.PROOF in the configuration. If the proof call fails here with err
 * where the kernel answers otherwise, err came from the seccomp filter;
 * otherwise from the kernel. Returns a static text saying which. */
const char *who(const char *proof, int err);
/* --proofs: runs every proof call and prints "PROOF NAME ERRNO" lines. */
void print_proofs(void);

/* Runs fn in a child process; its exit status and, if it died of a signal,
 * the signal. The child writes at most len-1 bytes of text into msg through
 * report_child(). Returns the raw wait status. */
int in_child(int (*fn)(char *msg, size_t len), char *msg, size_t len);

/* The token the daemons and the secret hold; true if buf contains it. */
bool has_token(const char *buf);

/* Read a whole small file into buf (NUL-terminated); bytes read or -1. */
long read_small(const char *path, char *buf, size_t len);

/* The groups of attacks, in the order they run. */
void attack_identity(void);
void attack_net(void);
void attack_io_uring(void);
void attack_abi(void);
void attack_userns(void);
void attack_mount(void);
void attack_pid1(void);
void attack_fs(void);
void attack_keys(void);
void attack_tty(void);
void attack_proc(void);
void attack_sys(void);
void attack_outer(void);

/* How many PID namespaces /proc/PID's process is in, as this /proc sees it
 * (its NSpid fields); 0 if unreadable. A process in fewer than the command
 * ("self") is outside the command's PID namespace. */
int pid_depth(const char *pid);

/* Outside the sandbox: prints the secret's file handle for the configuration. */
int print_handle(const char *path);

#endif
