/*
 * Internal: layout of the fast decoder's generated tables.
 *
 * For the two- and three-byte opcode maps (legacy 0F, 0F38, 0F3A, and their
 * VEX and EVEX forms) and for the x87 escapes, the fast decoder does not
 * hard-code which encodings exist: fast_gen.c asks capstone about every
 * (map, mandatory prefix, L, W, opcode, ModRM) combination and records what
 * it answered, and fast_tables.inc is that answer. fast_gen_test checks that
 * the checked-in tables still equal capstone's answers.
 */
#ifndef SYSCALL_INTERCEPT_DISASM_FAST_TABLES_H
#define SYSCALL_INTERCEPT_DISASM_FAST_TABLES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An attribute word. Zero: the fast decoder does not know the opcode. */
#define FT_VALID_REG_SHIFT 0 /* bits 0-7: mod == 3 valid for reg n, any rm */
#define FT_VALID_MEM_SHIFT 8 /* bits 8-15: memory form valid for reg n */
#define FT_IMM8		   (1u << 16) /* an imm8 follows ModRM */
#define FT_NOMODRM	   (1u << 17) /* no ModRM byte: opcode is the end */
#define FT_VECTOR	   (1u << 18)
#define FT_YMM		   (1u << 19)
#define FT_FULL		   (1u << 20)
#define FT_ALLREGS	   (1u << 21) /* touches registers no field names */
#define FT_WRITES_ALL	   (1u << 22)
#define FT_READS	   (1u << 23)

#define FT_MAPS 3 /* 0F, 0F38, 0F3A */
#define FT_PP	4 /* none, 66, F3, F2 */

struct disasm_fast_tables {
	const uint32_t *attr; /* indexed by the uint8_t tables below */
	unsigned attr_count;
	const uint8_t (*legacy)[FT_PP][256];	 /* [map] */
	const uint8_t (*vex)[FT_PP][2][2][256];	 /* [map][pp][L][W] */
	const uint8_t (*evex)[FT_PP][3][2][256]; /* [map][pp][L'L][W] */
	const uint64_t *x87_reg; /* [opcode - 0xd8]: bit = modrm & 63 */
	const uint8_t *x87_mem;	 /* [opcode - 0xd8]: bit = modrm.reg */
};

/* The tables compiled into fast.c. */
const struct disasm_fast_tables *disasm_fast_tables(void);

#ifdef __cplusplus
}
#endif

#endif
