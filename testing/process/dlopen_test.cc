// Objects loaded after start-up, seen from whole processes: the loader's
// own calls during dlopen reach the hook by default; with
// INTERCEPT_ALL_OBJS=1 a dlopened object is patched before any of its code
// runs (its constructor included), while other threads run through patched
// code, again after dlclose at the same address or a failed dlopen, and in
// a dlmopen namespace; an object with text relocations is left alone, with a
// message.
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"
#include "testing/process/record_abi.h"

namespace si_process
{
namespace
{

std::string Hex(long v)
{
	std::ostringstream o;
	o << "0x" << std::hex << v;
	return o.str();
}

const std::string kMark = Hex(SI_REC_MARK_RESULT);

std::string Fixture()
{
	return HelperPath("libsi_dl_fixture.so");
}

RunResult RunDl(const std::vector<std::string> &argv, const std::string &rec,
		const std::vector<std::string> &extra)
{
	return RunProgram(HelperPath("prog_dlopen"), argv,
			  HookEnv(StaticHookPath(), rec, extra), 60);
}

size_t CountMatching(const std::vector<std::string> &lines,
		     const std::regex &re)
{
	size_t n = 0;
	for (const std::string &l : lines)
		n += std::regex_search(l, re);
	return n;
}

// Without INTERCEPT_ALL_OBJS: ld.so is patched at start-up, so the hook
// sees the openat that finds the library, and the log shows ld.so making
// it and mapping the file; the fixture itself is not patched.
TEST(DlopenTest, LoaderCallsSeenByDefault)
{
	std::string rec = MakeTempDir("loader");
	std::string log = rec + "/log";
	std::string lib = Fixture();
	RunResult r = RunDl({"prog_dlopen", "once", lib}, rec,
			    {"SI_REC_PATHS=1", "INTERCEPT_LOG=" + log});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.err, "");
	std::string ppid = Hex(getpid());
	EXPECT_EQ(r.out, "ctor " + ppid + " mark " + ppid + "\n")
	    << "the fixture was patched without INTERCEPT_ALL_OBJS";

	// What the hook saw: the openat of the library.
	std::vector<std::string> paths = SplitLines(ReadFile(rec + "/paths"));
	EXPECT_EQ(std::count(paths.begin(), paths.end(),
			     std::to_string(SYS_openat) + " " + lib),
		  1)
	    << ReadFile(rec + "/paths");

	// Who made the calls: ld.so opened the file, mapped it from that
	// descriptor, protected and closed it.
	std::vector<std::string> lines = SplitLines(ReadFile(log));
	std::smatch m;
	std::string fd;
	std::regex open_re("^\\S*/ld-linux-x86-64\\.so\\.2 0x[0-9a-f]+ -- "
			   "openat\\(AT_FDCWD, \"" +
			   std::regex_replace(lib, std::regex("[.+]"), "\\$&") +
			   "\", O_RDONLY\\|O_CLOEXEC\\) = ([0-9]+)$");
	for (const std::string &l : lines)
		if (std::regex_search(l, m, open_re))
			fd = m[1];
	ASSERT_FALSE(fd.empty()) << ReadFile(log);
	std::string ld = "^\\S*/ld-linux-x86-64\\.so\\.2 0x[0-9a-f]+ -- ";
	EXPECT_GE(CountMatching(lines, std::regex(ld + "mmap\\(.*, " + fd +
						  ", 0x?[0-9a-f]*\\) = 0x")),
		  1u)
	    << ReadFile(log);
	EXPECT_EQ(
	    CountMatching(lines, std::regex(ld + "close\\(" + fd + "\\) = 0$")),
	    1u)
	    << ReadFile(log);
	EXPECT_GE(CountMatching(lines, std::regex(ld +
						  "(fstat|newfstatat|"
						  "read|pread64)\\(" +
						  fd + ",")),
		  1u)
	    << ReadFile(log);
}

// With INTERCEPT_ALL_OBJS=1 the dlopened fixture's own syscall
// instructions reach the hook, the constructor's included.
// prog_dlopen `mode` with the fixture under INTERCEPT_ALL_OBJS=1: its
// constructor's call and the later call both reach the hook.
void ExpectFixtureCallsHooked(const std::string &mode)
{
	std::string rec = MakeTempDir(mode);
	RunResult r = RunDl({"prog_dlopen", mode, Fixture()}, rec,
			    {"INTERCEPT_ALL_OBJS=1"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.err, "");
	EXPECT_EQ(r.out, "ctor " + kMark + " mark " + kMark + "\n");
	EXPECT_EQ(CountOf(ReadCounts(rec, r.pid), SYS_getppid), 2);
}

TEST(DlopenTest, DlopenedObjectPatchedBeforeItsConstructor)
{
	ExpectFixtureCallsHooked("once");
}

// An object loaded later whose site no jump fits is hooked through the
// trap, again after each dlclose and dlopen (its sites leave the trap table
// with it): the same result as a jump-patched site, and the unpatched one
// without INTERCEPT_ALL_OBJS.
TEST(DlopenTest, TrappedSiteInDlopenedObject)
{
	std::string lib = HelperPath("libsi_trap_fixture.so");
	std::string rec = MakeTempDir("trapsite");
	RunResult r = RunDl({"prog_dlopen", "trapsite", lib, "3"}, rec,
			    {"INTERCEPT_ALL_OBJS=1", "INTERCEPT_DEBUG_DUMP=1"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "round 0 mark " + kMark + "\nround 1 mark " + kMark +
			     "\nround 2 mark " + kMark + "\n")
	    << r.err;
	// Three loads, each with its trapped site (the fixture's other site
	// gets a jump).
	EXPECT_EQ(
	    CountMatching(SplitLines(r.err),
			  std::regex("libsi_trap_fixture\\.so: 2 sites, 1 "
				     "inline, 0 padding, 1 trapped, 0 "
				     "not patched")),
	    3u)
	    << r.err;

	RunResult plain = RunDl({"prog_dlopen", "trapsite", lib, "1"},
				MakeTempDir("trapsite_plain"), {});
	ASSERT_EQ(plain.exit_code, 0) << plain.err;
	EXPECT_EQ(plain.out.find(kMark), std::string::npos) << plain.out;
	EXPECT_EQ(plain.out.rfind("round 0 mark 0x", 0), 0u) << plain.out;
}

// After dlclose the site leaves the trap table: an int3 of the program's
// own at that address later reaches the program's SIGTRAP handler, not
// the library's released trampoline.
TEST(DlopenTest, UnloadedObjectsTrappedSitesAreForgotten)
{
	RunResult r =
	    RunDl({"prog_dlopen", "stale", HelperPath("libsi_trap_fixture.so")},
		  MakeTempDir("stale"), {"INTERCEPT_ALL_OBJS=1"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	if (r.out == "skip\n")
		GTEST_SKIP() << "the old address was taken again";
	EXPECT_EQ(r.out, "mark " + kMark + " app_traps 1\n") << r.err;
}

// dlclose then dlopen again: the object comes back at the same address,
// with the same bytes; it must be patched afresh (new trampolines), never
// matched to the released ones, and the old trampolines must be gone (the
// process has as many mappings after each dlclose).
TEST(DlopenTest, ReopenAtTheSameAddress)
{
	std::string rec = MakeTempDir("reopen");
	const int rounds = 5;
	RunResult r =
	    RunDl({"prog_dlopen", "reopen", Fixture(), std::to_string(rounds)},
		  rec, {"INTERCEPT_ALL_OBJS=1"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.err, "");
	std::vector<std::string> lines = SplitLines(r.out);
	ASSERT_EQ(lines.size(), (size_t)rounds) << r.out;
	std::regex re("^round ([0-9]+) base (0x[0-9a-f]+) ctor (0x[0-9a-f]+) "
		      "mark (0x[0-9a-f]+) maps ([0-9]+)$");
	std::string base, maps;
	for (const std::string &l : lines) {
		std::smatch m;
		ASSERT_TRUE(std::regex_match(l, m, re)) << l;
		if (base.empty())
			base = m[2];
		EXPECT_EQ(m[2], base) << "not reloaded at the same address; "
					 "the case is not exercised";
		EXPECT_EQ(m[3], kMark) << l;
		EXPECT_EQ(m[4], kMark) << l;
		if (maps.empty())
			maps = m[5];
		EXPECT_EQ(m[5], maps) << "mappings left behind by dlclose";
	}
	EXPECT_EQ(CountOf(ReadCounts(rec, r.pid), SYS_getppid), 2 * rounds);
}

// dlopen(RTLD_NOW) of an object with an undefined symbol maps it (and it is
// patched), fails to relocate it and unloads it before any of its code
// ran: its trampolines are released, and the object loaded next, at the
// same place, is patched normally.
TEST(DlopenTest, FailedDlopenReleasesWhatItPatched)
{
	std::string rec = MakeTempDir("failed");
	const int rounds = 3;
	RunResult r = RunDl({"prog_dlopen", "failed",
			     HelperPath("libsi_dl_unresolved.so"), Fixture(),
			     std::to_string(rounds)},
			    rec, {"INTERCEPT_ALL_OBJS=1"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.err, "");
	std::string expect;
	for (int i = 0; i < rounds; i++)
		expect += "failed\nctor " + kMark + " mark " + kMark + "\n";
	EXPECT_EQ(r.out, expect);
	EXPECT_EQ(CountOf(ReadCounts(rec, r.pid), SYS_getppid), 2 * rounds);
}

// Eight threads call getppid through libc and the marker through an
// already loaded fixture, in a tight loop, while the main thread loads,
// calls and unloads a second fixture: nothing crashes, every thread's
// every call was hooked, and the hook counted each call exactly once.
TEST(DlopenTest, DlopenWhileEightThreadsRunPatchedCode)
{
	std::string rec = MakeTempDir("threads");
	const long threads = 8, n = 20000, rounds = 30;
	RunResult r =
	    RunDl({"prog_dlopen", "threads", Fixture(),
		   HelperPath("libsi_dl_fixture_b.so"), std::to_string(threads),
		   std::to_string(n), std::to_string(rounds), "424242"},
		  rec, {"INTERCEPT_ALL_OBJS=1", "SI_REC_GETPPID=424242"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.err, "");
	std::string expect;
	for (long t = 0; t < threads; t++)
		expect += "thread " + std::to_string(t) + " libc " +
			  std::to_string(n) + " mark " + std::to_string(n) +
			  "\n";
	long calls = 1 + 2 * rounds + 2 * threads * n;
	expect += "rounds " + std::to_string(rounds) + "\ncalls " +
		  std::to_string(calls) + "\n";
	EXPECT_EQ(r.out, expect);
	EXPECT_EQ(CountOf(ReadCounts(rec, r.pid), SYS_getppid), calls);
}

// dlmopen: a new namespace, with its own copy of libc; the fixture there
// is patched like any other.
TEST(DlopenTest, DlmopenNamespace)
{
	ExpectFixtureCallsHooked("dlmopen");
}

// Text relocations: ld.so writes into the code after the object is
// mapped, so the object is left alone and says so; its call still works.
TEST(DlopenTest, TextRelocationsLeftAlone)
{
	std::string rec = MakeTempDir("textrel");
	std::string lib = HelperPath("libsi_dl_textrel.so");
	RunResult r =
	    RunDl({"prog_dlopen", "once", lib}, rec, {"INTERCEPT_ALL_OBJS=1"});
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "ctor 0 mark " + Hex(getpid()) + "\n");
	EXPECT_EQ(r.err, "syscall_intercept: " + lib +
			     ": has text relocations, which ld.so would apply "
			     "over the patched code; its syscalls are not "
			     "intercepted\n");
	EXPECT_EQ(CountOf(ReadCounts(rec, r.pid), SYS_getppid), 0);
}

} // namespace
} // namespace si_process
