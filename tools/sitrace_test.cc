// sitrace, run as users run it.
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "testing/util/test_util.h"

namespace
{

constexpr auto npos = std::string::npos;
using si_test::Runfile;
using si_test::Shell;

std::string Sitrace()
{
	return Runfile("tools/sitrace");
}

std::string Slurp(const std::string &path)
{
	std::ifstream in(path);
	std::stringstream s;
	s << in.rdbuf();
	return s.str();
}

size_t Count(const std::string &text, const std::string &needle)
{
	size_t n = 0;
	for (size_t pos = 0;
	     (pos = text.find(needle, pos)) != std::string::npos;
	     pos += needle.size())
		n++;
	return n;
}

TEST(Sitrace, LogsToAFile)
{
	std::string log = std::string(getenv("TEST_TMPDIR")) + "/trace.log";
	int rc;
	std::string out = Shell(Sitrace() + " -o " + log + " -- " +
				    Runfile("hooks/getppid_loop") + " 3",
				&rc);
	ASSERT_EQ(rc, 0) << out;
	std::string text = Slurp(log);
	EXPECT_EQ(Count(text, "-- getppid() = ?"), 3u) << text;
	EXPECT_EQ(Count(text, "-- exit_group(0) = ?"), 1u) << text;
}

TEST(Sitrace, LogsToStderrByDefault)
{
	int rc;
	std::string out =
	    Shell(Sitrace() + " " + Runfile("hooks/getppid_loop") + " 2", &rc);
	ASSERT_EQ(rc, 0) << out;
	EXPECT_EQ(Count(out, "-- getppid() = ?"), 2u) << out;
}

TEST(Sitrace, CountsWithC)
{
	std::string table = std::string(getenv("TEST_TMPDIR")) + "/counts";
	int rc;
	std::string out = Shell(Sitrace() + " -c -o " + table + " " +
				    Runfile("hooks/getppid_loop") + " 7",
				&rc);
	ASSERT_EQ(rc, 0) << out;
	std::string text = Slurp(table);
	// calls, errors, total_us, mean_ns, name
	EXPECT_NE(text.find("         7        0 "), std::string::npos) << text;
	EXPECT_NE(text.find(" getppid\n"), std::string::npos) << text;
	EXPECT_EQ(
	    text.find("     calls   errors   total_us   mean_ns syscall\n"), 0u)
	    << text;
}

// The calls column of the -c table's row for `name`, or -1.
long CallsOf(const std::string &table, const std::string &name)
{
	std::istringstream in(table);
	std::string line;
	while (std::getline(in, line)) {
		std::istringstream ls(line);
		long calls, errors, us, mean;
		std::string n;
		if (ls >> calls >> errors >> us >> mean >> n && n == name)
			return calls;
	}
	return -1;
}

// The -c table sums every process the command starts: the probe makes 1550
// getppid calls across itself, a forked child and a thread, and starts two
// more programs (with vfork+exec and posix_spawn).
TEST(Sitrace, CountsSumOverProcesses)
{
	std::string table = std::string(getenv("TEST_TMPDIR")) + "/family";
	int rc;
	std::string out = Shell(Sitrace() + " -c -o " + table + " -- " +
				    Runfile("hooks/family_probe"),
				&rc);
	ASSERT_EQ(rc, 0) << out;
	std::string text = Slurp(table);
	EXPECT_EQ(CallsOf(text, "getppid"), 1550) << text;
	EXPECT_EQ(CallsOf(text, "execve"), 2) << text;
	EXPECT_EQ(CallsOf(text, "exit_group"), 4) << text;
	EXPECT_NE(text.find(" total (6 processes)\n"), std::string::npos)
	    << text;
}

// sitrace -c exits as the command did, and says when a signal killed it.
TEST(Sitrace, CountKeepsExitStatusAndSignals)
{
	int rc;
	std::string out = Shell(Sitrace() + " -c -- sh -c 'exit 3'", &rc);
	EXPECT_EQ(rc, 3) << out;
	EXPECT_NE(out.find(" total ("), std::string::npos) << out;
	out = Shell(Sitrace() + " -c -- sh -c 'kill -TERM $$'", &rc);
	EXPECT_EQ(rc, 128 + 15) << out;
	EXPECT_NE(out.find("killed by signal 15"), std::string::npos) << out;
	out = Shell(Sitrace() + " -c -- /nonexistent/program", &rc);
	EXPECT_EQ(rc, 127) << out;
	EXPECT_NE(out.find("cannot run /nonexistent/program"),
		  std::string::npos)
	    << out;
}

// The log of every process of a command, collected through the ring:
// 1550 getppid calls across the probe, a forked child and a thread, each
// with its line before and after; exec'd programs' lines too.
TEST(Sitrace, LogsEveryProcessAndThread)
{
	std::string log = std::string(getenv("TEST_TMPDIR")) + "/family.log";
	int rc;
	std::string out = Shell(Sitrace() + " -o " + log + " -- " +
				    Runfile("hooks/family_probe"),
				&rc);
	ASSERT_EQ(rc, 0) << out;
	std::string text = Slurp(log);
	EXPECT_EQ(Count(text, "-- getppid() = ?\n"), 1550u);
	EXPECT_EQ(Count(text, "-- getppid() = "), 3100u);
	EXPECT_EQ(Count(text, "-- execve(\"/bin/true\""), 2u);
	EXPECT_EQ(Count(text, "-- exit_group(0) = ?\n"), 4u);
	// Every line whole.
	std::istringstream in(text);
	std::string line;
	size_t bad = 0;
	while (std::getline(in, line))
		bad += line.rfind("/", 0) != 0 || line.find(" -- ") == npos;
	EXPECT_EQ(bad, 0u);
}

// Lines are in shared memory as soon as they are made: a process killed
// with SIGKILL has lost none.
TEST(Sitrace, SigkillLosesNoLine)
{
	std::string log = std::string(getenv("TEST_TMPDIR")) + "/kill.log";
	int rc;
	std::string out = Shell(Sitrace() + " -o " + log +
				    " -- sh -c 'echo before; kill -KILL $$'",
				&rc);
	EXPECT_EQ(rc, 128 + 9) << out;
	std::string text = Slurp(log);
	EXPECT_EQ(Count(text, "-- write(1, \"before\\n\", 7) = 7\n"), 1u)
	    << text;
	EXPECT_EQ(Count(text, ", SIGKILL) = ?\n"), 1u) << text;
}

// A region much smaller than what the program logs: the producer waits
// for sitrace to drain it, and no line is lost or torn.
TEST(Sitrace, SmallRingLosesNothing)
{
	std::string log = std::string(getenv("TEST_TMPDIR")) + "/small.log";
	int rc;
	std::string out = Shell("SITRACE_RING_REGION_KB=4 " + Sitrace() +
				    " -o " + log + " -e getppid -- " +
				    Runfile("hooks/getppid_loop") + " 20000",
				&rc);
	ASSERT_EQ(rc, 0) << out;
	std::string text = Slurp(log);
	EXPECT_EQ(Count(text, "-- getppid() = ?\n"), 20000u);
	EXPECT_EQ(Count(text, "\n"), 40000u);
	// One thread: its lines alternate, before then after.
	std::istringstream in(text);
	std::string line;
	size_t n = 0, order = 0;
	while (std::getline(in, line))
		order += (line.find("= ?") != npos) != (n++ % 2 == 0);
	EXPECT_EQ(order, 0u);
}

TEST(Sitrace, PidsForThreadsWithF)
{
	int rc;
	std::string out = Shell(Sitrace() + " -f -e getppid " +
				    Runfile("hooks/getppid_loop") + " 2",
				&rc);
	ASSERT_EQ(rc, 0) << out;
	EXPECT_EQ(Count(out, "] /"), 4u) << out; // 2 calls, before and after
	EXPECT_EQ(out.rfind("[pid ", 0), 0u) << out;
}

TEST(Sitrace, FilterByNameAndClass)
{
	int rc;
	std::string only = Shell(Sitrace() + " -e getppid " +
				     Runfile("hooks/getppid_loop") + " 3",
				 &rc);
	ASSERT_EQ(rc, 0) << only;
	EXPECT_EQ(Count(only, " -- "), 6u) << only; // nothing but getppid
	EXPECT_EQ(Count(only, "-- getppid() = ?"), 3u) << only;
	std::string files =
	    Shell(Sitrace() + " -e %file /bin/cat /etc/hostname", &rc);
	ASSERT_EQ(rc, 0) << files;
	EXPECT_NE(files.find("-- openat(AT_FDCWD, \"/etc/hostname\""),
		  std::string::npos)
	    << files;
	EXPECT_EQ(Count(files, "-- read("), 0u) << files;
	EXPECT_EQ(Count(files, "-- close("), 0u) << files;
}

TEST(Sitrace, ClearErrors)
{
	int rc;
	std::string out = Shell(Sitrace(), &rc);
	EXPECT_EQ(rc, 2);
	EXPECT_NE(out.find("usage: sitrace"), std::string::npos) << out;
	out = Shell(Sitrace() + " -x true", &rc);
	EXPECT_EQ(rc, 2);
	EXPECT_NE(out.find("unknown option -x"), std::string::npos) << out;
	out = Shell(Sitrace() + " -e getppid,nosuchcall true", &rc);
	EXPECT_EQ(rc, 2);
	EXPECT_NE(out.find("no syscall or class 'nosuchcall'"),
		  std::string::npos)
	    << out;
	out = Shell(Sitrace() + " -- /nonexistent/program", &rc);
	EXPECT_EQ(rc, 127);
	EXPECT_NE(out.find("cannot run /nonexistent/program"),
		  std::string::npos)
	    << out;
}

} // namespace
