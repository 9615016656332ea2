/*
 * The SIGTRAP side of trapped sites (see trap.h): the site table, the
 * handler that sends a trapped thread to its trampoline, and the signal-mask
 * calls run with SIGTRAP kept deliverable. Everything here runs in a signal
 * handler or on the hot path of a call: raw syscalls only, no allocation,
 * no locks.
 */
#include "dispatch/trap.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <ucontext.h>

#include "base/raw_syscall.h"
#include "dispatch/dispatch.h"
#include "dispatch/ksig.h"
#include "dispatch/signals.h"

#define TRAP_BIT (1ULL << (SIGTRAP - 1))

void si_trap_sigaction_restorer(void); /* trap_restorer.S */

int si_trap_active;

/* ---- the site table ------------------------------------------------------ */

/* One published table: immutable once published, never unmapped (a handler
 * on another thread may still be reading the one it replaced). */
struct trap_set {
	size_t n;
	size_t bytes;
	struct si_trap_entry e[];
};

static const struct trap_set *trap_current;

const struct si_trap_entry *si_trap_sites(size_t *n)
{
	const struct trap_set *t =
	    __atomic_load_n(&trap_current, __ATOMIC_ACQUIRE);
	*n = t ? t->n : 0;
	return t ? t->e : NULL;
}

/* ---- the application's view of SIGTRAP ----------------------------------- */

/* The application's SIGTRAP action. Written by rt_sigaction(SIGTRAP) (and
 * SA_RESETHAND), read by the handler, which may interrupt a writer on its
 * own thread: a writer fills a fresh slot of the ring, then publishes its
 * index, so a reader always sees one whole action. */
#define APP_SLOTS 8
static struct ksigaction app_slots[APP_SLOTS];
static unsigned app_current;
static unsigned app_next;

static struct ksigaction app_action(void)
{
	return app_slots[__atomic_load_n(&app_current, __ATOMIC_ACQUIRE) %
			 APP_SLOTS];
}

static void set_app_action(const struct ksigaction *a)
{
	unsigned i = __atomic_add_fetch(&app_next, 1, __ATOMIC_RELAXED);
	app_slots[i % APP_SLOTS] = *a;
	__atomic_store_n(&app_current, i, __ATOMIC_RELEASE);
}

/* Per thread: the application asked for SIGTRAP blocked (the kernel's mask
 * never has it). */
static __thread int trap_app_blocked __attribute__((tls_model("initial-exec")));

/* Bit s - 1: the application's sa_mask for signal s has SIGTRAP. */
static uint64_t samask_has_trap;

/* ---- raw helpers --------------------------------------------------------- */

/* Copies application memory without faulting on a bad pointer. Returns 0
 * or -EFAULT. Where process_vm_readv/writev is refused (a seccomp filter),
 * the memory is accessed directly: the pointer is then trusted. */
static long vm_copy(long nr, void *local, long remote, size_t len)
{
	struct iovec l = {local, len};
	struct iovec r = {(void *)remote, len};
	long n = raw_syscall6(nr, raw_syscall0(SYS_getpid), (long)&l, 1,
			      (long)&r, 1, 0);
	if (n == (long)len)
		return 0;
	if (n != -EPERM && n != -ENOSYS && n != -EACCES)
		return -EFAULT;
	volatile uint8_t *to =
	    (volatile uint8_t *)(nr == SYS_process_vm_readv ? local
							    : (void *)remote);
	const volatile uint8_t *from =
	    (const volatile uint8_t *)(nr == SYS_process_vm_readv
					   ? (void *)remote
					   : local);
	for (size_t i = 0; i < len; i++)
		to[i] = from[i];
	return 0;
}

static long vm_read(void *dst, long src, size_t len)
{
	return vm_copy(SYS_process_vm_readv, dst, src, len);
}

static long vm_write(long dst, const void *src, size_t len)
{
	return vm_copy(SYS_process_vm_writev, (void *)src, dst, len);
}

static bool is_function(uint64_t handler)
{
	return handler != K_SIG_DFL && handler != K_SIG_IGN;
}

/* ---- the handler --------------------------------------------------------- */

static void trap_handler(int sig, siginfo_t *info, void *ucv);

/* Installs our handler with what the application's action asks of the
 * delivery: its sa_mask (less SIGTRAP) and SA_ONSTACK/SA_RESTART. Always
 * SA_NODEFER: a trapped site reached from a handler the application chained
 * from ours must not meet SIGTRAP blocked. */
static long install_ours(const struct ksigaction *app)
{
	struct ksigaction k;

	k.handler = (uint64_t)(uintptr_t)&trap_handler;
	k.flags = SA_SIGINFO | SA_NODEFER | SA_RESTORER |
		  (app->flags & (SA_ONSTACK | SA_RESTART));
	k.restorer = (uint64_t)(uintptr_t)&si_trap_sigaction_restorer;
	k.mask = is_function(app->handler) ? app->mask & ~TRAP_BIT : 0;
	return k_sigaction(SIGTRAP, &k, NULL);
}

/* A SIGTRAP that is not one of our sites: what the application's action
 * says. si_code > 0: the kernel raised it (int3, a breakpoint, a single
 * step), and the kernel kills rather than ignore those. */
static void chain(int sig, siginfo_t *info, void *uc)
{
	struct ksigaction app = app_action();

	if (app.handler == K_SIG_DFL) {
		si_signals_default_action(SIGTRAP);
		return;
	}
	if (app.handler == K_SIG_IGN) {
		if (info->si_code > 0)
			si_signals_default_action(SIGTRAP);
		return;
	}
	if (app.flags & SA_RESETHAND) {
		struct ksigaction dfl = {K_SIG_DFL, 0, 0, 0};
		set_app_action(&dfl);
		install_ours(&dfl);
	}
	si_signals_call_app(app.handler, app.flags, sig, info, uc);
}

static void trap_handler(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = (ucontext_t *)ucv;

	/* Our int3 raises SIGTRAP with SI_KERNEL and rip just past it. */
	if (info->si_code == SI_KERNEL) {
		size_t n;
		const struct si_trap_entry *t = si_trap_sites(&n);
		const struct si_trap_entry *e = si_trap_table_find(
		    t, n, (uint64_t)uc->uc_mcontext.gregs[REG_RIP] - 1);
		if (e != NULL) {
			uc->uc_mcontext.gregs[REG_RIP] = (greg_t)e->target;
			return;
		}
	}
	chain(sig, info, ucv);
}

/* ---- installing ---------------------------------------------------------- */

/* Takes SIGTRAP out of the sa_mask of every action installed before us
 * (earlier constructors, or inherited SIG_DFL/SIG_IGN, which have none). */
static void filter_existing_actions(void)
{
	for (int s = 1; s <= 64; s++) {
		struct ksigaction a;
		if (s == SIGTRAP || s == SIGKILL || s == SIGSTOP ||
		    k_sigaction(s, NULL, &a) != 0 || !is_function(a.handler) ||
		    !(a.mask & TRAP_BIT))
			continue;
		a.mask &= ~TRAP_BIT;
		if (k_sigaction(s, &a, NULL) == 0)
			__atomic_fetch_or(&samask_has_trap, 1ULL << (s - 1),
					  __ATOMIC_RELAXED);
	}
}

static long install(void)
{
	struct ksigaction old;
	uint64_t trap = TRAP_BIT, mask = 0;
	long r = k_sigaction(SIGTRAP, NULL, &old);

	if (r != 0)
		return r;
	set_app_action(&old);
	r = install_ours(&old);
	if (r != 0)
		return r;
	/* A mask inherited across execve may block SIGTRAP: unblock it, and
	 * report it blocked to the application. */
	k_sigprocmask(SIG_UNBLOCK, &trap, &mask);
	trap_app_blocked = (mask & TRAP_BIT) != 0;
	filter_existing_actions();
	__atomic_store_n(&si_trap_active, 1, __ATOMIC_RELEASE);
	si_dispatch_update_slow();
	return 0;
}

int si_trap_prepare(void)
{
	if (__atomic_load_n(&si_trap_active, __ATOMIC_ACQUIRE))
		return 0;
	return (int)install();
}

int si_trap_forget(uint64_t target_lo, uint64_t target_hi)
{
	size_t old_n, keep = 0;
	const struct si_trap_entry *old = si_trap_sites(&old_n);

	for (size_t i = 0; i < old_n; i++)
		keep += old[i].target < target_lo || old[i].target >= target_hi;
	if (keep == old_n)
		return 0;
	size_t bytes =
	    sizeof(struct trap_set) + keep * sizeof(struct si_trap_entry);
	bytes = (bytes + 4095) & ~(size_t)4095;
	long m = raw_syscall6(SYS_mmap, 0, (long)bytes, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw_is_error(m))
		return (int)m;
	struct trap_set *t = (struct trap_set *)m;
	t->bytes = bytes;
	t->n = 0;
	for (size_t i = 0; i < old_n; i++)
		if (old[i].target < target_lo || old[i].target >= target_hi)
			t->e[t->n++] = old[i]; /* stays sorted */
	raw_syscall3(SYS_mprotect, m, (long)bytes, PROT_READ);
	/* The old table stays mapped: a handler in another thread may be
	 * reading it. */
	__atomic_store_n(&trap_current, t, __ATOMIC_RELEASE);
	return (int)(old_n - keep);
}

int si_trap_add_sites(struct si_trap_entry *e, size_t n)
{
	size_t old_n;
	const struct si_trap_entry *old = si_trap_sites(&old_n);

	if (n == 0)
		return 0;
	si_trap_table_sort(e, n);
	size_t bytes = sizeof(struct trap_set) +
		       (old_n + n) * sizeof(struct si_trap_entry);
	bytes = (bytes + 4095) & ~(size_t)4095;
	long m = raw_syscall6(SYS_mmap, 0, (long)bytes, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw_is_error(m))
		return (int)m;
	struct trap_set *t = (struct trap_set *)m;
	t->bytes = bytes;
	t->n = si_trap_table_merge(old, old_n, e, n, t->e, old_n + n);
	raw_syscall3(SYS_mprotect, m, (long)bytes, PROT_READ);
	if (!__atomic_load_n(&si_trap_active, __ATOMIC_ACQUIRE)) {
		long r = install();
		if (r != 0) {
			raw_syscall2(SYS_munmap, m, (long)bytes);
			return (int)r;
		}
	}
	__atomic_store_n(&trap_current, t, __ATOMIC_RELEASE);
	return 0;
}

/* ---- the signal-mask calls ----------------------------------------------- */

static long raw_call(long nr, const long a[6])
{
	return raw_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* rt_sigprocmask with SIGTRAP taken out of the set, so that no signal
 * delivered as the call returns runs with SIGTRAP blocked; the old mask
 * reports SIGTRAP as this thread last asked for it. A set that cannot be
 * read gives -EFAULT, as from the kernel (which then changes nothing). */
static long trap_sigprocmask(const long a[6])
{
	long how = a[0];
	long args[6] = {a[0], a[1], a[2], a[3], a[4], a[5]};
	uint64_t set;
	int was = trap_app_blocked, now = was;

	if (a[3] != KSIGSET_SIZE)
		return raw_call(SYS_rt_sigprocmask, a); /* -EINVAL */
	if (a[1] != 0) {
		if (vm_read(&set, a[1], sizeof(set)) != 0)
			return -EFAULT;
		bool asked = (set & TRAP_BIT) != 0;
		if (how == SIG_BLOCK)
			now = was || asked;
		else if (how == SIG_UNBLOCK)
			now = was && !asked;
		else if (how == SIG_SETMASK)
			now = asked;
		set &= ~TRAP_BIT;
		args[1] = (long)&set;
	}
	long r = raw_call(SYS_rt_sigprocmask, args);
	if (r != 0)
		return r;
	/* The kernel has just written *oldset: it is writable memory. */
	if (a[2] != 0 && was)
		*(uint64_t *)a[2] |= TRAP_BIT;
	trap_app_blocked = now;
	return r;
}

static long trap_sigaction_sigtrap(const long a[6])
{
	struct ksigaction old = app_action(), act;

	if (a[3] != KSIGSET_SIZE)
		return raw_call(SYS_rt_sigaction, a); /* -EINVAL */
	if (a[1] != 0) {
		long r = vm_read(&act, a[1], sizeof(act));
		if (r != 0)
			return -EFAULT;
		set_app_action(&act);
		r = install_ours(&act);
		if (r != 0)
			return r;
	}
	if (a[2] != 0 && vm_write(a[2], &old, sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

static long trap_sigaction_other(const long a[6])
{
	long sig = a[0];
	struct ksigaction act;
	long args[6] = {a[0], a[1], a[2], a[3], a[4], a[5]};
	int asked = -1;

	if (a[3] != KSIGSET_SIZE || sig < 1 || sig > 64)
		return raw_call(SYS_rt_sigaction, a);
	uint64_t bit = 1ULL << (sig - 1);
	bool had =
	    (__atomic_load_n(&samask_has_trap, __ATOMIC_RELAXED) & bit) != 0;
	if (a[1] != 0) {
		long r = vm_read(&act, a[1], sizeof(act));
		if (r == -EFAULT)
			return r;
		if (r == 0 && (act.mask & TRAP_BIT)) {
			act.mask &= ~TRAP_BIT;
			args[1] = (long)&act;
			asked = 1;
		} else if (r == 0) {
			asked = 0;
		}
	}
	/* The application's handler is wrapped as every other (signals.h). */
	long r = si_signals_sigaction(args[0], args[1], args[2], args[3]);
	if (r != 0)
		return r;
	if (a[2] != 0 && had) {
		uint64_t m;
		long mask_at = a[2] + (long)offsetof(struct ksigaction, mask);
		if (vm_read(&m, mask_at, sizeof(m)) == 0) {
			m |= TRAP_BIT;
			vm_write(mask_at, &m, sizeof(m));
		}
	}
	if (asked == 1)
		__atomic_fetch_or(&samask_has_trap, bit, __ATOMIC_RELAXED);
	else if (asked == 0)
		__atomic_fetch_and(&samask_has_trap, ~bit, __ATOMIC_RELAXED);
	return r;
}

/* A call whose argument `idx` is a temporary mask of `size` bytes: run with
 * a copy that lacks SIGTRAP. A mask that cannot be read is passed as it is
 * (the kernel then answers -EFAULT itself). */
static long with_mask(long nr, const long a[6], int idx, long size)
{
	long args[6] = {a[0], a[1], a[2], a[3], a[4], a[5]};
	uint64_t mask;

	if (a[idx] == 0 || size != KSIGSET_SIZE ||
	    vm_read(&mask, a[idx], sizeof(mask)) != 0 || !(mask & TRAP_BIT))
		return raw_call(nr, a);
	mask &= ~TRAP_BIT;
	args[idx] = (long)&mask;
	return raw_call(nr, args);
}

/* pselect6's sixth argument points at { const sigset_t *ss; size_t len }. */
static long trap_pselect6(const long a[6])
{
	struct {
		long ss;
		long len;
	} data, copy;
	long args[6] = {a[0], a[1], a[2], a[3], a[4], a[5]};
	uint64_t mask;

	if (a[5] == 0 || vm_read(&data, a[5], sizeof(data)) != 0 ||
	    data.ss == 0 || data.len != KSIGSET_SIZE ||
	    vm_read(&mask, data.ss, sizeof(mask)) != 0 || !(mask & TRAP_BIT))
		return raw_call(SYS_pselect6, a);
	mask &= ~TRAP_BIT;
	copy.ss = (long)&mask;
	copy.len = KSIGSET_SIZE;
	args[5] = (long)&copy;
	return raw_call(SYS_pselect6, args);
}

long si_trap_no_intercept(long nr, long a0, long a1, long a2, long a3, long a4,
			  long a5)
{
	struct si_frame f;

	if (!si_trap_is_signal_call(nr))
		return raw_syscall6(nr, a0, a1, a2, a3, a4, a5);
	f.nr = nr;
	f.args[0] = a0;
	f.args[1] = a1;
	f.args[2] = a2;
	f.args[3] = a3;
	f.args[4] = a4;
	f.args[5] = a5;
	return si_trap_signal_call(&f);
}

/* At rt_sigreturn, rsp points at the signal frame's ucontext (the
 * handler's `ret` popped pretcode). */
_Static_assert(offsetof(ucontext_t, uc_sigmask) == 296,
	       "uc_sigmask where the kernel's struct ucontext has it");

void si_trap_sigreturn(const struct si_frame *frame)
{
	long at = (long)frame->app_rsp + (long)offsetof(ucontext_t, uc_sigmask);
	uint64_t mask;

	if (vm_read(&mask, at, sizeof(mask)) != 0 || !(mask & TRAP_BIT))
		return;
	mask &= ~TRAP_BIT;
	if (vm_write(at, &mask, sizeof(mask)) == 0)
		trap_app_blocked = 1;
}

long si_trap_signal_call(const struct si_frame *frame)
{
	const long *a = frame->args;

	switch (frame->nr) {
	case SYS_rt_sigprocmask:
		return trap_sigprocmask(a);
	case SYS_rt_sigaction:
		return a[0] == SIGTRAP ? trap_sigaction_sigtrap(a)
				       : trap_sigaction_other(a);
	case SYS_rt_sigsuspend:
		return with_mask(frame->nr, a, 0, a[1]);
	case SYS_ppoll:
		return with_mask(frame->nr, a, 3, a[4]);
	case SYS_epoll_pwait:
#ifdef SYS_epoll_pwait2
	case SYS_epoll_pwait2:
#endif
		return with_mask(frame->nr, a, 4, a[5]);
	case SYS_pselect6:
		return trap_pselect6(a);
	default:
		return raw_call(frame->nr, a);
	}
}
