/*
 * Internal, testonly: builds the fast decoder's tables by asking capstone
 * (see fast_tables.h). Used by fast_gen_main (which prints fast_tables.inc)
 * and by fast_gen_test (which compares with the compiled tables).
 */
#ifndef SYSCALL_INTERCEPT_DISASM_FAST_GEN_H
#define SYSCALL_INTERCEPT_DISASM_FAST_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "disasm/disasm.h"
#include "disasm/fast_tables.h"

#ifdef __cplusplus
extern "C" {
#endif

struct disasm_fast_gen {
	uint32_t legacy[FT_MAPS][FT_PP][256];
	uint32_t vex[FT_MAPS][FT_PP][2][2][256];
	uint32_t evex[FT_MAPS][FT_PP][3][2][256];
	uint64_t x87_reg[8];
	uint8_t x87_mem[8];
};

/* Fills *g from capstone's answers through `ctx`. */
void disasm_fast_gen_run(struct disasm_ctx *ctx, struct disasm_fast_gen *g);

/* Prints *g as the C source of fast_tables.inc. Returns 0, or -1 when more
 * than 255 distinct attribute words would be needed. */
int disasm_fast_gen_print(const struct disasm_fast_gen *g, FILE *f);

#ifdef __cplusplus
}
#endif

#endif
