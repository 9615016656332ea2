/* The application's signal handlers, wrapped: see signals.h. */
#include "dispatch/signals.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "base/raw_syscall.h"
#include "dispatch/exhaustive.h"
#include "trampoline/entry_abi.h"

/* The kernel's struct sigaction on x86_64 (not libc's). */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

#define SI_NSIG		 65 /* signals 1..64 */
#define SI_KERNEL_SIGSET 8

/* The application's handler and flags per signal, for signals whose kernel
 * handler is si_signal_wrapper; handler NULL otherwise. */
static struct {
	void *handler;
	unsigned long flags;
} app[SI_NSIG];

/* Serializes updates of `app` with the kernel's table (all signals blocked
 * while held, so a handler on the same thread cannot deadlock on it). */
static int table_lock;

static void si_signal_wrapper(int sig, siginfo_t *info, void *uc)
{
	int saved = si_in_hook;
	void *h = NULL;
	unsigned long flags = 0;
	si_in_hook = 0;
	if (sig > 0 && sig < SI_NSIG) {
		h = __atomic_load_n(&app[sig].handler, __ATOMIC_ACQUIRE);
		flags = __atomic_load_n(&app[sig].flags, __ATOMIC_RELAXED);
		/* The kernel reset the action to SIG_DFL on delivery. */
		if (flags & SA_RESETHAND)
			__atomic_store_n(&app[sig].handler, NULL,
					 __ATOMIC_RELEASE);
	}
	if (h != NULL && h != (void *)SIG_DFL && h != (void *)SIG_IGN) {
		if (flags & SA_SIGINFO)
			((void (*)(int, siginfo_t *, void *))h)(sig, info, uc);
		else
			((void (*)(int))h)(sig);
	}
	si_in_hook = saved;
}

bool si_signals_wants(long nr, long act, long oact)
{
	return nr == SYS_rt_sigaction && (act != 0 || oact != 0);
}

static void lock(uint64_t *saved_mask)
{
	uint64_t all = ~(uint64_t)0;
	raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all,
		     (long)saved_mask, SI_KERNEL_SIGSET);
	while (__atomic_exchange_n(&table_lock, 1, __ATOMIC_ACQUIRE))
		raw_syscall0(SYS_sched_yield);
}

static void unlock(const uint64_t *saved_mask)
{
	__atomic_store_n(&table_lock, 0, __ATOMIC_RELEASE);
	raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, (long)saved_mask, 0,
		     SI_KERNEL_SIGSET);
}

long si_signals_sigaction(long sig, long act, long oact, long sigsetsize)
{
	struct ksigaction want = {0, 0, 0, 0}, k, old = {0, 0, 0, 0};
	if (sig == SIGSYS && __atomic_load_n(&si_exhaustive, __ATOMIC_ACQUIRE))
		return si_exhaustive_sigaction(act, oact, sigsetsize);
	if (sig <= 0 || sig >= SI_NSIG || sigsetsize != SI_KERNEL_SIGSET)
		return raw_syscall4(SYS_rt_sigaction, sig, act, oact,
				    sigsetsize);
	if (act && !raw_copy_self(SYS_process_vm_readv, &want, (uint64_t)act,
				  sizeof(want)))
		return -EFAULT;
	bool wrap = act && want.handler != (void *)SIG_DFL &&
		    want.handler != (void *)SIG_IGN;
	k = want;
	if (wrap) {
		k.handler = (void *)si_signal_wrapper;
		k.flags |= SA_SIGINFO;
	}
	uint64_t mask;
	lock(&mask);
	void *prev_handler = app[sig].handler;
	unsigned long prev_flags = app[sig].flags;
	long r = raw_syscall4(SYS_rt_sigaction, sig, act ? (long)&k : 0,
			      oact ? (long)&old : 0, SI_KERNEL_SIGSET);
	if (r == 0 && act) {
		__atomic_store_n(&app[sig].flags, wrap ? want.flags : 0,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&app[sig].handler, wrap ? want.handler : NULL,
				 __ATOMIC_RELEASE);
	}
	unlock(&mask);
	if (r == 0 && oact) {
		if (old.handler == (void *)si_signal_wrapper &&
		    prev_handler != NULL) {
			old.handler = prev_handler;
			old.flags = (old.flags & ~(unsigned long)SA_SIGINFO) |
				    (prev_flags & SA_SIGINFO);
		}
		if (!raw_copy_self(SYS_process_vm_writev, &old, (uint64_t)oact,
				   sizeof(old)))
			return -EFAULT;
	}
	return r;
}
