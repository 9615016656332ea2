/*
 * The SIGTRAP side of trapped sites (see trap.h): the site table, the
 * handler that sends a trapped thread to its trampoline, and the reserved
 * signals (SIGTRAP, and SIGSYS in exhaustive mode): the application's
 * actions for them, and the signal-mask calls run with them kept
 * deliverable. Everything here runs in a signal handler or on the hot path
 * of a call: raw syscalls only, no allocation, no locks.
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
#include "dispatch/mm_pid.h"
#include "dispatch/signals.h"

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

/* ---- the reserved signals ----------------------------------------------- */

/* A signal the library holds while its handler is installed, and the
 * application's action for it. The action is written by rt_sigaction (and
 * SA_RESETHAND) and read by our handler, which may interrupt a writer on
 * its own thread: a writer fills a fresh slot of the ring, then publishes
 * its index, so a reader always sees one whole action. */
#define APP_SLOTS 8
struct reserved {
	int sig;
	si_trap_handler_fn handler; /* ours */
	struct ksigaction slots[APP_SLOTS];
	unsigned current;
	unsigned next;
};

static struct reserved reserved[] = {{.sig = SIGTRAP}, {.sig = SIGSYS}};

/* The bits of the signals reserved so far (it only grows). */
static uint64_t reserved_bits;

static uint64_t reserved_mask(void)
{
	return __atomic_load_n(&reserved_bits, __ATOMIC_ACQUIRE);
}

/* The entry of `sig` if it is reserved now, else NULL. */
static struct reserved *reserved_now(long sig)
{
	if (sig < 1 || sig > 64 || !(reserved_mask() & ksig_bit((int)sig)))
		return NULL;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (reserved[i].sig == sig)
			return &reserved[i];
	return NULL;
}

static struct ksigaction app_action(const struct reserved *r)
{
	return r
	    ->slots[__atomic_load_n(&r->current, __ATOMIC_ACQUIRE) % APP_SLOTS];
}

static void set_app_action(struct reserved *r, const struct ksigaction *a)
{
	unsigned i = __atomic_add_fetch(&r->next, 1, __ATOMIC_RELAXED);
	r->slots[i % APP_SLOTS] = *a;
	/* The kernel never keeps these two in sa_mask, nor reports them. */
	r->slots[i % APP_SLOTS].mask &=
	    ~(ksig_bit(SIGKILL) | ksig_bit(SIGSTOP));
	__atomic_store_n(&r->current, i, __ATOMIC_RELEASE);
}

/* Per thread: the reserved signals the application asked blocked (the
 * kernel's mask never has them). */
static __thread uint64_t app_blocked __attribute__((tls_model("initial-exec")));

/* Per signal s (1..64): the reserved signals the application's sa_mask for
 * s has (the kernel's never has them). */
static uint64_t samask_reserved[65];

/* ---- raw helpers --------------------------------------------------------- */

/* Application memory, read or written without faulting on a bad pointer
 * (raw_copy_self). Return 0 or -EFAULT. */
static long vm_read(void *dst, long src, size_t len)
{
	return raw_copy_self(SYS_process_vm_readv, dst, (uint64_t)src, len)
		   ? 0
		   : -EFAULT;
}

static long vm_write(long dst, const void *src, size_t len)
{
	return raw_copy_self(SYS_process_vm_writev, (void *)src, (uint64_t)dst,
			     len)
		   ? 0
		   : -EFAULT;
}

static bool is_function(uint64_t handler)
{
	return handler != K_SIG_DFL && handler != K_SIG_IGN;
}

/* ---- the handlers -------------------------------------------------------- */

/* Installs our handler for r->sig with what the application's action asks
 * of the delivery: SA_ONSTACK and SA_RESTART. Always SA_NODEFER: a trapped
 * site (or a syscall SUD traps) reached from a handler the application
 * chained from ours must not meet the signal blocked. No sa_mask: SIGSYS's
 * handler runs the trapped call itself, under the thread's own mask, not
 * the one the application gave its SIGSYS handler; si_trap_chain blocks the
 * application's sa_mask around its handler instead. */
static long install_ours(const struct reserved *r, const struct ksigaction *app)
{
	struct ksigaction k;

	k.handler = (uint64_t)(uintptr_t)r->handler;
	k.flags = SA_SIGINFO | SA_NODEFER | SA_RESTORER |
		  (app->flags & (SA_ONSTACK | SA_RESTART));
	k.restorer = (uint64_t)(uintptr_t)&si_trap_sigaction_restorer;
	k.mask = 0;
	return k_sigaction(r->sig, &k, NULL);
}

/* A reserved signal that is not the library's (trap.h). si_code > 0: the
 * kernel raised it (int3, a breakpoint, a single step, seccomp's
 * SECCOMP_RET_TRAP), and the kernel kills rather than ignore those. */
void si_trap_chain(int sig, siginfo_t *info, void *uc)
{
	struct reserved *r = reserved_now(sig);
	struct ksigaction app = r ? app_action(r) : (struct ksigaction){0};

	if (app.handler == K_SIG_DFL) {
		si_signals_default_action(sig);
		return;
	}
	if (app.handler == K_SIG_IGN) {
		if (info->si_code > 0)
			si_signals_default_action(sig);
		return;
	}
	if (app.flags & SA_RESETHAND) {
		struct ksigaction dfl = {K_SIG_DFL, 0, 0, 0};
		set_app_action(r, &dfl);
		install_ours(r, &dfl);
	}
	/* What the kernel would have blocked while the handler runs (the
	 * rt_sigreturn after it restores the mask of before). */
	uint64_t mask = app.mask & ~reserved_mask();
	if (mask != 0)
		k_sigprocmask(SIG_BLOCK, &mask, NULL);
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
	si_trap_chain(sig, info, ucv);
}

/* ---- installing ---------------------------------------------------------- */

/* Takes `bit` out of the sa_mask of every action installed before (earlier
 * constructors, or inherited SIG_DFL/SIG_IGN, which have none), noting it
 * as asked for. The reserved signals' own actions are ours, with none. */
static void filter_existing_actions(uint64_t bit)
{
	uint64_t skip = reserved_mask() | bit;

	for (int s = 1; s <= 64; s++) {
		struct ksigaction a;
		if ((skip & ksig_bit(s)) || s == SIGKILL || s == SIGSTOP ||
		    k_sigaction(s, NULL, &a) != 0 || !is_function(a.handler) ||
		    !(a.mask & bit))
			continue;
		a.mask &= ~bit;
		if (k_sigaction(s, &a, NULL) == 0)
			__atomic_fetch_or(&samask_reserved[s], bit,
					  __ATOMIC_RELAXED);
	}
}

/* Makes r->sig reserved, with `handler` as ours; the action found is the
 * application's (at start-up, where this runs, nothing is wrapped yet:
 * signals.h). */
static long reserve(struct reserved *r, si_trap_handler_fn handler)
{
	struct ksigaction old;
	uint64_t bit = ksig_bit(r->sig), mask = 0;
	long rc = k_sigaction(r->sig, NULL, &old);

	if (rc != 0)
		return rc;
	old.mask |= __atomic_load_n(&samask_reserved[r->sig], __ATOMIC_RELAXED);
	r->handler = handler;
	set_app_action(r, &old);
	rc = install_ours(r, &old);
	if (rc != 0)
		return rc;
	/* A mask inherited across execve may block the signal: unblock it,
	 * and report it blocked to the application. */
	k_sigprocmask(SIG_UNBLOCK, &bit, &mask);
	app_blocked |= mask & bit;
	filter_existing_actions(bit);
	__atomic_fetch_or(&reserved_bits, bit, __ATOMIC_RELEASE);
	return 0;
}

int si_trap_prepare(void)
{
	if (__atomic_load_n(&si_trap_active, __ATOMIC_ACQUIRE))
		return 0;
	long r = reserve(&reserved[0], &trap_handler);
	if (r != 0)
		return (int)r;
	__atomic_store_n(&si_trap_active, 1, __ATOMIC_RELEASE);
	si_dispatch_update_slow();
	return 0;
}

int si_trap_reserve(int sig, si_trap_handler_fn handler)
{
	if (sig == SIGTRAP)
		return -EINVAL;
	if (reserved_now(sig) != NULL)
		return -EBUSY;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		if (reserved[i].sig != sig)
			continue;
		int r = si_trap_prepare();
		return r != 0 ? r : (int)reserve(&reserved[i], handler);
	}
	return -EINVAL;
}

/* A new, writable table with room for n entries (bytes set, n = 0), or
 * NULL with *err = -errno. The caller fills it and makes it read-only. */
static struct trap_set *trap_set_map(size_t n, int *err)
{
	size_t bytes =
	    sizeof(struct trap_set) + n * sizeof(struct si_trap_entry);
	bytes = (bytes + 4095) & ~(size_t)4095;
	long m = raw_syscall6(SYS_mmap, 0, (long)bytes, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw_is_error(m)) {
		*err = (int)m;
		return NULL;
	}
	struct trap_set *t = (struct trap_set *)m;
	t->bytes = bytes;
	t->n = 0;
	return t;
}

int si_trap_forget(uint64_t target_lo, uint64_t target_hi)
{
	size_t old_n, keep = 0;
	const struct si_trap_entry *old = si_trap_sites(&old_n);

	for (size_t i = 0; i < old_n; i++)
		keep += old[i].target < target_lo || old[i].target >= target_hi;
	if (keep == old_n)
		return 0;
	int err;
	struct trap_set *t = trap_set_map(keep, &err);
	if (!t)
		return err;
	for (size_t i = 0; i < old_n; i++)
		if (old[i].target < target_lo || old[i].target >= target_hi)
			t->e[t->n++] = old[i]; /* stays sorted */
	raw_syscall3(SYS_mprotect, (long)t, (long)t->bytes, PROT_READ);
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
	int err;
	struct trap_set *t = trap_set_map(old_n + n, &err);
	if (!t)
		return err;
	t->n = si_trap_table_merge(old, old_n, e, n, t->e, old_n + n);
	raw_syscall3(SYS_mprotect, (long)t, (long)t->bytes, PROT_READ);
	if (!__atomic_load_n(&si_trap_active, __ATOMIC_ACQUIRE)) {
		int r = si_trap_prepare();
		if (r != 0) {
			raw_syscall2(SYS_munmap, (long)t, (long)t->bytes);
			return r;
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

/* rt_sigprocmask with the reserved signals taken out of the set, so that no
 * signal delivered as the call returns runs with one blocked; the old mask
 * reports each as this thread last asked for it. A set that cannot be read
 * gives -EFAULT, as from the kernel (which then changes nothing). */
/* `mask` after rt_sigprocmask's `how` (SIG_BLOCK, SIG_UNBLOCK or
 * SIG_SETMASK) with `set`. */
static uint64_t apply_how(long how, uint64_t mask, uint64_t set)
{
	return how == SIG_BLOCK	    ? mask | set
	       : how == SIG_UNBLOCK ? mask & ~set
				    : set;
}

static long trap_sigprocmask(const long a[6])
{
	long how = a[0];
	long args[6] = {a[0], a[1], a[2], a[3], a[4], a[5]};
	uint64_t set, res = reserved_mask();
	uint64_t was = app_blocked, now = was;

	if (a[3] != KSIGSET_SIZE)
		return raw_call(SYS_rt_sigprocmask, a); /* -EINVAL */
	if (a[1] != 0) {
		if (vm_read(&set, a[1], sizeof(set)) != 0)
			return -EFAULT;
		/* Any other `how` fails in the kernel: then nothing changes. */
		now = apply_how(how, was, set & res);
		set &= ~res;
		args[1] = (long)&set;
	}
	long r = raw_call(SYS_rt_sigprocmask, args);
	if (r != 0)
		return r;
	/* The kernel has just written *oldset: it is writable memory. */
	if (a[2] != 0 && was != 0)
		*(uint64_t *)a[2] |= was;
	app_blocked = now;
	return r;
}

long si_trap_sigprocmask_in(uint64_t *mask, const long a[6])
{
	long how = a[0];
	uint64_t res = reserved_mask(), was = app_blocked, now = was;
	uint64_t old = *mask | was, next = *mask;

	if (a[3] != KSIGSET_SIZE)
		return -EINVAL;
	if (a[1] != 0) {
		uint64_t set;
		if (how != SIG_BLOCK && how != SIG_UNBLOCK &&
		    how != SIG_SETMASK)
			return -EINVAL;
		if (vm_read(&set, a[1], sizeof(set)) != 0)
			return -EFAULT;
		now = apply_how(how, was, set & res);
		/* The kernel never blocks these two. */
		set &= ~(res | ksig_bit(SIGKILL) | ksig_bit(SIGSTOP));
		next = apply_how(how, next, set);
	}
	if (a[2] != 0 && vm_write(a[2], &old, sizeof(old)) != 0)
		return -EFAULT;
	*mask = next;
	app_blocked = now;
	return 0;
}

/* rt_sigaction of a reserved signal: the application's action is recorded
 * and reported back; ours stays installed, with its delivery flags. */
static long sigaction_reserved(struct reserved *res, const long a[6])
{
	struct ksigaction old = app_action(res), act;

	if (a[3] != KSIGSET_SIZE)
		return raw_call(SYS_rt_sigaction, a); /* -EINVAL */
	if (a[1] != 0) {
		if (vm_read(&act, a[1], sizeof(act)) != 0)
			return -EFAULT;
	}
	/* A child running in its parent's memory (vfork, posix_spawn) leaves
	 * the parent's record, and ours stays installed in its table. */
	if (a[1] != 0 && si_mm_is_own()) {
		set_app_action(res, &act);
		long r = install_ours(res, &act);
		if (r != 0)
			return r;
	}
	if (a[2] != 0 && vm_write(a[2], &old, sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

/* rt_sigaction of any other signal: the reserved signals taken out of
 * sa_mask, and put back into the old one as the application asked. */
static long sigaction_other(const long a[6])
{
	long sig = a[0];
	struct ksigaction act;
	long args[6] = {a[0], a[1], a[2], a[3], a[4], a[5]};
	uint64_t asked = 0;

	if (a[3] != KSIGSET_SIZE || sig < 1 || sig > 64)
		return raw_call(SYS_rt_sigaction, a);
	uint64_t had = __atomic_load_n(&samask_reserved[sig], __ATOMIC_RELAXED);
	if (a[1] != 0) {
		if (vm_read(&act, a[1], sizeof(act)) != 0)
			return -EFAULT;
		asked = act.mask & reserved_mask();
		act.mask &= ~asked;
		args[1] = (long)&act;
	}
	/* The application's handler is wrapped as every other (signals.h). */
	long r = si_signals_sigaction(args[0], args[1], args[2], args[3]);
	if (r != 0)
		return r;
	if (a[2] != 0 && had != 0) {
		uint64_t m;
		long mask_at = a[2] + (long)offsetof(struct ksigaction, mask);
		if (vm_read(&m, mask_at, sizeof(m)) == 0) {
			m |= had;
			vm_write(mask_at, &m, sizeof(m));
		}
	}
	if (a[1] != 0 && si_mm_is_own())
		__atomic_store_n(&samask_reserved[sig], asked,
				 __ATOMIC_RELAXED);
	return r;
}

/* A call whose argument `idx` is a temporary mask of `size` bytes: run with
 * a copy that lacks the reserved signals. A mask that cannot be read is
 * passed as it is (the kernel then answers -EFAULT itself). */
static long with_mask(long nr, const long a[6], int idx, long size)
{
	long args[6] = {a[0], a[1], a[2], a[3], a[4], a[5]};
	uint64_t mask, res = reserved_mask();

	if (a[idx] == 0 || size != KSIGSET_SIZE ||
	    vm_read(&mask, a[idx], sizeof(mask)) != 0 || !(mask & res))
		return raw_call(nr, a);
	mask &= ~res;
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
	uint64_t mask, res = reserved_mask();

	if (a[5] == 0 || vm_read(&data, a[5], sizeof(data)) != 0 ||
	    data.ss == 0 || data.len != KSIGSET_SIZE ||
	    vm_read(&mask, data.ss, sizeof(mask)) != 0 || !(mask & res))
		return raw_call(SYS_pselect6, a);
	mask &= ~res;
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
	uint64_t mask, res = reserved_mask();

	if (vm_read(&mask, at, sizeof(mask)) != 0 || !(mask & res))
		return;
	uint64_t asked = mask & res;
	mask &= ~res;
	if (vm_write(at, &mask, sizeof(mask)) == 0)
		app_blocked |= asked;
}

long si_trap_signal_call(const struct si_frame *frame)
{
	const long *a = frame->args;

	switch (frame->nr) {
	case SYS_rt_sigprocmask:
		return trap_sigprocmask(a);
	case SYS_rt_sigaction: {
		struct reserved *r = reserved_now(a[0]);
		return r ? sigaction_reserved(r, a) : sigaction_other(a);
	}
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
