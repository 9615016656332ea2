/*
 * The patch planner: for each syscall site, how control gets from the
 * object to the site's trampoline without breaking any path through the
 * bytes it overwrites.
 *
 *   inline   `jmp rel32` over the syscall and as many neighbouring
 *            instructions as 5 bytes need; they move into the trampoline
 *            (rewritten when rip-relative or a relative branch). Only the
 *            first overwritten byte may be a branch target or function
 *            start; the range stays inside the containing function.
 *            Where no FDE gives the function's extent, the range also
 *            never continues past an instruction that ends the flow.
 *   padding  `jmp rel8` over the 2-byte syscall into a 5-byte slot of
 *            unreachable filler within reach, which holds `jmp rel32` to
 *            the trampoline.
 *   fallback no jump can be placed; the runtime traps the site instead.
 *
 * Preference, in order: inline (one jump each way, the cheapest at run
 * time), then padding (one extra jump, but only 2 bytes of reachable code
 * disturbed), then fallback. Among inline ranges: fewest bytes overwritten,
 * then a range that starts at the syscall, then fewest instructions moved.
 * The planner never aborts: every site gets a plan.
 */
#ifndef SYSCALL_INTERCEPT_PATCHER_PLANNER_H
#define SYSCALL_INTERCEPT_PATCHER_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "patcher/locator.h"
#include "patcher/sites.h"

#ifdef __cplusplus
extern "C" {
#endif

enum plan_kind {
	PLAN_INLINE = 1,
	PLAN_PADDING = 2,
	PLAN_FALLBACK = 3,
};

/* Why a site is a fallback (the first obstacle of the nearest candidate). */
enum plan_reason {
	PLAN_OK = 0,
	PLAN_R_NO_ROOM,	      /* no 5-byte range inside the function */
	PLAN_R_ENTRY_INSIDE,  /* a branch target/function start inside */
	PLAN_R_UNMOVABLE,     /* a neighbour cannot be relocated */
	PLAN_R_CLAIMED,	      /* bytes already taken by another site */
	PLAN_R_NO_TRAMPOLINE, /* no trampoline memory within +-2 GiB */
};

struct plan_site {
	const struct sites_site *site;
	uint8_t kind;	      /* enum plan_kind */
	uint8_t reason;	      /* enum plan_reason, for PLAN_FALLBACK */
	uint8_t first;	      /* inline: site->insns[first..first+count) */
	uint8_t count;	      /*   are overwritten and relocated */
	uint8_t patch_len;    /* bytes overwritten at patch_start */
	uint8_t save;	      /* SI_SITE_SAVE_* for the entry stub */
	bool flags_live;      /* rflags must survive: use si_entry_flags */
	uint64_t patch_start; /* first overwritten byte of the object */
	uint64_t pad_slot;    /* padding: address of the 5-byte slot */
	uint64_t resume;      /* where the trampoline returns to */
};

struct plan_result {
	struct plan_site *sites; /* same order as the sites_result */
	size_t n_sites;
	size_t n_inline, n_padding, n_fallback;
};

/* Plans every site of `sites`. `obj` supplies the padding runs and the code
 * bytes (to check that what precedes a padding run never falls through);
 * `ctx` is the capstone fallback of the decoder (may be NULL). Returns 0,
 * or SITES_E_NOMEM when the arena is exhausted. */
int planner_plan(const struct locator_object *obj,
		 const struct sites_result *sites, struct disasm_ctx *ctx,
		 struct arena *arena, struct plan_result *out);

/* As planner_plan, but every jump begins at its syscall: nothing before
 * the syscall is moved or overwritten. For code other threads may be
 * running, where the syscall is the one instruction of a range that every
 * thread reaching the range is known to execute first (dispatch/lazy.h). */
int planner_plan_from_syscall(const struct locator_object *obj,
			      const struct sites_result *sites,
			      struct disasm_ctx *ctx, struct arena *arena,
			      struct plan_result *out);

/* Name of a kind / reason, for tools and messages. */
const char *planner_kind_name(enum plan_kind kind);
const char *planner_reason_name(enum plan_reason reason);

#ifdef __cplusplus
}
#endif

#endif
