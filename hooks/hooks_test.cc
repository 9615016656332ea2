// The ready-made hooks in real processes.
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "testing/util/test_util.h"

namespace
{

using si_test::Runfile;
using si_test::Shell;

std::string Preload(const std::string &hook)
{
	return "LD_PRELOAD=" + Runfile("hooks/" + hook) + " ";
}

TEST(ForkBan, ProcessesRefusedThreadsAllowed)
{
	int rc;
	std::string plain = Shell(Runfile("hooks/spawn_probe"), &rc);
	ASSERT_EQ(rc, 0) << plain;
	EXPECT_EQ(plain, "thread ok\nfork ok\nposix_spawn ok\n");
	std::string banned = Shell(
	    Preload("libfork_ban.so") + Runfile("hooks/spawn_probe"), &rc);
	ASSERT_EQ(rc, 0) << banned;
	EXPECT_EQ(banned, "thread ok\nfork Operation not permitted\n"
			  "posix_spawn Operation not permitted\n");
}

TEST(ForkBan, ShellCannotRunCommands)
{
	int rc;
	std::string out = Shell(
	    Preload("libfork_ban.so") + "/bin/sh -c '/bin/true; echo $?'", &rc);
	EXPECT_NE(out.find("fork"), std::string::npos) << out; // dash says why
	EXPECT_EQ(out.find("\n0\n"), std::string::npos) << out;
}

TEST(NoGetdents, LsFailsToListOtherCallsWork)
{
	std::string dir = std::string(getenv("TEST_TMPDIR")) + "/nodents";
	int rc;
	ASSERT_EQ(Shell("mkdir -p " + dir + " && touch " + dir + "/f", &rc),
		  "");
	std::string out =
	    Shell(Preload("libno_getdents.so") + "/bin/ls " + dir, &rc);
	EXPECT_EQ(rc, 2) << out;
	EXPECT_NE(out.find("Operation not supported"), std::string::npos)
	    << out;
	// a file can still be read
	out = Shell(Preload("libno_getdents.so") + "/bin/cat /proc/self/comm",
		    &rc);
	EXPECT_EQ(rc, 0);
	EXPECT_EQ(out, "cat\n");
}

} // namespace
