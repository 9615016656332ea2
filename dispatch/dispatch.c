/*
 * The C half of every intercepted syscall: the stub (trampoline/entry.S)
 * calls si_dispatch with the saved registers; this decides who answers.
 * Runs on the application's thread, in any context a syscall can be made
 * from (signal handlers included): no allocation, no locks, no libc calls.
 */
#include "dispatch/dispatch.h"

#include <sched.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "base/raw_syscall.h"
#include "dispatch/exhaustive.h"
#include "dispatch/log.h"
#include "dispatch/mm_pid.h"
#include "dispatch/signals.h"
#include "dispatch/trap.h"
#include "libsyscall_intercept_hook_point.h"

#define SI_PUBLIC __attribute__((visibility("default")))

SI_PUBLIC int (*intercept_hook_point)(long syscall_number, long arg0, long arg1,
				      long arg2, long arg3, long arg4,
				      long arg5, long *result);
SI_PUBLIC void (*intercept_hook_point_clone_child)(void);
SI_PUBLIC void (*intercept_hook_point_clone_parent)(long pid);

static si_post_hook_fn si_post_hook;

/* si_in_hook (entry_abi.h) is set while this thread runs a hook, so the
 * calls the hook makes go to the kernel. initial-exec: one %fs-relative
 * access, no __tls_get_addr. */

void si_dispatch_update_slow(void)
{
	int slow = __atomic_load_n(&si_post_hook, __ATOMIC_RELAXED) != NULL ||
		   __atomic_load_n(&si_log_active, __ATOMIC_RELAXED) ||
		   __atomic_load_n(&si_trap_active, __ATOMIC_RELAXED) ||
		   __atomic_load_n(&si_exhaustive, __ATOMIC_RELAXED);
	__atomic_store_n(&si_dispatch_slow, slow, __ATOMIC_RELEASE);
}

bool si_dispatch_must_run_at_site(long syscall_number)
{
	switch (syscall_number) {
	case SYS_clone:
#ifdef SYS_clone3
	case SYS_clone3:
#endif
	case SYS_fork:
	case SYS_vfork:
	case SYS_rt_sigreturn:
	case SYS_exit:
	case SYS_exit_group:
		return true;
	default:
		return false;
	}
}

void si_dispatch_set_post_hook(si_post_hook_fn fn)
{
	__atomic_store_n(&si_post_hook, fn, __ATOMIC_RELEASE);
	si_dispatch_update_slow();
}

bool si_dispatch_in_hook(void)
{
	return si_in_hook != 0;
}

/* True for the calls that create a thread or process. */
static inline bool is_clone(long nr)
{
	return (unsigned long)(nr - SYS_clone) <= SYS_vfork - SYS_clone ||
	       nr == SYS_clone3;
}
_Static_assert(SYS_fork == SYS_clone + 1 && SYS_vfork == SYS_clone + 2,
	       "clone, fork, vfork are consecutive");

/* Can the child run on this thread's TLS (vfork, or CLONE_VM without
 * CLONE_SETTLS; clone3's flags are not read here, so it counts)? Such a
 * child writes our recursion guard: if its hook ends in an exec or exit,
 * the guard stays set, and the parent must clear it when it resumes. */
static bool may_share_our_tls(const struct si_frame *frame)
{
	unsigned long flags = (unsigned long)frame->args[0];
	return frame->nr == SYS_vfork || frame->nr == SYS_clone3 ||
	       (frame->nr == SYS_clone && (flags & CLONE_VM) &&
		!(flags & CLONE_SETTLS));
}

/* A forwarded clone-family call: through the stub's clone paths while a
 * clone hook is set, a per-process log is open, or the child may share
 * our TLS; else at its site. */
static __attribute__((noinline)) int dispatch_clone(struct si_frame *frame)
{
	uint64_t flags = 0, top = 0;
	bool paths = __atomic_load_n(&intercept_hook_point_clone_child,
				     __ATOMIC_RELAXED) != NULL ||
		     __atomic_load_n(&intercept_hook_point_clone_parent,
				     __ATOMIC_RELAXED) != NULL ||
		     si_log_per_process() || may_share_our_tls(frame) ||
		     __atomic_load_n(&si_exhaustive, __ATOMIC_RELAXED);
	/* The shape is read once, for the plan and the memory's record. */
	bool known =
	    paths && si_clone_shape(frame->nr, frame->args, &flags, &top);
	si_mm_before_clone(flags);
	return known ? si_clone_plan(flags, top, frame->site)
		     : SI_ACTION_FORWARD;
}

/* A forwarded call while trapped sites exist: the signal-mask calls run
 * here, with the reserved signals (SIGTRAP, and SIGSYS in exhaustive mode)
 * kept deliverable (trap.h), their result returned as
 * an emulated one (after the post hook and the log saw it, for
 * SI_ACTION_FORWARD_POST). Everything else keeps `action`. */
static __attribute__((noinline)) int forward_trap_aware(struct si_frame *frame,
							int action)
{
	if (frame->nr == SYS_rt_sigreturn) {
		si_trap_sigreturn(frame);
		return action;
	}
	if (!si_trap_is_signal_call(frame->nr))
		return action;
	long result = si_trap_signal_call(frame);
	if (action == SI_ACTION_FORWARD_POST)
		si_dispatch_post(frame, result);
	frame->result = result;
	return SI_ACTION_EMULATED;
}

/* Runs the call in `frame` here, in the dispatcher, and returns the
 * kernel's result; a signal-mask call keeps the reserved signals
 * deliverable while trapped sites exist (trap.h). */
static long run_here(const struct si_frame *frame)
{
	if (__atomic_load_n(&si_trap_active, __ATOMIC_RELAXED) &&
	    si_trap_is_signal_call(frame->nr))
		return si_trap_signal_call(frame);
	return raw_syscall6(frame->nr, frame->args[0], frame->args[1],
			    frame->args[2], frame->args[3], frame->args[4],
			    frame->args[5]);
}

typedef int (*si_hook_fn)(long, long, long, long, long, long, long, long *);

/* Shows the call in `frame` to the hook (and, with `line`, to the log: the
 * line before, and the line after when the hook answers), with the guard
 * set. Returns 0 if the hook answered (frame->result holds the result), 1
 * if the kernel must run the call: no hook, the hook let it through, or
 * rt_sigreturn, which always runs. */
static int ask_hook(struct si_frame *frame, si_hook_fn hook, int was_in_hook,
		    struct si_log_line *line)
{
	int forward = 1;

	si_in_hook = 1;
	if (line != NULL)
		si_log_call(frame, line);
	if (hook != NULL) {
		frame->result = -ENOSYS;
		forward = hook(frame->nr, frame->args[0], frame->args[1],
			       frame->args[2], frame->args[3], frame->args[4],
			       frame->args[5], &frame->result);
	}
	if (frame->nr == SYS_rt_sigreturn)
		forward = 1;
	if (forward == 0 && line != NULL)
		si_log_result(frame, frame->result, line);
	si_in_hook = was_in_hook;
	return forward != 0;
}

/* Where a forwarded rt_sigreturn runs in exhaustive mode: the library's own
 * restorer (`mov $15, %rax; syscall`), inside the range SUD lets through,
 * so the thread's selector stays set to block and the code the signal
 * frame returns to is trapped as before. One per save policy: the stub
 * restores the vector registers as the site's flags say. */
static const struct si_site sigreturn_gates[SI_SITE_SAVE_MASK + 1] = {
    {(uint64_t)(uintptr_t)si_trap_sigaction_restorer,
     (uint64_t)(uintptr_t)si_trap_sigaction_restorer, 0, SI_SITE_SAVE_NONE, 0},
    {(uint64_t)(uintptr_t)si_trap_sigaction_restorer,
     (uint64_t)(uintptr_t)si_trap_sigaction_restorer, 0, SI_SITE_SAVE_SSE, 0},
    {(uint64_t)(uintptr_t)si_trap_sigaction_restorer,
     (uint64_t)(uintptr_t)si_trap_sigaction_restorer, 0, SI_SITE_SAVE_FULL, 0},
    {(uint64_t)(uintptr_t)si_trap_sigaction_restorer,
     (uint64_t)(uintptr_t)si_trap_sigaction_restorer, 0, SI_SITE_SAVE_FULL, 0},
};

/* A forwarded call in exhaustive mode: run here, inside the range SUD lets
 * through, except the calls that must run at their site: rt_sigreturn
 * through a gate above; the others go to their site with the thread's
 * selector set to allow (exhaustive.h). */
static __attribute__((noinline)) int forward_exhaustive(struct si_frame *frame,
							int action)
{
	if (frame->nr == SYS_rt_sigreturn) {
		frame->site =
		    &sigreturn_gates[frame->site->flags & SI_SITE_SAVE_MASK];
		return SI_ACTION_FORWARD;
	}
	if (si_dispatch_must_run_at_site(frame->nr)) {
		si_exhaustive_allow_once(frame->nr);
		return SI_ACTION_FORWARD;
	}
	frame->result = run_here(frame);
	if (action == SI_ACTION_FORWARD_POST)
		si_dispatch_post(frame, frame->result);
	return SI_ACTION_EMULATED;
}

static inline int forwarded(struct si_frame *frame, int action)
{
	if (__builtin_expect(__atomic_load_n(&si_trap_active, __ATOMIC_RELAXED),
			     0)) {
		action = forward_trap_aware(frame, action);
		if (action == SI_ACTION_EMULATED)
			return action;
	}
	if (__builtin_expect(__atomic_load_n(&si_exhaustive, __ATOMIC_RELAXED),
			     0))
		return forward_exhaustive(frame, action);
	return action;
}

/* rt_sigaction run here, with the application's handler wrapped
 * (signals.h); a post hook and the log see the kernel's result. */
static __attribute__((noinline)) int dispatch_sigaction(struct si_frame *frame)
{
	/* With trapped sites, trap.c keeps the reserved signals ours and out
	 * of masks (and wraps other handlers through si_signals_sigaction). */
	if (__atomic_load_n(&si_trap_active, __ATOMIC_RELAXED))
		frame->result = si_trap_signal_call(frame);
	else
		frame->result =
		    si_signals_sigaction(frame->args[0], frame->args[1],
					 frame->args[2], frame->args[3]);
	si_dispatch_post(frame, frame->result);
	return SI_ACTION_EMULATED;
}

int si_dispatch_forward_special(struct si_frame *frame)
{
	if (si_signals_wants(frame->nr, frame->args[1], frame->args[2]))
		return dispatch_sigaction(frame);
	if (is_clone(frame->nr))
		return dispatch_clone(frame);
	return SI_ACTION_FORWARD;
}

/* si_dispatch with the log on for this call: the line before, the hook,
 * then the call itself run here (unless it must run at its site) and the
 * line after, which reuses the text of the line before. */
static __attribute__((noinline)) int
dispatch_logged(struct si_frame *frame, si_hook_fn hook, int was_in_hook)
{
	struct si_log_line line;

	if (!ask_hook(frame, hook, was_in_hook, &line))
		return SI_ACTION_EMULATED;
	if (was_in_hook)
		return forwarded(frame, SI_ACTION_FORWARD);
	if (is_clone(frame->nr) || frame->nr == SYS_rt_sigaction) {
		int action = si_dispatch_forward_special(frame);
		if (action != SI_ACTION_FORWARD)
			return action;
	}
	if (si_dispatch_must_run_at_site(frame->nr))
		return forwarded(frame, SI_ACTION_FORWARD);
	frame->result = run_here(frame);
	si_in_hook = 1;
	si_log_result(frame, frame->result, &line);
	si_post_hook_fn post = __atomic_load_n(&si_post_hook, __ATOMIC_ACQUIRE);
	if (post != NULL)
		post(frame->nr, frame->args, frame->result);
	si_in_hook = was_in_hook;
	return SI_ACTION_EMULATED;
}

int si_dispatch_observe(struct si_frame *frame)
{
	si_hook_fn hook =
	    __atomic_load_n(&intercept_hook_point, __ATOMIC_RELAXED);
	int was_in_hook = si_in_hook;
	struct si_log_line line;
	bool logging = __atomic_load_n(&si_log_active, __ATOMIC_RELAXED) &&
		       si_log_wants(frame->nr);

	if (was_in_hook && frame->nr != SYS_rt_sigreturn)
		return SI_ACTION_FORWARD;
	return ask_hook(frame, hook, was_in_hook, logging ? &line : NULL)
		   ? SI_ACTION_FORWARD
		   : SI_ACTION_EMULATED;
}

int si_dispatch(struct si_frame *frame)
{
	si_hook_fn hook =
	    __atomic_load_n(&intercept_hook_point, __ATOMIC_RELAXED);
	int logging = __atomic_load_n(&si_log_active, __ATOMIC_RELAXED);
	int was_in_hook = si_in_hook;

	if (__builtin_expect(__atomic_load_n(&si_exhaustive, __ATOMIC_RELAXED),
			     0))
		si_exhaustive_enter();
	/* A call the hook itself makes goes to the kernel. rt_sigreturn never
	 * comes from a hook's code: it ends a signal handler that interrupted
	 * one, and is shown to the hook like the handler's other calls. */
	if (__builtin_expect(was_in_hook, 0) && frame->nr != SYS_rt_sigreturn)
		return forwarded(frame, SI_ACTION_FORWARD);
	if (__builtin_expect(logging, 0) && si_log_wants(frame->nr))
		return dispatch_logged(frame, hook, was_in_hook);
	if (hook == NULL) {
		if (__builtin_expect(was_in_hook, 0))
			return forwarded(frame, SI_ACTION_FORWARD);
		int action = si_dispatch_forward_special(frame);
		return action == SI_ACTION_FORWARD ? forwarded(frame, action)
						   : action;
	}

	if (!ask_hook(frame, hook, was_in_hook, NULL))
		return SI_ACTION_EMULATED;
	if (__builtin_expect(was_in_hook, 0))
		return forwarded(frame, SI_ACTION_FORWARD);
	if (__builtin_expect(
		is_clone(frame->nr) || frame->nr == SYS_rt_sigaction, 0)) {
		int action = si_dispatch_forward_special(frame);
		if (action != SI_ACTION_FORWARD)
			return action;
	}
	if (__builtin_expect(
		__atomic_load_n(&si_post_hook, __ATOMIC_RELAXED) != NULL, 0) &&
	    !si_dispatch_must_run_at_site(frame->nr))
		return forwarded(frame, SI_ACTION_FORWARD_POST);
	return forwarded(frame, SI_ACTION_FORWARD);
}

/* Both sides of a clone the stub ran. In a new thread with its own TLS the
 * guard starts clear; a forked or vforked child sees the parent's, which was
 * clear when the parent made the call. A CLONE_VM child without CLONE_SETTLS
 * shares the parent's flag: both sides set it around their hook and clear
 * it after, so it ends clear whatever the interleaving. */
void si_dispatch_clone_done(struct si_frame *frame)
{
	long result = frame->result;

	if (result != 0) {
		/* This side was not in a hook when it made the call: a child
		 * sharing our memory (vfork) may have left the guard set when
		 * its hook exec'd or exited. */
		si_in_hook = 0;
	}
	if (result == 0) {
		si_log_forked(); /* a new process gets its own per-pid log */
		si_exhaustive_child(); /* the kernel did not arm it */
		void (*child)(void) = __atomic_load_n(
		    &intercept_hook_point_clone_child, __ATOMIC_RELAXED);
		if (child != NULL) {
			si_in_hook = 1;
			child();
			si_in_hook = 0;
		}
	} else if (result > 0) {
		void (*parent)(long) = __atomic_load_n(
		    &intercept_hook_point_clone_parent, __ATOMIC_RELAXED);
		if (parent != NULL) {
			si_in_hook = 1;
			parent(result);
			si_in_hook = 0;
		}
	}
}

void si_dispatch_post(struct si_frame *frame, long result)
{
	si_post_hook_fn fn = __atomic_load_n(&si_post_hook, __ATOMIC_ACQUIRE);
	int logging = __atomic_load_n(&si_log_active, __ATOMIC_RELAXED) &&
		      si_log_wants(frame->nr);

	if ((fn == NULL && !logging) || si_in_hook)
		return;
	si_in_hook = 1;
	if (logging)
		si_log_result(frame, result, NULL);
	if (fn != NULL)
		fn(frame->nr, frame->args, result);
	si_in_hook = 0;
}

/* The program name the filter is compared with: argv[0] from
 * /proc/self/cmdline, read with raw syscalls. Returns its length, or -1. */
static long read_argv0(char *buf, size_t size)
{
	if (raw_read_file("/proc/self/cmdline", buf, size) < 0)
		return -1;
	return (long)strlen(buf);
}

SI_PUBLIC int syscall_hook_in_process_allowed(void)
{
	static int decided = -1;
	char argv0[4096];
	const char *filter;
	long len;

	if (decided >= 0)
		return decided;
	filter = getenv("INTERCEPT_HOOK_CMDLINE_FILTER");
	if (filter == NULL) {
		decided = 1;
		return decided;
	}
	len = read_argv0(argv0, sizeof(argv0));
	if (len < 0) {
		decided = 0;
		return decided;
	}
	/* The last path component of argv[0], compared whole. */
	const char *name = strrchr(argv0, '/');
	name = name ? name + 1 : argv0;
	decided = strcmp(name, filter) == 0;
	return decided;
}
