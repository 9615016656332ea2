/* The application's signal handlers, wrapped: see signals.h. */
#include "dispatch/signals.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "base/raw_syscall.h"
#include "dispatch/ksig.h"
#include "dispatch/mm_pid.h"
#include "trampoline/entry_abi.h"

#define SI_NSIG 65 /* signals 1..64 */

/* The application's handler and flags per signal, for signals whose kernel
 * handler is si_signal_wrapper; handler K_SIG_DFL otherwise. */
static struct {
	uint64_t handler;
	uint64_t flags;
} app[SI_NSIG];

/* Serializes updates of `app` with the kernel's table: see si_signals_lock. */
static int table_lock;

/* Application handlers running on this thread (one left by siglongjmp
 * stays counted: the count errs towards "inside"). */
static __thread int app_depth __attribute__((tls_model("initial-exec")));

void si_signals_call_app(uint64_t handler, uint64_t flags, int sig,
			 siginfo_t *info, void *uc)
{
	if (handler == K_SIG_DFL || handler == K_SIG_IGN)
		return;
	int saved = si_in_hook;
	si_in_hook = 0;
	app_depth++;
	if (flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))(uintptr_t)handler)(
		    sig, info, uc);
	else
		((void (*)(int))(uintptr_t)handler)(sig);
	app_depth--;
	si_in_hook = saved;
}

bool si_signals_in_app_handler(void)
{
	return app_depth != 0;
}

void si_signals_default_action(int sig)
{
	struct ksigaction dfl = {K_SIG_DFL, 0, 0, 0};
	uint64_t bit = ksig_bit(sig);
	k_sigaction(sig, &dfl, NULL);
	k_sigprocmask(SIG_UNBLOCK, &bit, NULL);
	raw_syscall3(SYS_tgkill, raw_syscall0(SYS_getpid),
		     raw_syscall0(SYS_gettid), sig);
}

static void si_signal_wrapper(int sig, siginfo_t *info, void *uc)
{
	uint64_t h = K_SIG_DFL, flags = 0;
	if (sig > 0 && sig < SI_NSIG) {
		h = __atomic_load_n(&app[sig].handler, __ATOMIC_ACQUIRE);
		flags = __atomic_load_n(&app[sig].flags, __ATOMIC_RELAXED);
		/* The kernel reset the action to SIG_DFL on delivery. */
		if (flags & SA_RESETHAND)
			__atomic_store_n(&app[sig].handler, K_SIG_DFL,
					 __ATOMIC_RELEASE);
	}
	si_signals_call_app(h, flags, sig, info, uc);
}

bool si_signals_wants(long nr, long act, long oact)
{
	return nr == SYS_rt_sigaction && (act != 0 || oact != 0);
}

void si_signals_lock(uint64_t *saved)
{
	uint64_t all = ~(uint64_t)0;
	k_sigprocmask(SIG_SETMASK, &all, saved);
	while (__atomic_exchange_n(&table_lock, 1, __ATOMIC_ACQUIRE))
		raw_syscall0(SYS_sched_yield);
}

void si_signals_unlock(const uint64_t *saved)
{
	__atomic_store_n(&table_lock, 0, __ATOMIC_RELEASE);
	k_sigprocmask(SIG_SETMASK, saved, NULL);
}

long si_signals_sigaction(long sig, long act, long oact, long sigsetsize)
{
	struct ksigaction want = {0, 0, 0, 0}, k, old = {0, 0, 0, 0};
	if (sig <= 0 || sig >= SI_NSIG || sigsetsize != KSIGSET_SIZE)
		return raw_syscall4(SYS_rt_sigaction, sig, act, oact,
				    sigsetsize);
	if (act && !raw_copy_self(SYS_process_vm_readv, &want, (uint64_t)act,
				  sizeof(want)))
		return -EFAULT;
	/* A child running in its parent's memory (vfork, posix_spawn, which
	 * resets every handler before exec) must leave the parent's records
	 * alone: its own table gets the action as asked, unwrapped. */
	bool own = !act || si_mm_is_own();
	bool wrap = own && act && want.handler != K_SIG_DFL &&
		    want.handler != K_SIG_IGN;
	k = want;
	if (wrap) {
		k.handler = (uint64_t)(uintptr_t)&si_signal_wrapper;
		k.flags |= SA_SIGINFO;
	}
	uint64_t mask;
	si_signals_lock(&mask);
	uint64_t prev_handler = app[sig].handler;
	uint64_t prev_flags = app[sig].flags;
	long r = k_sigaction((int)sig, act ? &k : NULL, oact ? &old : NULL);
	if (r == 0 && act && own) {
		__atomic_store_n(&app[sig].flags, wrap ? want.flags : 0,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&app[sig].handler,
				 wrap ? want.handler : K_SIG_DFL,
				 __ATOMIC_RELEASE);
	}
	si_signals_unlock(&mask);
	if (r == 0 && oact) {
		if (old.handler == (uint64_t)(uintptr_t)&si_signal_wrapper &&
		    prev_handler != K_SIG_DFL) {
			old.handler = prev_handler;
			old.flags = (old.flags & ~(uint64_t)SA_SIGINFO) |
				    (prev_flags & SA_SIGINFO);
		}
		if (!raw_copy_self(SYS_process_vm_writev, &old, (uint64_t)oact,
				   sizeof(old)))
			return -EFAULT;
	}
	return r;
}
