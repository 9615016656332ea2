/*
 * Trapped sites: the hook for the syscall sites the planner cannot give a
 * jump (PLAN_FALLBACK). The code writer overwrites such a site's `syscall`
 * (0f 05) with `int3; nop` (cc 90) and builds it a trampoline of the usual
 * shape with nothing moved:
 *
 *   libc:    ... int3; nop ...            (the trapped site, S)
 *                 |  SIGTRAP, rip = S + 1
 *   si_trap_handler: finds S in the site table; rip = tramp_S; returns
 *                 |  rt_sigreturn: every register as at S, but rip
 *   tramp_S: lea desc_S(%rip), %r11; jmp si_entry[_flags]
 *            (the entry stub and the dispatcher, as for a patched site)
 *   sys_S:   syscall                      (forwarded calls run here)
 *   resume_S: jmp S + 2
 *
 * So the handler only redirects; the hook, the log, the recursion guard,
 * the clone paths (a thread child continues at S + 2 on its own stack) and
 * rt_sigreturn all run exactly as for a patched site, in normal context
 * with the application's registers and signal mask. The handler exists only
 * in processes that have trapped sites (si_trap_add_sites installs it).
 *
 * Reserved signals. A synchronous trap meeting a blocked signal kills the
 * process (the kernel forces the default action), so the signals the
 * library traps with are reserved while it needs them: SIGTRAP once the
 * handler is installed, and SIGSYS once exhaustive mode starts (Syscall
 * User Dispatch, exhaustive.h, whose handler is registered here with
 * si_trap_reserve). Each is treated alike:
 *  - It is never blocked in a thread that reaches the library:
 *    rt_sigprocmask, rt_sigsuspend, ppoll, pselect6, epoll_pwait and
 *    epoll_pwait2 run with the reserved signals taken out of their masks,
 *    and rt_sigaction with them taken out of sa_mask. rt_sigprocmask's old
 *    mask and rt_sigaction's old sa_mask report each as the application
 *    last asked for it (per thread, per signal, per reserved signal). At
 *    reservation, the calling thread's mask (inherited across execve) loses
 *    it and reports it as it was, and so do the sa_masks of the actions
 *    already installed.
 *  - rt_sigaction of a reserved signal is answered here: the application's
 *    action is remembered and reported back (sa_mask without SIGKILL and
 *    SIGSTOP, as the kernel keeps it), ours stays installed with its
 *    SA_ONSTACK and SA_RESTART, always SA_NODEFER, and no sa_mask. Every
 *    such signal that is not the library's (for SIGTRAP: raise, kill, the
 *    application's own int3, a hardware breakpoint; for SIGSYS: seccomp's
 *    SECCOMP_RET_TRAP, kill) goes to si_trap_chain: to the application's
 *    handler, with its sa_mask (less the reserved signals) blocked and
 *    SA_RESETHAND honoured; is ignored (SIG_IGN, unless the kernel raised
 *    it, si_code > 0: then, as without the library, it kills); or kills
 *    the process with that signal (SIG_DFL).
 *  - rt_sigreturn restores a mask without the reserved signals, even if
 *    the handler put them in uc_sigmask (they read back blocked).
 *  - The same holds for those calls made with syscall_no_intercept (hooks
 *    that emulate a call by making it themselves).
 * Not covered: masks changed by syscall instructions the library does not
 * see (unpatched objects, outside exhaustive mode) and io_pgetevents' mask;
 * a reserved signal stays unblocked while the application's handler for it
 * runs even without SA_NODEFER, and inside a handler whose sa_mask has it
 * reads back as it was before the signal; an asynchronous one sent while the
 * application has it "blocked" is delivered at once; execve passes it on at its
 * default, unblocked; clone3 with CLONE_CLEAR_SIGHAND gives a child without our
 * handlers.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_TRAP_H
#define SYSCALL_INTERCEPT_DISPATCH_TRAP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/syscall.h>

#include "dispatch/trap_table.h"
#include "trampoline/entry_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The sa_restorer of the library's SIGTRAP and SIGSYS handlers
 * (trap_restorer.S): `mov $15, %rax; syscall` inside the library, entered
 * with rsp at a signal frame's ucontext. Also where exhaustive mode runs
 * a forwarded rt_sigreturn, inside the range SUD lets through. */
void si_trap_sigaction_restorer(void);

/* Non-zero once a trapped site may exist (the handler is installed, SIGTRAP
 * reserved); then si_dispatch filters the signal-mask calls
 * (si_trap_signal_call). */
extern int si_trap_active;

/* The library's handler of a reserved signal. */
typedef void (*si_trap_handler_fn)(int sig, siginfo_t *info, void *uc);

/* Sorts e[0..n) and adds it to the site table (published whole: a handler
 * running in another thread sees the old table or the new one) and, the first
 * time, installs the SIGTRAP handler, remembering the action found as the
 * application's and unblocking SIGTRAP in this thread. Call before any of
 * the sites is written. Raw syscalls only. Returns 0, or -errno (mmap,
 * rt_sigaction): then no site of e may be trapped. Only the calling
 * thread's mask is fixed at installation: at start-up no other thread
 * exists; a caller patching later, with threads running, must see to
 * theirs. Two calls must not run at once. */
int si_trap_add_sites(struct si_trap_entry *e, size_t n);

/* Installs the handler and the signal-mask filtering now, with no site
 * yet (as si_trap_add_sites does the first time), so that sites added
 * later, while other threads run, never meet a thread with SIGTRAP
 * blocked: call it while the process has one thread. Returns 0 or -errno. */
int si_trap_prepare(void);

/* Reserves `sig` (SIGSYS: the one other signal there is room for) as
 * SIGTRAP is, with `handler` installed as ours; SIGTRAP is reserved first
 * if it is not yet (si_trap_prepare). Call while the process has one
 * thread, before anything can raise `sig` for the library. Returns 0,
 * -EINVAL for SIGTRAP or a signal without room, -EBUSY if `sig` is
 * reserved already, or -errno of rt_sigaction (then `sig` is left as it
 * was). */
int si_trap_reserve(int sig, si_trap_handler_fn handler);

/* For our handler of a reserved signal, given one that is not the
 * library's: what the application's action says (see above). Returns if
 * that action is a handler that returned or the signal is ignored. */
void si_trap_chain(int sig, siginfo_t *info, void *uc);

/* Takes out of the table every site whose trampoline lies in
 * [target_lo, target_hi) (an unloaded object's), publishing a new table as
 * si_trap_add_sites does. Returns the number of sites taken out, or
 * -errno. Must not run at the same time as si_trap_add_sites. */
int si_trap_forget(uint64_t target_lo, uint64_t target_hi);

/* The table as published: *n gets its length (0 and NULL before any add). */
const struct si_trap_entry *si_trap_sites(size_t *n);

/* True for the calls si_trap_signal_call must run (see above). */
static inline bool si_trap_is_signal_call(long nr)
{
	switch (nr) {
	case SYS_rt_sigaction:
	case SYS_rt_sigprocmask:
	case SYS_rt_sigsuspend:
	case SYS_ppoll:
	case SYS_pselect6:
	case SYS_epoll_pwait:
#ifdef SYS_epoll_pwait2
	case SYS_epoll_pwait2:
#endif
		return true;
	default:
		return false;
	}
}

/* syscall_no_intercept while si_trap_active is set (it jumps here with
 * its own arguments): the call, never hooked, with the signal-mask calls
 * run as si_trap_signal_call runs them. Returns the raw result. */
long si_trap_no_intercept(long nr, long a0, long a1, long a2, long a3, long a4,
			  long a5);

/* Before an rt_sigreturn in `frame` runs: takes the reserved signals out of
 * the mask the signal frame at the application's rsp will restore (a
 * handler may have put them in uc_sigmask), noting them as asked for. A frame
 * that cannot be read is left to the kernel. */
void si_trap_sigreturn(const struct si_frame *frame);

/* rt_sigprocmask(a[0], a[1], a[2], a[3]) as si_trap_signal_call runs it,
 * but applied to *mask instead of the thread's mask: for a call trapped by
 * Syscall User Dispatch, which runs inside the SIGSYS handler, *mask is the
 * signal frame's uc_sigmask, the mask rt_sigreturn installs on the way
 * back. Returns 0 or -errno, as the kernel would. */
long si_trap_sigprocmask_in(uint64_t *mask, const long a[6]);

/* Runs the call in `frame` (one si_trap_is_signal_call accepts) with the
 * reserved signals kept unblocked and returns its result (-errno on failure, as
 * the kernel's). Raw syscalls only; never reads application memory except
 * through process_vm_readv/writev (a bad pointer gives -EFAULT, as it
 * would from the kernel). */
long si_trap_signal_call(const struct si_frame *frame);

#ifdef __cplusplus
}
#endif

#endif
