/*
 * Internal to disasm/: shared between the capstone path (disasm.c), the fast
 * decoder (fast.c) and the generator of the fast decoder's tables.
 */
#ifndef SYSCALL_INTERCEPT_DISASM_DISASM_INTERNAL_H
#define SYSCALL_INTERCEPT_DISASM_DISASM_INTERNAL_H

#include <stdint.h>

#include "disasm/disasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills *out as an undecodable byte at `address` (kind DISASM_INVALID,
 * length 1, everything else zero). */
void disasm_insn_invalid(uint64_t address, struct disasm_insn *out);

#ifdef __cplusplus
}
#endif

#endif
