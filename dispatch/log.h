/*
 * INTERCEPT_LOG: every intercepted syscall, one line before it runs and one
 * after, in the reference library's format:
 *
 *   /lib/x86_64-linux-gnu/libc.so.6 0xe5f5e -- openat(AT_FDCWD, "/etc/passwd",
 * O_RDONLY|O_CLOEXEC) = ? /lib/x86_64-linux-gnu/libc.so.6 0xe5f5e --
 * openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
 *
 * Calls that do not come back to the site the same way (exit, clone,
 * rt_sigreturn...) get only the first line. Each line is one write() to a
 * file opened O_APPEND, so lines of concurrent threads and processes never
 * interleave; building it makes raw syscalls only (user memory is read
 * with process_vm_readv, so a bad pointer prints as an address). The log
 * file is close-on-exec and created 0600.
 *
 * INTERCEPT_LOG=path       log to path; a trailing '-' appends the pid
 *                          ("log-" -> "log-1234"), and a forked child then
 *                          gets its own file
 * INTERCEPT_LOG_PID=1      start each line with "[pid N] " (N: the
 *                          calling thread's id), for one stream from
 *                          many processes and threads
 * INTERCEPT_LOG_FILTER=a,b log only these syscalls: names, or the classes
 *                          %file (takes a path), %process, %network,
 *                          %memory, %signal
 * INTERCEPT_LOG_RING=path  (set by sitrace) put lines into sitrace's
 *                          shared-memory ring instead (log_ring.h); the
 *                          file takes only the lines the ring cannot
 * INTERCEPT_LOG_TRUNC=0    append to an existing file instead of
 *                          truncating it. The library sets it in the
 *                          environment once the log is open, so programs
 *                          exec'd from here add to the log instead of
 *                          truncating it.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_LOG_H
#define SYSCALL_INTERCEPT_DISPATCH_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "trampoline/entry_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Set while a log is open: the dispatcher checks it on every call. */
extern int si_log_active;

/* Opens the log the environment asks for. Returns false (after saying why
 * on stderr) if INTERCEPT_LOG is set but cannot be opened; the process
 * then runs unlogged. */
bool si_log_init(void);

#define SI_LOG_LINE_MAX 2048

/* A line under construction: the text of the line before a call is kept
 * for the line after it. */
struct si_log_line {
	char buf[SI_LOG_LINE_MAX];
	size_t call_len; /* bytes of "<site> -- name(args)"; 0: none */
};

/* The line before the call; keeps its text in *line. */
void si_log_call(const struct si_frame *frame, struct si_log_line *line);

/* The line after it, with the result the application gets; reuses the
 * text si_log_call kept in *line (NULL: formats the call again). */
void si_log_result(const struct si_frame *frame, long result,
		   struct si_log_line *line);

/* Called in every child a clone-family call made: in a new process (not a
 * thread of this one), a per-pid log reopens under the new pid. */
void si_log_forked(void);

/* True if syscall nr passes INTERCEPT_LOG_FILTER (always without one). */
bool si_log_wants(long nr);

/* True if si_log_forked must be called in forked children. */
bool si_log_per_process(void);

#ifdef __cplusplus
}
#endif

#endif
