/*
 * Exhaustive mode (INTERCEPT_EXHAUSTIVE=1): every syscall instruction the
 * process executes after the library started reaches the hook, wherever
 * it is: the objects patched as with INTERCEPT_ALL_OBJS (jumps, or the
 * SIGTRAP trap), and anything else (code generated at run time, objects
 * mapped without the loader) through Syscall User Dispatch.
 *
 * Every thread arms SUD (prctl(PR_SET_SYSCALL_USER_DISPATCH)) with this
 * library's code as the allowed range and a per-thread selector set to
 * block: a `syscall` anywhere else raises SIGSYS (SYS_USER_DISPATCH), and
 * the library's handler shows the call to the hook and runs it itself
 * (inside the allowed range); rt_sigreturn runs from the library's own
 * restorer (in the range, on the same signal frame); a fork-style clone
 * (fork, or clone/clone3 without CLONE_VM, CLONE_VFORK or a new stack)
 * runs in the handler too, both sides returning through its frame, the
 * child armed and the clone hooks called; the calls that must run where
 * they were made (vfork, clones sharing memory or with a new stack) set
 * the selector to allow and send the thread back to the instruction, and
 * the selector stays open until the thread's next intercepted call. A
 * trapped site is usually patched first (lazy.h), so that these go
 * through the stub's clone paths instead. The kernel does
 * not pass SUD on to new threads or processes: a child arms on its side of
 * a clone the stub ran, or at its first intercepted call.
 *
 * Calls from patched sites never trap: in this mode the dispatcher runs
 * every forwarded call itself (in the allowed range), except rt_sigreturn,
 * which runs from the library's restorer, and exit, exit_group and the
 * clone calls the stub's clone paths do not take, which run at their site
 * with the selector set to allow; every entry into the dispatcher sets it
 * back to block. (rt_sigreturn at its site with the selector open left
 * the code a handler returned to untrapped until the thread's next
 * intercepted call.)
 *
 * A trapped call runs inside the SIGSYS handler, whose signal mask
 * rt_sigreturn replaces with the frame's: a trapped rt_sigprocmask is
 * therefore applied to the frame's mask (trap.h's si_trap_sigprocmask_in),
 * and a trapped rt_sigreturn loses the reserved signals from the mask it
 * restores, as at a patched site.
 *
 * A trapped site that traps again may be patched to a jump (lazy.h,
 * through si_exhaustive_lazy): the handler then sends the thread to the
 * site's trampoline, so that call and every later one take the path of a
 * patched site, clone hooks included.
 *
 * A syscall SUD traps in a thread with SIGSYS blocked would make the
 * kernel kill the process, so SIGSYS is reserved as SIGTRAP is (trap.h):
 * taken out of every signal mask the application sets (and of sa_masks),
 * and reported back as it asked for it, per thread and per signal.
 * rt_sigaction(SIGSYS) is answered by trap.c: the application's action is
 * recorded and reported back, the library's handler stays installed and
 * passes every SIGSYS that is not SUD's (seccomp's SECCOMP_RET_TRAP, kill)
 * to si_trap_chain, which acts as the application's action says.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_EXHAUSTIVE_H
#define SYSCALL_INTERCEPT_DISPATCH_EXHAUSTIVE_H

#include <stdbool.h>
#include <stdint.h>

/* Non-zero once exhaustive mode is on (set once, at start-up). */
extern int si_exhaustive;

/* Set before si_exhaustive_start by the part of the library that can
 * patch (lazy.h): si_exhaustive_lazy is asked first about every trapped
 * syscall, and a non-zero answer is where the thread continues instead;
 * si_exhaustive_lazy_left is told of every other trapped call when its
 * thread leaves the handler for the site's own code. */
extern uint64_t (*si_exhaustive_lazy)(uint64_t site);
extern void (*si_exhaustive_lazy_left)(uint64_t site);

/* Non-zero once some thread may run code outside the library without
 * trapping: its selector left open after a clone-family call ran at its
 * site (until its next intercepted call), or a child of such a call,
 * which is unarmed. */
extern int si_exhaustive_untrapped;

/* Turns exhaustive mode on for the process and arms this thread. Returns 0
 * or -errno (then nothing is changed: the kernel lacks SUD, say). */
int si_exhaustive_start(void);

/* On every entry into the dispatcher: arms the thread if it is not yet,
 * and sets its selector back to block. */
void si_exhaustive_enter(void);

/* In a clone's child (a new thread or process, which the kernel left
 * unarmed). */
void si_exhaustive_child(void);

/* Lets the thread's syscalls outside the library run untrapped until it
 * next enters the dispatcher (si_exhaustive_enter), for a call that must
 * run at its site. For a clone-family call, also sets
 * si_exhaustive_untrapped. */
void si_exhaustive_allow_once(long nr);

#endif
