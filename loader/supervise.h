/* The outer stub and PID 1: signal forwarding, reaping, status relay. */
#ifndef SUPERVISE_H
#define SUPERVISE_H

#include "loader.h"

/* Blocks every signal the loader forwards (and SIGCHLD) and records what
 * COMMAND must get back. Called first thing, before any fork. */
void supervise_block_signals(struct run *run);

/* Forks PID 1 (which forks COMMAND as PID 2), then forwards signals to it and
 * exits with its status. */
_Noreturn void supervise(struct run *run);

#endif
