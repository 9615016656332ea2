#include "patcher/x86_emit.h"

static void put32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;
	p[0] = (uint8_t)u;
	p[1] = (uint8_t)(u >> 8);
	p[2] = (uint8_t)(u >> 16);
	p[3] = (uint8_t)(u >> 24);
}

static int64_t rel_from(uint64_t at, size_t len, uint64_t target)
{
	return (int64_t)(target - (at + len));
}

bool x86_rel32_fits(uint64_t at, size_t len, uint64_t target)
{
	int64_t d = rel_from(at, len, target);
	return d >= INT32_MIN && d <= INT32_MAX;
}

/* Writes opcode bytes then a rel32/disp32 to target relative to the end of
 * an instruction of `len` bytes. */
static size_t emit_op_rel32(uint8_t *buf, size_t cap, uint64_t at,
			    const uint8_t *op, size_t oplen, uint64_t target)
{
	size_t len = oplen + 4;
	if (!x86_rel32_fits(at, len, target))
		return 0;
	if (!buf)
		return len;
	if (cap < len)
		return 0;
	for (size_t i = 0; i < oplen; i++)
		buf[i] = op[i];
	put32(buf + oplen, (int32_t)rel_from(at, len, target));
	return len;
}

size_t emit_jmp_rel32(uint8_t *buf, size_t cap, uint64_t at, uint64_t target)
{
	static const uint8_t op[] = {0xe9}; /* jmp rel32 */
	return emit_op_rel32(buf, cap, at, op, sizeof(op), target);
}

size_t emit_jmp_rel8(uint8_t *buf, size_t cap, uint64_t at, uint64_t target)
{
	int64_t d = rel_from(at, 2, target);
	if (d < INT8_MIN || d > INT8_MAX)
		return 0;
	if (!buf)
		return 2;
	if (cap < 2)
		return 0;
	buf[0] = 0xeb; /* jmp rel8 */
	buf[1] = (uint8_t)(int8_t)d;
	return 2;
}

size_t emit_jcc_rel32(uint8_t *buf, size_t cap, uint64_t at, unsigned cond,
		      uint64_t target)
{
	const uint8_t op[] = {0x0f, (uint8_t)(0x80 | (cond & 0xf))}; /* jcc */
	return emit_op_rel32(buf, cap, at, op, sizeof(op), target);
}

size_t emit_jmp_rip_slot(uint8_t *buf, size_t cap, uint64_t at, uint64_t slot)
{
	static const uint8_t op[] = {0xff, 0x25}; /* jmp qword [rip+disp32] */
	return emit_op_rel32(buf, cap, at, op, sizeof(op), slot);
}

size_t emit_lea_r11_rip(uint8_t *buf, size_t cap, uint64_t at, uint64_t target)
{
	static const uint8_t op[] = {0x4c, 0x8d, 0x1d}; /* lea r11, [rip+d] */
	return emit_op_rel32(buf, cap, at, op, sizeof(op), target);
}

size_t emit_syscall(uint8_t *buf, size_t cap)
{
	if (!buf)
		return 2;
	if (cap < 2)
		return 0;
	buf[0] = 0x0f; /* syscall */
	buf[1] = 0x05;
	return 2;
}

size_t emit_int3_fill(uint8_t *buf, size_t cap, size_t n)
{
	if (!buf)
		return n;
	if (cap < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		buf[i] = 0xcc; /* int3 */
	return n;
}

size_t emit_relocated(uint8_t *buf, size_t cap, uint64_t at,
		      const struct disasm_insn *insn, const uint8_t *code)
{
	switch (insn->kind) {
	case DISASM_JMP_REL8:
	case DISASM_JMP_REL32:
		return emit_jmp_rel32(buf, cap, at, insn->target);
	case DISASM_JCC_REL8:
	case DISASM_JCC_REL32:
		return emit_jcc_rel32(buf, cap, at, insn->condition,
				      insn->target);
	case DISASM_CALL_REL32:
	case DISASM_CALL_INDIRECT:
	case DISASM_LOOP_REL8:
	case DISASM_INVALID:
	case DISASM_SYSCALL:
	case DISASM_SYSENTER:
	case DISASM_INT80:
		return 0;
	default:
		break;
	}
	size_t len = insn->length;
	if (insn->flags & DISASM_F_RIP_REL) {
		if (!(insn->flags & DISASM_F_RELOCATABLE) ||
		    insn->disp_offset == 0 || insn->disp_offset + 4u > len ||
		    !x86_rel32_fits(at, len, insn->target))
			return 0;
	} else if (!(insn->flags & DISASM_F_MOVABLE)) {
		return 0;
	}
	if (!buf)
		return len;
	if (cap < len)
		return 0;
	for (size_t i = 0; i < len; i++)
		buf[i] = code[i];
	if (insn->flags & DISASM_F_RIP_REL)
		put32(buf + insn->disp_offset,
		      (int32_t)rel_from(at, len, insn->target));
	return len;
}
