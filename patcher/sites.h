/*
 * Site analysis: every `syscall` instruction of an object, with the
 * instructions around it and, for each byte of a window around it, whether
 * control can arrive there other than by falling through (a direct branch
 * targets it, or a function or symbol starts there).
 *
 * Two implementations produce the same struct sites_result:
 *  - sites_find(): the start-up path. Scans the code for `0f 05` byte pairs,
 *    decodes only the functions (FDE ranges) that contain them, and finds
 *    branches into the windows from elsewhere (split-off .cold fragments,
 *    neighbouring functions) with one vectorized byte scan for branch opcodes
 *    whose target lands in a window, verified by decoding their function.
 *  - sites_find_sweep(): the reference. A linear sweep of every code region
 *    with capstone, as the reference library does at every start. Tests
 *    assert the two agree byte for byte.
 *
 * Neither allocates except from the caller's arena; neither makes a syscall.
 */
#ifndef SYSCALL_INTERCEPT_PATCHER_SITES_H
#define SYSCALL_INTERCEPT_PATCHER_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "disasm/disasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A stretch of code bytes as the process (or a file view) addresses them. */
struct sites_region {
	const uint8_t *bytes; /* readable copy or the live code itself */
	uint64_t address;     /* address of bytes[0] */
	size_t size;
};

/* A half-open address range [start, end). */
struct sites_range {
	uint64_t start;
	uint64_t end;
};

/* What the analysis needs to know about an object; the locator fills it.
 * `functions` are the FDE ranges sorted by start (they may nest: the
 * innermost range containing an address is its function); `starts` are
 * every function and symbol start (FDE starts included), sorted, unique. */
struct sites_input {
	const struct sites_region *regions;
	size_t n_regions;
	const struct sites_range *functions;
	size_t n_functions;
	const uint64_t *starts;
	size_t n_starts;
	/* Readable non-code bytes of the object (jump tables live there);
	 * sorted like regions. May be empty. */
	const struct sites_region *data;
	size_t n_data;
};

/* Instructions recorded on each side of a syscall (fewer at a boundary of
 * the containing range). */
#define SITES_MAX_BEFORE 4
#define SITES_MAX_AFTER	 4
#define SITES_MAX_INSNS	 (SITES_MAX_BEFORE + 1 + SITES_MAX_AFTER)

/* The window: every byte a 2-byte `jmp rel8` placed over the syscall could
 * reach (rel8 is relative to the end of the jump) and all recorded
 * instructions. */
#define SITES_WINDOW_BEFORE 128
#define SITES_WINDOW_AFTER  130 /* syscall (2) + 127 forward + 1 */
#define SITES_WINDOW_SIZE   (SITES_WINDOW_BEFORE + SITES_WINDOW_AFTER)

/* struct sites_site.flags */
enum sites_site_flag {
	/* No FDE covers the syscall: the containing range is the gap between
	 * the neighbouring FDE ranges (or the region's edge). */
	SITES_OUTSIDE_FDE = 1u << 0,
	/* Some instruction of the containing range touches vector/FPU state
	 * (see vector_regs and the DISASM_F_YMM/FULL_STATE bits of
	 * vector_flags). */
	SITES_USES_VECTOR = 1u << 1,
	/* Some instruction of the containing range sets the direction flag
	 * (std): DF may be set at the syscall. */
	SITES_SETS_DF = 1u << 2,
};

struct sites_site {
	uint64_t address;     /* of the syscall instruction */
	uint64_t range_start; /* containing FDE range, or gap */
	uint64_t range_end;
	uint32_t flags;	       /* enum sites_site_flag */
	uint32_t vector_flags; /* OR of disasm flags over the range */
	uint32_t vector_regs;  /* OR of vector_regs over the range */
	uint8_t n_insns;       /* recorded instructions, syscall included */
	uint8_t syscall_index; /* position of the syscall in insns[] */
	struct disasm_insn insns[SITES_MAX_INSNS];
	/* window_start = address - SITES_WINDOW_BEFORE. Bit i of `watched`
	 * is set for the bytes a plan may overwrite: those of the containing
	 * range and those in no FDE range at all (padding, stubs). For a
	 * watched byte, bit i of `entry` says it is the target of a direct
	 * branch in the object or a function/symbol start, and bit i of
	 * func_start that it is a function or symbol start. Other bytes (in
	 * the bodies of neighbouring functions, outside the regions) are
	 * never flagged. */
	uint64_t window_start;
	uint8_t watched[SITES_WINDOW_SIZE / 8 + 1];
	/* Targets of indirect jumps found in the containing range: entries
	 * of its jump tables (a rip-relative lea of a table of 32-bit
	 * offsets, used by an indirect jmp) and labels whose address it
	 * takes (a rip-relative lea into the range). Folded into entry. */
	uint8_t indirect[SITES_WINDOW_SIZE / 8 + 1];
	uint8_t entry[SITES_WINDOW_SIZE / 8 + 1];
	uint8_t func_start[SITES_WINDOW_SIZE / 8 + 1];
};

struct sites_result {
	struct sites_site *sites; /* sorted by address */
	size_t n_sites;
	/* Statistics for tools and benchmarks. */
	size_t n_candidates;	    /* `0f 05` byte pairs seen */
	size_t n_functions_decoded; /* ranges decoded by sites_find */
	size_t bytes_decoded;
	size_t n_cross_checks; /* out-of-function branch hits verified */
};

enum sites_error {
	SITES_OK = 0,
	SITES_E_NOMEM = -1, /* the arena is exhausted */
	SITES_E_INPUT =
	    -2, /* functions/starts unsorted, regions bad/unsorted */
};

/* The fast analysis. `ctx` is the capstone fallback for instructions the
 * fast decoder declines (may be NULL in tests of the fast decoder alone).
 * Returns SITES_OK, or a negative enum sites_error. */
int sites_find(const struct sites_input *in, struct disasm_ctx *ctx,
	       struct arena *arena, struct sites_result *out);

/* The reference: a linear capstone sweep over every region. Same result
 * format and contract as sites_find. */
int sites_find_sweep(const struct sites_input *in, struct disasm_ctx *ctx,
		     struct arena *arena, struct sites_result *out);

/* True if byte `address` is in the site's window and watched. */
bool sites_is_watched(const struct sites_site *site, uint64_t address);

/* True if byte `address` is flagged in the site's entry bitmap. */
bool sites_is_entry(const struct sites_site *site, uint64_t address);

/* True if byte `address` is flagged in the site's func_start bitmap. */
bool sites_is_func_start(const struct sites_site *site, uint64_t address);

#ifdef __cplusplus
}
#endif

#endif
