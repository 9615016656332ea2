// INTERCEPT_HOOK_CMDLINE_FILTER=NAME: a process is hooked only when the
// last path component of its argv[0] is exactly NAME; a filter that is a
// prefix, a suffix or an extension of it does not match.
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

struct FilterCase {
	const char *argv0;
	const char *filter;
	bool hooked;
};

std::ostream &operator<<(std::ostream &os, const FilterCase &c)
{
	return os << "argv[0] '" << c.argv0 << "' filter '" << c.filter << "'";
}

// Real cat, run with the argv[0] of the case: a hooked cat leaves a record
// of its syscalls, an unhooked one none.
void ExpectCat(const FilterCase &c)
{
	std::string rec = MakeTempDir("filter_cat");
	std::string input = rec + "/input";
	WriteFile(input, "meow\n");
	RunResult r =
	    RunProgram("/bin/cat", {c.argv0, input},
		       HookEnv(StaticHookPath(), rec,
			       {std::string("INTERCEPT_HOOK_CMDLINE_FILTER=") +
				c.filter}));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "meow\n");
	EXPECT_EQ(r.err, "");
	if (c.hooked) {
		EXPECT_GT(Total(ReadCounts(rec, r.pid)), 0)
		    << "not hooked, but should be";
	} else {
		EXPECT_FALSE(CountsExist(rec, r.pid))
		    << "hooked, but should not be";
	}
}

// prog_getppid with the hook answering getppid: the printed value says
// whether the hook was active.
void ExpectGetppid(const FilterCase &c)
{
	RunResult r =
	    RunProgram(HelperPath("prog_getppid"), {c.argv0, "1"},
		       HookEnv(StaticHookPath(), "",
			       {"SI_REC_GETPPID=424242",
				std::string("INTERCEPT_HOOK_CMDLINE_FILTER=") +
				    c.filter}));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, c.hooked
			     ? std::string("getppid 424242\n")
			     : "getppid " + std::to_string(getpid()) + "\n");
}

class FilterTest : public ::testing::TestWithParam<FilterCase>
{
};

TEST_P(FilterTest, Cat)
{
	ExpectCat(GetParam());
}

TEST_P(FilterTest, Getppid)
{
	ExpectGetppid(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, FilterTest,
			 ::testing::Values(FilterCase{"cat", "cat", true},
					   FilterCase{"/bin/cat", "cat", true},
					   FilterCase{"./cat", "cat", true},
					   FilterCase{"cat", "ca", false},
					   FilterCase{"cat", "cats", false},
					   FilterCase{"cat", "at", false},
					   FilterCase{"/bin/cat", "at", false},
					   FilterCase{"/bin/cat", "bin", false},
					   FilterCase{"scat", "cat", false},
					   FilterCase{"cat", "Cat", false},
					   FilterCase{"cat", "cat ", false},
					   FilterCase{"cat", "", false}));

// A filter with a '/' in it is never the last component of anything, so it
// matches nothing; in particular not the tail of a longer path.
INSTANTIATE_TEST_SUITE_P(
    SlashInFilter, FilterTest,
    ::testing::Values(FilterCase{"/usr/bin/cat", "bin/cat", false},
		      FilterCase{"/usr/bin/cat", "/cat", false}));

TEST(FilterUnsetTest, EveryProcessIsHooked)
{
	RunResult r = RunProgram(
	    HelperPath("prog_getppid"), {"anything", "1"},
	    HookEnv(StaticHookPath(), "", {"SI_REC_GETPPID=424242"}));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "getppid 424242\n");
}

} // namespace
} // namespace si_process
