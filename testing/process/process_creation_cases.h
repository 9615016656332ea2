// The ways of creating a process or thread that prog_spawn knows, as data
// shared by process_creation_test and process_clone_test: each case runs
// `prog_spawn MODE prog_getppid` under the test hook and reads back the
// child's id and status and the hook's event log.
#ifndef SYSCALL_INTERCEPT_TESTING_PROCESS_PROCESS_CREATION_CASES_H
#define SYSCALL_INTERCEPT_TESTING_PROCESS_PROCESS_CREATION_CASES_H

#include <stdio.h>
#include <unistd.h>

#include <ostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{

struct CreationCase {
	const char *mode;
	int status;	// the child's exit status (or a thread's result)
	bool is_thread; // the child's id is a tid in the parent's process
	bool id_known;	// prog_spawn learns the id (not so for system())
};

inline std::ostream &operator<<(std::ostream &os, const CreationCase &c)
{
	return os << c.mode;
}

inline const std::vector<CreationCase> &CreationCases()
{
	static const std::vector<CreationCase> cases = {
	    {"fork", 7, false, true},	      {"vfork_exec", 8, false, true},
	    {"vfork_exit", 9, false, true},   {"posix_spawn", 5, false, true},
	    {"system", 6, false, false},      {"pthread", 4, true, true},
	    {"clone3_fork", 11, false, true}, {"clone3_thread", 12, true, true},
	};
	return cases;
}

// What one run of prog_spawn produced.
struct CreationRun {
	RunResult result;
	long parent = -1;
	long child = -1;
	int status = -1;
	std::vector<Event> events;
};

// `extra_env`: more environment entries for the run (e.g.
// INTERCEPT_DEBUG_TRAP=1).
inline CreationRun RunCreation(const CreationCase &c,
			       const std::vector<std::string> &extra_env = {})
{
	CreationRun run;
	std::string rec = MakeTempDir(std::string("spawn_") + c.mode);
	std::vector<std::string> env = {"SI_REC_EVENTS=1"};
	env.insert(env.end(), extra_env.begin(), extra_env.end());
	run.result =
	    RunProgram(HelperPath("prog_spawn"),
		       {"prog_spawn", c.mode, HelperPath("prog_getppid")},
		       HookEnv(StaticHookPath(), rec, env));
	for (const std::string &line : SplitLines(run.result.out)) {
		long a;
		int st;
		if (sscanf(line.c_str(), "parent %ld", &a) == 1)
			run.parent = a;
		else if (sscanf(line.c_str(), "child %ld status %d", &a, &st) ==
			 2) {
			run.child = a;
			run.status = st;
		}
	}
	run.events = ReadEvents(rec);
	return run;
}

// Does event e come from the child of `run`?
inline bool FromChild(const CreationCase &c, const CreationRun &run,
		      const Event &e)
{
	if (c.is_thread)
		return e.pid == run.parent && e.tid == run.child;
	if (c.id_known)
		return e.pid == run.child;
	return e.pid != run.parent && e.ppid == run.parent;
}

} // namespace si_process

#endif
