/*
 * x86_emit: the byte emitter and instruction relocator. Pure: no OS calls,
 * no allocation; testable byte for byte. Emitters are named by operand
 * shape, write at `buf` the code that will run at address `at`, and return
 * the number of bytes written, or 0 when the encoding cannot reach (a
 * displacement outside +-2 GiB) or the buffer is too small. A NULL buf only
 * measures.
 */
#ifndef SYSCALL_INTERCEPT_PATCHER_X86_EMIT_H
#define SYSCALL_INTERCEPT_PATCHER_X86_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disasm/disasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* True if target - (at + len) fits a signed 32-bit displacement. */
bool x86_rel32_fits(uint64_t at, size_t len, uint64_t target);

/* e9 rel32: jmp target. 5 bytes. */
size_t emit_jmp_rel32(uint8_t *buf, size_t cap, uint64_t at, uint64_t target);

/* eb rel8: jmp target. 2 bytes, or 0 if out of rel8 reach. */
size_t emit_jmp_rel8(uint8_t *buf, size_t cap, uint64_t at, uint64_t target);

/* 0f 8x rel32: jcc target, x = condition nibble. 6 bytes. */
size_t emit_jcc_rel32(uint8_t *buf, size_t cap, uint64_t at, unsigned cond,
		      uint64_t target);

/* ff 25 disp32: jmp qword [rip + disp32], the slot holding the target.
 * 6 bytes. */
size_t emit_jmp_rip_slot(uint8_t *buf, size_t cap, uint64_t at, uint64_t slot);

/* 4c 8d 1d disp32: lea r11, [rip + disp32]. 7 bytes. */
size_t emit_lea_r11_rip(uint8_t *buf, size_t cap, uint64_t at, uint64_t target);

/* 0f 05: syscall. 2 bytes. */
size_t emit_syscall(uint8_t *buf, size_t cap);

/* cc...: `n` int3 bytes. */
size_t emit_int3_fill(uint8_t *buf, size_t cap, size_t n);

/* Re-emits the instruction `insn` (its bytes at `code`) so that it does the
 * same at `at`: copied as is when position-independent, its disp32 re-based
 * when rip-relative, a relative jmp/jcc widened to rel32 with the same
 * target. Returns 0 for what cannot move (calls, loop/jrcxz, syscalls,
 * undecodable bytes) or does not reach. */
size_t emit_relocated(uint8_t *buf, size_t cap, uint64_t at,
		      const struct disasm_insn *insn, const uint8_t *code);

#ifdef __cplusplus
}
#endif

#endif
