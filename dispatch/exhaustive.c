/* Exhaustive mode: see exhaustive.h. */
#include "dispatch/exhaustive.h"

#include <errno.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "base/raw_syscall.h"
#include "dispatch/dispatch.h"
#include "dispatch/mm_pid.h"
#include "dispatch/trap.h"
#include "trampoline/entry_abi.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#endif
#define SUD_OFF	  0
#define SUD_ON	  1
#define SUD_ALLOW 0
#define SUD_BLOCK 1
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif

int si_exhaustive;
uint64_t (*si_exhaustive_lazy)(uint64_t site);
void (*si_exhaustive_lazy_left)(uint64_t site);
int si_exhaustive_untrapped;

static uintptr_t allowed_start, allowed_len;
static __thread volatile char selector
    __attribute__((tls_model("initial-exec")));
static __thread char armed __attribute__((tls_model("initial-exec")));

static long arm(void)
{
	selector = SUD_BLOCK;
	long r = raw_syscall6(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH, SUD_ON,
			      (long)allowed_start, (long)allowed_len,
			      (long)&selector, 0);
	armed = r == 0;
	return r;
}

void si_exhaustive_enter(void)
{
	if (!armed)
		arm();
	selector = SUD_BLOCK;
}

void si_exhaustive_child(void)
{
	if (si_exhaustive)
		arm();
}

void si_exhaustive_allow_once(long nr)
{
	if (nr != SYS_exit && nr != SYS_exit_group)
		__atomic_store_n(&si_exhaustive_untrapped, 1, __ATOMIC_SEQ_CST);
	selector = SUD_ALLOW;
}

/* The exec segment of this library: the range SUD lets through. */
static int find_self(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t me = (uintptr_t)&find_self;
	(void)size, (void)arg;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + p->p_vaddr;
		if (p->p_type == PT_LOAD && (p->p_flags & PF_X) && me >= lo &&
		    me < lo + p->p_memsz) {
			allowed_start = lo;
			allowed_len = p->p_memsz;
			return 1;
		}
	}
	return 0;
}

static bool must_run_natively(long nr)
{
	switch (nr) {
	case SYS_clone:
	case SYS_clone3:
	case SYS_fork:
	case SYS_vfork:
	case SYS_rt_sigreturn:
		return true;
	default:
		return false;
	}
}

static void handle_here(struct si_frame *f, ucontext_t *uc);

static void sud_handler(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = (ucontext_t *)ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	if (info->si_code != SYS_USER_DISPATCH) {
		si_trap_chain(sig, info, ucv);
		return;
	}
	long nr = info->si_syscall;
	uint64_t next = (uint64_t)(uintptr_t)info->si_call_addr;
	/* The call, as the stub would have saved it at a patched site; the
	 * site is the instruction's address (no object: "?" in the log). */
	struct si_site site = {0, next - 2, NULL, SI_SITE_SAVE_NONE, 0};
	struct si_frame frame = {0};
	frame.app_rsp = (uint64_t)g[REG_RSP];
	frame.site = &site;
	frame.nr = nr;
	frame.args[0] = g[REG_RDI];
	frame.args[1] = g[REG_RSI];
	frame.args[2] = g[REG_RDX];
	frame.args[3] = g[REG_R10];
	frame.args[4] = g[REG_R8];
	frame.args[5] = g[REG_R9];
	/* The site has a trampoline (lazy.h): on to it, as if through the
	 * jump. */
	uint64_t to = si_exhaustive_lazy ? si_exhaustive_lazy(next - 2) : 0;
	if (to) {
		g[REG_RAX] = nr;
		g[REG_RIP] = (greg_t)to;
		return;
	}
	handle_here(&frame, uc);
	/* The thread goes on in the site's own code. */
	if (si_exhaustive_lazy_left)
		si_exhaustive_lazy_left(next - 2);
}

/* A trapped call handled in the handler (the site has no trampoline). */
static void handle_here(struct si_frame *f, ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	long nr = f->nr;
	/* rt_sigprocmask run here would change the handler's mask, which
	 * rt_sigreturn replaces: it is applied to the frame's instead. */
	bool frame_mask = nr == SYS_rt_sigprocmask;
	int action = must_run_natively(nr) || frame_mask
			 ? si_dispatch_observe(f)
			 : si_dispatch(f);
	if (action == SI_ACTION_EMULATED) {
		g[REG_RAX] = f->result;
		return;
	}
	if (frame_mask) {
		g[REG_RAX] = si_trap_sigprocmask_in(
		    (uint64_t *)(void *)&uc->uc_sigmask, f->args);
		return;
	}
	/* rt_sigreturn: from the library's own restorer, inside the range
	 * SUD lets through (the selector stays set to block), once the
	 * reserved signals are out of the mask it restores, as at a patched
	 * site. */
	if (nr == SYS_rt_sigreturn) {
		si_trap_sigreturn(f);
		g[REG_RAX] = nr;
		g[REG_RIP] = (greg_t)(uintptr_t)&si_trap_sigaction_restorer;
		return;
	}
	/* A clone: the memory's record first (mm_pid.h). One that makes a
	 * process of its own memory on this stack (fork, or clone/clone3
	 * without CLONE_VM, CLONE_VFORK or a new stack) runs here: both sides
	 * come back through the handler's frame (the child's a copy), with
	 * the selector shut, the child armed and the clone hooks called. */
	uint64_t flags = 0, top = 0;
	bool known = si_clone_shape(nr, f->args, &flags, &top);
	if (must_run_natively(nr)) /* else exit or exit_group */
		si_mm_before_clone(flags);
	if (known && !(flags & (CLONE_VM | CLONE_VFORK)) && top == 0) {
		f->result = raw_syscall6(nr, f->args[0], f->args[1], f->args[2],
					 f->args[3], f->args[4], f->args[5]);
		if (!raw_is_error(f->result))
			si_dispatch_clone_done(f);
		g[REG_RAX] = f->result;
		return;
	}
	/* Run where it was made: back to the instruction, let through. */
	si_exhaustive_allow_once(nr);
	g[REG_RAX] = nr;
	g[REG_RIP] = (greg_t)f->site->orig_addr;
}

int si_exhaustive_start(void)
{
	if (!dl_iterate_phdr(find_self, NULL))
		return -ENOENT;
	/* Without SUD the kernel refuses even to switch it off: then
	 * nothing is changed. */
	long r = raw_syscall6(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH, SUD_OFF,
			      0, 0, 0, 0);
	if (r != 0)
		return (int)r;
	/* SIGSYS kept deliverable and the application's SIGSYS action kept
	 * as SIGTRAP's are (trap.h), before anything can trap. */
	r = si_trap_reserve(SIGSYS, &sud_handler);
	if (r != 0)
		return (int)r;
	/* Not expected to fail where switching off worked; if it does, SIGSYS
	 * stays reserved, all of it chained to the application's action. */
	r = arm();
	if (r != 0)
		return (int)r;
	__atomic_store_n(&si_exhaustive, 1, __ATOMIC_RELEASE);
	si_dispatch_update_slow();
	return 0;
}
