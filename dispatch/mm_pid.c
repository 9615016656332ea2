/* The owner of the address space: see mm_pid.h. */
#include "dispatch/mm_pid.h"

#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "base/raw_syscall.h"

static long *page;

/* Also at load, for programs that link the dispatcher without the preload
 * library's start-up (its tests). */
void si_mm_pid_init(void) __attribute__((constructor));
void si_mm_pid_init(void)
{
	if (__atomic_load_n(&page, __ATOMIC_ACQUIRE))
		return;
	long m = raw_syscall6(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw_is_error(m))
		return;
	if (raw_syscall3(SYS_madvise, m, 4096, MADV_WIPEONFORK) != 0) {
		raw_syscall2(SYS_munmap, m, 4096);
		return;
	}
	*(long *)m = raw_syscall0(SYS_getpid);
	long *none = 0;
	if (!__atomic_compare_exchange_n(&page, &none, (long *)m, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		raw_syscall2(SYS_munmap, m, 4096); /* another thread's won */
}

long si_mm_pid(void)
{
	long *p = __atomic_load_n(&page, __ATOMIC_ACQUIRE);
	long pid = p ? __atomic_load_n(p, __ATOMIC_RELAXED) : 0;
	if (pid == 0) {
		pid = raw_syscall0(SYS_getpid);
		if (p)
			__atomic_store_n(p, pid, __ATOMIC_RELAXED);
	}
	return pid;
}

bool si_mm_is_own(void)
{
	return __atomic_load_n(&page, __ATOMIC_ACQUIRE) &&
	       si_mm_pid() == raw_syscall0(SYS_getpid);
}

static int sharer;

void si_mm_before_clone(uint64_t flags)
{
	si_mm_pid();
	if ((flags & CLONE_VM) && !(flags & (CLONE_THREAD | CLONE_VFORK)))
		__atomic_store_n(&sharer, 1, __ATOMIC_SEQ_CST);
}

bool si_mm_has_sharer(void)
{
	return __atomic_load_n(&sharer, __ATOMIC_SEQ_CST) != 0;
}
