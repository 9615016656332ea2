// Site analysis: hand-built code with known answers, then the differential
// test of the fast analysis against the full capstone sweep on this
// machine's libraries.
#include "patcher/sites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/arena.h"
#include "disasm/disasm.h"
#include "gtest/gtest.h"
#include "patcher/locator.h"
#include "patcher/object_input.h"

namespace
{

class Sites : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		ASSERT_EQ(arena_init_mmap(&arena_, 512u << 20), 0);
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

constexpr uint64_t kBase = 0x400000;

// A code image assembled by hand:
//
//   f1 (FDE [0x00,0x10)):
//   0x00  b8 27 00 00 00        mov eax, 0x27
//   0x05  0f 05                 syscall                <- site A
//   0x07  48 3d 01 f0 ff ff     cmp rax, -0xfff
//   0x0d  c3                    ret
//   0x0e  66 90                 xchg ax, ax (padding)
//   f2 (FDE [0x10,0x20)):
//   0x10  b8 0f 05 00 00        mov eax, 0x50f         (0f 05 inside)
//   0x15  0f 05                 syscall                <- site B
//   0x17  75 f7                 jne 0x10
//   0x19  c3                    ret
//   0x1a  cc cc cc cc cc cc     int3 padding
//   no FDE (gap [0x20,0x30)):
//   0x20  b8 0f 00 00 00        mov eax, 0xf
//   0x25  0f 05                 syscall                <- site C, outside FDE
//   0x27  90 x 9                nop
//   cold (FDE [0x30,0x40)):
//   0x30  e9 d2 ff ff ff        jmp 0x7                (into site A's window)
//   0x35  0f 1f 44 00 00        nop dword [rax+rax]
//   0x3a  66 0f 1f 44 00 00     nop word [rax+rax]
std::vector<uint8_t> HandImage()
{
	std::vector<uint8_t> b = {
	    0xb8, 0x27, 0x00, 0x00, 0x00, 0x0f, 0x05, 0x48,
	    0x3d, 0x01, 0xf0, 0xff, 0xff, 0xc3, 0x66, 0x90, // f1
	    0xb8, 0x0f, 0x05, 0x00, 0x00, 0x0f, 0x05, 0x75,
	    0xf7, 0xc3, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, // f2
	    0xb8, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05, 0x90,
	    0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, // gap
	    0xe9, 0xd2, 0xff, 0xff, 0xff, 0x0f, 0x1f, 0x44,
	    0x00, 0x00, 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00, // cold
	};
	return b;
}

struct HandInput {
	std::vector<uint8_t> bytes = HandImage();
	struct sites_region region = {nullptr, kBase, 0};
	std::vector<sites_range> functions = {
	    {kBase + 0x00, kBase + 0x10},
	    {kBase + 0x10, kBase + 0x20},
	    {kBase + 0x30, kBase + 0x40},
	};
	std::vector<uint64_t> starts = {kBase + 0x00, kBase + 0x10,
					kBase + 0x30};
	struct sites_input in;
	HandInput()
	{
		region.bytes = bytes.data();
		region.size = bytes.size();
		in = {&region,		1,
		      functions.data(), functions.size(),
		      starts.data(),	starts.size()};
	}
};

TEST_F(Sites, HandImageFast)
{
	HandInput h;
	struct sites_result r;
	ASSERT_EQ(sites_find(&h.in, ctx_, &arena_, &r), SITES_OK);
	EXPECT_EQ(r.n_candidates, 4u); // three syscalls and the one in the mov
	ASSERT_EQ(r.n_sites, 3u);

	const sites_site &a = r.sites[0];
	EXPECT_EQ(a.address, kBase + 0x05);
	EXPECT_EQ(a.range_start, kBase + 0x00);
	EXPECT_EQ(a.range_end, kBase + 0x10);
	EXPECT_EQ(a.flags, 0u);
	ASSERT_EQ(a.n_insns, 5u); // mov, syscall, cmp, ret, xchg
	EXPECT_EQ(a.syscall_index, 1u);
	EXPECT_EQ(a.insns[0].address, kBase + 0x00);
	EXPECT_EQ(a.insns[2].address, kBase + 0x07);
	EXPECT_EQ(a.insns[3].kind, DISASM_RET);
	// Watched: the containing range and the bytes in no FDE range (the
	// gap at 0x20); not the bodies of f2 and the cold fragment.
	for (uint64_t x = 0; x < 0x40; x++) {
		bool want = x < 0x10 || (x >= 0x20 && x < 0x30);
		EXPECT_EQ(sites_is_watched(&a, kBase + x), want) << x;
	}
	// 0x07 is reached by the cold fragment's jmp; 0x00 is a function
	// start. 0x10 (f2's start, the jne's target) is not watched by A.
	EXPECT_TRUE(sites_is_entry(&a, kBase + 0x07));
	EXPECT_FALSE(sites_is_func_start(&a, kBase + 0x07));
	EXPECT_TRUE(sites_is_func_start(&a, kBase + 0x00));
	EXPECT_FALSE(sites_is_entry(&a, kBase + 0x10));
	for (uint64_t x : {0x01, 0x05, 0x06, 0x08, 0x0d, 0x15, 0x17, 0x25})
		EXPECT_FALSE(sites_is_entry(&a, kBase + x)) << x;

	const sites_site &b = r.sites[1];
	EXPECT_EQ(b.address, kBase + 0x15);
	EXPECT_EQ(b.syscall_index, 1u);
	EXPECT_EQ(b.insns[2].kind, DISASM_JCC_REL8);
	EXPECT_EQ(b.insns[2].target, kBase + 0x10);
	EXPECT_EQ(b.insns[0].address, kBase + 0x10); // not the 0f 05 inside it
	EXPECT_TRUE(sites_is_entry(&b, kBase + 0x10)); // start and jne target
	EXPECT_TRUE(sites_is_func_start(&b, kBase + 0x10));

	const sites_site &c = r.sites[2];
	EXPECT_EQ(c.address, kBase + 0x25);
	EXPECT_EQ(c.flags, (uint32_t)SITES_OUTSIDE_FDE);
	EXPECT_EQ(c.range_start, kBase + 0x20);
	EXPECT_EQ(c.range_end, kBase + 0x30);
	ASSERT_EQ(c.n_insns, 6u); // mov, syscall, 4 of the 9 nops
	EXPECT_EQ(c.insns[0].address, kBase + 0x20);
	for (uint64_t x = 0; x < 0x40; x++)
		EXPECT_EQ(sites_is_watched(&c, kBase + x),
			  x >= 0x20 && x < 0x30)
		    << x;
	EXPECT_FALSE(sites_is_entry(&c, kBase + 0x20));
}

// Compares everything the planner reads. Vector information from the fast
// decoder may be a superset of capstone's (it is conservative).
void ExpectSameSites(const sites_result &fast, const sites_result &sweep,
		     const std::string &what)
{
	ASSERT_EQ(fast.n_sites, sweep.n_sites) << what;
	int reported = 0;
	for (size_t i = 0; i < fast.n_sites; i++) {
		const sites_site &f = fast.sites[i];
		const sites_site &s = sweep.sites[i];
		std::string at =
		    what + " site " + std::to_string(i) + " @0x" + [&] {
			    char buf[32];
			    snprintf(buf, sizeof buf, "%llx",
				     (unsigned long long)s.address);
			    return std::string(buf);
		    }();
		std::string why;
		if (f.address != s.address)
			why += " address";
		if (f.range_start != s.range_start ||
		    f.range_end != s.range_end)
			why += " range";
		if ((f.flags & (SITES_OUTSIDE_FDE | SITES_SETS_DF)) !=
		    (s.flags & (SITES_OUTSIDE_FDE | SITES_SETS_DF)))
			why += " flags";
		if (f.n_insns != s.n_insns ||
		    f.syscall_index != s.syscall_index)
			why += " insn-count";
		for (size_t b = 0; b < SITES_WINDOW_SIZE; b++) {
			uint64_t a = s.window_start + b;
			if (sites_is_entry(&f, a) != sites_is_entry(&s, a)) {
				char buf[64];
				snprintf(buf, sizeof buf, " entry@%+d(fast=%d)",
					 (int)b - SITES_WINDOW_BEFORE,
					 sites_is_entry(&f, a));
				why += buf;
			}
		}
		if (memcmp(f.func_start, s.func_start, sizeof f.func_start))
			why += " func-start";
		if ((f.vector_regs & s.vector_regs) != s.vector_regs ||
		    (f.vector_flags & s.vector_flags) != s.vector_flags)
			why += " vector";
		for (unsigned k = 0; why.empty() && k < f.n_insns; k++) {
			const disasm_insn &x = f.insns[k], &y = s.insns[k];
			if (!(x.address == y.address && x.length == y.length &&
			      x.kind == y.kind && x.target == y.target &&
			      x.disp_offset == y.disp_offset &&
			      x.imm_offset == y.imm_offset &&
			      x.imm_size == y.imm_size))
				why += " insn" + std::to_string(k);
		}
		if (!why.empty() && reported++ < 10)
			ADD_FAILURE()
			    << at << ": fast and sweep differ:" << why;
	}
}

struct LibCase {
	const char *path;
	long objdump_syscalls; // -1: count with objdump at test time
};

long ObjdumpSyscalls(const char *path)
{
	std::string cmd = std::string("objdump -d --no-show-raw-insn ") + path +
			  " 2>/dev/null | grep -cE '\\s(syscall)\\s*$'";
	FILE *p = popen(cmd.c_str(), "r");
	if (!p)
		return -1;
	long n = -1;
	if (fscanf(p, "%ld", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

TEST_F(Sites, HandImageSweepAgrees)
{
	HandInput h;
	struct sites_result fast, sweep;
	ASSERT_EQ(sites_find(&h.in, ctx_, &arena_, &fast), SITES_OK);
	ASSERT_EQ(sites_find_sweep(&h.in, ctx_, &arena_, &sweep), SITES_OK);
	ExpectSameSites(fast, sweep, "hand image");
}

TEST_F(Sites, RejectsUnsortedInput)
{
	HandInput h;
	std::swap(h.functions[0], h.functions[1]);
	struct sites_result r;
	EXPECT_EQ(sites_find(&h.in, ctx_, &arena_, &r), SITES_E_INPUT);
	EXPECT_EQ(sites_find_sweep(&h.in, ctx_, &arena_, &r), SITES_E_INPUT);
}

TEST_F(Sites, ReportsExhaustedArena)
{
	HandInput h;
	alignas(16) static unsigned char small[512];
	struct arena tiny;
	arena_init_buffer(&tiny, small, sizeof small);
	struct sites_result r;
	EXPECT_EQ(sites_find(&h.in, ctx_, &tiny, &r), SITES_E_NOMEM);
}

class SitesOnLibrary : public Sites,
		       public ::testing::WithParamInterface<const char *>
{
};

// Test fixtures come from runfiles; system libraries are absolute.
std::string LibPath(const char *p)
{
	if (p[0] == '/')
		return p;
	const char *dir = getenv("TEST_SRCDIR");
	return std::string(dir ? dir : ".") + "/syscall_intercept/" + p;
}

TEST_P(SitesOnLibrary, FastEqualsSweepAndObjdump)
{
	std::string full = LibPath(GetParam());
	const char *path = full.c_str();
	struct locator_object obj;
	int err = locator_open_file(path, &arena_, &obj);
	ASSERT_EQ(err, 0) << path << ": " << locator_strerror(err);
	struct sites_input in;
	ASSERT_EQ(object_sites_input(&obj, &arena_, &in), 0);
	struct sites_result fast, sweep;
	ASSERT_EQ(sites_find(&in, ctx_, &arena_, &fast), SITES_OK);
	ASSERT_EQ(sites_find_sweep(&in, ctx_, &arena_, &sweep), SITES_OK);
	ExpectSameSites(fast, sweep, path);
	long objdump = ObjdumpSyscalls(path);
	ASSERT_GE(objdump, 0) << "objdump failed on " << path;
	EXPECT_EQ((long)fast.n_sites, objdump) << path;
	size_t outside = 0;
	for (size_t i = 0; i < fast.n_sites; i++)
		outside += (fast.sites[i].flags & SITES_OUTSIDE_FDE) != 0;
	printf("%s: %zu sites, %zu outside every FDE, %zu byte pairs, %zu "
	       "ranges decoded (%zu bytes), %zu cross checks\n",
	       path, fast.n_sites, outside, fast.n_candidates,
	       fast.n_functions_decoded, fast.bytes_decoded,
	       fast.n_cross_checks);
	locator_close(&obj);
}

INSTANTIATE_TEST_SUITE_P(
    SystemLibraries, SitesOnLibrary,
    ::testing::Values("/lib/x86_64-linux-gnu/libc.so.6",
		      "/lib64/ld-linux-x86-64.so.2",
		      "/lib/x86_64-linux-gnu/libm.so.6",
		      "/lib/x86_64-linux-gnu/libpthread.so.0",
		      "testing/golden/libgolden_fixture.so",
		      "testing/locator_fixtures/liblocator_fixture.so"));

// The facts the planner is designed against (shared/FACTS.md).
TEST_F(Sites, LibcFacts)
{
	struct locator_object obj;
	ASSERT_EQ(
	    locator_open_file("/lib/x86_64-linux-gnu/libc.so.6", &arena_, &obj),
	    0);
	struct sites_input in;
	ASSERT_EQ(object_sites_input(&obj, &arena_, &in), 0);
	struct sites_result r;
	ASSERT_EQ(sites_find(&in, ctx_, &arena_, &r), SITES_OK);
	size_t outside = 0;
	for (size_t i = 0; i < r.n_sites; i++)
		outside += (r.sites[i].flags & SITES_OUTSIDE_FDE) != 0;
	EXPECT_EQ(r.n_sites, 526u);
	EXPECT_EQ(r.n_candidates, 529u);
	EXPECT_EQ(outside, 2u);
	locator_close(&obj);
}

// The live libc, as the preload library sees it, gives the file's answer.
TEST_F(Sites, LiveLibcEqualsFile)
{
	struct locator_object live, file;
	ASSERT_EQ(locator_open_loaded((const void *)&getpid, nullptr, 0,
				      &arena_, &live),
		  0);
	ASSERT_EQ(locator_open_file(live.path, &arena_, &file), 0);
	struct sites_input li, fi;
	ASSERT_EQ(object_sites_input(&live, &arena_, &li), 0);
	ASSERT_EQ(object_sites_input(&file, &arena_, &fi), 0);
	struct sites_result lr, fr;
	ASSERT_EQ(sites_find(&li, ctx_, &arena_, &lr), SITES_OK);
	ASSERT_EQ(sites_find(&fi, ctx_, &arena_, &fr), SITES_OK);
	ASSERT_EQ(lr.n_sites, fr.n_sites);
	for (size_t i = 0; i < lr.n_sites; i++) {
		EXPECT_EQ(lr.sites[i].address - live.bias, fr.sites[i].address);
		EXPECT_EQ(memcmp(lr.sites[i].entry, fr.sites[i].entry,
				 sizeof lr.sites[i].entry),
			  0);
	}
	locator_close(&live);
	locator_close(&file);
}

} // namespace
