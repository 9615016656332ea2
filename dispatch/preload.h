/*
 * What the library patched (preload.c at start-up, loader.c later), for
 * logging and tests inside the library.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_PRELOAD_H
#define SYSCALL_INTERCEPT_DISPATCH_PRELOAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SI_MAX_OBJECTS 64
#define SI_MAX_PATH    256

/* A patched object; every si_site.object of its sites points here. */
struct si_object {
	char path[SI_MAX_PATH]; /* truncated copy of the object's path */
	uintptr_t base;		/* load bias: site offsets are relative to it */
	size_t n_sites;		/* sites routed to the dispatcher */
};

/* The patched objects' slots; *count gets how many were ever used (a slot
 * with n_sites 0 is free: its object was never patched or was unloaded). */
const struct si_object *si_patched_objects(size_t *count);

#ifdef __cplusplus
}
#endif

#endif
