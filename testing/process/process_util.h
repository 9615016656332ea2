// Helpers for the whole-process tests: find runfiles, run a program with a
// chosen environment and capture what it printed, and read the records the
// test hook (hook_record.c) leaves in a directory.
#ifndef SYSCALL_INTERCEPT_TESTING_PROCESS_PROCESS_UTIL_H
#define SYSCALL_INTERCEPT_TESTING_PROCESS_PROCESS_UTIL_H

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace si_process
{

// Absolute path of a file in this workspace's runfiles, e.g.
// Runfile("testing/process/prog_getppid").
std::string Runfile(const std::string &workspace_relative);

// The preloadable libraries and hooks under test.
std::string LibraryPath();    // //:libsyscall_intercept.so
std::string StaticHookPath(); // hook linked with the whole library
std::string SharedHookPath(); // hook with DT_NEEDED libsyscall_intercept.so
std::string HelperPath(const std::string &name); // testing/process/<name>
std::string DirName(const std::string &path);
// The names in a directory, "." and ".." and other dot files left out.
std::vector<std::string>
DirEntries(const std::string &dir); // up to the last '/'

// A fresh empty directory under $TEST_TMPDIR.
std::string MakeTempDir(const std::string &tag);

struct RunResult {
	pid_t pid = -1;
	int exit_code = -1; // exit status, or 128 + signal
	bool timed_out = false;
	std::string out;
	std::string err;
};

// Runs argv[0] = path (argv[0] as given in `argv`), stdin from /dev/null,
// stdout and stderr captured, in a clean environment: PATH, LC_ALL=C, TZ,
// HOME and TMPDIR, then `env` ("NAME=value" entries, overriding). Nothing
// preloads unless `env` says LD_PRELOAD=...; kills the child after
// timeout_s seconds.
RunResult RunProgram(const std::string &path,
		     const std::vector<std::string> &argv,
		     const std::vector<std::string> &env = {},
		     int timeout_s = 30, const std::string &cwd = "");

// Environment entries that preload `hook` with records under `rec_dir`.
std::vector<std::string> HookEnv(const std::string &hook,
				 const std::string &rec_dir,
				 const std::vector<std::string> &extra = {});

// counts.<pid> of the test hook: syscall number -> count. Empty if the file
// does not exist (the hook never saw exit_group or execve in that process).
std::map<long, long> ReadCounts(const std::string &rec_dir, pid_t pid);
bool CountsExist(const std::string &rec_dir, pid_t pid);
// Every counts.* file in rec_dir: pid -> counts.
std::map<pid_t, std::map<long, long>> ReadAllCounts(const std::string &rec_dir);
long Total(const std::map<long, long> &counts);
long CountOf(const std::map<long, long> &counts, long nr);

struct Event {
	std::string name;
	long pid = 0, tid = 0, ppid = 0, arg = 0;
};
std::vector<Event> ReadEvents(const std::string &rec_dir);
std::string EventsToString(const std::vector<Event> &events);

std::string ReadFile(const std::string &path);
void WriteFile(const std::string &path, const std::string &data);
std::vector<std::string> SplitLines(const std::string &s);

} // namespace si_process

#endif
