// The three ways to build a hook all intercept: the same hook source
// (hook_record.c)
//   static  linked by Bazel with //:syscall_intercept_static (one .so);
//   shared  linked by Bazel against //:syscall_intercept_shared (DT_NEEDED
//           libsyscall_intercept.so, found by runpath or LD_LIBRARY_PATH);
//   cc      built here with the system compiler, as a user would:
//           cc hook.c -I<include> -L<lib> -lsyscall_intercept -fpic -shared
// must each answer getppid and count every call.
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

// Runs prog_getppid 3 with `env` and checks the hook answered and counted.
void ExpectIntercepts(const std::vector<std::string> &env,
		      const std::string &rec)
{
	RunResult r =
	    RunProgram(HelperPath("prog_getppid"), {"prog_getppid", "3"}, env);
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "getppid 424242\n") << r.err;
	EXPECT_EQ(r.err, "");
	std::map<long, long> counts = ReadCounts(rec, r.pid);
	EXPECT_EQ(CountOf(counts, SYS_getppid), 3);
	EXPECT_GT(Total(counts), 3) << "only getppid was seen";
}

std::string DynamicSection(const std::string &so)
{
	RunResult r = RunProgram("/usr/bin/readelf", {"readelf", "-dW", so});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	return r.out;
}

TEST(HookBuildTest, StaticHookIsOneObject)
{
	std::string dyn = DynamicSection(StaticHookPath());
	EXPECT_EQ(dyn.find("libsyscall_intercept.so"), std::string::npos)
	    << dyn;
	std::string rec = MakeTempDir("build_static");
	ExpectIntercepts(
	    HookEnv(StaticHookPath(), rec, {"SI_REC_GETPPID=424242"}), rec);
}

TEST(HookBuildTest, SharedHookFindsTheLibraryByRunpath)
{
	std::string dyn = DynamicSection(SharedHookPath());
	EXPECT_NE(dyn.find("(NEEDED)             Shared library: "
			   "[libsyscall_intercept.so]"),
		  std::string::npos)
	    << dyn;
	std::string rec = MakeTempDir("build_shared_runpath");
	ExpectIntercepts(
	    HookEnv(SharedHookPath(), rec, {"SI_REC_GETPPID=424242"}), rec);
}

TEST(HookBuildTest, SharedHookFindsTheLibraryByLdLibraryPath)
{
	std::string rec = MakeTempDir("build_shared_ldpath");
	ExpectIntercepts(HookEnv(SharedHookPath(), rec,
				 {"SI_REC_GETPPID=424242",
				  "LD_LIBRARY_PATH=" + DirName(LibraryPath())}),
			 rec);
}

TEST(HookBuildTest, HookBuiltWithTheSystemCompiler)
{
	std::string out = MakeTempDir("build_cc");
	// The include directory Bazel makes for //dispatch:hook_point
	// (strip_include_prefix), brought in by :hook_point_headers.
	std::string header = Runfile("dispatch/_virtual_includes/hook_point/"
				     "libsyscall_intercept_hook_point.h");
	ASSERT_EQ(access(header.c_str(), R_OK), 0) << header;
	std::string libdir = DirName(LibraryPath());
	RunResult cc = RunProgram(
	    "/usr/bin/cc",
	    {"cc", Runfile("testing/process/hook_record.c"),
	     "-I" + DirName(header), "-L" + libdir, "-lsyscall_intercept",
	     "-fpic", "-shared", "-o", out + "/hook.so"});
	ASSERT_EQ(cc.exit_code, 0) << cc.out << cc.err;
	std::string rec = MakeTempDir("build_cc_rec");
	ExpectIntercepts(
	    HookEnv(out + "/hook.so", rec,
		    {"SI_REC_GETPPID=424242", "LD_LIBRARY_PATH=" + libdir}),
	    rec);
}

} // namespace
} // namespace si_process
