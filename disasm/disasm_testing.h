// Test helpers shared by the disasm tests: formatting and the relation the
// fast decoder must keep with capstone (see disasm.h).
#ifndef SYSCALL_INTERCEPT_DISASM_DISASM_TESTING_H
#define SYSCALL_INTERCEPT_DISASM_DISASM_TESTING_H

#include <cinttypes>
#include <cstdio>
#include <string>

#include "disasm/disasm.h"

namespace disasm_testing
{

inline std::string Hex(const uint8_t *p, size_t n)
{
	std::string s;
	char b[4];
	for (size_t i = 0; i < n; i++) {
		std::snprintf(b, sizeof(b), "%s%02x", i ? " " : "", p[i]);
		s += b;
	}
	return s;
}

inline std::string Describe(const disasm_insn &in)
{
	char buf[256];
	std::snprintf(buf, sizeof(buf),
		      "{%s len=%u target=0x%" PRIx64
		      " flags=0x%x vregs=0x%x disp@%u imm@%u/%u cc=%u nop=%u}",
		      disasm_kind_name(static_cast<disasm_kind>(in.kind)),
		      in.length, in.target, in.flags, in.vector_regs,
		      in.disp_offset, in.imm_offset, in.imm_size, in.condition,
		      in.nop_len);
	return buf;
}

// Flags the fast decoder must report exactly as capstone does.
constexpr uint32_t kExactFlags = DISASM_F_RIP_REL | DISASM_F_NO_FALLTHROUGH |
				 DISASM_F_MOVABLE | DISASM_F_RELOCATABLE;
// Flags where the fast decoder may say more than capstone.
constexpr uint32_t kSupersetFlags =
    DISASM_F_VECTOR | DISASM_F_YMM | DISASM_F_FULL_STATE;

// Empty when `fast` (a claimed fast decode) keeps its contract with `cs`
// (capstone's decode of the same bytes); else what is wrong.
inline std::string FastVersusCapstone(const disasm_insn &fast,
				      const disasm_insn &cs)
{
	std::string why;
	auto check = [&](bool ok, const char *what) {
		if (!ok) {
			why += why.empty() ? "" : ", ";
			why += what;
		}
	};
	check(fast.kind == cs.kind, "kind");
	check(fast.length == cs.length, "length");
	check(fast.address == cs.address, "address");
	check(fast.target == cs.target, "target");
	check(fast.disp_offset == cs.disp_offset, "disp_offset");
	check(fast.imm_offset == cs.imm_offset, "imm_offset");
	check(fast.imm_size == cs.imm_size, "imm_size");
	check(fast.condition == cs.condition, "condition");
	check(fast.nop_len == cs.nop_len, "nop_len");
	check((fast.flags & kExactFlags) == (cs.flags & kExactFlags),
	      "rip_rel/no_fallthrough/movable/relocatable");
	check((cs.flags & kSupersetFlags & ~fast.flags) == 0,
	      "vector flags not a superset");
	check((cs.vector_regs & ~fast.vector_regs) == 0,
	      "vector_regs not a superset");
	check(!(fast.flags & DISASM_F_WRITES_ALL_FLAGS) ||
		  (cs.flags & DISASM_F_WRITES_ALL_FLAGS),
	      "fast WRITES_ALL_FLAGS but capstone not");
	check(!(cs.flags & DISASM_F_READS_FLAGS) ||
		  (fast.flags & DISASM_F_READS_FLAGS),
	      "capstone READS_FLAGS but fast not");
	return why;
}

} // namespace disasm_testing

#endif
