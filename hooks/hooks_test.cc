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

class PathRedirect : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		dir_ = std::string(getenv("TEST_TMPDIR")) + "/redirect";
		int rc;
		std::string setup =
		    "rm -rf " + dir_ + " && mkdir -p " + dir_ + " && cd " +
		    dir_ + " && mkdir from to from2" +
		    " && echo from-x > from/x && echo to-x > to/x" +
		    " && echo from2-x > from2/x" +
		    " && touch from/only_from to/only_to to/a to/b";
		ASSERT_EQ(Shell(setup, &rc), "");
		ASSERT_EQ(rc, 0);
	}

	// Runs cmd in dir_ with /bin/sh.
	std::string Sh(const std::string &cmd, int *rc)
	{
		return Shell("cd " + dir_ + " && " + cmd, rc);
	}

	// The environment that redirects dir_/from to dir_/to.
	std::string Redirect()
	{
		return "REDIRECT_FROM=" + dir_ + "/from REDIRECT_TO=" + dir_ +
		       "/to " + Preload("libpath_redirect.so");
	}

	std::string dir_;
};

TEST_F(PathRedirect, ReadsAndListsTheTarget)
{
	int rc;
	EXPECT_EQ(Sh(Redirect() + "/bin/cat " + dir_ + "/from/x", &rc),
		  "to-x\n");
	EXPECT_EQ(rc, 0);
	EXPECT_EQ(Sh(Redirect() + "/bin/ls " + dir_ + "/from", &rc),
		  "a\nb\nonly_to\nx\n");
	EXPECT_EQ(rc, 0);
	// stat, access and friends agree
	EXPECT_EQ(Sh(Redirect() + "/bin/sh -c 'test -e " + dir_ +
			 "/from/only_to && test ! -e " + dir_ +
			 "/from/only_from && echo yes'",
		     &rc),
		  "yes\n");
}

TEST_F(PathRedirect, ChangesHappenInTheTarget)
{
	int rc;
	std::string f = dir_ + "/from";
	EXPECT_EQ(Sh(Redirect() + "/bin/touch " + f + "/new", &rc), "");
	EXPECT_EQ(Sh(Redirect() + "/bin/mkdir " + f + "/d", &rc), "");
	EXPECT_EQ(Sh(Redirect() + "/bin/rm " + f + "/a", &rc), "");
	EXPECT_EQ(Sh(Redirect() + "/bin/mv " + f + "/b " + f + "/c", &rc), "");
	EXPECT_EQ(Sh(Redirect() + "/bin/ln -s " + f + "/x " + f + "/link", &rc),
		  "");
	EXPECT_EQ(rc, 0);
	EXPECT_EQ(Sh("ls from; echo --; ls to; readlink to/link", &rc),
		  "only_from\nx\n--\nc\nd\nlink\nnew\nonly_to\nx\n" + f +
		      "/x\n"); // the link's text is not rewritten
	// the kernel follows the link's text itself: no redirection
	EXPECT_EQ(Sh(Redirect() + "/bin/cat " + f + "/link", &rc), "from-x\n");
}

TEST_F(PathRedirect, ExecAndTheCallsAfterIt)
{
	int rc;
	ASSERT_EQ(Sh("ln -s /bin/echo to/echo", &rc), "");
	// dash vforks and the child's execve runs in the hook; the parent
	// must go on redirecting afterwards
	std::string f = dir_ + "/from";
	EXPECT_EQ(Sh(Redirect() + "/bin/sh -c '" + f + "/echo hi; cat " + f +
			 "/x; cd " + f + " && cat x'",
		     &rc),
		  "hi\nto-x\nto-x\n");
	EXPECT_EQ(rc, 0);
}

TEST_F(PathRedirect, OnlyWholeComponentsAndAbsolutePaths)
{
	int rc;
	EXPECT_EQ(Sh(Redirect() + "/bin/cat " + dir_ + "/from2/x", &rc),
		  "from2-x\n");
	EXPECT_EQ(rc, 0);
	EXPECT_EQ(Sh(Redirect() + "/bin/cat from/x", &rc), "from-x\n");
	EXPECT_EQ(Sh("cd from && " + Redirect() + "/bin/cat x ../from/x", &rc),
		  "from-x\nfrom-x\n");
	EXPECT_EQ(rc, 0);
}

TEST_F(PathRedirect, BadConfigurationSaysSoAndRedirectsNothing)
{
	int rc;
	std::string out = Sh("REDIRECT_FROM=" + dir_ + "/from " +
				 Preload("libpath_redirect.so") + "/bin/cat " +
				 dir_ + "/from/x",
			     &rc);
	EXPECT_EQ(rc, 0);
	EXPECT_EQ(out, "path_redirect: REDIRECT_TO is not set (want an "
		       "absolute directory without a trailing '/'); paths are "
		       "not redirected\nfrom-x\n");
	out = Sh("REDIRECT_FROM=from REDIRECT_TO=" + dir_ + "/to/ " +
		     Preload("libpath_redirect.so") + "/bin/cat from/x",
		 &rc);
	EXPECT_EQ(rc, 0);
	EXPECT_NE(out.find("REDIRECT_FROM is not an absolute path"),
		  std::string::npos)
	    << out;
	EXPECT_NE(out.find("from-x\n"), std::string::npos) << out;
}

TEST_F(PathRedirect, BadPointersLongPathsAndPageEdges)
{
	int rc;
	std::string probe = Runfile("hooks/path_probe") + " " + dir_ + "/pfrom";
	EXPECT_EQ(Sh(probe, &rc), "fault Bad address\nnull Bad address\n"
				  "long No such file or directory\n"
				  "edge No such file or directory\nshort ok\n");
	// to/../to/../to makes every path 12 bytes longer
	std::string env = "REDIRECT_FROM=" + dir_ +
			  "/pfrom REDIRECT_TO=" + dir_ + "/to/../to/../to " +
			  Preload("libpath_redirect.so");
	EXPECT_EQ(Sh(env + probe, &rc),
		  "fault Bad address\nnull Bad address\n"
		  "long File name too long\nedge ok\nshort ok\n");
	EXPECT_EQ(rc, 0);
}

} // namespace
