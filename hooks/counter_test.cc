// The counter hook, preloaded into real processes: exact counts.
#include <spawn.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/util/test_util.h"

extern char **environ;

namespace
{

using si_test::Runfile;

// Runs argv with the counter preloaded; returns the exit status and fills
// `counts` (syscall name -> calls) from the table it wrote.
int RunCounted(const std::vector<std::string> &argv,
	       std::map<std::string, unsigned long> *counts)
{
	std::string out = std::string(getenv("TEST_TMPDIR")) + "/counts.txt";
	unlink(out.c_str());
	std::vector<std::string> env = {
	    "LD_PRELOAD=" + Runfile("hooks/libsyscall_counter.so"),
	    "INTERCEPT_COUNTER_OUTPUT=" + out,
	};
	std::vector<char *> cargv, cenv;
	for (auto &s : argv)
		cargv.push_back(const_cast<char *>(s.c_str()));
	cargv.push_back(nullptr);
	for (auto &s : env)
		cenv.push_back(const_cast<char *>(s.c_str()));
	cenv.push_back(nullptr);
	pid_t pid;
	if (posix_spawn(&pid, cargv[0], nullptr, nullptr, cargv.data(),
			cenv.data()) != 0)
		return -1;
	int status = 0;
	waitpid(pid, &status, 0);
	std::ifstream in(out);
	std::string line;
	while (std::getline(in, line)) {
		// "calls errors total_us mean_ns name"
		std::istringstream ls(line);
		unsigned long n, err, us, mean;
		std::string name;
		if (ls >> n >> err >> us >> mean >> name) {
			(*counts)[name] = n;
			(*counts)[name + ".errors"] = err;
		}
	}
	return status;
}

TEST(Counter, ExactCountsFromAProgram)
{
	std::map<std::string, unsigned long> counts;
	int status =
	    RunCounted({Runfile("hooks/getppid_loop"), "12345"}, &counts);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
	EXPECT_EQ(counts["getppid"], 12345u);
	EXPECT_EQ(counts["getppid.errors"], 0u);
	// exit_group is counted just before it runs.
	EXPECT_EQ(counts["exit_group"], 1u);
	// Besides those, only what the C++ runtime's constructors do before
	// main (the hook is in place before them: dispatch/early.h): its
	// emergency exception pool's malloc (brk, getrandom).
	unsigned long others = counts["total"] - 12345u - 1u;
	EXPECT_EQ(others, counts["brk"] + counts["getrandom"] + counts["mmap"])
	    << others;
	EXPECT_LE(others, 8u);
}

TEST(Counter, SeesARealProgram)
{
	std::map<std::string, unsigned long> counts;
	int status = RunCounted({"/bin/ls", "-la", "/usr"}, &counts);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
	EXPECT_GE(counts["getdents64"], 2u); // read /usr until the end
	EXPECT_GE(counts["write"], 1u);
	EXPECT_GE(counts["statx"] + counts["newfstatat"] + counts["lstat"], 5u);
}

TEST(Counter, CountsErrors)
{
	std::map<std::string, unsigned long> counts;
	int status = RunCounted({"/bin/ls", "/nonexistent/path"}, &counts);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << status;
	// ls looks the name up (statx, or an older stat call) and fails
	unsigned long failed = counts["statx.errors"] +
			       counts["newfstatat.errors"] +
			       counts["lstat.errors"];
	EXPECT_GE(failed, 1u);
	EXPECT_GE(counts["total.errors"], failed);
	EXPECT_EQ(counts["write.errors"], 0u); // the message got out
}

// Raw tables from every process of a program: each call counted once in the
// sum, whatever process or thread made it.
TEST(Counter, RawTablesSumOverProcesses)
{
	std::string out = std::string(getenv("TEST_TMPDIR")) + "/raw.txt";
	unlink(out.c_str());
	std::string probe = Runfile("hooks/family_probe");
	std::vector<std::string> env = {
	    "LD_PRELOAD=" + Runfile("hooks/libsyscall_counter.so"),
	    "INTERCEPT_COUNTER_OUTPUT=" + out,
	    "INTERCEPT_COUNTER_FORMAT=raw",
	};
	std::vector<char *> cenv;
	for (auto &s : env)
		cenv.push_back(const_cast<char *>(s.c_str()));
	cenv.push_back(nullptr);
	char *argv[] = {const_cast<char *>(probe.c_str()), nullptr};
	pid_t pid;
	ASSERT_EQ(
	    posix_spawn(&pid, argv[0], nullptr, nullptr, argv, cenv.data()), 0);
	int status = 0;
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

	std::ifstream in(out);
	std::string line;
	std::map<long, unsigned long> sum;
	int tables = 0, open_tables = 0;
	while (std::getline(in, line)) {
		if (line.rfind("#si-counter pid=", 0) == 0) {
			EXPECT_EQ(open_tables, 0) << "tables never interleave";
			open_tables++;
			tables++;
			continue;
		}
		if (line == "#end") {
			EXPECT_EQ(open_tables, 1);
			open_tables--;
			continue;
		}
		std::istringstream ls(line);
		long nr;
		unsigned long n, err, ns;
		ASSERT_TRUE(ls >> nr >> n >> err >> ns) << line;
		EXPECT_EQ(open_tables, 1) << line;
		sum[nr] += n;
	}
	EXPECT_EQ(open_tables, 0);
	// The probe, its forked child, the vforked child (at its exec), the
	// spawned child (at its exec) and the two /bin/true images.
	EXPECT_EQ(tables, 6);
	EXPECT_EQ(sum[SYS_getppid], 1550u);
	EXPECT_EQ(sum[SYS_execve], 2u);
	EXPECT_EQ(sum[SYS_exit_group], 4u);
	EXPECT_EQ(sum[SYS_clone] + sum[SYS_clone3] + sum[SYS_fork] +
		      sum[SYS_vfork],
		  4u);
}

} // namespace
