/*
 * fork_ban: refuses to create processes. fork, vfork, and clone/clone3
 * without CLONE_THREAD fail with EPERM; threads (CLONE_THREAD) are still
 * allowed, so multi-threaded programs keep working.
 *
 *   LD_PRELOAD=bazel-bin/hooks/libfork_ban.so sh -c 'ls; echo $?'
 */
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "libsyscall_intercept_hook_point.h"

/* The flags of a clone3 call, read without trusting the pointer. Returns
 * false if they cannot be read (the kernel will then refuse the call). */
static bool clone3_flags(long args_ptr, long size, uint64_t *flags)
{
	if (size < (long)sizeof(uint64_t))
		return false;
	struct iovec local = {flags, sizeof(*flags)};
	struct iovec remote = {(void *)args_ptr, sizeof(*flags)};
	long pid = syscall_no_intercept(SYS_getpid);
	return syscall_no_intercept(SYS_process_vm_readv, pid, &local, 1,
				    &remote, 1, 0) == (long)sizeof(*flags);
}

static int fork_ban_hook(long nr, long a0, long a1, long a2, long a3, long a4,
			 long a5, long *result)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	bool new_process;
	uint64_t flags;
	switch (nr) {
	case SYS_fork:
	case SYS_vfork:
		new_process = true;
		break;
	case SYS_clone:
		new_process = !((unsigned long)a0 & CLONE_THREAD);
		break;
	case SYS_clone3:
		if (!clone3_flags(a0, a1, &flags))
			return 1; /* let the kernel report the bad argument */
		new_process = !(flags & CLONE_THREAD);
		break;
	default:
		return 1;
	}
	if (!new_process)
		return 1;
	*result = -EPERM;
	return 0;
}

__attribute__((constructor)) static void fork_ban_init(void)
{
	intercept_hook_point = fork_ban_hook;
}
