// The planner on this machine's libc and loader: every site gets a jump
// (no fallback), and the plan respects its own rules site by site.
#include "patcher/planner.h"

#include <string.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "base/arena.h"
#include "disasm/disasm.h"
#include "gtest/gtest.h"
#include "patcher/locator.h"
#include "patcher/object_input.h"
#include "patcher/sites.h"
#include "patcher/writer.h"

namespace
{

// The analysis and the plan of obj, as the library makes them.
void Plan(const struct locator_object &obj, struct disasm_ctx *ctx,
	  struct arena *arena, struct sites_result *sites,
	  struct plan_result *plan)
{
	struct sites_input in;
	ASSERT_EQ(object_sites_input(&obj, arena, &in), 0);
	ASSERT_EQ(sites_find(&in, ctx, arena, sites), SITES_OK);
	ASSERT_EQ(planner_plan(&obj, sites, ctx, arena, plan), 0);
}

struct Lib {
	const char *path;
	size_t sites;
};

class PlannerOnLibrary : public ::testing::TestWithParam<Lib>
{
      protected:
	void SetUp() override
	{
		ASSERT_EQ(arena_init_mmap(&arena_, 128u << 20), 0);
		void *mem = arena_alloc(&arena_, DISASM_ARENA_MIN * 4, 16);
		ctx_ = disasm_open(mem, DISASM_ARENA_MIN * 4);
		ASSERT_NE(ctx_, nullptr);
	}
	void TearDown() override
	{
		disasm_close(ctx_);
		arena_release(&arena_);
	}
	struct arena arena_;
	struct disasm_ctx *ctx_ = nullptr;
};

TEST_P(PlannerOnLibrary, EverySiteGetsAJump)
{
	const Lib &lib = GetParam();
	struct locator_object obj;
	ASSERT_EQ(locator_open_file(lib.path, &arena_, &obj), 0);
	struct sites_result sites;
	struct plan_result plan;
	ASSERT_NO_FATAL_FAILURE(Plan(obj, ctx_, &arena_, &sites, &plan));
	EXPECT_EQ(plan.n_sites, lib.sites);
	EXPECT_EQ(plan.n_fallback, 0u);
	EXPECT_EQ(plan.n_inline + plan.n_padding, lib.sites);

	// The rules, checked independently of how the planner chose.
	std::vector<std::pair<uint64_t, uint64_t>> taken;
	for (size_t i = 0; i < plan.n_sites; i++) {
		const plan_site &p = plan.sites[i];
		const sites_site *s = p.site;
		uint64_t end = p.patch_start + p.patch_len;
		if (p.kind == PLAN_INLINE) {
			EXPECT_GE(p.patch_len, 5);
			EXPECT_LE(p.patch_start, s->address);
			EXPECT_GE(end, s->address + 2);
			EXPECT_GE(p.patch_start, s->range_start);
			EXPECT_LE(end, s->range_end);
			for (uint64_t a = p.patch_start + 1; a < end; a++)
				EXPECT_FALSE(sites_is_entry(s, a))
				    << lib.path << " site " << i;
			// the range is made of whole recorded instructions
			EXPECT_EQ(s->insns[p.first].address, p.patch_start);
			const disasm_insn &last =
			    s->insns[p.first + p.count - 1];
			EXPECT_EQ(last.address + last.length, end);
			taken.push_back({p.patch_start, end});
		} else {
			ASSERT_EQ(p.kind, PLAN_PADDING);
			EXPECT_EQ(p.patch_len, 2);
			int64_t rel =
			    (int64_t)p.pad_slot - (int64_t)(s->address + 2);
			EXPECT_GE(rel, -128);
			EXPECT_LE(rel, 127);
			for (uint64_t a = p.pad_slot; a < p.pad_slot + 5; a++) {
				EXPECT_TRUE(sites_is_watched(s, a));
				EXPECT_FALSE(sites_is_entry(s, a));
			}
			taken.push_back({s->address, s->address + 2});
			taken.push_back({p.pad_slot, p.pad_slot + 5});
		}
	}
	std::sort(taken.begin(), taken.end());
	for (size_t i = 1; i < taken.size(); i++)
		EXPECT_LE(taken[i - 1].second, taken[i].first)
		    << "two plans overwrite the same bytes";
	locator_close(&obj);
}

INSTANTIATE_TEST_SUITE_P(
    SystemLibraries, PlannerOnLibrary,
    ::testing::Values(Lib{"/lib/x86_64-linux-gnu/libc.so.6", 526},
		      Lib{"/lib64/ld-linux-x86-64.so.2", 46}));

// Code with no ELF description (generated at run time): no FDE gives a
// function's extent, so no range runs on past an instruction that ends the
// flow; what follows it may be another function that only a call through
// a pointer reaches.
TEST(PlannerOnUnknownCode, NoRangePastTheEndOfTheFlow)
{
	static const uint8_t code[] = {
	    0xb8, 0x27, 0x00, 0x00, 0x00, // 0: f1: mov $39, %eax
	    0xeb, 0x00,			  // 5: jmp 7 (7 is a branch target)
	    0x0f, 0x05,			  // 7: syscall
	    0xc3,			  // 9: ret
	    0xb8, 0x27, 0x00, 0x00, 0x00, // 10: f2: mov $39, %eax
	    0x0f, 0x05,			  // 15: syscall
	    0x48, 0x85, 0xc0,		  // 17: test %rax, %rax
	    0xc3,			  // 20: ret
	    0xb8, 0x27, 0x00, 0x00, 0x00, // 21: f3: mov $39, %eax
	    0x0f, 0x05,			  // 26: syscall
	    0xc3,			  // 28: ret
	    0xcc, 0xcc, 0xcc,		  // 29: int3 fill
	};
	struct arena arena;
	ASSERT_EQ(arena_init_mmap(&arena, 16u << 20), 0);
	void *mem = arena_alloc(&arena, DISASM_ARENA_MIN * 4, 16);
	struct disasm_ctx *ctx = disasm_open(mem, DISASM_ARENA_MIN * 4);
	ASSERT_NE(ctx, nullptr);
	const uint64_t base = 0x10000;
	struct locator_segment seg = {};
	seg.start = base;
	seg.end = base + sizeof(code);
	seg.prot = 5; // PROT_READ | PROT_EXEC
	seg.bytes = code;
	seg.bytes_len = sizeof(code);
	struct locator_object obj = {};
	obj.path = "";
	obj.exec_segments = &seg;
	obj.exec_segment_count = 1;
	struct sites_result sites;
	struct plan_result plan;
	ASSERT_NO_FATAL_FAILURE(Plan(obj, ctx, &arena, &sites, &plan));
	ASSERT_EQ(plan.n_sites, 3u);
	// f1: [syscall, ret] is 3 bytes and may not take f2's first bytes;
	// every range before it holds the jmp's target.
	EXPECT_EQ(plan.sites[0].site->address, base + 7);
	EXPECT_EQ(plan.sites[0].kind, PLAN_FALLBACK);
	EXPECT_EQ(plan.sites[0].reason, PLAN_R_ENTRY_INSIDE);
	// f2: syscall + test, before its ret.
	EXPECT_EQ(plan.sites[1].kind, PLAN_INLINE);
	EXPECT_EQ(plan.sites[1].patch_start, base + 15);
	EXPECT_EQ(plan.sites[1].patch_len, 5);
	// f3: from its first instruction up to the syscall; never past ret.
	EXPECT_EQ(plan.sites[2].kind, PLAN_INLINE);
	EXPECT_EQ(plan.sites[2].patch_start, base + 21);
	EXPECT_EQ(plan.sites[2].patch_len, 7);
	disasm_close(ctx);
	arena_release(&arena);
}

// Without trampoline memory in reach, sites become fallbacks (with the
// reason), and nothing is mapped.
TEST(Writer, NoRegionMakesFallbacks)
{
	struct arena arena;
	ASSERT_EQ(arena_init_mmap(&arena, 64u << 20), 0);
	void *mem = arena_alloc(&arena, DISASM_ARENA_MIN * 4, 16);
	struct disasm_ctx *ctx = disasm_open(mem, DISASM_ARENA_MIN * 4);
	ASSERT_NE(ctx, nullptr);
	struct locator_object obj;
	ASSERT_EQ(locator_open_loaded((const void *)&strlen, nullptr, 0, &arena,
				      &obj),
		  0);
	struct sites_result sites;
	struct plan_result plan;
	ASSERT_NO_FATAL_FAILURE(Plan(obj, ctx, &arena, &sites, &plan));
	ASSERT_GT(plan.n_sites, 0u);
	struct writer_config cfg = {};
	cfg.entry = 0x1000;
	cfg.entry_flags = 0x1000;
	cfg.mmap_min_addr = 1ULL << 47; // nothing in reach may be used
	struct writer_trampolines tr;
	EXPECT_EQ(writer_build(&obj, &plan, &cfg, &arena, &tr),
		  WRITER_E_NO_REGION);
	EXPECT_EQ(tr.region, nullptr);
	EXPECT_EQ(plan.n_fallback, plan.n_sites);
	for (size_t i = 0; i < plan.n_sites; i++)
		EXPECT_EQ(plan.sites[i].reason, PLAN_R_NO_TRAMPOLINE);
	disasm_close(ctx);
	arena_release(&arena);
}

} // namespace
