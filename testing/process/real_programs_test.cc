// Real programs under a pass-through hook: stdout, stderr, exit status and
// the files they write are byte for byte what they are without the library,
// and the hook saw their syscalls (so the patch was active).
#include <dirent.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

// A command; in argv, "{W}" is the shared work directory (inputs) and
// "{O}" a directory of the run's own (outputs), distinct per run.
struct ProgramCase {
	const char *name;
	const char *path;
	std::vector<std::string> argv;
	// Processes the hook must have recorded in the run (the program
	// itself and whatever it runs).
	size_t min_processes;
};

std::ostream &operator<<(std::ostream &os, const ProgramCase &c)
{
	return os << c.name;
}

std::string Replace(std::string s, const std::string &from,
		    const std::string &to)
{
	for (size_t at = s.find(from); at != std::string::npos;
	     at = s.find(from, at + to.size()))
		s.replace(at, from.size(), to);
	return s;
}

// Every file under dir: relative path -> mode and contents.
void DumpTree(const std::string &dir, const std::string &rel,
	      std::map<std::string, std::string> *out)
{
	DIR *d = opendir((dir + rel).c_str());
	ASSERT_NE(d, nullptr) << dir + rel;
	while (struct dirent *e = readdir(d)) {
		std::string name = e->d_name;
		if (name == "." || name == "..")
			continue;
		std::string path = rel + "/" + name;
		struct stat st;
		ASSERT_EQ(lstat((dir + path).c_str(), &st), 0);
		std::string entry = std::to_string(st.st_mode) + " ";
		if (S_ISDIR(st.st_mode))
			DumpTree(dir, path, out);
		else
			entry += ReadFile(dir + path);
		(*out)[path] = entry;
	}
	closedir(d);
}

class RealProgramsTest : public ::testing::TestWithParam<ProgramCase>
{
      protected:
	static void SetUpTestSuite()
	{
		work_ = MakeTempDir("real_programs");
		// Lines in no particular order, some repeated, for sort.
		std::string data;
		unsigned x = 12345;
		for (int i = 0; i < 5000; i++) {
			x = x * 1103515245u + 12345u;
			data += "line " + std::to_string((x >> 8) % 1500) +
				" of " + std::to_string(i % 7) + "\n";
		}
		WriteFile(work_ + "/data.txt", data);
		// A small tree for tar, with fixed times.
		mkdir((work_ + "/tree").c_str(), 0755);
		mkdir((work_ + "/tree/sub").c_str(), 0750);
		WriteFile(work_ + "/tree/a.txt", "alpha\n");
		WriteFile(work_ + "/tree/sub/b.bin", std::string(3000, '\x7f'));
		WriteFile(work_ + "/tree/sub/c", data.substr(0, 777));
		chmod((work_ + "/tree/sub/c").c_str(), 0600);
		struct timeval tv[2] = {{1600000000, 0}, {1600000000, 0}};
		for (const char *p : {"/tree/a.txt", "/tree/sub/b.bin",
				      "/tree/sub/c", "/tree/sub", "/tree"})
			utimes((work_ + p).c_str(), tv);
	}

	static std::string work_;
};

std::string RealProgramsTest::work_;

TEST_P(RealProgramsTest, SameBytesWithAndWithoutTheLibrary)
{
	const ProgramCase &c = GetParam();
	RunResult runs[2];
	std::string outdirs[2];
	std::string rec = MakeTempDir(std::string("rec_") + c.name);
	for (int hooked = 0; hooked < 2; hooked++) {
		outdirs[hooked] = MakeTempDir(std::string(c.name) +
					      (hooked ? "_hooked" : "_plain"));
		std::vector<std::string> argv;
		for (const std::string &a : c.argv)
			argv.push_back(Replace(Replace(a, "{W}", work_), "{O}",
					       outdirs[hooked]));
		std::vector<std::string> env = {"PYTHONHASHSEED=0"};
		if (hooked)
			env = HookEnv(StaticHookPath(), rec, env);
		runs[hooked] = RunProgram(c.path, argv, env, 30, work_);
	}
	const RunResult &plain = runs[0], &hooked = runs[1];
	ASSERT_FALSE(plain.timed_out);
	ASSERT_FALSE(hooked.timed_out);
	EXPECT_EQ(hooked.exit_code, plain.exit_code);
	EXPECT_TRUE(hooked.out == plain.out)
	    << "stdout differs: " << plain.out.size() << " bytes without, "
	    << hooked.out.size() << " with the library; with it:\n"
	    << hooked.out.substr(0, 2000);
	EXPECT_EQ(hooked.err, plain.err);

	// Files the programs wrote.
	std::map<std::string, std::string> trees[2];
	for (int i = 0; i < 2; i++)
		DumpTree(outdirs[i], "", &trees[i]);
	EXPECT_TRUE(trees[0] == trees[1]) << "the files written differ";
	EXPECT_GT(plain.out.size() + plain.err.size() + trees[0].size(), 0u)
	    << "the case compares nothing";

	// The hook saw the program's own syscalls, and those of what it ran.
	std::map<pid_t, std::map<long, long>> all = ReadAllCounts(rec);
	EXPECT_GT(Total(all[hooked.pid]), 0)
	    << "the hook saw no syscall of " << c.path;
	size_t active = 0;
	for (const auto &kv : all)
		active += Total(kv.second) > 0;
	EXPECT_GE(active, c.min_processes);
}

const char kPython[] =
    "import hashlib, json, os, sys\n"
    "d = {str(i): hashlib.sha256(str(i).encode()).hexdigest()\n"
    "     for i in range(3000)}\n"
    "print(json.dumps(d, sort_keys=True)[:300])\n"
    "print(sorted(os.listdir(sys.argv[1])))\n"
    "with open(sys.argv[2] + '/py.out', 'w') as f:\n"
    "    f.write(''.join(sorted(d.values())))\n"
    "sys.stderr.write('python-stderr\\n')\n"
    "sys.exit(4)\n";

const char kPerl[] =
    "my %h; $h{$_ % 97} += $_ for 1..200000;"
    "print join(',', map {\"$_=$h{$_}\"} sort {$a<=>$b} keys %h), \"\\n\";"
    "opendir(D, $ARGV[0]) or die; "
    "print join(' ', sort grep {!/^\\./} readdir D), \"\\n\";"
    "warn \"perl-warn\\n\"; exit 5;";

INSTANTIATE_TEST_SUITE_P(
    Programs, RealProgramsTest,
    ::testing::Values(
	ProgramCase{"ls", "/bin/ls", {"ls", "-la", "/usr/bin"}, 1},
	ProgramCase{"ls_missing", "/bin/ls", {"ls", "/no/such/dir"}, 1},
	ProgramCase{"cat", "/bin/cat", {"cat", "{W}/data.txt"}, 1},
	ProgramCase{"sort", "/usr/bin/sort", {"sort", "{W}/data.txt"}, 1},
	ProgramCase{"cp", "/bin/cp", {"cp", "{W}/data.txt", "{O}/copy.txt"}, 1},
	ProgramCase{"tar_c", "/bin/tar", {"tar", "-cf", "-", "tree"}, 1},
	ProgramCase{"tar_cx",
		    "/bin/bash",
		    {"bash", "-c",
		     "tar -cf {O}/t.tar tree && mkdir {O}/x && "
		     "tar -xvf {O}/t.tar -C {O}/x"},
		    3},
	ProgramCase{"bash_pipeline",
		    "/bin/bash",
		    {"bash", "-c",
		     "seq 1 3000 | grep 7 | sort -r | head -5; "
		     "echo to-stderr >&2; exit 3"},
		    5},
	ProgramCase{"python3",
		    "/usr/bin/python3",
		    {"python3", "-c", kPython, "{W}", "{O}"},
		    1},
	ProgramCase{"perl", "/usr/bin/perl", {"perl", "-e", kPerl, "{W}"}, 1}),
    [](const ::testing::TestParamInfo<ProgramCase> &info) {
	    return std::string(info.param.name);
    });

} // namespace
} // namespace si_process
