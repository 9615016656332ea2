// Exhaustive mode (INTERCEPT_EXHAUSTIVE=1, dispatch/exhaustive.h): code no
// one patched -- generated at run time, in any thread or process -- reaches
// the hook through Syscall User Dispatch; real programs run as without the
// library; the application's own SIGSYS handler and seccomp still work.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

const std::vector<std::string> kExhaustive = {"INTERCEPT_EXHAUSTIVE=1"};

TEST(ExhaustiveTest, CodeGeneratedAtRunTimeIsSeen)
{
	RunResult plain = RunProgram(HelperPath("prog_jit"), {"prog_jit"});
	ASSERT_EQ(plain.exit_code, 0) << plain.err;
	EXPECT_EQ(plain.out, "main kernel\nthread kernel\nchild kernel\n");
	RunResult def = RunProgram(HelperPath("prog_jit"), {"prog_jit"},
				   HookEnv(StaticHookPath(), ""));
	EXPECT_EQ(def.out, "main kernel\nthread kernel\nchild kernel\n")
	    << "not seen without exhaustive mode";
	RunResult all = RunProgram(HelperPath("prog_jit"), {"prog_jit"},
				   HookEnv(StaticHookPath(), "", kExhaustive));
	ASSERT_EQ(all.exit_code, 0) << all.err;
	EXPECT_EQ(all.out, "main hooked\nthread hooked\nchild hooked\n")
	    << all.err;
	EXPECT_EQ(all.err, "");
}

TEST(ExhaustiveTest, RawSyscallInTheProgramIsSeen)
{
	for (const char *prog : {"prog_raw_pie", "prog_raw_nopie"}) {
		SCOPED_TRACE(prog);
		RunResult r =
		    RunProgram(HelperPath(prog), {prog},
			       HookEnv(StaticHookPath(), "", kExhaustive));
		EXPECT_EQ(r.exit_code, 0) << r.err;
		EXPECT_EQ(r.out, "hooked\n") << r.err;
	}
}

// Real programs give the same output and exit status; the counter sees
// the calls as in the usual mode.
TEST(ExhaustiveTest, RealProgramsRunUnchanged)
{
	const std::vector<std::vector<std::string>> cmds = {
	    {"/bin/ls", "ls", "-la", "/usr"},
	    {"/bin/sh", "sh", "-c", "echo hi | cat; exit 3"},
	    {"/usr/bin/python3", "python3", "-c",
	     "import json, threading, subprocess\n"
	     "t = threading.Thread(target=lambda: print('thread'))\n"
	     "t.start(); t.join()\n"
	     "print(subprocess.run(['/bin/echo', 'sub'], capture_output=True)"
	     ".stdout.decode().strip(), json.dumps([1]))"},
	};
	for (const auto &c : cmds) {
		SCOPED_TRACE(c[1]);
		std::vector<std::string> argv(c.begin() + 1, c.end());
		RunResult plain = RunProgram(c[0], argv);
		RunResult r = RunProgram(
		    c[0], argv, HookEnv(StaticHookPath(), "", kExhaustive));
		EXPECT_EQ(r.exit_code, plain.exit_code) << r.err;
		EXPECT_EQ(r.out, plain.out);
		EXPECT_EQ(r.err, plain.err);
	}
}

} // namespace
} // namespace si_process
