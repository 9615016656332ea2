// A signal handler that makes syscalls while its thread blocks in an
// intercepted read(): the outcome (EINTR without SA_RESTART, a restarted
// read with it) is exactly what it is without the library, and the hook
// sees the handler's calls and the sigreturn.
#include <sys/syscall.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

struct SignalCase {
	const char *mode;
	const char *expected_out;
	long reads; // read() calls the program makes, so the hook sees
};

class SignalTest : public ::testing::TestWithParam<SignalCase>
{
};

TEST_P(SignalTest, SameOutcomeWithAndWithoutTheLibrary)
{
	const SignalCase &c = GetParam();
	RunResult plain =
	    RunProgram(HelperPath("prog_signal"), {"prog_signal", c.mode});
	ASSERT_FALSE(plain.timed_out);
	ASSERT_EQ(plain.exit_code, 0) << plain.err;
	// The scenario itself behaves as designed without the library...
	ASSERT_EQ(plain.out, c.expected_out);

	std::string rec = MakeTempDir(std::string("signal_") + c.mode);
	RunResult hooked =
	    RunProgram(HelperPath("prog_signal"), {"prog_signal", c.mode},
		       HookEnv(StaticHookPath(), rec));
	ASSERT_FALSE(hooked.timed_out) << hooked.out << hooked.err;
	// ...and identically with it.
	EXPECT_EQ(hooked.exit_code, plain.exit_code) << hooked.err;
	EXPECT_EQ(hooked.out, plain.out);
	EXPECT_EQ(hooked.err, plain.err);

	ASSERT_TRUE(CountsExist(rec, hooked.pid));
	std::map<long, long> counts = ReadCounts(rec, hooked.pid);
	// main's getppid and the handler's.
	EXPECT_EQ(CountOf(counts, SYS_getppid), 2);
	// The handler's write and stdout's one flush at exit.
	EXPECT_EQ(CountOf(counts, SYS_write), 2);
	// One handler returned through rt_sigreturn.
	EXPECT_EQ(CountOf(counts, SYS_rt_sigreturn), 1);
	// A restarted read is one call of the program's, not two.
	EXPECT_EQ(CountOf(counts, SYS_read), c.reads);
}

INSTANTIATE_TEST_SUITE_P(
    Modes, SignalTest,
    ::testing::Values(SignalCase{"restart",
				 "read1 1 0 x\n"
				 "handler 1 getppid_ok 1 write 1\n",
				 1},
		      SignalCase{"norestart",
				 "read1 -1 EINTR -\n"
				 "read2 1 x\n"
				 "handler 1 getppid_ok 1 write 1\n",
				 2}),
    [](const ::testing::TestParamInfo<SignalCase> &info) {
	    return std::string(info.param.mode);
    });

// Handlers that run while their thread is inside the hook (the hook sends
// the signal itself) make calls the hook sees, like any other of the
// application's; the program sees its own handlers in sigaction's answers.
class SignalInHookTest : public ::testing::TestWithParam<bool>
{
};

// Also with every site trapped (INTERCEPT_DEBUG_TRAP=1): the trap's own
// handling of signal calls keeps the handlers wrapped.
TEST_P(SignalInHookTest, HandlersInterruptingTheHookAreIntercepted)
{
	std::string rec = MakeTempDir("sig_in_hook");
	std::vector<std::string> extra;
	if (GetParam())
		extra.push_back("INTERCEPT_DEBUG_TRAP=1");
	RunResult r =
	    RunProgram(HelperPath("prog_sig_in_hook"), {"prog_sig_in_hook"},
		       HookEnv(StaticHookPath(), rec, extra));
	ASSERT_FALSE(r.timed_out) << r.out << r.err;
	ASSERT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "info 1 signo_ok 1 query_ok 1\n"
			 "plain 1 reset_ok 1\n");
	std::map<long, long> counts = ReadCounts(rec, r.pid);
	EXPECT_EQ(CountOf(counts, SYS_getsid), 2);
	EXPECT_EQ(CountOf(counts, SYS_rt_sigreturn), 2);
}

INSTANTIATE_TEST_SUITE_P(Sites, SignalInHookTest, ::testing::Bool(),
			 [](const ::testing::TestParamInfo<bool> &info) {
				 return std::string(info.param ? "Trapped"
							       : "Patched");
			 });

// The program's handlers (SIGUSR1, and SIGTRAP and SIGSYS, which the
// library holds with trapped sites and in exhaustive mode) still run and
// are reported after a child that shares its memory (posix_spawn, vfork)
// reset them to SIG_DFL, and when process_vm_readv/writev are refused.
struct HandlerCase {
	const char *mode;
	const char *env; // "" or one NAME=value
};

class HandlersTest : public ::testing::TestWithParam<HandlerCase>
{
};

TEST_P(HandlersTest, KeepWorking)
{
	const HandlerCase &c = GetParam();
	RunResult plain =
	    RunProgram(HelperPath("prog_handlers"), {"prog_handlers", c.mode});
	ASSERT_EQ(plain.exit_code, 0) << plain.err;
	ASSERT_EQ(plain.out, "usr1 1 trap 1 sys 1 query 1\n");
	std::vector<std::string> extra;
	if (c.env[0])
		extra.push_back(c.env);
	RunResult r =
	    RunProgram(HelperPath("prog_handlers"), {"prog_handlers", c.mode},
		       HookEnv(StaticHookPath(), "", extra));
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, plain.out) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HandlersTest,
    ::testing::Values(HandlerCase{"spawn", ""},
		      HandlerCase{"spawn", "INTERCEPT_DEBUG_TRAP=1"},
		      HandlerCase{"spawn", "INTERCEPT_EXHAUSTIVE=1"},
		      HandlerCase{"vfork", ""},
		      HandlerCase{"vfork", "INTERCEPT_DEBUG_TRAP=1"},
		      HandlerCase{"vfork", "INTERCEPT_EXHAUSTIVE=1"},
		      HandlerCase{"seccomp", ""},
		      HandlerCase{"seccomp", "INTERCEPT_DEBUG_TRAP=1"},
		      HandlerCase{"seccomp", "INTERCEPT_EXHAUSTIVE=1"}),
    [](const ::testing::TestParamInfo<HandlerCase> &i) {
	    std::string n = i.param.mode;
	    std::string e = i.param.env;
	    if (e.find("TRAP") != std::string::npos)
		    n += "_trap";
	    else if (e.find("EXHAUSTIVE") != std::string::npos)
		    n += "_exhaustive";
	    return n;
    });

} // namespace
} // namespace si_process
