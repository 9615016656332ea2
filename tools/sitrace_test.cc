// sitrace, run as users run it.
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "testing/util/test_util.h"

namespace
{

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
	EXPECT_NE(text.find("         7 getppid\n"), std::string::npos) << text;
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
	out = Shell(Sitrace() + " -- /nonexistent/program", &rc);
	EXPECT_EQ(rc, 127);
	EXPECT_NE(out.find("cannot run /nonexistent/program"),
		  std::string::npos)
	    << out;
}

} // namespace
