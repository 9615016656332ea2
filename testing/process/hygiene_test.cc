// What a preloaded process must not get from the library: a writable and
// executable mapping, an executable stack, a file descriptor that outlives
// exec, or symbols beyond the public five.
#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

struct MapsCase {
	const char *name;
	std::vector<std::string> extra_env;
};

class MapsTest : public ::testing::TestWithParam<MapsCase>
{
};

TEST_P(MapsTest, NoWritableAndExecutableMappingAndNoExecutableStack)
{
	std::string rec = MakeTempDir("maps");
	RunResult r =
	    RunProgram("/bin/cat", {"cat", "/proc/self/maps"},
		       HookEnv(StaticHookPath(), rec, GetParam().extra_env));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_GT(Total(ReadCounts(rec, r.pid)), 0) << "cat was not hooked";
	int stacks = 0;
	for (const std::string &line : SplitLines(r.out)) {
		std::istringstream in(line);
		std::string range, perms;
		in >> range >> perms;
		ASSERT_EQ(perms.size(), 4u) << line;
		EXPECT_FALSE(perms[1] == 'w' && perms[2] == 'x')
		    << "writable and executable: " << line;
		if (line.find("[stack]") != std::string::npos) {
			stacks++;
			EXPECT_EQ(perms[2], '-')
			    << "executable stack: " << line;
		}
	}
	EXPECT_EQ(stacks, 1) << r.out;
}

// Patched pages are private copies of the object's own file: between
// libc's first and last mapping every executable mapping still names libc
// (at the file offset it comes from), so profilers and debuggers that read
// /proc/self/maps keep symbolizing it; likewise for the loader.
TEST_P(MapsTest, PatchedPagesKeepTheirFileName)
{
	RunResult r =
	    RunProgram("/bin/cat", {"cat", "/proc/self/maps"},
		       HookEnv(StaticHookPath(), "", GetParam().extra_env));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	RunResult plain = RunProgram("/bin/cat", {"cat", "/proc/self/maps"});
	for (const char *object : {"/libc.so.6", "/ld-linux-x86-64.so.2"}) {
		SCOPED_TRACE(object);
		std::vector<std::string> lines = SplitLines(r.out);
		size_t first = lines.size(), last = 0;
		for (size_t i = 0; i < lines.size(); i++)
			if (lines[i].find(object) != std::string::npos) {
				first = std::min(first, i);
				last = i;
			}
		ASSERT_LT(first, lines.size()) << r.out;
		size_t exec = 0;
		for (size_t i = first; i <= last; i++) {
			std::istringstream in(lines[i]);
			std::string range, perms;
			in >> range >> perms;
			if (perms.size() == 4 && perms[2] == 'x') {
				exec++;
				EXPECT_NE(lines[i].find(object),
					  std::string::npos)
				    << "anonymous code inside the object: "
				    << lines[i];
			}
		}
		// Patching split the code mapping into several.
		size_t plain_exec = 0;
		for (const std::string &l : SplitLines(plain.out)) {
			std::istringstream in(l);
			std::string range, perms;
			in >> range >> perms;
			plain_exec += l.find(object) != std::string::npos &&
				      perms.size() == 4 && perms[2] == 'x';
		}
		EXPECT_GT(exec, plain_exec) << r.out;
	}
}

INSTANTIATE_TEST_SUITE_P(Configs, MapsTest,
			 ::testing::Values(MapsCase{"libc", {}},
					   MapsCase{"all_objects",
						    {"INTERCEPT_ALL_OBJS=1"}}),
			 [](const ::testing::TestParamInfo<MapsCase> &info) {
				 return std::string(info.param.name);
			 });

// The GNU_STACK program header's flags of an ELF file ("RW", "RWE"...).
std::string GnuStackFlags(const std::string &so)
{
	RunResult r = RunProgram("/usr/bin/readelf", {"readelf", "-lW", so});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	for (const std::string &line : SplitLines(r.out)) {
		std::istringstream in(line);
		std::string type, off, va, pa, fsz, msz, flags, flags2;
		in >> type;
		if (type != "GNU_STACK")
			continue;
		in >> off >> va >> pa >> fsz >> msz >> flags;
		// Flags are printed as "RW " or "R E" etc.: gather letters
		// up to the alignment field.
		while (in >> flags2 && flags2.compare(0, 2, "0x") != 0)
			flags += flags2;
		return flags;
	}
	return "(no GNU_STACK)";
}

TEST(HygieneTest, LibrariesAskForANonExecutableStack)
{
	EXPECT_EQ(GnuStackFlags(LibraryPath()), "RW");
	EXPECT_EQ(GnuStackFlags(StaticHookPath()), "RW");
}

// "N -> target" for every fd `ls -l /proc/self/fd` listed, with the
// run-specific parts (pids, pipe inodes) replaced.
std::set<std::string> FdSet(const std::string &ls_out)
{
	static const std::regex proc_pid("/proc/[0-9]+");
	static const std::regex inode("(pipe|socket|anon_inode):\\[[0-9]+\\]");
	std::set<std::string> fds;
	for (const std::string &line : SplitLines(ls_out)) {
		size_t arrow = line.find(" -> ");
		if (arrow == std::string::npos)
			continue;
		size_t start = line.rfind(' ', arrow - 1) + 1;
		std::string target = line.substr(arrow + 4);
		target = std::regex_replace(target, proc_pid, "/proc/PID");
		target = std::regex_replace(target, inode, "$1:[N]");
		fds.insert(line.substr(start, arrow - start) + " -> " + target);
	}
	return fds;
}

std::string Join(const std::set<std::string> &s)
{
	std::string j;
	for (const std::string &e : s)
		j += "  " + e + "\n";
	return j;
}

struct FdCase {
	const char *name;
	const char *path;
	std::vector<std::string> argv;
};

class FdTest : public ::testing::TestWithParam<FdCase>
{
};

TEST_P(FdTest, SameFdsAsWithoutTheLibrary)
{
	const FdCase &c = GetParam();
	std::string rec = MakeTempDir("fds");
	RunResult plain = RunProgram(c.path, c.argv);
	RunResult hooked =
	    RunProgram(c.path, c.argv, HookEnv(StaticHookPath(), rec));
	ASSERT_EQ(plain.exit_code, 0) << plain.err;
	ASSERT_EQ(hooked.exit_code, 0) << hooked.err;
	std::set<std::string> want = FdSet(plain.out), got = FdSet(hooked.out);
	ASSERT_GE(want.size(), 3u) << plain.out;
	EXPECT_EQ(got, want) << "without the library:\n"
			     << Join(want) << "with it:\n"
			     << Join(got);
	EXPECT_GT(ReadAllCounts(rec).size(), 0u) << "nothing was hooked";
}

INSTANTIATE_TEST_SUITE_P(
    Programs, FdTest,
    ::testing::Values(
	// The library is in ls itself.
	FdCase{"ls", "/bin/ls", {"ls", "-l", "/proc/self/fd"}},
	// The library ran in sh and in env; ls, exec'd from them, is
	// not preloaded and lists only what survived both execs.
	FdCase{"after_exec",
	       "/bin/sh",
	       {"sh", "-c", "exec env -u LD_PRELOAD ls -l /proc/self/fd"}}),
    [](const ::testing::TestParamInfo<FdCase> &info) {
	    return std::string(info.param.name);
    });

// Names of the dynamic symbols nm -D lists; defined_only: only those the
// object defines, and only global or weak ones.
std::set<std::string> DynamicSymbols(const std::string &so, bool defined_only)
{
	std::vector<std::string> argv = {"nm", "-D"};
	if (defined_only)
		argv.push_back("--defined-only");
	argv.push_back(so);
	RunResult r = RunProgram("/usr/bin/nm", argv);
	EXPECT_EQ(r.exit_code, 0) << r.err;
	std::set<std::string> names;
	for (const std::string &line : SplitLines(r.out)) {
		std::istringstream in(line);
		std::vector<std::string> f;
		std::string w;
		while (in >> w)
			f.push_back(w);
		if (f.size() < 2)
			continue;
		const std::string &type = f[f.size() - 2];
		std::string name = f.back();
		name = name.substr(0, name.find('@'));
		bool global = type.size() == 1 &&
			      (isupper(type[0]) || type == "w" || type == "v");
		if (!defined_only || (global && type != "U"))
			names.insert(name);
	}
	return names;
}

TEST(HygieneTest, ExportsExactlyThePublicSymbols)
{
	std::set<std::string> want = {
	    "intercept_hook_point", "intercept_hook_point_clone_child",
	    "intercept_hook_point_clone_parent", "syscall_no_intercept",
	    "syscall_hook_in_process_allowed"};
	EXPECT_EQ(DynamicSymbols(LibraryPath(), true), want);
}

TEST(HygieneTest, NoCapstoneSymbolIsVisible)
{
	for (const std::string &so : {LibraryPath(), StaticHookPath()}) {
		for (const std::string &name : DynamicSymbols(so, false))
			EXPECT_NE(name.compare(0, 3, "cs_"), 0)
			    << so << ": " << name;
	}
}

} // namespace
} // namespace si_process
