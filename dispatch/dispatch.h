/*
 * The dispatcher's interface inside the library (the application-facing one
 * is include/libsyscall_intercept_hook_point.h; si_dispatch itself is
 * declared with the entry ABI in trampoline/entry_abi.h).
 *
 * Policy of si_dispatch(frame):
 *  - The calling thread is already inside a hook (the hook called libc):
 *    SI_ACTION_FORWARD, no hook. A per-thread initial-exec TLS flag.
 *  - No hook installed: SI_ACTION_FORWARD.
 *  - Otherwise the hook runs. Returning 0 emulates (SI_ACTION_EMULATED with
 *    the hook's *result, which starts as -ENOSYS); non-zero forwards.
 *  - rt_sigreturn: the hook sees it, but it always runs in the kernel.
 *  - A forwarded call becomes SI_ACTION_FORWARD_POST only while a post hook
 *    is set, and never for clone, clone3, fork, vfork, rt_sigreturn, exit and
 *    exit_group, which must run at the site itself.
 *  - A forwarded clone, clone3, fork or vfork (with or without
 *    intercept_hook_point) goes through the stub's clone paths while
 *    intercept_hook_point_clone_child or _parent is set (si_clone_plan
 *    picks the path, or forwards at the site without clone hooks, see
 *    trampoline/entry_abi.h). Then si_dispatch_clone_done calls the child
 *    hook in the child (result 0) and the parent hook in the parent with the
 *    child's id (result > 0), each under the recursion guard. A clone the
 *    hook emulates, one that fails, and one made from inside a hook get no
 *    clone hooks.
 *  - While trapped sites exist (trap.h: si_trap_active), every call comes
 *    here (si_dispatch_slow), those a hook makes included, and a forwarded
 *    signal-mask call (rt_sigprocmask, rt_sigaction, rt_sigsuspend, ppoll,
 *    pselect6, epoll_pwait[2]) runs here with the reserved signals
 *    (SIGTRAP, and SIGSYS in exhaustive mode) kept unblocked and is
 *    answered as SI_ACTION_EMULATED (after the post hook and the log saw
 *    its result); before an rt_sigreturn, they are taken out of the mask
 *    its signal frame restores.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_DISPATCH_H
#define SYSCALL_INTERCEPT_DISPATCH_DISPATCH_H

#include <stdbool.h>

#include "trampoline/entry_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sees the kernel's result of each call forwarded while it is set (see
 * above), on the calling thread, with the recursion guard held. */
typedef void (*si_post_hook_fn)(long syscall_number, const long args[6],
				long result);

/* Installs (or with NULL removes) the post hook. */
void si_dispatch_set_post_hook(si_post_hook_fn fn);

/* Shows the call in `frame` to the log and the hook only (no clone hooks,
 * nothing run): SI_ACTION_EMULATED with frame->result if the hook answered
 * it, else SI_ACTION_FORWARD. For calls trapped in exhaustive mode that
 * must run where they were made. */
int si_dispatch_observe(struct si_frame *frame);

/* Recomputes si_dispatch_slow (entry_abi.h) after the post hook or the log
 * was switched on or off: the stub's fast path is taken only while neither
 * needs the calls. */
void si_dispatch_update_slow(void);

/* True if syscall_number must run at its site, never inside the stub. */
bool si_dispatch_must_run_at_site(long syscall_number);

/* True while the calling thread runs a hook. */
bool si_dispatch_in_hook(void);

#ifdef __cplusplus
}
#endif

#endif
