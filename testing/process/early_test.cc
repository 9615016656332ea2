// Syscalls made by the constructors of libraries the program links, which
// run before a preloaded hook library's in the usual order, reach the hook
// (dispatch/early.h): with the hook linked statically (the library is its
// initfirst part) and with a hook that needs libsyscall_intercept.so.
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

void ExpectConstructorSeen(const std::string &hook,
			   const std::vector<std::string> &extra,
			   const std::string &tag)
{
	std::string rec = MakeTempDir(tag);
	std::vector<std::string> env = extra;
	env.push_back("SI_REC_GETPPID=31337");
	RunResult r = RunProgram(HelperPath("prog_ctor"), {"prog_ctor", "3"},
				 HookEnv(hook, rec, env));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	// The hook answered the constructor's call too: it was in place
	// before that constructor ran.
	EXPECT_EQ(r.out, "ctor 31337\nmain 31337\n") << r.err;
	std::map<long, long> counts = ReadCounts(rec, r.pid);
	EXPECT_EQ(CountOf(counts, SYS_getppid), 4);
}

TEST(EarlyTest, StaticHookSeesOtherLibrariesConstructors)
{
	ExpectConstructorSeen(StaticHookPath(), {}, "early_static");
}

TEST(EarlyTest, SharedHookSeesOtherLibrariesConstructors)
{
	ExpectConstructorSeen(SharedHookPath(),
			      {"LD_LIBRARY_PATH=" + DirName(LibraryPath())},
			      "early_shared");
}

// Without the preload the program is what it is.
TEST(EarlyTest, UnhookedProgram)
{
	RunResult r = RunProgram(HelperPath("prog_ctor"), {"prog_ctor", "1"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	std::string ppid = std::to_string(getpid());
	EXPECT_EQ(r.out, "ctor " + ppid + "\nmain " + ppid + "\n");
}

} // namespace
} // namespace si_process
