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
 * Coexistence with the application, while the handler is installed:
 *  - SIGTRAP is never blocked in a thread that reaches a trapped site
 *    through the library: the kernel kills a process whose synchronous trap
 *    meets a blocked SIGTRAP. rt_sigprocmask, rt_sigsuspend, ppoll,
 *    pselect6, epoll_pwait and epoll_pwait2 run with SIGTRAP taken out of
 *    their masks, and rt_sigaction with it taken out of sa_mask.
 *    rt_sigprocmask's old mask and rt_sigaction's old sa_mask report
 *    SIGTRAP as the application last asked for it (per thread, per signal).
 *  - rt_sigaction(SIGTRAP) is answered here: the application's action is
 *    remembered and reported back, ours stays installed (with the
 *    application's sa_mask, less SIGTRAP, and its SA_ONSTACK/SA_RESTART).
 *    Every SIGTRAP that is not a trapped site (raise, kill, the
 *    application's own int3, a hardware breakpoint) goes to the
 *    application's handler (SA_RESETHAND honoured), is ignored (SIG_IGN,
 *    unless the kernel raised it: then, as without the library, it kills),
 *    or kills the process with SIGTRAP (SIG_DFL).
 *  - rt_sigreturn restores a mask without SIGTRAP, even if the handler put
 *    it in uc_sigmask.
 *  - The same holds for those calls made with syscall_no_intercept (hooks
 *    that emulate a call by making it themselves).
 *  Not covered: masks changed by syscall instructions the library does not
 *  see (unpatched objects) and io_pgetevents' mask; SIGTRAP
 * stays unblocked while the application's SIGTRAP handler runs even without
 * SA_NODEFER; an asynchronous SIGTRAP sent while the application has it
 * "blocked" is delivered at once; execve passes SIGTRAP on at its default,
 * unblocked; clone3 with CLONE_CLEAR_SIGHAND gives a child without the handler.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_TRAP_H
#define SYSCALL_INTERCEPT_DISPATCH_TRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/syscall.h>

#include "dispatch/trap_table.h"
#include "trampoline/entry_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Non-zero once a trapped site may exist (the handler is installed); then
 * si_dispatch filters the signal-mask calls (si_trap_signal_call). */
extern int si_trap_active;

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

/* Before an rt_sigreturn in `frame` runs: takes SIGTRAP out of the mask the
 * signal frame at the application's rsp will restore (a handler may have
 * put it in uc_sigmask), noting it as asked for. A frame that cannot be
 * read is left to the kernel. */
void si_trap_sigreturn(const struct si_frame *frame);

/* Runs the call in `frame` (one si_trap_is_signal_call accepts) with
 * SIGTRAP kept unblocked and returns its result (-errno on failure, as the
 * kernel's). Raw syscalls only; never reads application memory except
 * through process_vm_readv/writev (a bad pointer gives -EFAULT, as it
 * would from the kernel). */
long si_trap_signal_call(const struct si_frame *frame);

#ifdef __cplusplus
}
#endif

#endif
