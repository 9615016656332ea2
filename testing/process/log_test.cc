// INTERCEPT_LOG seen from whole processes: the reference's line format,
// whole lines from many threads, one file per process with a trailing '-',
// appending, a path that cannot be opened, and the file's hygiene.
#include <sys/stat.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

std::vector<std::string> LogEnv(const std::string &log,
				const std::vector<std::string> &extra = {})
{
	std::vector<std::string> env = {"LD_PRELOAD=" + LibraryPath(),
					"INTERCEPT_LOG=" + log};
	env.insert(env.end(), extra.begin(), extra.end());
	return env;
}

// Every line: "<libc path> 0x<offset> -- name(args) = <result or ?>".
const std::regex kLine(
    R"(^/\S*libc\.so\.6 0x[0-9a-f]+ -- [a-z0-9_]+\(.*\) = (\?|-?[0-9]+|0x[0-9a-f]+|-1 E[A-Z0-9]+ \(.*\)))");

size_t CountMatching(const std::string &text, const std::string &needle)
{
	size_t n = 0;
	for (const std::string &l : SplitLines(text))
		n += l.find(needle) != std::string::npos;
	return n;
}

TEST(LogTest, ReferenceFormatBeforeAndAfter)
{
	std::string dir = MakeTempDir("log1");
	RunResult r = RunProgram(HelperPath("prog_getppid"),
				 {"prog_getppid", "3"}, LogEnv(dir + "/log"));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	std::string log = ReadFile(dir + "/log");
	std::vector<std::string> lines = SplitLines(log);
	ASSERT_GT(lines.size(), 6u);
	for (const std::string &l : lines)
		EXPECT_TRUE(std::regex_search(l, kLine)) << l;
	std::string ppid = std::to_string(getpid());
	EXPECT_EQ(CountMatching(log, "-- getppid() = ?"), 3u) << log;
	EXPECT_EQ(CountMatching(log, "-- getppid() = " + ppid), 3u) << log;
	// the output line the program printed, with its buffer shown
	EXPECT_GE(CountMatching(log, "-- write(1, \"getppid " + ppid), 2u)
	    << log;
	// exit_group does not come back: one line
	EXPECT_EQ(CountMatching(log, "-- exit_group(0) = ?"), 1u) << log;
	struct stat st;
	ASSERT_EQ(stat((dir + "/log").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(LogTest, LinesFromThreadsStayWhole)
{
	std::string dir = MakeTempDir("log_threads");
	RunResult r =
	    RunProgram(HelperPath("prog_getppid"),
		       {"prog_getppid", "2000", "8"}, LogEnv(dir + "/log"));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	std::string log = ReadFile(dir + "/log");
	size_t bad = 0;
	for (const std::string &l : SplitLines(log))
		bad += !std::regex_search(l, kLine);
	EXPECT_EQ(bad, 0u);
	std::string ppid = std::to_string(getpid());
	EXPECT_EQ(CountMatching(log, "-- getppid() = " + ppid), 16000u);
	EXPECT_EQ(CountMatching(log, "-- getppid() = ?"), 16000u);
}

TEST(LogTest, TrailingDashGivesEachForkedProcessItsOwnFile)
{
	std::string dir = MakeTempDir("log_fork");
	RunResult r =
	    RunProgram(HelperPath("prog_spawn"), {"prog_spawn", "fork", "x"},
		       LogEnv(dir + "/log-"));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	std::vector<std::string> files = DirEntries(dir);
	ASSERT_EQ(files.size(), 2u) << r.out;
	std::string parent = "log-" + std::to_string(r.pid);
	std::string child_log, parent_log;
	for (const std::string &f : files)
		(f == parent ? parent_log : child_log) =
		    ReadFile(dir + "/" + f);
	ASSERT_FALSE(parent_log.empty());
	ASSERT_FALSE(child_log.empty());
	// the child's getppid names the parent; the parent waited for it
	EXPECT_EQ(
	    CountMatching(child_log, "-- getppid() = " + std::to_string(r.pid)),
	    1u)
	    << child_log;
	EXPECT_GE(CountMatching(parent_log, "-- wait4("), 1u) << parent_log;
	EXPECT_EQ(CountMatching(parent_log, "-- getppid()"), 0u) << parent_log;
}

// A program exec'd by a logged one adds to the log: nothing written before
// the exec is lost.
TEST(LogTest, ExecKeepsWhatWasLoggedBefore)
{
	std::string dir = MakeTempDir("log_execkeep");
	std::string helper = HelperPath("prog_getppid");
	RunResult r = RunProgram(
	    "/bin/sh", {"sh", "-c", "echo before; exec " + helper + " 2"},
	    LogEnv(dir + "/log"));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	std::string log = ReadFile(dir + "/log");
	EXPECT_GE(CountMatching(log, "-- write(1, \"before\\n\""), 2u) << log;
	// the exec'd helper's own output line, logged after the exec
	EXPECT_GE(CountMatching(log, "-- write(1, \"getppid "), 2u) << log;
}

// A process killed by a signal has logged every call it made: each line is
// written by the call that makes it, with nothing buffered.
TEST(LogTest, DeathBySignalLosesNoLine)
{
	for (const char *sig : {"TERM", "SEGV", "ABRT"}) {
		SCOPED_TRACE(sig);
		std::string dir = MakeTempDir(std::string("log_sig") + sig);
		RunResult r = RunProgram("/bin/sh",
					 {"sh", "-c",
					  std::string("echo before; kill -") +
					      sig + " $$; echo after"},
					 LogEnv(dir + "/log"));
		EXPECT_GT(r.exit_code, 128) << "killed by the signal";
		EXPECT_EQ(r.out, "before\n");
		std::string log = ReadFile(dir + "/log");
		EXPECT_EQ(
		    CountMatching(log, "-- write(1, \"before\\n\", 7) = 7"), 1u)
		    << log;
		// The call the process died in: logged before it ran.
		EXPECT_EQ(CountMatching(log, "-- kill(" +
						 std::to_string(r.pid) +
						 ", SIG" + sig + ") = ?"),
			  1u)
		    << log;
		for (const std::string &l : SplitLines(log))
			EXPECT_TRUE(std::regex_search(l, kLine)) << l;
	}
}

// Forked processes writing one log (no trailing '-') share its offset:
// every line of both is there, whole.
TEST(LogTest, ForkedProcessesShareOneFile)
{
	std::string dir = MakeTempDir("log_fork_one");
	RunResult r =
	    RunProgram(HelperPath("prog_spawn"), {"prog_spawn", "fork", "x"},
		       LogEnv(dir + "/log"));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	ASSERT_EQ(DirEntries(dir).size(), 1u);
	std::string log = ReadFile(dir + "/log");
	for (const std::string &l : SplitLines(log))
		EXPECT_TRUE(std::regex_search(l, kLine)) << l;
	EXPECT_EQ(CountMatching(log, "-- getppid() = " + std::to_string(r.pid)),
		  1u)
	    << log;
	EXPECT_GE(CountMatching(log, "-- wait4("), 1u) << log;
	EXPECT_EQ(CountMatching(log, "-- exit_group("), 2u) << log;
}

TEST(LogTest, TruncOffAppends)
{
	std::string dir = MakeTempDir("log_append");
	std::string log = dir + "/log";
	ASSERT_EQ(RunProgram(HelperPath("prog_getppid"), {"prog_getppid", "1"},
			     LogEnv(log))
		      .exit_code,
		  0);
	size_t once = SplitLines(ReadFile(log)).size();
	ASSERT_EQ(RunProgram(HelperPath("prog_getppid"), {"prog_getppid", "1"},
			     LogEnv(log, {"INTERCEPT_LOG_TRUNC=0"}))
		      .exit_code,
		  0);
	EXPECT_EQ(SplitLines(ReadFile(log)).size(), 2 * once);
	ASSERT_EQ(RunProgram(HelperPath("prog_getppid"), {"prog_getppid", "1"},
			     LogEnv(log))
		      .exit_code,
		  0);
	EXPECT_EQ(SplitLines(ReadFile(log)).size(), once); // truncated
}

TEST(LogTest, UnopenableLogIsReportedAndTheProgramRuns)
{
	RunResult r =
	    RunProgram(HelperPath("prog_getppid"), {"prog_getppid", "1"},
		       LogEnv("/nonexistent/dir/log"));
	EXPECT_EQ(r.exit_code, 0);
	EXPECT_EQ(r.out, "getppid " + std::to_string(getpid()) + "\n");
	EXPECT_NE(r.err.find("INTERCEPT_LOG: cannot open /nonexistent/dir/log"),
		  std::string::npos)
	    << r.err;
}

TEST(LogTest, LogFdDoesNotLeakIntoExecutedPrograms)
{
	std::string dir = MakeTempDir("log_exec");
	// sh and env run with the log open; ls, exec'd without the preload,
	// must see no descriptor the library opened.
	const std::string cmd = "exec env -u LD_PRELOAD ls /proc/self/fd";
	RunResult plain = RunProgram("/bin/sh", {"sh", "-c", cmd});
	RunResult logged =
	    RunProgram("/bin/sh", {"sh", "-c", cmd}, LogEnv(dir + "/log-"));
	ASSERT_EQ(logged.exit_code, 0) << logged.err;
	EXPECT_EQ(logged.out, plain.out);
	EXPECT_FALSE(DirEntries(dir).empty()); // sh and env did log
}

} // namespace
} // namespace si_process
