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
 *            page swap), each one gone released (its trampolines unmapped)
 *            <-- ret
 *     ld.so: relocate libx.so, run its constructors, return to the caller
 *
 * _dl_debug_state is the debugger's breakpoint function (r_brk): ld.so
 * calls it, holding its load lock, after each change of the object lists
 * and, when objects were added, before relocating them or running any of
 * their code. Its body is one `ret` followed by alignment filler; the
 * library writes a 5-byte jump there (checked byte for byte first) once at
 * start-up. Everything here runs with raw syscalls and the caller's arena
 * or its own; nothing allocates with malloc.
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
 * as known and, if pc->all_objects, installs the jump at _dl_debug_state
 * (pc's settings are kept for the later patching; pc->arena must still be
 * usable). Reports a failure on stderr; objects loaded later are then not
 * patched. */
void si_loader_start(const struct patch_ctx *pc);

#ifdef __cplusplus
}
#endif

#endif
