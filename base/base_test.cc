#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

#include "base/arena.h"
#include "base/raw_syscall.h"
#include "gtest/gtest.h"

namespace
{

TEST(RawSyscall, MatchesLibc)
{
	EXPECT_EQ(raw_syscall0(SYS_getppid), getppid());
	EXPECT_EQ(raw_syscall0(SYS_getpid), getpid());
}

TEST(RawSyscall, ReturnsNegativeErrno)
{
	long r = raw_syscall1(SYS_close, -1);
	EXPECT_EQ(r, -EBADF);
	EXPECT_TRUE(raw_is_error(r));
	EXPECT_FALSE(raw_is_error(0));
	EXPECT_FALSE(raw_is_error(-4096));
	EXPECT_TRUE(raw_is_error(-4095));
}

TEST(Arena, AlignsZeroesAndExhausts)
{
	alignas(16) unsigned char buf[64];
	for (auto &b : buf)
		b = 0xAA;
	struct arena a;
	arena_init_buffer(&a, buf, sizeof(buf));
	auto *p = static_cast<unsigned char *>(arena_alloc(&a, 3, 1));
	ASSERT_NE(p, nullptr);
	EXPECT_EQ(p, buf);
	EXPECT_EQ(p[0] | p[1] | p[2], 0);
	auto *q = static_cast<unsigned char *>(arena_alloc(&a, 8, 16));
	ASSERT_NE(q, nullptr);
	EXPECT_EQ(reinterpret_cast<uintptr_t>(q) % 16, 0u);
	EXPECT_EQ(q, buf + 16);
	EXPECT_EQ(arena_alloc(&a, 41, 1), nullptr); // 24 used, 40 left
	EXPECT_NE(arena_alloc(&a, 40, 1), nullptr);
	EXPECT_EQ(arena_alloc(&a, 1, 1), nullptr);
	arena_reset(&a);
	EXPECT_EQ(arena_alloc(&a, 64, 1), buf);
}

TEST(Arena, MmapBacked)
{
	struct arena a;
	ASSERT_EQ(arena_init_mmap(&a, 10000), 0);
	EXPECT_EQ(a.size, 12288u);
	void *p = arena_alloc(&a, 12288, 4096);
	ASSERT_NE(p, nullptr);
	EXPECT_EQ(arena_alloc(&a, 1, 1), nullptr);
	arena_release(&a);
	EXPECT_EQ(a.base, nullptr);
}

// Pages of `p..p+size` resident, by mincore.
size_t ResidentPages(const void *p, size_t size)
{
	unsigned char vec[64] = {};
	size_t pages = (size + 4095) / 4096;
	if (pages > sizeof(vec) || mincore(const_cast<void *>(p), size, vec))
		return ~size_t{0};
	size_t n = 0;
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	return n;
}

// arena_prefault maps in a fresh allocation's pages (the kernel here has
// MADV_POPULATE_WRITE), only those, and the memory still reads as zeroes.
TEST(Arena, PrefaultMapsInOnlyTheAllocation)
{
	struct arena a;
	ASSERT_EQ(arena_init_mmap(&a, 64 * 4096), 0);
	auto *p =
	    static_cast<uint8_t *>(arena_alloc_uninit(&a, 8 * 4096, 4096));
	ASSERT_NE(p, nullptr);
	EXPECT_EQ(ResidentPages(a.base, 64 * 4096), 0u);
	arena_prefault(p + 100, 8 * 4096 - 200); // rounded out to whole pages
	EXPECT_EQ(ResidentPages(p, 8 * 4096), 8u);
	EXPECT_EQ(ResidentPages(a.base, 64 * 4096), 8u);
	for (size_t i = 0; i < 8 * 4096; i++)
		ASSERT_EQ(p[i], 0) << i;
	arena_prefault(p, 0); // nothing to do
	arena_release(&a);
}

} // namespace

namespace
{

TEST(Arena, RewindClearsReusedMemory)
{
	struct arena a;
	ASSERT_EQ(arena_init_mmap(&a, 4096), 0);
	size_t mark = arena_mark(&a);
	auto *p = static_cast<unsigned char *>(arena_alloc(&a, 100, 8));
	ASSERT_NE(p, nullptr);
	for (int i = 0; i < 100; i++)
		p[i] = 0x5A;
	arena_rewind(&a, mark);
	auto *q = static_cast<unsigned char *>(arena_alloc(&a, 100, 8));
	ASSERT_EQ(q, p);
	for (int i = 0; i < 100; i++)
		EXPECT_EQ(q[i], 0) << i;
	// Uninitialized allocations are not cleared, and do not need to be.
	arena_rewind(&a, mark);
	auto *r = static_cast<unsigned char *>(arena_alloc_uninit(&a, 8, 8));
	EXPECT_EQ(r, p);
	arena_release(&a);
}

} // namespace
