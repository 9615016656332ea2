/*
 * The application's signal handlers run with the recursion guard cleared.
 *
 * A thread inside a hook has si_in_hook set, so the calls the hook makes go
 * straight to the kernel. A signal delivered to that thread (say, SIGCHLD
 * while the hook waits in wait4 for the application) runs the application's
 * handler on the same thread: its calls are the application's and must reach
 * the hook. So every handler the application installs with rt_sigaction
 * after the library started is registered with the kernel as
 * si_signal_wrapper, which clears the guard, calls the application's handler
 * as it asked to be called (with or without SA_SIGINFO) and puts the guard
 * back. Queries (the old action) report the application's handler, never the
 * wrapper. A handler that leaves with siglongjmp leaves the guard cleared,
 * which is right: it has left the hook too.
 *
 * The rt_sigreturn that ends such a handler runs after the guard is back; the
 * dispatcher still shows it to the hook (it never comes from a hook's own
 * code).
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_SIGNALS_H
#define SYSCALL_INTERCEPT_DISPATCH_SIGNALS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* rt_sigaction(sig, act, oact, sigsetsize) as the application asked for it,
 * with the wrapper substituted: returns the kernel's result (-errno). Not
 * for a signal trap.c reserves (trap.h answers those itself). Raw
 * syscalls only; act and oact are read and written without faulting (a bad
 * pointer gives -EFAULT, as from the kernel). */
long si_signals_sigaction(long sig, long act, long oact, long sigsetsize);

/* True if the dispatcher must run this rt_sigaction itself. */
bool si_signals_wants(long nr, long act, long oact);

/* Runs the application's handler for `sig` as it asked to be called (with
 * siginfo and context under SA_SIGINFO), with the hook guard cleared
 * around it; SIG_DFL and SIG_IGN run nothing. For every handler the library
 * stands in front of: the wrapper here, and the handlers of the signals
 * trap.c reserves (SIGTRAP; SIGSYS in exhaustive mode). */
void si_signals_call_app(uint64_t handler, uint64_t flags, int sig,
			 siginfo_t *info, void *uc);

/* True while an application handler that si_signals_call_app called runs
 * on this thread (or was left with siglongjmp). */
bool si_signals_in_app_handler(void);

/* The default action of `sig`, for real: the process ends killed by it
 * (with a core dump where enabled), as it would without the library. */
void si_signals_default_action(int sig);

/* Blocks every signal in this thread (the old mask in *saved) and takes
 * the lock that serializes the library's records of application actions
 * with the kernel's; si_signals_unlock undoes both. A handler on the same
 * thread cannot run in between, so it cannot deadlock on the lock. */
void si_signals_lock(uint64_t *saved);
void si_signals_unlock(const uint64_t *saved);

#endif
