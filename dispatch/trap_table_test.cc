// The trap-site table (trap_table.h): what the SIGTRAP handler searches.
#include "dispatch/trap_table.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace
{

using Table = std::vector<si_trap_entry>;

Table Sorted(Table t)
{
	si_trap_table_sort(t.data(), t.size());
	return t;
}

TEST(TrapTable, FindsEverySiteAndNothingElse)
{
	const Table t = Sorted(
	    {{0x7000, 1}, {0x1000, 2}, {0x5002, 3}, {0x5000, 4}, {0x2fff, 5}});
	struct Case {
		uint64_t site;
		uint64_t target; // 0: not in the table
	};
	const Case cases[] = {
	    {0x1000, 2}, {0x2fff, 5}, {0x5000, 4},     {0x5002, 3},
	    {0x7000, 1}, {0x0fff, 0}, {0x1001, 0},     {0x5001, 0},
	    {0x7001, 0}, {0, 0},      {UINT64_MAX, 0},
	};
	for (const Case &c : cases) {
		const si_trap_entry *e =
		    si_trap_table_find(t.data(), t.size(), c.site);
		if (c.target == 0) {
			EXPECT_EQ(e, nullptr) << std::hex << c.site;
		} else {
			ASSERT_NE(e, nullptr) << std::hex << c.site;
			EXPECT_EQ(e->site, c.site);
			EXPECT_EQ(e->target, c.target);
		}
	}
}

TEST(TrapTable, EmptyAndSingle)
{
	EXPECT_EQ(si_trap_table_find(nullptr, 0, 0x1000), nullptr);
	si_trap_entry one = {0x1000, 9};
	EXPECT_EQ(si_trap_table_find(&one, 1, 0x1000), &one);
	EXPECT_EQ(si_trap_table_find(&one, 1, 0xfff), nullptr);
	EXPECT_EQ(si_trap_table_find(&one, 1, 0x1001), nullptr);
}

TEST(TrapTable, SortOrdersBySite)
{
	Table t = Sorted({{5, 0}, {3, 0}, {9, 0}, {1, 0}, {7, 0}, {2, 0}});
	for (size_t i = 1; i < t.size(); i++)
		EXPECT_LT(t[i - 1].site, t[i].site);
}

// Every table size up to 64, every site and every gap between sites.
TEST(TrapTable, FindAtEverySize)
{
	for (size_t n = 0; n <= 64; n++) {
		Table t;
		for (size_t i = 0; i < n; i++)
			t.push_back({0x1000 + 4 * (uint64_t)(n - i), i + 1});
		t = Sorted(t);
		for (uint64_t a = 0xffc; a <= 0x1000 + 4 * n + 4; a++) {
			const si_trap_entry *e =
			    si_trap_table_find(t.data(), t.size(), a);
			bool in = a > 0x1000 && a <= 0x1000 + 4 * n &&
				  (a - 0x1000) % 4 == 0;
			EXPECT_EQ(e != nullptr, in) << n << " " << a;
			if (e) {
				EXPECT_EQ(e->site, a);
			}
		}
	}
}

TEST(TrapTable, MergeKeepsOrderAndPrefersTheNewEntry)
{
	const Table a = {{1, 10}, {4, 40}, {6, 60}};
	const Table b = {{2, 21}, {4, 41}, {9, 91}};
	Table out(a.size() + b.size());
	size_t n = si_trap_table_merge(a.data(), a.size(), b.data(), b.size(),
				       out.data(), out.size());
	ASSERT_EQ(n, 5u);
	const Table want = {{1, 10}, {2, 21}, {4, 41}, {6, 60}, {9, 91}};
	for (size_t i = 0; i < n; i++) {
		EXPECT_EQ(out[i].site, want[i].site) << i;
		EXPECT_EQ(out[i].target, want[i].target) << i;
	}
}

TEST(TrapTable, MergeIntoEmptyAndFromEmpty)
{
	const Table b = {{2, 1}, {3, 1}};
	Table out(2);
	EXPECT_EQ(si_trap_table_merge(nullptr, 0, b.data(), 2, out.data(), 2),
		  2u);
	EXPECT_EQ(si_trap_table_merge(b.data(), 2, nullptr, 0, out.data(), 2),
		  2u);
	EXPECT_EQ(out[1].site, 3u);
}

TEST(TrapTable, MergeRefusesASmallOutput)
{
	const Table a = {{1, 1}, {3, 1}};
	const Table b = {{2, 1}};
	Table out(2);
	EXPECT_EQ(si_trap_table_merge(a.data(), 2, b.data(), 1, out.data(), 2),
		  0u);
}

} // namespace
