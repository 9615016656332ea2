// Lazy patching in exhaustive mode (dispatch/lazy.h): a site that Syscall
// User Dispatch trapped is given a jump when that is safe, and every call
// still reaches the hook, before and after; where it is not safe (other
// threads, a writable mapping, no room) the site stays trapped and is
// still hooked.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

RunResult RunLazy(const std::string &mode, const std::string &rec_dir = "",
		  std::vector<std::string> extra = {})
{
	extra.push_back("INTERCEPT_EXHAUSTIVE=1");
	return RunProgram(HelperPath("prog_lazy"), {"prog_lazy", mode},
			  HookEnv(StaticHookPath(), rec_dir, extra));
}

TEST(LazyTest, TrappedSiteIsPatchedAndStaysHooked)
{
	RunResult r = RunLazy("once");
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "first hooked 1 rewritten yes\n"
			 "hooked 10 rewritten yes\nchild hooked 3\n");
	EXPECT_EQ(r.err, "");
	// Without the library the calls reach the kernel, and nothing is
	// written.
	RunResult plain =
	    RunProgram(HelperPath("prog_lazy"), {"prog_lazy", "once"});
	ASSERT_EQ(plain.exit_code, 0) << plain.err;
	EXPECT_EQ(plain.out, "first hooked 0 rewritten no\n"
			     "hooked 0 rewritten no\nchild hooked 0\n");
}

// A vfork child runs in its parent's memory and shares its site table:
// its patch is the parent's, and every call of both is hooked.
TEST(LazyTest, VforkChildAndParent)
{
	RunResult r = RunLazy("vfork");
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "child hooked 5\nrewritten yes\nhooked 10\n");
}

// Decoded from its page's start, the bytes before the function swallow
// its first instruction; the jump still begins at the syscall, and the
// function's entry is left as it was.
TEST(LazyTest, JumpBeginsAtTheSyscall)
{
	RunResult r = RunLazy("desync");
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "hooked 10 rewritten yes entry intact\n");
}

// With other threads running, a jump that begins at the syscall is written
// at the site's first trap (every thread that reaches the bytes after it
// traps first, and none has left the handler for them yet); calls from
// many threads at once, on a fresh site, are all hooked whether or not
// that site gets its jump.
TEST(LazyTest, ThreadedCodeIsPatchedFromTheSyscall)
{
	RunResult r = RunLazy("mt");
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "first hooked 1 rewritten yes\n"
			 "threads hooked 8000\n"
			 "contended hooked 8000\n");
}

TEST(LazyTest, WritableCodeStaysTrapped)
{
	RunResult r = RunLazy("rwx");
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "hooked 10 rewritten no\n");
}

// f1 has no room: a jump over its syscall would run past its `ret` into
// f2, which nothing in the code shows to be a function. f1 stays trapped,
// f2 is intact (and patched itself).
TEST(LazyTest, NoJumpPastTheEndOfTheFlow)
{
	RunResult r = RunLazy("tight");
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "f1 hooked 10 rewritten no\nf2 hooked 10\n");
}

// The debug dump says what happened to each trapped site.
TEST(LazyTest, DebugDumpReportsDecisions)
{
	RunResult r = RunLazy("tight", "", {"INTERCEPT_DEBUG_DUMP=1"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_NE(r.err.find(" not patched: no room for a jump\n"),
		  std::string::npos)
	    << r.err;
	EXPECT_NE(r.err.find(" patched\n"), std::string::npos) << r.err;
}

// A site making fork is patched at its first trap (run trapped, the call
// would get no clone hooks): the clone hooks fire once per child, in the
// parent and in the child, from the first fork on.
TEST(LazyTest, ForkFromPatchedRunTimeCodeGetsCloneHooks)
{
	std::string dir = MakeTempDir("lazy_fork");
	RunResult r = RunLazy("fork", dir, {"SI_REC_EVENTS=1"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "forks 3\n");
	int parent = 0, child = 0;
	for (const Event &e : ReadEvents(dir)) {
		if (e.name == "clone_parent") {
			parent++;
			EXPECT_EQ(e.pid, r.pid);
		} else if (e.name == "clone_child") {
			child++;
			EXPECT_EQ(e.ppid, r.pid);
		}
	}
	EXPECT_EQ(parent, 3);
	EXPECT_EQ(child, 3);
}

// fork from run-time code with no room for a jump stays trapped; it runs
// in the trap handler, so each child is armed (its own trapped call is
// hooked) and the clone hooks fire once per child.
TEST(LazyTest, TrappedForkArmsTheChildAndGetsCloneHooks)
{
	std::string dir = MakeTempDir("lazy_fork_noroom");
	RunResult r = RunLazy("fork_noroom", dir, {"SI_REC_EVENTS=1"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "child 1\nchild 1\nchild 1\nforks 3 rewritten no\n");
	int parent = 0, child = 0;
	for (const Event &e : ReadEvents(dir)) {
		parent += e.name == "clone_parent";
		child += e.name == "clone_child";
	}
	EXPECT_EQ(parent, 3);
	EXPECT_EQ(child, 3);
}

} // namespace
} // namespace si_process
