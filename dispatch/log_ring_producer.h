/* The traced process's side of the log ring (log_ring.h). */
#ifndef SYSCALL_INTERCEPT_DISPATCH_LOG_RING_PRODUCER_H
#define SYSCALL_INTERCEPT_DISPATCH_LOG_RING_PRODUCER_H

#include <stdbool.h>
#include <stddef.h>

/* Maps the ring file at `path` (INTERCEPT_LOG_RING). Returns false, with
 * nothing changed, if it is not a valid ring. */
bool si_ring_open(const char *path);

/* Appends one line (newline included) to this thread's region; `pid` is
 * this process's id (a forked child, whose copy of the thread's state names
 * the parent's region, then claims a region of its own). Returns false if
 * the caller must write the line itself (see log_ring.h). Raw syscalls
 * only; async-signal-safe. */
bool si_ring_put(const char *line, size_t len, long pid);

/* True once si_ring_open succeeded. */
bool si_ring_active(void);

#endif
