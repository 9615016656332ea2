// Values in vector registers and in rflags that live across a raw syscall
// survive when the site is patched and the hook clobbers every vector
// register and the flags. The sites are in libsi_vec_fixture.so, which the
// library patches only under INTERCEPT_ALL_OBJS=1.
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"
#include "testing/process/record_abi.h"

namespace si_process
{
namespace
{

// One line of prog_vector's output.
struct VecLine {
	std::string name;
	std::vector<std::string> fields;
};

std::vector<VecLine> Parse(const std::string &out)
{
	std::vector<VecLine> lines;
	for (const std::string &l : SplitLines(out)) {
		std::istringstream in(l);
		VecLine v;
		in >> v.name;
		std::string f;
		while (in >> f)
			v.fields.push_back(f);
		lines.push_back(v);
	}
	return lines;
}

long Num(const std::string &s)
{
	return strtol(s.c_str(), nullptr, 0);
}

std::vector<std::string> HookedEnv(const std::string &rec)
{
	return HookEnv(
	    StaticHookPath(), rec,
	    {"INTERCEPT_ALL_OBJS=1", "SI_REC_CLOBBER=1", "SI_REC_EVENTS=1"});
}

// Checks every line: the vector cases report no changed byte, the flag
// cases read back what they set; each syscall returned `result`.
void ExpectAllSurvived(const std::string &out, long result)
{
	std::vector<VecLine> lines = Parse(out);
	int vec = 0, flags = 0;
	for (const VecLine &v : lines) {
		SCOPED_TRACE(v.name);
		if (v.fields.size() == 1 && v.fields[0] == "skipped")
			continue;
		if (v.name == "sse" || v.name == "avx" ||
		    v.name == "avx_nofde") {
			ASSERT_EQ(v.fields.size(), 2u);
			EXPECT_EQ(Num(v.fields[0]), result)
			    << "the site was not intercepted";
			EXPECT_EQ(Num(v.fields[1]), 0)
			    << "bytes of the registers changed across the "
			       "syscall";
			vec++;
		} else {
			ASSERT_EQ(v.fields.size(), 3u);
			EXPECT_EQ(Num(v.fields[1]), result)
			    << "the site was not intercepted";
			EXPECT_EQ(v.fields[2], v.fields[0])
			    << "flags in " << v.fields[0] << ", after "
			    << v.fields[2];
			flags++;
		}
	}
	EXPECT_GE(vec, 1) << out;
	EXPECT_EQ(flags, 10) << out;
}

TEST(VectorTest, FixtureKeepsValuesWithoutTheLibrary)
{
	RunResult r = RunProgram(HelperPath("prog_vector"), {"prog_vector"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	ExpectAllSurvived(r.out, (long)getpid());
}

TEST(VectorTest, MachineHasAvx)
{
	RunResult r = RunProgram(HelperPath("prog_vector"), {"prog_vector"});
	if (r.out.find("avx skipped") != std::string::npos)
		GTEST_SKIP() << "no AVX: the ymm cases did not run";
	EXPECT_NE(r.out.find("avx_nofde "), std::string::npos) << r.out;
}

TEST(VectorTest, ValuesSurviveAClobberingHook)
{
	std::string rec = MakeTempDir("vector");
	RunResult r = RunProgram(HelperPath("prog_vector"), {"prog_vector"},
				 HookedEnv(rec));
	ASSERT_FALSE(r.timed_out);
	ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
	ExpectAllSurvived(r.out, SI_REC_MARK_RESULT);
}

// The application may make a syscall with DF set (the kernel keeps it);
// the C hook must still be called with DF clear, as the ABI requires of
// every call.
TEST(VectorTest, HookRunsWithDirectionFlagClear)
{
	std::string rec = MakeTempDir("vector_df");
	RunResult r = RunProgram(HelperPath("prog_vector"), {"prog_vector"},
				 HookedEnv(rec));
	ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
	std::vector<Event> events = ReadEvents(rec);
	int df_events = 0;
	for (const Event &e : events) {
		if (e.name != "df")
			continue;
		df_events++;
		EXPECT_EQ(e.arg, 0) << "the hook ran with DF set";
	}
	// One per marker call: 3 vector cases (1 without AVX) + 10 flag cases.
	EXPECT_GE(df_events, 11) << EventsToString(events);
}

// Without INTERCEPT_ALL_OBJS only libc is patched: the fixture's own
// syscalls reach the kernel directly.
TEST(VectorTest, FixtureIsPatchedOnlyUnderInterceptAllObjs)
{
	std::string rec = MakeTempDir("vector_libc_only");
	RunResult r =
	    RunProgram(HelperPath("prog_vector"), {"prog_vector"},
		       HookEnv(StaticHookPath(), rec, {"SI_REC_CLOBBER=1"}));
	ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
	ExpectAllSurvived(r.out, (long)getpid());
	EXPECT_GT(Total(ReadCounts(rec, r.pid)), 0)
	    << "libc's syscalls were not intercepted";
}

} // namespace
} // namespace si_process
