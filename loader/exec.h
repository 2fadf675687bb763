/* PID 2: dropping privileges, installing the filter, exec. */
#ifndef EXEC_H
#define EXEC_H

#include "loader.h"

/* Never returns: execs COMMAND (127 not found, 126 not executable), or for
 * --check prints which setup worked and exits 0, or exits 125. */
_Noreturn void exec_command(const struct run *run);

#endif
