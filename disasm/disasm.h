/*
 * disasm: the x86-64 instruction analyzer.
 *
 * Two decoders answer the same question, "what is the instruction at these
 * bytes", into the same plain struct:
 *
 *  - disasm_decode(): backed by capstone 4.0.2. The authority, used by the
 *    tools and as the reference in tests, and as the fallback for anything
 *    the fast decoder does not claim.
 *  - disasm_decode_fast(): a table-driven decoder with no state and no
 *    allocation, ~50x faster than capstone. It claims (returns true for) the
 *    instructions it classifies completely and declines the rest. A
 *    differential test over every instruction of the system's libraries
 *    proves that whatever it claims, capstone reports identically.
 *
 * disasm_analyze() combines them: fast decoder first, capstone when declined.
 * No capstone type appears outside this package.
 *
 * What "identically" means for a claimed instruction (checked by
 * disasm_test and, over every instruction of libc, ld.so, libm, libpthread
 * and libstdc++, by disasm_diff_test):
 *  - equal: address, kind, length, target, disp_offset, imm_offset,
 *    imm_size, condition, nop_len, and the flags RIP_REL, NO_FALLTHROUGH,
 *    MOVABLE and RELOCATABLE;
 *  - VECTOR, YMM, FULL_STATE and vector_regs may be a superset of
 *    capstone's (the fast decoder may say "touches vector state" where
 *    capstone does not, never the reverse);
 *  - fast WRITES_ALL_FLAGS implies capstone WRITES_ALL_FLAGS, and capstone
 *    READS_FLAGS implies fast READS_FLAGS (the fast answer is the more
 *    cautious one for flag liveness).
 * Whenever disasm_length_fast() is not 0 on bytes capstone decodes, it is
 * capstone's length.
 *
 * Conventions (both decoders):
 *  - A relative branch with a 16-bit displacement (66 e8/e9/0f 8x, which
 *    capstone 4.0.2 decodes as AMD does while Intel ignores the 66) is kind
 *    DISASM_OTHER, neither MOVABLE nor RELOCATABLE; imm_offset, imm_size
 *    (2) and target are capstone's.
 *  - xbegin (c7 f8 rel32) is DISASM_OTHER with imm_offset/imm_size/target
 *    set, neither MOVABLE nor RELOCATABLE; so are loop/jrcxz (no rel32
 *    form to widen to).
 *  - An eip-relative operand (67 prefix) sets RIP_REL, disp_offset and a
 *    target truncated to 32 bits, but not RELOCATABLE.
 *  - MOVABLE and RELOCATABLE exclude each other: MOVABLE needs no rewrite.
 *  - DISASM_NOP is exactly what capstone calls nop (90, 66 90, rex.W 90,
 *    0f 1f /0 and the 0f 19..0f 1e hint forms with memory operands); pause
 *    (f3 90), xchg eax,eax (87 c0) and xchg eax,r8d (41 90) are OTHER.
 *  - syscall, sysenter, int n and int3 have READS_FLAGS: the kernel or a
 *    signal handler receives rflags.
 *  - x87 instructions are VECTOR | FULL_STATE (fcmovcc also READS_FLAGS);
 *    shifts and rotates never have WRITES_ALL_FLAGS (a zero count writes
 *    nothing).
 */
#ifndef SYSCALL_INTERCEPT_DISASM_DISASM_H
#define SYSCALL_INTERCEPT_DISASM_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest legal x86 instruction. */
#define DISASM_MAX_INSN_LEN 15

enum disasm_kind {
	DISASM_INVALID = 0, /* undecodable bytes; length is 1 */
	DISASM_OTHER,	    /* any instruction not listed below */
	DISASM_SYSCALL,	    /* 0f 05 */
	DISASM_SYSENTER,    /* 0f 34 */
	DISASM_INT80,	    /* cd 80 */
	DISASM_JMP_REL8,    /* eb cb */
	DISASM_JMP_REL32,   /* e9 cd */
	DISASM_JCC_REL8,    /* 70..7f cb */
	DISASM_JCC_REL32,   /* 0f 80..8f cd */
	DISASM_LOOP_REL8,   /* e0..e3 cb: loopne, loope, loop, jrcxz */
	DISASM_CALL_REL32,  /* e8 cd */
	DISASM_JMP_INDIRECT,
	DISASM_CALL_INDIRECT,
	DISASM_RET,	/* c3, c2 iw (also with rep/bnd prefixes) */
	DISASM_NOP,	/* what capstone calls nop: 90, 66 90, 0f 1f /0 ... */
	DISASM_INT3,	/* cc */
	DISASM_ENDBR64, /* f3 0f 1e fa */
	DISASM_UD2,	/* 0f 0b */
	DISASM_HLT,	/* f4 */
	DISASM_KIND_COUNT
};

/* insn.flags */
enum disasm_flag {
	/* A memory operand is addressed relative to rip; disp_offset says where
	 * its 32-bit displacement sits in the instruction bytes. */
	DISASM_F_RIP_REL = 1u << 0,
	/* Control never falls through to the next instruction: jmp (any), ret,
	 * ud2, hlt, int3 is NOT included (it traps and may resume). */
	DISASM_F_NO_FALLTHROUGH = 1u << 1,
	/* The instruction reads or writes vector/FPU state: xmm/ymm/zmm, opmask
	 * k0-k7, x87 or MMX registers, or MXCSR. */
	DISASM_F_VECTOR = 1u << 2,
	/* Touches 256-bit ymm state (VEX.L=1 or EVEX.L'L=01). */
	DISASM_F_YMM = 1u << 3,
	/* Touches zmm, opmask registers or xmm16-31 (EVEX), or x87/MMX: only a
	 * full xsave preserves what it may hold. */
	DISASM_F_FULL_STATE = 1u << 4,
	/* Writes all six arithmetic flags without reading any of them first
	 * (cmp, test, add, sub, and, or, xor, ...): flags are dead before it.
	 */
	DISASM_F_WRITES_ALL_FLAGS = 1u << 5,
	/* Reads at least one arithmetic flag (jcc, setcc, cmovcc, adc, ...). */
	DISASM_F_READS_FLAGS = 1u << 6,
	/* Can be copied byte for byte to any other address (no rip-relative
	 * operand, not a relative branch) and executes the same there. */
	DISASM_F_MOVABLE = 1u << 7,
	/* Can be moved after rewriting: a rip-relative operand whose disp32 can
	 * be re-based, or a relative branch that can be re-encoded (rel8 forms
	 * widen to rel32 forms). */
	DISASM_F_RELOCATABLE = 1u << 8,
};

struct disasm_insn {
	uint64_t address;     /* where the instruction was decoded */
	uint64_t target;      /* branch or rip-relative target, else 0 */
	uint32_t flags;	      /* enum disasm_flag */
	uint32_t vector_regs; /* bit n: xmm/ymm/zmm n is referenced */
	uint8_t length;	      /* 1..15; 1 for DISASM_INVALID */
	uint8_t kind;	      /* enum disasm_kind */
	uint8_t disp_offset;  /* offset of the rip-relative disp32, or 0 */
	uint8_t imm_offset; /* offset of a relative branch's immediate, or 0 */
	uint8_t imm_size;   /* size of that immediate (1 or 4), or 0 */
	uint8_t condition;  /* low nibble of a jcc opcode (0..15) */
	uint8_t nop_len;    /* for DISASM_NOP: == length */
	uint8_t reserved;
};

/* Opaque capstone-backed decoder. One per thread (not thread-safe);
 * contexts on different threads may decode at the same time. */
struct disasm_ctx;

/* Opens a capstone decoder whose working memory comes from `arena` (at
 * least DISASM_ARENA_MIN bytes, 16-byte aligned), so neither opening nor
 * decoding calls malloc. Returns NULL if the arena is too small or
 * misaligned, or capstone cannot be opened. */
#define DISASM_ARENA_MIN (64 * 1024)
struct disasm_ctx *disasm_open(void *arena, size_t arena_size);

/* As disasm_open, but capstone is started only when a decode first needs
 * it (a start-up that never meets an instruction the fast decoder declines
 * never pays for it). Returns NULL only for a bad arena; if capstone later
 * fails to start, decodes report DISASM_INVALID. */
struct disasm_ctx *disasm_open_lazy(void *arena, size_t arena_size);

/* Releases the decoder. The arena remains the caller's. */
void disasm_close(struct disasm_ctx *ctx);

/* Decodes one instruction at `code` (at most `avail` readable bytes), which
 * the process sees at `address`. Always fills *out: undecodable or truncated
 * bytes give kind DISASM_INVALID with length 1. Returns false in that case. */
bool disasm_decode(struct disasm_ctx *ctx, const uint8_t *code, size_t avail,
		   uint64_t address, struct disasm_insn *out);

/* The fast decoder: no state, no allocation, async-signal-safe. Returns true
 * and fills *out (identically to disasm_decode) when it classifies the
 * instruction completely; returns false (and leaves *out undefined) when the
 * caller must ask capstone. Its length, when it returns false, is still given
 * by disasm_length_fast(). */
bool disasm_decode_fast(const uint8_t *code, size_t avail, uint64_t address,
			struct disasm_insn *out);

/* Length of the instruction at `code` by the fast tables, or 0 when it
 * cannot tell (undecodable, truncated, or an encoding it does not know). */
size_t disasm_length_fast(const uint8_t *code, size_t avail);

/* Fast decoder first, capstone when it declines. Same contract as
 * disasm_decode(). `ctx` may be NULL: then declined instructions come back
 * as DISASM_INVALID with length disasm_length_fast() (or 1). */
bool disasm_analyze(struct disasm_ctx *ctx, const uint8_t *code, size_t avail,
		    uint64_t address, struct disasm_insn *out);

/* Name of a kind, for tools and test messages ("syscall", "jcc rel8"...). */
const char *disasm_kind_name(enum disasm_kind kind);

/* Writes capstone's text ("mov eax, 0x27") for one instruction into buf
 * (NUL-terminated, truncated to size). Returns false if undecodable. For
 * tools and test diagnostics only. */
bool disasm_format(struct disasm_ctx *ctx, const uint8_t *code, size_t avail,
		   uint64_t address, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
