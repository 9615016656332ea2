#include "patcher/planner.h"

#include "trampoline/entry_abi.h"

/* Bytes of a `jmp rel32`. */
#define JMP32_LEN 5

static void zero_bytes(void *dst, size_t n)
{
	uint8_t *d = (uint8_t *)dst;
	while (n--)
		*d++ = 0;
}

static uint64_t insn_end(const struct disasm_insn *insn)
{
	return insn->address + insn->length;
}

/* Can this neighbour of the syscall run from the trampoline instead? */
static bool relocatable(const struct disasm_insn *insn)
{
	switch (insn->kind) {
	case DISASM_JMP_REL8:
	case DISASM_JMP_REL32:
	case DISASM_JCC_REL8:
	case DISASM_JCC_REL32:
		return true; /* re-encoded as rel32 to the same target */
	case DISASM_CALL_REL32:
	case DISASM_CALL_INDIRECT:
		/* would push a trampoline address as the return address */
		return false;
	case DISASM_LOOP_REL8:
	case DISASM_INVALID:
	case DISASM_SYSCALL:
	case DISASM_SYSENTER:
	case DISASM_INT80:
		return false;
	default:
		break;
	}
	if (insn->flags & DISASM_F_RIP_REL)
		return (insn->flags & DISASM_F_RELOCATABLE) != 0;
	return (insn->flags & DISASM_F_MOVABLE) != 0;
}

/* What other sites have taken. Plans only overwrite bytes within a rel8
 * jump (or an instruction window) of their syscall, so only sites whose
 * syscalls lie within CLAIM_REACH bytes can conflict: the check looks at
 * those neighbours only (sites are sorted by address). */
#define CLAIM_REACH 512

struct claims {
	const struct sites_result *sites;
	const struct plan_site *plans; /* plans[0..planned) are decided */
	size_t planned;
	size_t self; /* the site being planned: its own syscall is free */
};

static bool overlaps(uint64_t s0, uint64_t e0, uint64_t s1, uint64_t e1)
{
	return s0 < e1 && s1 < e0;
}

static bool taken_by(const struct claims *c, size_t j, uint64_t start,
		     uint64_t end)
{
	const struct sites_site *s = &c->sites->sites[j];
	if (j != c->self && overlaps(start, end, s->address, s->address + 2))
		return true; /* every syscall stays where it is or is ours */
	if (j >= c->planned)
		return false;
	const struct plan_site *p = &c->plans[j];
	if (p->kind == PLAN_INLINE &&
	    overlaps(start, end, p->patch_start, p->patch_start + p->patch_len))
		return true;
	return p->kind == PLAN_PADDING &&
	       overlaps(start, end, p->pad_slot, p->pad_slot + 5);
}

static bool claimed(const struct claims *c, uint64_t start, uint64_t end)
{
	const struct sites_site *all = c->sites->sites;
	size_t n = c->sites->n_sites;
	for (size_t j = c->self + 1; j-- > 0;) {
		if (all[j].address + CLAIM_REACH < start)
			break;
		if (taken_by(c, j, start, end))
			return true;
	}
	for (size_t j = c->self + 1; j < n; j++) {
		if (all[j].address > end + CLAIM_REACH)
			break;
		if (taken_by(c, j, start, end))
			return true;
	}
	return false;
}

/* Does control never continue to the next instruction? */
static bool ends_flow(const struct disasm_insn *insn)
{
	return (insn->flags & DISASM_F_NO_FALLTHROUGH) != 0;
}

/* Are the flags at the syscall read before being overwritten? Conservative:
 * unknown means live. */
static bool flags_live_after(const struct sites_site *s)
{
	for (unsigned k = s->syscall_index + 1u; k < s->n_insns; k++) {
		const struct disasm_insn *insn = &s->insns[k];
		if (insn->flags & DISASM_F_READS_FLAGS)
			return true;
		if (insn->flags & DISASM_F_WRITES_ALL_FLAGS)
			return false;
		if (insn->kind == DISASM_RET)
			return false; /* flags are not preserved across calls */
		if (insn->flags & DISASM_F_NO_FALLTHROUGH ||
		    insn->kind == DISASM_CALL_REL32 ||
		    insn->kind == DISASM_CALL_INDIRECT)
			return true;
	}
	return true;
}

static uint8_t save_policy(const struct sites_site *s)
{
	if (s->flags & SITES_OUTSIDE_FDE)
		return SI_SITE_SAVE_FULL; /* the function's extent is unknown */
	if (!(s->flags & SITES_USES_VECTOR))
		return SI_SITE_SAVE_NONE;
	if (s->vector_flags & (DISASM_F_YMM | DISASM_F_FULL_STATE))
		return SI_SITE_SAVE_FULL;
	return SI_SITE_SAVE_SSE;
}

/* Best inline range of s (with from_syscall, among those that begin at the
 * syscall), or false with *why set. */
static bool plan_inline(const struct sites_site *s, const struct claims *c,
			bool from_syscall, struct plan_site *p, uint8_t *why)
{
	unsigned idx = s->syscall_index;
	bool found = false;
	unsigned best_len = 0, best_first = 0, best_count = 0;
	*why = PLAN_R_NO_ROOM;
	/* Where the function's extent is unknown, no range runs on past an
	 * instruction that ends the flow (ret, jmp, ud2): the bytes after it
	 * are reached only by a jump, possibly one no analysis sees (a call
	 * through a pointer into code generated at run time, say). */
	bool bounded = (s->flags & SITES_OUTSIDE_FDE) != 0;
	for (unsigned i = idx + 1u; i-- > 0;) {
		if (i < idx && from_syscall) {
			if (*why == PLAN_R_NO_ROOM)
				*why = PLAN_R_UNMOVABLE;
			break;
		}
		if (i < idx && !relocatable(&s->insns[i])) {
			*why = PLAN_R_UNMOVABLE;
			break;
		}
		if (i < idx && bounded && ends_flow(&s->insns[i])) {
			*why = PLAN_R_ENTRY_INSIDE;
			break;
		}
		for (unsigned j = idx; j < s->n_insns; j++) {
			if (j > idx && !relocatable(&s->insns[j])) {
				if (*why == PLAN_R_NO_ROOM)
					*why = PLAN_R_UNMOVABLE;
				break;
			}
			if (j > idx && bounded && ends_flow(&s->insns[j - 1])) {
				if (*why == PLAN_R_NO_ROOM)
					*why = PLAN_R_ENTRY_INSIDE;
				break;
			}
			uint64_t start = s->insns[i].address;
			uint64_t end = insn_end(&s->insns[j]);
			if (end - start < JMP32_LEN)
				continue;
			bool entry = false;
			for (uint64_t a = start + 1; a < end && !entry; a++)
				entry = sites_is_entry(s, a);
			if (entry) {
				if (*why != PLAN_R_UNMOVABLE)
					*why = PLAN_R_ENTRY_INSIDE;
				break; /* longer ranges contain it too */
			}
			if (claimed(c, start, end)) {
				*why = PLAN_R_CLAIMED;
				break;
			}
			unsigned len = (unsigned)(end - start);
			unsigned count = j - i + 1;
			bool better = !found || len < best_len ||
				      (len == best_len &&
				       ((i == idx) > (best_first == idx) ||
					((i == idx) == (best_first == idx) &&
					 count < best_count)));
			if (better) {
				found = true;
				best_len = len;
				best_first = i;
				best_count = count;
			}
			break; /* extending j further only grows the range */
		}
	}
	if (!found)
		return false;
	p->kind = PLAN_INLINE;
	p->first = (uint8_t)best_first;
	p->count = (uint8_t)best_count;
	p->patch_start = s->insns[best_first].address;
	p->patch_len = (uint8_t)best_len;
	p->resume = p->patch_start + best_len;
	return true;
}

/* Does the instruction stream of the function ending at `at` end with an
 * instruction that never falls through, exactly at `at`? */
static bool ends_without_fallthrough(const struct locator_object *obj,
				     struct disasm_ctx *ctx, uint64_t at)
{
	uintptr_t fstart, fend;
	if (at == 0 || !locator_function_at(obj, at - 1, &fstart, &fend) ||
	    fend != at)
		return false;
	const uint8_t *code = locator_bytes(obj, fstart, (size_t)(at - fstart));
	if (!code)
		return false;
	uint64_t pc = fstart;
	struct disasm_insn insn;
	insn.flags = 0;
	while (pc < at) {
		disasm_analyze(ctx, code + (pc - fstart), (size_t)(at - pc), pc,
			       &insn);
		if (insn.kind == DISASM_INVALID)
			return false;
		pc += insn.length;
	}
	return pc == at && (insn.flags & DISASM_F_NO_FALLTHROUGH);
}

/* A free 5-byte slot of unreachable padding within rel8 reach of s. */
static bool plan_padding(const struct locator_object *obj,
			 struct disasm_ctx *ctx, const struct sites_site *s,
			 const struct claims *c, struct plan_site *p)
{
	uint64_t from = s->address + 2; /* rel8 is relative to the jmp's end */
	uint64_t lo = from - 128, hi = from + 127;
	for (size_t i = 0; i < obj->padding_count; i++) {
		const struct locator_range *run = &obj->padding[i];
		if (run->end <= lo || run->start > hi)
			continue;
		if (!ends_without_fallthrough(obj, ctx, run->start))
			continue;
		for (uint64_t slot = run->start < lo ? lo : run->start;
		     slot + JMP32_LEN <= run->end && slot <= hi; slot++) {
			/* stay inside the site's window, where entries are
			 * known */
			if (slot < s->window_start ||
			    slot + JMP32_LEN >
				s->window_start + SITES_WINDOW_SIZE)
				continue;
			bool entry = false;
			for (uint64_t a = slot; a < slot + JMP32_LEN; a++)
				entry = entry || sites_is_entry(s, a);
			if (entry || claimed(c, slot, slot + JMP32_LEN))
				continue;
			p->kind = PLAN_PADDING;
			p->pad_slot = slot;
			p->patch_start = s->address;
			p->patch_len = 2;
			p->resume = s->address + 2;
			p->first = s->syscall_index;
			p->count = 1;
			return true;
		}
	}
	return false;
}

static int plan_all(const struct locator_object *obj,
		    const struct sites_result *sites, struct disasm_ctx *ctx,
		    struct arena *arena, bool from_syscall,
		    struct plan_result *out)
{
	zero_bytes(out, sizeof(*out));
	if (sites->n_sites == 0)
		return 0;
	out->sites = (struct plan_site *)arena_alloc(
	    arena, sites->n_sites * sizeof(struct plan_site), 8);
	if (!out->sites)
		return SITES_E_NOMEM;
	out->n_sites = sites->n_sites;
	struct claims c = {sites, out->sites, 0, 0};
	for (size_t i = 0; i < sites->n_sites; i++) {
		const struct sites_site *s = &sites->sites[i];
		struct plan_site *p = &out->sites[i];
		p->site = s;
		p->save = save_policy(s);
		/* si_entry_flags also clears, and brings back, a direction
		 * flag that may be set at the syscall: an `std` in the
		 * function, or a function whose extent is unknown. si_entry
		 * assumes DF clear, as the ABI leaves it at every call. */
		p->flags_live =
		    flags_live_after(s) ||
		    (s->flags & (SITES_SETS_DF | SITES_OUTSIDE_FDE));
		c.self = i;
		c.planned = i;
		uint8_t why = PLAN_R_NO_ROOM;
		if (plan_inline(s, &c, from_syscall, p, &why)) {
			out->n_inline++;
		} else if (plan_padding(obj, ctx, s, &c, p)) {
			out->n_padding++;
		} else {
			p->kind = PLAN_FALLBACK;
			p->reason = why;
			p->patch_start = s->address;
			p->patch_len = 0;
			p->resume = s->address + 2;
			out->n_fallback++;
		}
	}
	return 0;
}

int planner_plan(const struct locator_object *obj,
		 const struct sites_result *sites, struct disasm_ctx *ctx,
		 struct arena *arena, struct plan_result *out)
{
	return plan_all(obj, sites, ctx, arena, false, out);
}

int planner_plan_from_syscall(const struct locator_object *obj,
			      const struct sites_result *sites,
			      struct disasm_ctx *ctx, struct arena *arena,
			      struct plan_result *out)
{
	return plan_all(obj, sites, ctx, arena, true, out);
}

const char *planner_kind_name(enum plan_kind kind)
{
	switch (kind) {
	case PLAN_INLINE:
		return "inline";
	case PLAN_PADDING:
		return "padding";
	case PLAN_FALLBACK:
		return "fallback";
	}
	return "?";
}

const char *planner_reason_name(enum plan_reason reason)
{
	switch (reason) {
	case PLAN_OK:
		return "ok";
	case PLAN_R_NO_ROOM:
		return "no room for a 5-byte jump inside the function";
	case PLAN_R_ENTRY_INSIDE:
		return "a branch target or function start lies inside";
	case PLAN_R_UNMOVABLE:
		return "a neighbouring instruction cannot be relocated";
	case PLAN_R_CLAIMED:
		return "the bytes are taken by another site";
	case PLAN_R_NO_TRAMPOLINE:
		return "no trampoline memory within +-2 GiB";
	}
	return "?";
}
