// The fast decoder's checked-in tables are exactly what capstone answers
// today (regenerate with: bazel run //disasm:fast_gen_main >
// disasm/fast_tables.inc).
#include <cstring>
#include <memory>

#include "disasm/disasm.h"
#include "disasm/fast_gen.h"
#include "disasm/fast_tables.h"
#include "gtest/gtest.h"

namespace
{

TEST(FastTables, MatchCapstone)
{
	alignas(16) static unsigned char arena[DISASM_ARENA_MIN];
	disasm_ctx *ctx = disasm_open(arena, sizeof(arena));
	ASSERT_NE(ctx, nullptr);
	auto g = std::make_unique<disasm_fast_gen>();
	disasm_fast_gen_run(ctx, g.get());
	disasm_close(ctx);

	const struct disasm_fast_tables *t = disasm_fast_tables();
	ASSERT_GT(t->attr_count, 1u);
	EXPECT_EQ(t->attr[0], 0u);
	auto attr = [&](uint8_t i) {
		EXPECT_LT(i, t->attr_count);
		return i < t->attr_count ? t->attr[i] : 0xffffffffu;
	};
	int bad = 0;
	for (int m = 0; m < FT_MAPS; m++)
		for (int pp = 0; pp < FT_PP; pp++)
			for (int op = 0; op < 256; op++) {
				if (attr(t->legacy[m][pp][op]) !=
					g->legacy[m][pp][op] &&
				    bad++ < 10)
					ADD_FAILURE()
					    << "legacy map " << m << " pp "
					    << pp << " op " << op;
				for (int l = 0; l < 2; l++)
					for (int w = 0; w < 2; w++)
						if (attr(t->vex[m][pp][l][w]
							       [op]) !=
							g->vex[m][pp][l][w]
							      [op] &&
						    bad++ < 10)
							ADD_FAILURE()
							    << "vex " << m
							    << " op " << op;
				for (int l = 0; l < 3; l++)
					for (int w = 0; w < 2; w++)
						if (attr(t->evex[m][pp][l][w]
								[op]) !=
							g->evex[m][pp][l][w]
							       [op] &&
						    bad++ < 10)
							ADD_FAILURE()
							    << "evex " << m
							    << " op " << op;
			}
	for (int i = 0; i < 8; i++) {
		EXPECT_EQ(t->x87_reg[i], g->x87_reg[i]) << "x87 " << i;
		EXPECT_EQ(t->x87_mem[i], g->x87_mem[i]) << "x87 " << i;
	}
	EXPECT_EQ(bad, 0);
}

TEST(FastTables, KnownEntries)
{
	const struct disasm_fast_tables *t = disasm_fast_tables();
	// 0f 10: movups, both forms, every reg, vector.
	uint32_t movups = t->attr[t->legacy[0][0][0x10]];
	EXPECT_EQ(movups & 0xffff, 0xffffu);
	EXPECT_TRUE(movups & FT_VECTOR);
	EXPECT_FALSE(movups & FT_IMM8);
	// 66 0f 3a 0f: palignr, imm8.
	EXPECT_TRUE(t->attr[t->legacy[2][1][0x0f]] & FT_IMM8);
	// 0f a2: cpuid, no ModRM.
	EXPECT_TRUE(t->attr[t->legacy[0][0][0xa2]] & FT_NOMODRM);
	// 0f 05 (syscall) is not OTHER: the tables leave it to the code.
	EXPECT_EQ(t->attr[t->legacy[0][0][0x05]], 0u);
	// 0f 44: cmove reads flags.
	EXPECT_TRUE(t->attr[t->legacy[0][0][0x44]] & FT_READS);
}

} // namespace
