/*
 * Whose memory is this? The pid of the process that owns the address space
 * the calling thread runs in, cached in a page the kernel zeroes in a
 * forked child (MADV_WIPEONFORK): a forked child finds 0 and asks again,
 * while threads and children that share the memory (vfork, clone with
 * CLONE_VM but not CLONE_THREAD) keep the parent's pid. So a vfork child
 * can read its parent's memory with process_vm_readv (the log), and can
 * tell that the memory is someone else's, whose threads may be running
 * (lazy patching). Raw syscalls only; async-signal-safe.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_MM_PID_H
#define SYSCALL_INTERCEPT_DISPATCH_MM_PID_H

#include <stdbool.h>
#include <stdint.h>

/* Maps the page and fills it (once; later calls do nothing). */
void si_mm_pid_init(void);

/* The owner's pid (getpid() in a forked child that has not asked yet, which
 * it then records; every call asks the kernel if the page is missing).
 * Call it before each clone-family call runs, so that a vfork child never
 * finds the page empty and records itself. */
long si_mm_pid(void);

/* True if the memory is known to be this process's own (false in a vfork
 * or CLONE_VM child, and when the page is missing). */
bool si_mm_is_own(void);

/* Before a clone-family call with these flags (si_clone_shape's; 0 when
 * unknown) runs: fills the page (as si_mm_pid) and notes a child that will
 * run in this memory alongside this process (CLONE_VM without CLONE_THREAD
 * or CLONE_VFORK). */
void si_mm_before_clone(uint64_t flags);

/* True once such a child was made: another process may be running in
 * this memory (for good: the library cannot tell when it is gone). */
bool si_mm_has_sharer(void);

#endif
