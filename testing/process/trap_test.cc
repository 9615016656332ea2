// Syscall sites hooked through the trap, in real processes:
//  - prog_trap's one site (libsi_trap_fixture.so: no room for any jump)
//    under INTERCEPT_ALL_OBJS=1: the hook answers it (emulated) or lets it
//    run (forwarded), and every other line the program prints is the same
//    as without the library, with the program's own SIGTRAP handler, with
//    every signal blocked, under a seccomp filter with its SIGSYS handler,
//    and for a thread cloned at the site;
//  - every libc site trapped (INTERCEPT_DEBUG_TRAP=1): each way of creating
//    a process or thread, and a signal interrupting a blocking read, behave
//    as with jump-patched sites.
#include <sys/syscall.h>

#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_creation_cases.h"
#include "testing/process/process_util.h"
#include "testing/process/record_abi.h"

namespace si_process
{
namespace
{

const std::string kMark = std::to_string(SI_REC_MARK_RESULT);

struct TrapRun {
	RunResult plain, hooked;
	std::string rec;
};

TrapRun RunBoth(const std::string &mode,
		const std::vector<std::string> &extra_env = {})
{
	TrapRun r;
	r.plain = RunProgram(HelperPath("prog_trap"), {"prog_trap", mode});
	r.rec = MakeTempDir("trap_" + mode);
	std::vector<std::string> env = {"INTERCEPT_ALL_OBJS=1",
					"SI_REC_EVENTS=1"};
	env.insert(env.end(), extra_env.begin(), extra_env.end());
	r.hooked = RunProgram(HelperPath("prog_trap"), {"prog_trap", mode},
			      HookEnv(StaticHookPath(), r.rec, env));
	return r;
}

// Lines starting with "mark": the marker call's result, SI_REC_MARK_RESULT
// when hooked and never without the library. Every other line is the same.
void ExpectSameButMarks(const TrapRun &r, size_t marks)
{
	ASSERT_FALSE(r.plain.timed_out);
	ASSERT_EQ(r.plain.exit_code, 0) << r.plain.out << r.plain.err;
	ASSERT_FALSE(r.hooked.timed_out) << r.hooked.out << r.hooked.err;
	ASSERT_EQ(r.hooked.exit_code, 0) << r.hooked.out << r.hooked.err;
	std::vector<std::string> plain = SplitLines(r.plain.out);
	std::vector<std::string> hooked = SplitLines(r.hooked.out);
	ASSERT_EQ(plain.size(), hooked.size()) << r.hooked.out;
	size_t seen = 0;
	for (size_t i = 0; i < plain.size(); i++) {
		if (plain[i].rfind("mark", 0) == 0) {
			std::string name =
			    plain[i].substr(0, plain[i].find(' '));
			EXPECT_EQ(hooked[i], name + " " + kMark) << i;
			EXPECT_NE(plain[i], name + " " + kMark) << i;
			seen++;
		} else {
			EXPECT_EQ(hooked[i], plain[i]) << i;
		}
	}
	EXPECT_EQ(seen, marks) << r.plain.out;
	// Nothing was left unhooked, nothing complained.
	EXPECT_EQ(r.hooked.err, "") << r.hooked.err;
}

TEST(TrapTest, FixtureSiteIsTrapped)
{
	std::string rec = MakeTempDir("trap_dump");
	RunResult r = RunProgram(
	    HelperPath("prog_trap"), {"prog_trap", "basic"},
	    HookEnv(StaticHookPath(), rec,
		    {"INTERCEPT_ALL_OBJS=1", "INTERCEPT_DEBUG_DUMP=1"}));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	bool found = false;
	for (const std::string &l : SplitLines(r.err))
		if (l.find("libsi_trap_fixture.so: ") != std::string::npos) {
			EXPECT_NE(l.find("1 trapped, 0 not patched"),
				  std::string::npos)
			    << l;
			found = true;
		}
	EXPECT_TRUE(found) << r.err;
	EXPECT_NE(r.err.find("fallback (no room for a 5-byte jump inside the "
			     "function), trapped (int3)"),
		  std::string::npos)
	    << r.err;
}

// The handler exists only where a site is trapped: not with libc alone
// (every site has a jump), nor without the library.
TEST(TrapTest, HandlerOnlyWhereSitesAreTrapped)
{
	std::string rec = MakeTempDir("trap_handler");
	RunResult plain =
	    RunProgram(HelperPath("prog_trap"), {"prog_trap", "handler"});
	RunResult libc_only =
	    RunProgram(HelperPath("prog_trap"), {"prog_trap", "handler"},
		       HookEnv(StaticHookPath(), rec));
	RunResult all_objs = RunProgram(
	    HelperPath("prog_trap"), {"prog_trap", "handler"},
	    HookEnv(StaticHookPath(), rec, {"INTERCEPT_ALL_OBJS=1"}));
	EXPECT_EQ(plain.out, "kernel_handler 0\n") << plain.err;
	EXPECT_EQ(libc_only.out, "kernel_handler 0\n") << libc_only.err;
	EXPECT_EQ(all_objs.out, "kernel_handler 1\n") << all_objs.err;
}

TEST(TrapTest, EmulatedAndForwarded)
{
	TrapRun r = RunBoth("basic");
	ExpectSameButMarks(r, 1);
	auto counts = ReadCounts(r.rec, r.hooked.pid);
	// The three umask calls the program made at the trapped site, each
	// forwarded (their results are the plain run's), and nothing else
	// called umask.
	EXPECT_EQ(CountOf(counts, SYS_umask), 3);
	EXPECT_GE(CountOf(counts, SYS_getppid), 1);
}

// The program's own SIGTRAP handler sees raise(SIGTRAP) and its own int3,
// sigaction reports it back, and a trapped site still works afterwards and
// from inside that handler.
TEST(TrapTest, ApplicationSigtrapHandler)
{
	TrapRun r = RunBoth("sigtrap");
	ExpectSameButMarks(r, 2);
	EXPECT_NE(r.hooked.out.find("query 1\n"), std::string::npos);
	EXPECT_NE(r.hooked.out.find("handler 2 codes SI_TKILL SI_KERNEL\n"),
		  std::string::npos)
	    << r.hooked.out;
}

// sigprocmask(SIG_SETMASK, everything) and sigaction with a full sa_mask do
// not stop trapped sites from working (a blocked SIGTRAP would kill the
// process), and both report SIGTRAP back as the program asked.
TEST(TrapTest, EverySignalBlocked)
{
	TrapRun r = RunBoth("blockall");
	ExpectSameButMarks(r, 3);
	EXPECT_NE(r.hooked.out.find("now_trap 1 now_usr1 1\n"),
		  std::string::npos)
	    << r.hooked.out;
	EXPECT_NE(r.hooked.out.find("usr1_mask_trap 1\n"), std::string::npos);
	EXPECT_NE(r.hooked.out.find("old_trap 1 now_trap 0\n"),
		  std::string::npos);
}

// A program started with SIGTRAP blocked (inherited across execve from a
// process without the library) still gets its trapped site hooked, and
// reads SIGTRAP back as blocked.
TEST(TrapTest, SigtrapBlockedAtStart)
{
	TrapRun r;
	r.plain = RunProgram(HelperPath("prog_trap"), {"prog_trap", "inherit"});
	r.rec = MakeTempDir("trap_inherit");
	std::vector<std::string> env =
	    HookEnv(StaticHookPath(), r.rec, {"INTERCEPT_ALL_OBJS=1"});
	for (std::string &e : env)
		if (e.rfind("LD_PRELOAD=", 0) == 0)
			e = "PROG_TRAP_PRELOAD=" + e.substr(11);
	r.hooked =
	    RunProgram(HelperPath("prog_trap"), {"prog_trap", "inherit"}, env);
	ExpectSameButMarks(r, 1);
	EXPECT_EQ(r.hooked.out,
		  "inherited_trap 1\nmark " + kMark + "\nstill_trap 1\n");
}

// A signal handler that puts SIGTRAP (and SIGUSR2) into uc_sigmask: its
// rt_sigreturn restores SIGUSR2 blocked but not SIGTRAP, which reads back
// blocked; the trapped site still works.
TEST(TrapTest, HandlerEditsUcSigmask)
{
	TrapRun r = RunBoth("ucmask");
	ExpectSameButMarks(r, 1);
	EXPECT_EQ(r.hooked.out,
		  "after_handler trap 1 usr2 1\nmark " + kMark + "\n");
}

// The counter hook answers every call by making it with
// syscall_no_intercept (as many hooks do): the program blocking every
// signal that way still survives its trapped calls, and its output is the
// plain run's, line for line.
TEST(TrapTest, HookEmulatingWithSyscallNoIntercept)
{
	for (const char *mode : {"blockall", "sigtrap", "ucmask"}) {
		RunResult plain =
		    RunProgram(HelperPath("prog_trap"), {"prog_trap", mode});
		std::string dir =
		    MakeTempDir(std::string("trap_counter_") + mode);
		RunResult hooked = RunProgram(
		    HelperPath("prog_trap"), {"prog_trap", mode},
		    {"LD_PRELOAD=" + Runfile("hooks/libsyscall_counter.so"),
		     "INTERCEPT_ALL_OBJS=1",
		     "INTERCEPT_COUNTER_OUTPUT=" + dir + "/counts"});
		ASSERT_EQ(plain.exit_code, 0) << plain.err;
		EXPECT_EQ(hooked.exit_code, 0) << mode << hooked.err;
		EXPECT_EQ(hooked.out, plain.out) << mode;
		EXPECT_NE(ReadFile(dir + "/counts").find("rt_sigaction"),
			  std::string::npos)
		    << mode;
	}
}

// A seccomp filter returning SECCOMP_RET_TRAP for a call made at the
// trapped site: the program's SIGSYS handler answers it, as without us.
TEST(TrapTest, SeccompAndSigsysHandler)
{
	TrapRun r = RunBoth("seccomp");
	ExpectSameButMarks(r, 1);
	EXPECT_NE(r.hooked.out.find("seccomp 5555 handler 1\n"),
		  std::string::npos)
	    << r.hooked.out;
	auto counts = ReadCounts(r.rec, r.hooked.pid);
	EXPECT_GE(CountOf(counts, SYS_getppid), 2); // the hook saw it
}

// The same in exhaustive mode, where SIGSYS is also the library's (Syscall
// User Dispatch): the program's handler still gets seccomp's SIGSYS.
TEST(TrapTest, SeccompAndSigsysHandlerInExhaustiveMode)
{
	TrapRun r = RunBoth("seccomp", {"INTERCEPT_EXHAUSTIVE=1"});
	ExpectSameButMarks(r, 1);
	EXPECT_NE(r.hooked.out.find("seccomp 5555 handler 1\n"),
		  std::string::npos)
	    << r.hooked.out << r.hooked.err;
	auto counts = ReadCounts(r.rec, r.hooked.pid);
	EXPECT_GE(CountOf(counts, SYS_getppid), 2);
}

// clone(CLONE_VM|CLONE_THREAD, new stack) at the trapped site: the thread
// continues after the site on its own stack, its calls are hooked, and the
// clone hooks fire once on each side.
TEST(TrapTest, ThreadClonedAtTheSite)
{
	TrapRun r = RunBoth("thread");
	ExpectSameButMarks(r, 2);
	EXPECT_NE(r.hooked.out.find("thread tid_ok 1 ptid_ok 1\n"),
		  std::string::npos);
	std::vector<Event> events = ReadEvents(r.rec);
	std::vector<Event> parents, children;
	for (const Event &e : events) {
		if (e.name == "clone_parent")
			parents.push_back(e);
		else if (e.name == "clone_child")
			children.push_back(e);
	}
	const std::string log = EventsToString(events);
	ASSERT_EQ(parents.size(), 1u) << log;
	ASSERT_EQ(children.size(), 1u) << log;
	EXPECT_EQ(parents[0].tid, r.hooked.pid) << log;
	EXPECT_EQ(children[0].pid, r.hooked.pid) << log;
	EXPECT_EQ(children[0].tid, parents[0].arg) << log;
	EXPECT_NE(children[0].tid, r.hooked.pid) << log;
}

// ---- every libc site trapped ----------------------------------------------

const std::vector<std::string> kTrapAll = {"INTERCEPT_DEBUG_TRAP=1"};

class TrapAllCreationTest : public ::testing::TestWithParam<CreationCase>
{
};

// The checks of process_creation_test and process_clone_test, with every
// clone, clone3, fork, vfork, exit and execve of libc made at a trap.
TEST_P(TrapAllCreationTest, ChildRunsAndCloneHooksFireOnce)
{
	const CreationCase &c = GetParam();
	CreationRun run = RunCreation(c, kTrapAll);
	ASSERT_FALSE(run.result.timed_out) << run.result.out << run.result.err;
	ASSERT_EQ(run.result.exit_code, 0) << run.result.out << run.result.err;
	ASSERT_EQ(run.parent, (long)run.result.pid) << run.result.out;
	EXPECT_EQ(run.status, c.status) << run.result.out << run.result.err;
	const std::string log = EventsToString(run.events);
	int child_getppid = 0;
	std::vector<Event> parents, children;
	for (const Event &e : run.events) {
		if (e.name == "getppid" && FromChild(c, run, e))
			child_getppid++;
		if (e.name == "clone_parent")
			parents.push_back(e);
		else if (e.name == "clone_child")
			children.push_back(e);
	}
	EXPECT_GE(child_getppid, 1) << log;
	ASSERT_EQ(parents.size(), 1u) << log;
	ASSERT_EQ(children.size(), 1u) << log;
	EXPECT_EQ(parents[0].tid, run.parent) << log;
	if (c.id_known) {
		EXPECT_EQ(parents[0].arg, run.child) << log;
	}
	EXPECT_TRUE(FromChild(c, run, children[0])) << log;
}

INSTANTIATE_TEST_SUITE_P(
    Modes, TrapAllCreationTest, ::testing::ValuesIn(CreationCases()),
    [](const ::testing::TestParamInfo<CreationCase> &info) {
	    return std::string(info.param.mode);
    });

// A SIGALRM handler interrupting a read blocked at a trapped site: EINTR or
// the restart exactly as without the library, and the hook sees the
// handler's calls and its rt_sigreturn (made at a trapped site too).
TEST(TrapAllTest, SignalInterruptsATrappedRead)
{
	for (const char *mode : {"restart", "norestart"}) {
		RunResult plain = RunProgram(HelperPath("prog_signal"),
					     {"prog_signal", mode});
		ASSERT_EQ(plain.exit_code, 0) << plain.err;
		std::string rec = MakeTempDir(std::string("trapsig_") + mode);
		RunResult hooked =
		    RunProgram(HelperPath("prog_signal"), {"prog_signal", mode},
			       HookEnv(StaticHookPath(), rec, kTrapAll));
		ASSERT_FALSE(hooked.timed_out) << hooked.err;
		EXPECT_EQ(hooked.exit_code, 0) << hooked.err;
		EXPECT_EQ(hooked.out, plain.out) << mode;
		EXPECT_EQ(hooked.err, plain.err) << mode;
		auto counts = ReadCounts(rec, hooked.pid);
		EXPECT_EQ(CountOf(counts, SYS_getppid), 2) << mode;
		EXPECT_EQ(CountOf(counts, SYS_rt_sigreturn), 1) << mode;
		EXPECT_EQ(CountOf(counts, SYS_read),
			  std::string(mode) == "restart" ? 1 : 2)
		    << mode;
	}
}

// An emulated getppid at a trapped libc site, from four threads at once.
TEST(TrapAllTest, EmulatedGetppidFromThreads)
{
	std::string rec = MakeTempDir("trapall_getppid");
	std::vector<std::string> env = kTrapAll;
	env.push_back(std::string(SI_REC_ENV_GETPPID) + "=4242");
	RunResult r = RunProgram(HelperPath("prog_getppid"),
				 {"prog_getppid", "100", "4", "0"},
				 HookEnv(StaticHookPath(), rec, env));
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "getppid 4242\n");
	EXPECT_EQ(CountOf(ReadCounts(rec, r.pid), SYS_getppid), 400);
}

// Vector registers and flags live across a trapped site survive a hook
// that clobbers them all (prog_vector's fixture, every site trapped), and
// the hook runs with DF clear though the application set it.
TEST(TrapAllTest, VectorsAndFlagsSurviveAClobberingHook)
{
	std::string rec = MakeTempDir("trapall_vector");
	std::vector<std::string> env = kTrapAll;
	env.push_back("INTERCEPT_ALL_OBJS=1");
	env.push_back(std::string(SI_REC_ENV_CLOBBER) + "=1");
	env.push_back(std::string(SI_REC_ENV_EVENTS) + "=1");
	RunResult r = RunProgram(HelperPath("prog_vector"), {"prog_vector"},
				 HookEnv(StaticHookPath(), rec, env));
	ASSERT_FALSE(r.timed_out);
	ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
	int vec = 0, flags = 0;
	for (const std::string &line : SplitLines(r.out)) {
		std::istringstream in(line);
		std::string name, f;
		std::vector<std::string> fields;
		in >> name;
		while (in >> f)
			fields.push_back(f);
		SCOPED_TRACE(line);
		if (fields.size() == 1 && fields[0] == "skipped")
			continue;
		if (name == "sse" || name == "avx" || name == "avx_nofde") {
			ASSERT_EQ(fields.size(), 2u);
			EXPECT_EQ(fields[0], kMark) << "not intercepted";
			EXPECT_EQ(fields[1], "0") << "register bytes changed";
			vec++;
		} else {
			ASSERT_EQ(fields.size(), 3u);
			EXPECT_EQ(fields[1], kMark) << "not intercepted";
			EXPECT_EQ(fields[2], fields[0]) << "flags changed";
			flags++;
		}
	}
	EXPECT_GE(vec, 1) << r.out;
	EXPECT_EQ(flags, 10) << r.out;
	int df_events = 0;
	for (const Event &e : ReadEvents(rec)) {
		if (e.name != "df")
			continue;
		df_events++;
		EXPECT_EQ(e.arg, 0) << "the hook ran with DF set";
	}
	EXPECT_GE(df_events, 11);
}

} // namespace
} // namespace si_process
