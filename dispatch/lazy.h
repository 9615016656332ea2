/*
 * Lazy patching, in exhaustive mode: a syscall site that Syscall User
 * Dispatch trapped (code that no object analysis covered: generated at run
 * time, or mapped without the loader) is given a jump to a trampoline of
 * its own at its first trap, when that is safe; from then on it costs what
 * a patched site costs instead of a signal.
 *
 * The jump always begins at the syscall, and takes the instructions after
 * it up to 5 bytes (moved into the trampoline). Nothing before the syscall
 * is touched: in such code nothing marks where instructions or functions
 * begin (a function's entry is reached through a pointer), and a sweep
 * through unknown bytes can fall out of step with the code; the syscall is
 * the one boundary the trap proves. The bytes after it are decoded from
 * it, direct branches are looked for 64 KiB on each side, and the range
 * stops at any instruction that ends the flow (planner.h). A syscall
 * followed by `ret` has no room and stays trapped.
 *
 * A thread stopped between two instructions of the range would resume
 * inside the new jump. Every thread that reaches the range executes the
 * syscall first, so it traps: from the moment the site has a trampoline
 * (state L_REDIRECT) every trap there is sent into it, never back to the
 * bytes after the syscall. The jump is written when, besides,
 *  - no other thread is in the SIGSYS handler for this site (each counts
 *    itself in and out), none has ever left the handler for the bytes
 *    after the syscall (the site is tainted then), and no thread can run
 *    unpatched code untrapped (a clone-family call run at its site leaves
 *    its thread's selector open and its child unarmed: exhaustive.h's
 *    si_exhaustive_untrapped); or
 *  - the process has one thread, in memory no other process runs in (not
 *    a vfork child's view of its parent's, no CLONE_VM child made:
 *    mm_pid.h), outside any application signal handler: then only this
 *    thread exists, and it is in the handler.
 * A site that may not be written yet keeps sending its traps to the
 * trampoline, and is written at a later trap when it may. A thread that
 * traps after the jump was written (it executed the syscall just before)
 * is sent to the trampoline too; a trap that finds the range holding
 * neither the bytes the trampoline was built from nor the jump means the
 * code was written anew: the site starts over.
 *
 * The code must be in a private mapping that is readable and executable
 * and not writable, and not the vdso (a shared mapping may be written
 * through another view of it, which would not see the patched copy). The
 * page is written as writer_patch writes (writer.h): a copy, swapped in
 * whole, since other threads may be running it. The trampoline saves every
 * register (the function's extent, hence its vector use, is unknown). At most
 * 512 sites get a trampoline (they are never freed: the code they came from may
 * be unmapped without the library knowing).
 *
 * Everything here runs in the SIGSYS handler: raw syscalls only, memory
 * from a private mapping, no lock that a signal could wait on (a thread
 * that finds another patching goes on trapping).
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_LAZY_H
#define SYSCALL_INTERCEPT_DISPATCH_LAZY_H

#include <stdbool.h>
#include <stdint.h>

/* Called by the SIGSYS handler for a trapped `syscall` at `site`. Returns
 * where the thread is to continue instead of the site (the trampoline, as
 * if the jump had been taken: every register as at the syscall), or 0 to
 * handle the call as a trapped one. */
uint64_t si_lazy_trapped(uint64_t site);

/* Called by the SIGSYS handler when a trapped call at `site` for which
 * si_lazy_trapped returned 0 is done and its thread goes on in the site's
 * own code (after the syscall, or to run it there). */
void si_lazy_leaving(uint64_t site);

/* With INTERCEPT_DEBUG_DUMP: one line on stderr per site patched or
 * refused (set once, at start-up). */
void si_lazy_set_dump(int on);

#endif
