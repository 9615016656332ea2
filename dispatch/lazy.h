/*
 * Lazy patching, in exhaustive mode: a syscall site that Syscall User
 * Dispatch trapped (code that no object analysis covered: generated at run
 * time, or mapped without the loader) is given a jump to a trampoline of
 * its own the second time it traps (the first, for clone, clone3, fork and
 * vfork, which a trap runs without the clone hooks), when that is safe;
 * from then on it costs what a patched site costs instead of a signal.
 *
 * Safe means all of:
 *  - The process has one thread, its memory is its own (not a vfork or
 *    CLONE_VM child's view of its parent's: mm_pid.h), and this thread is
 *    not inside an application signal handler. Writing a jump replaces
 *    instructions around the syscall, and a thread stopped between two of
 *    them would resume inside the new jump: with one thread, the only such
 *    thread is this one, stopped right after the syscall, and it is sent
 *    into the trampoline instead. A site refused for this is tried again
 *    later (at its 4th, 8th, 16th... trap).
 *  - The code is in a private mapping that is readable and executable and
 *    not writable, and not the vdso (a shared mapping may be written
 *    through another view of it, which would not see the patched copy).
 *  - The planner gives the site an inline jump, with what it knows of the
 *    code: direct branches found by decoding up to 64 KiB on each side, no
 *    function extents, so a range never extends past an instruction that
 *    ends the flow (planner.h). Padding is never used: nothing proves
 *    filler in such code unused.
 * The page holding the site is written as every patched page is
 * (writer.h): a copy, swapped in whole. The jump goes to the usual
 * trampoline and entry stub, with the full register save (the function's
 * extent, hence its vector use, is unknown). At most 512 sites are patched
 * this way (their trampolines are never freed: the code they came from may
 * be unmapped without the library knowing). A site whose code is written
 * again (it traps after being patched) is counted from zero.
 *
 * Everything here runs in the SIGSYS handler: raw syscalls only, memory
 * from a private mapping, no lock that a signal could wait on (a thread
 * that finds another patching goes on trapping).
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_LAZY_H
#define SYSCALL_INTERCEPT_DISPATCH_LAZY_H

#include <stdbool.h>
#include <stdint.h>

/* Called by the SIGSYS handler for a trapped `syscall` at `site`; `now`
 * asks for a patch at the first trap (a call that, trapped, would run
 * without the clone hooks). Returns where the thread is to continue
 * instead of the site (the trampoline, as if the jump had been taken:
 * every register as at the syscall), or 0 to handle the call as a trapped
 * one. */
uint64_t si_lazy_trapped(uint64_t site, bool now);

/* With INTERCEPT_DEBUG_DUMP: one line on stderr per site patched or
 * refused (set once, at start-up). */
void si_lazy_set_dump(int on);

#endif
