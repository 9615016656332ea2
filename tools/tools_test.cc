// The command-line tools, run as users run them.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <string>

#include "gtest/gtest.h"
#include "testing/util/test_util.h"

namespace
{

using si_test::Runfile;
using si_test::Shell;

TEST(SiPlan, LiveLibcHasNoFallback)
{
	int rc;
	std::string out = Shell(Runfile("tools/si_plan") + " --summary", &rc);
	EXPECT_EQ(rc, 0) << out;
	EXPECT_NE(out.find("libc.so.6: 526 sites: "), std::string::npos) << out;
	EXPECT_NE(out.find(", 0 fallback;"), std::string::npos) << out;
}

TEST(SiPlan, PrintsEverySiteOfAFile)
{
	int rc;
	std::string out = Shell(Runfile("tools/si_plan") + " " +
				    Runfile("testing/golden/"
					    "libgolden_fixture.so"),
				&rc);
	EXPECT_EQ(rc, 0) << out;
	size_t sites = 0;
	for (size_t pos = 0;
	     (pos = out.find("\nsite 0x", pos)) != std::string::npos; pos++)
		sites++;
	if (out.rfind("site 0x", 0) == 0)
		sites++;
	EXPECT_EQ(sites, 33u) << out;
	EXPECT_NE(out.find("33 sites: "), std::string::npos) << out;
	EXPECT_NE(out.find("fallback (no room for a 5-byte jump"),
		  std::string::npos)
	    << out;
	// Fallbacks are hooked through the trap at run time.
	EXPECT_NE(out.find("function), trapped: int3 at 0x"), std::string::npos)
	    << out;
}

TEST(SiSites, SummaryOfLibc)
{
	int rc;
	std::string out =
	    Shell(Runfile("tools/si_sites") +
		      " --summary /lib/x86_64-linux-gnu/libc.so.6",
		  &rc);
	EXPECT_EQ(rc, 0) << out;
	EXPECT_NE(out.find("526 syscall sites (529 `0f 05` byte pairs), 2 "
			   "outside every FDE"),
		  std::string::npos)
	    << out;
}

TEST(Tools, BadInputGetsAClearMessage)
{
	int rc;
	std::string out =
	    Shell(Runfile("tools/si_plan") + " /nonexistent/file.so", &rc);
	EXPECT_NE(rc, 0);
	EXPECT_NE(out.find("/nonexistent/file.so"), std::string::npos) << out;
	out = Shell(Runfile("tools/si_sites") + " --bogus", &rc);
	EXPECT_EQ(rc, 2);
	EXPECT_NE(out.find("usage:"), std::string::npos) << out;
}

} // namespace
