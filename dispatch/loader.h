/*
 * The loader: which loaded objects the library knows, and the patching of
 * objects that dlopen/dlmopen map after start-up (INTERCEPT_ALL_OBJS=1).
 *
 *   dlopen("libx.so")
 *     ld.so: map libx.so and its dependencies
 *            _r_debug.r_state = RT_CONSISTENT; _dl_debug_state()
 *                                   |  (its `ret` became `jmp`)
 *                                   v
 *            si_loader_event: every namespace's r_map list against the
 *            known objects; each new one patched (plan cache, trampolines,
 *            pages written in place), each one gone released (its
 *            trampolines unmapped)
 *            <-- ret
 *     ld.so: relocate libx.so, run its constructors, return to the caller
 *
 * _dl_debug_state is the debugger's breakpoint function (r_brk): ld.so
 * calls it after each change of the object lists and, when objects were
 * added, before relocating them or running any of their code. Its body is
 * one `ret` followed by alignment filler; the library writes a 5-byte jump
 * there (checked byte for byte first) once at start-up. Why this hook
 * point: LD_AUDIT's la_objopen would be the official one, but it cannot be
 * added from a preloaded library, and wrapping dlopen comes too late (the
 * constructors have run by the time it returns).
 *
 * Locks. ld.so makes these calls holding its recursive load lock
 * (dl_load_lock), which also guards every change of the object lists, so
 * the lists cannot change under the walk and the calls never overlap; it
 * does not hold dl_load_write_lock then. The walk reads the lists directly
 * and calls no dl* function: dl_iterate_phdr would take
 * dl_load_write_lock, and a thread that holds it in a dl_iterate_phdr
 * callback and calls dlopen would then deadlock with this one. Nothing
 * here allocates with malloc or takes a lock of its own; syscalls are raw.
 * The library is linked with -z now, so no lazy binding runs in ld.so
 * either.
 *
 * A debugger that puts its breakpoint on r_brk before the library starts
 * makes the check fail (the byte is int3, not ret): objects loaded later
 * are then not patched, and a message says so.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_LOADER_H
#define SYSCALL_INTERCEPT_DISPATCH_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "dispatch/preload.h"
#include "dispatch/preload_internal.h"
#include "patcher/planner.h"
#include "patcher/writer.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dl_phdr_info;

/* Finds ld.so's debugger interface (_r_debug). Returns an address in
 * ld.so's code (_dl_debug_state), or NULL if there is none. */
const void *si_loader_find(void);

/* A free struct si_object slot to fill, or NULL when all are in use. The
 * slot stays free until si_objects_commit. */
struct si_object *si_objects_claim(void);

/* Records that `so` now describes the patched object `info`, with the
 * plan `plan` written through the trampolines `tr`. */
void si_objects_commit(struct si_object *so, const struct dl_phdr_info *info,
		       const struct plan_result *plan,
		       const struct writer_trampolines *tr);

/* True if the object's dynamic section asks for text relocations. */
bool si_loader_has_textrel(const struct dl_phdr_info *info);

/* After the start-up patching: records every object of every namespace
 * as known (those the start-up walk, which sees the base namespace only,
 * did not patch, such as LD_AUDIT modules' namespaces, stay unpatched:
 * their code may be running already) and, if pc->all_objects, installs
 * the jump at _dl_debug_state
 * (pc's settings are kept for the later patching; pc->arena must still be
 * usable). Reports a failure on stderr; objects loaded later are then not
 * patched. */
void si_loader_start(const struct patch_ctx *pc);

#ifdef __cplusplus
}
#endif

#endif
