/*
 * The C half of the stub's clone paths (entry_abi.h): where the child's
 * stack is, read and written without ever faulting. Runs in the thread that
 * makes the clone, inside any context a syscall can come from: raw syscalls
 * only, no allocation.
 */
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "base/raw_syscall.h"
#include "trampoline/entry_abi.h"

__thread struct si_clone_tls si_clone_tls
    __attribute__((tls_model("initial-exec")));

/* The fast path's state (entry_abi.h); written by dispatch/. */
__thread int si_in_hook __attribute__((tls_model("initial-exec")));
int si_dispatch_slow;

/* The fields of struct clone_args every kernel with clone3 reads
 * (CLONE_ARGS_SIZE_VER0). */
struct si_clone3_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
};

#define SI_CLONE3_SIZE_VER0 64
_Static_assert(sizeof(struct si_clone3_args) == SI_CLONE3_SIZE_VER0,
	       "clone_args v0");

int si_clone_plan(uint64_t flags, uint64_t top, const struct si_site *site)
{
	if (top != 0) {
		const struct si_site *record = site;

		if (!raw_copy_self(SYS_process_vm_writev, &record,
				   top - SI_CLONE_CHILD_RECORD, sizeof(record)))
			return SI_ACTION_FORWARD;
		return SI_ACTION_CLONE_NEWSTACK;
	}
	if (!(flags & CLONE_VM))
		return SI_ACTION_CLONE_COPY;
	/* Both tasks on one stack: only a vfork-style parent waits. */
	if (!(flags & CLONE_VFORK) || si_clone_tls.depth >= SI_CLONE_TLS_SLOTS)
		return SI_ACTION_FORWARD;
	return SI_ACTION_CLONE_SHARED;
}

bool si_clone_shape(long nr, const long args[6], uint64_t *flags, uint64_t *top)
{
	struct si_clone3_args ca;

	*top = 0;
	switch (nr) {
	case SYS_fork:
		*flags = 0;
		return true;
	case SYS_vfork:
		*flags = CLONE_VM | CLONE_VFORK;
		return true;
	case SYS_clone:
		/* clone(flags, newsp, parent_tid, child_tid, tls) */
		*flags = (uint64_t)args[0];
		*top = (uint64_t)args[1];
		return true;
	case SYS_clone3:
		/* clone3(args, size): the kernel rejects sizes below v0 and
		 * inconsistent stacks itself; an unreadable struct gets
		 * -EFAULT from it. */
		if ((unsigned long)args[1] < SI_CLONE3_SIZE_VER0 ||
		    !raw_copy_self(SYS_process_vm_readv, &ca, (uint64_t)args[0],
				   sizeof(ca)) ||
		    (ca.stack == 0) != (ca.stack_size == 0))
			return false;
		*flags = ca.flags;
		*top = ca.stack == 0 ? 0 : ca.stack + ca.stack_size;
		return true;
	default:
		return false;
	}
}
