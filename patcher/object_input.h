/*
 * Glue between the locator and the site analysis: presents a located object
 * as a struct sites_input, allocating the small arrays from an arena.
 */
#ifndef SYSCALL_INTERCEPT_PATCHER_OBJECT_INPUT_H
#define SYSCALL_INTERCEPT_PATCHER_OBJECT_INPUT_H

#include "base/arena.h"
#include "patcher/locator.h"
#include "patcher/sites.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills *in from *obj: one region per readable exec segment, the FDE ranges
 * as functions and the symbol starts as starts. The arrays point into the
 * arena or into *obj, which must outlive *in. Returns 0 or SITES_E_NOMEM. */
int object_sites_input(const struct locator_object *obj, struct arena *arena,
		       struct sites_input *in);

#ifdef __cplusplus
}
#endif

#endif
