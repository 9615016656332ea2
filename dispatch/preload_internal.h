/*
 * What the start-up patching (preload.c) shares with the patching of
 * objects loaded later (loader.c): the settings of one patching pass and
 * the function that patches one loaded object. Library-internal.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_PRELOAD_INTERNAL_H
#define SYSCALL_INTERCEPT_DISPATCH_PRELOAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "disasm/disasm.h"

struct dl_phdr_info;

enum si_phase { PH_CACHED, PH_ANALYZE, PH_WRITE, PH_COUNT };

struct patch_ctx {
	struct arena *arena;
	struct disasm_ctx *disasm;
	bool all_objects;
	bool dump;
	/* After start-up: the object was just mapped by dlopen and is not
	 * relocated yet (objects with text relocations are left alone). */
	bool late;
	bool trap_all;	       /* INTERCEPT_DEBUG_TRAP: every site trapped */
	const void *libc_addr; /* an address inside libc */
	const void *ldso_addr; /* an address inside ld.so (NULL: unknown) */
	size_t n_unpatched;
	size_t n_trapped;
	uint64_t us[PH_COUNT];
	char cache_dir[4096]; /* empty: no plan cache */
	char self_path[4096]; /* this library's file, part of the cache key */
};

/* Patches the loaded object `info` if `arg` (a struct patch_ctx) wants it:
 * libc and ld.so, or with all_objects every object but the vdso and this
 * library. Failures are reported on stderr and leave the object as it was.
 * Always returns 0 (a dl_iterate_phdr callback that never stops the walk). */
int si_patch_object(const struct dl_phdr_info *info, void *arg);

#endif
