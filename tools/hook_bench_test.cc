// hook_bench, run as users run it but with --quick counts: every row is
// printed, and each worker proved its mode (the emulated getppid returned the
// hook's constant). Timings are printed, never asserted.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/util/test_util.h"

namespace
{

using si_test::Runfile;
using si_test::Shell;

// Returns how many lines of out start with prefix.
int LinesStartingWith(const std::string &out, const std::string &prefix)
{
	std::istringstream in(out);
	std::string line;
	int n = 0;
	while (std::getline(in, line))
		n += line.rfind(prefix, 0) == 0;
	return n;
}

TEST(HookBench, QuickRunPrintsEveryRowAndEachModeWasReal)
{
	int rc;
	std::string out = Shell(Runfile("tools/hook_bench") + " --quick", &rc);
	ASSERT_EQ(rc, 0) << out;
	// The files it used.
	EXPECT_EQ(LinesStartingWith(out, "hook_bench: library /"), 1) << out;
	EXPECT_EQ(LinesStartingWith(out, "hook_bench: hook    /"), 1) << out;
	// Per-call rows, once each; start-up and memory rows, twice each.
	const struct {
		const char *prefix;
		int times;
	} rows[] = {
	    {"getppid() ", 1},
	    {"syscall(SYS_getppid) ", 1},
	    {"write(devnull, buf, 1) ", 1},
	    {"close(-1) ", 1},
	    {"gnu_get_libc_version() ", 1},
	    {"emulated getppid() adds ", 1},
	    {"pass-through adds ", 1},
	    {"trap getppid() ", 1},
	    {"trap syscall(SYS_getppid) ", 1},
	    {"trap write(devnull, buf, 1) ", 1},
	    {"trap close(-1) ", 1},
	    {"trap gnu_get_libc_version() ", 1},
	    {"/bin/true ", 2},
	    {"python3 -c pass ", 2},
	};
	for (const auto &row : rows)
		EXPECT_EQ(LinesStartingWith(out, row.prefix), row.times)
		    << row.prefix << "\n"
		    << out;
	// Each worker checked every result and what the hook saw.
	EXPECT_EQ(LinesStartingWith(out, "ok none: no hook present"), 1) << out;
	EXPECT_EQ(LinesStartingWith(out, "ok pass: hook saw every call"), 1)
	    << out;
	EXPECT_EQ(LinesStartingWith(out, "ok emul: hook answered every call"),
		  1)
	    << out;
	EXPECT_NE(out.find("getppid() returned the hook's constant 31337 "
			   "every time"),
		  std::string::npos)
	    << out;
	// The trap workers ran with every libc site trapped (each checked the
	// library's SIGTRAP handler was in place) and proved their mode too.
	EXPECT_EQ(LinesStartingWith(out, "ok trap-pass: every site trapped, "
					 "hook saw every call"),
		  1)
	    << out;
	EXPECT_EQ(LinesStartingWith(out, "ok trap-emul: every site trapped, "
					 "hook answered every call"),
		  1)
	    << out;
}

TEST(HookBench, MissingLibraryIsAnError)
{
	int rc;
	std::string out = Shell(Runfile("tools/hook_bench") +
				    " --quick --lib /nonexistent/libx.so",
				&rc);
	EXPECT_EQ(rc, 2) << out;
	EXPECT_NE(out.find("hook_bench: no library at /nonexistent/libx.so"),
		  std::string::npos)
	    << out;
}

TEST(HookBench, MissingHookIsAnError)
{
	int rc;
	std::string out = Shell(Runfile("tools/hook_bench") +
				    " --quick --hook /nonexistent/libh.so",
				&rc);
	EXPECT_EQ(rc, 2) << out;
	EXPECT_NE(out.find("hook_bench: no bench hook at /nonexistent/libh.so"),
		  std::string::npos)
	    << out;
}

TEST(HookBench, LibraryThatCannotBePreloadedIsAnError)
{
	// ld.so only warns and runs the program without it; the bench must
	// not go on to measure that.
	int rc;
	std::string out = Shell(
	    Runfile("tools/hook_bench") + " --quick --lib /etc/passwd", &rc);
	EXPECT_EQ(rc, 1) << out;
	EXPECT_NE(out.find("hook_bench: LD_PRELOAD=/etc/passwd /bin/true must "
			   "exit 0 and print nothing"),
		  std::string::npos)
	    << out;
	EXPECT_NE(out.find("cannot be preloaded"), std::string::npos) << out;
}

} // namespace
