// The hook API seen from a whole process: answering a call, refusing one,
// exact counts, and the hook's own calls staying invisible to it.
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

TEST(HookApiTest, GetppidAnsweredByHook)
{
	std::string rec = MakeTempDir("getppid");
	RunResult plain =
	    RunProgram(HelperPath("prog_getppid"), {"prog_getppid", "3"});
	ASSERT_EQ(plain.exit_code, 0) << plain.err;
	EXPECT_EQ(plain.out, "getppid " + std::to_string(getpid()) + "\n");

	RunResult hooked = RunProgram(
	    HelperPath("prog_getppid"), {"prog_getppid", "3"},
	    HookEnv(StaticHookPath(), rec, {"SI_REC_GETPPID=424242"}));
	ASSERT_EQ(hooked.exit_code, 0) << hooked.err;
	EXPECT_EQ(hooked.out, "getppid 424242\n");
	EXPECT_EQ(hooked.err, "");
	EXPECT_EQ(CountOf(ReadCounts(rec, hooked.pid), SYS_getppid), 3);
}

TEST(HookApiTest, LsFailsWhenHookRefusesGetdents64)
{
	std::string dir = MakeTempDir("lsdir");
	WriteFile(dir + "/a", "a");
	WriteFile(dir + "/b", "b");
	std::string rec = MakeTempDir("ls");

	RunResult plain = RunProgram("/bin/ls", {"ls", dir});
	ASSERT_EQ(plain.exit_code, 0) << plain.err;
	EXPECT_EQ(plain.out, "a\nb\n");

	RunResult hooked = RunProgram(
	    "/bin/ls", {"ls", dir},
	    HookEnv(StaticHookPath(), rec,
		    {"SI_REC_REFUSE=" + std::to_string(SYS_getdents64)}));
	EXPECT_EQ(hooked.exit_code, 2) << hooked.out << hooked.err;
	EXPECT_NE(hooked.err.find("Operation not supported"), std::string::npos)
	    << hooked.err;
	EXPECT_EQ(hooked.out, "");
	EXPECT_GE(CountOf(ReadCounts(rec, hooked.pid), SYS_getdents64), 1);
}

TEST(HookApiTest, ExactCountFromOneThread)
{
	std::string rec = MakeTempDir("count1");
	RunResult r =
	    RunProgram(HelperPath("prog_getppid"), {"prog_getppid", "12345"},
		       HookEnv(StaticHookPath(), rec));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	ASSERT_TRUE(CountsExist(rec, r.pid)) << "no record from pid " << r.pid;
	EXPECT_EQ(CountOf(ReadCounts(rec, r.pid), SYS_getppid), 12345);
}

TEST(HookApiTest, ExactCountFromEightThreads)
{
	std::string rec = MakeTempDir("count8");
	RunResult r = RunProgram(HelperPath("prog_getppid"),
				 {"prog_getppid", "100000", "8"},
				 HookEnv(StaticHookPath(), rec));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	ASSERT_TRUE(CountsExist(rec, r.pid)) << "no record from pid " << r.pid;
	std::map<long, long> counts = ReadCounts(rec, r.pid);
	EXPECT_EQ(CountOf(counts, SYS_getppid), 800000);
	// Eight threads were made and each ended: clone3 (or clone) and exit
	// reached the hook once per thread.
	EXPECT_EQ(CountOf(counts, SYS_clone3) + CountOf(counts, SYS_clone), 8);
	EXPECT_EQ(CountOf(counts, SYS_exit), 8);
}

// On each getppid the hook calls getsid(0) through syscall_no_intercept
// and through libc; the program never calls getsid, so the hook must have
// seen none, and both calls must have returned the real session id.
TEST(HookApiTest, HooksOwnCallsAreNotSeenByTheHook)
{
	std::string rec = MakeTempDir("nested");
	RunResult r =
	    RunProgram(HelperPath("prog_getppid"), {"prog_getppid", "5"},
		       HookEnv(StaticHookPath(), rec,
			       {"SI_REC_NESTED=1", "SI_REC_EVENTS=1"}));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	std::map<long, long> counts = ReadCounts(rec, r.pid);
	EXPECT_EQ(CountOf(counts, SYS_getppid), 5);
	EXPECT_EQ(CountOf(counts, SYS_getsid), 0);
	std::vector<Event> events = ReadEvents(rec);
	int nested = 0;
	for (const Event &e : events) {
		if (e.name != "nested")
			continue;
		nested++;
		EXPECT_EQ(e.pid, r.pid);
		EXPECT_EQ(e.arg, (long)getsid(0)) << "a nested call failed";
	}
	EXPECT_EQ(nested, 5) << EventsToString(events);
}

} // namespace
} // namespace si_process
