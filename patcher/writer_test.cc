// writer_redirect on this test's own code: a `ret` followed by alignment
// filler (the shape of ld.so's _dl_debug_state) becomes a jump to a target
// near or beyond rel32 reach; changed bytes and unreachable targets are
// refused with nothing written.
#include "patcher/writer.h"

#include <string.h>
#include <sys/mman.h>

#include "base/arena.h"
#include "gtest/gtest.h"
#include "patcher/locator.h"

extern "C" {
long si_redirect_near(void);
long si_redirect_far(void);
long si_redirect_refused(void);
}

// Three copies of the shape: ret, then 15 bytes of filler.
__asm__(".text\n"
	".irp name, si_redirect_near, si_redirect_far, si_redirect_refused\n"
	".globl \\name\n"
	".type \\name, @function\n"
	".p2align 4\n"
	"\\name:\n"
	"ret\n"
	".byte 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0\n"
	".byte 0x0f, 0x1f, 0x40, 0x00\n"
	".size \\name, 16\n"
	".endr\n");

namespace
{

const uint8_t kShape[16] = {0xc3, 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0,
			    0,	  0,	0,    0,    0x0f, 0x1f, 0x40, 0};

extern "C" long near_target(void)
{
	return 42;
}

uint64_t Addr(long (*fn)(void))
{
	return (uint64_t)(uintptr_t)fn;
}

class Redirect : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		ASSERT_EQ(arena_init_mmap(&arena_, 16u << 20), 0);
	}
	void TearDown() override
	{
		locator_close(&obj_);
		arena_release(&arena_);
	}
	void Open(long (*fn)(void))
	{
		ASSERT_EQ(locator_open_loaded((const void *)fn, nullptr,
					      LOCATOR_SEGMENTS_ONLY, &arena_,
					      &obj_),
			  0);
	}
	struct arena arena_;
	struct locator_object obj_ = {};
};

TEST(LocatorFillerRun, MeasuresWholeFillerInstructions)
{
	EXPECT_EQ(locator_filler_run(kShape + 1, 15), 15u);
	EXPECT_EQ(locator_filler_run(kShape + 1, 10), 0u); // 11-byte nop cut
	EXPECT_EQ(locator_filler_run(kShape, 16), 0u);	   // ret
	const uint8_t mixed[] = {0x90, 0xcc, 0x66, 0x90, 0xc3, 0x90};
	EXPECT_EQ(locator_filler_run(mixed, sizeof(mixed)), 4u);
}

TEST_F(Redirect, NearTargetGetsAJump)
{
	Open(si_redirect_near);
	ASSERT_EQ(memcmp((const void *)si_redirect_near, kShape, 16), 0);
	struct writer_redirect rd;
	ASSERT_EQ(writer_redirect(&obj_, Addr(si_redirect_near), kShape,
				  Addr(near_target), 0, &rd),
		  WRITER_OK);
	EXPECT_EQ(rd.stub, nullptr);
	const uint8_t *code = (const uint8_t *)si_redirect_near;
	EXPECT_EQ(code[0], 0xe9); // jmp rel32
	int32_t rel;
	memcpy(&rel, code + 1, 4);
	EXPECT_EQ(Addr(si_redirect_near) + 5 + rel, Addr(near_target));
	EXPECT_EQ(memcmp(code + 5, kShape + 5, 11), 0) << "filler changed";
	EXPECT_EQ(si_redirect_near(), 42);
}

TEST_F(Redirect, FarTargetGoesThroughAStub)
{
	Open(si_redirect_far);
	// mov eax, 7; ret at least 3 GiB from the code.
	uint8_t *far = nullptr;
	for (uint64_t d = 3ULL << 30; d < (64ULL << 30) && !far; d += 1 << 30) {
		void *want = (void *)((Addr(si_redirect_far) + d) & ~4095ULL);
		void *p = mmap(
		    want, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == want)
			far = (uint8_t *)p;
		else if (p != MAP_FAILED)
			munmap(p, 4096);
	}
	ASSERT_NE(far, nullptr);
	const uint8_t body[] = {0xb8, 7, 0, 0, 0, 0xc3}; // mov eax, 7; ret
	memcpy(far, body, sizeof(body));
	ASSERT_EQ(mprotect(far, 4096, PROT_READ | PROT_EXEC), 0);
	struct writer_redirect rd;
	ASSERT_EQ(writer_redirect(&obj_, Addr(si_redirect_far), kShape,
				  (uint64_t)(uintptr_t)far, 0, &rd),
		  WRITER_OK);
	ASSERT_NE(rd.stub, nullptr);
	EXPECT_EQ(rd.stub[0], 0xff); // jmp qword ptr [rip + 0]
	EXPECT_EQ(rd.stub[1], 0x25);
	EXPECT_EQ(si_redirect_far(), 7);
	munmap(far, 4096);
}

TEST_F(Redirect, ChangedBytesOrNoReachAreRefused)
{
	Open(si_redirect_refused);
	uint8_t other[16];
	memcpy(other, kShape, 16);
	other[0] = 0x90;
	struct writer_redirect rd;
	EXPECT_EQ(writer_redirect(&obj_, Addr(si_redirect_refused), other,
				  Addr(near_target), 0, &rd),
		  WRITER_E_CODE);
	// A target out of reach, and no memory near the code may be used.
	EXPECT_EQ(writer_redirect(&obj_, Addr(si_redirect_refused), kShape,
				  Addr(near_target) + (8ULL << 30), 1ULL << 47,
				  &rd),
		  WRITER_E_NO_REGION);
	EXPECT_EQ(rd.stub, nullptr);
	EXPECT_EQ(memcmp((const void *)si_redirect_refused, kShape, 16), 0);
}

} // namespace
