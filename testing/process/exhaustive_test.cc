// Exhaustive mode (INTERCEPT_EXHAUSTIVE=1, dispatch/exhaustive.h): code no
// one patched -- generated at run time, in any thread or process -- reaches
// the hook through Syscall User Dispatch; real programs run as without the
// library; the application's own SIGSYS handler and seccomp still work; a
// thread or handler that blocks every signal still has its calls seen, and
// reads its masks back as it set them.
#include <signal.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/process/process_util.h"

namespace si_process
{
namespace
{

const std::vector<std::string> kExhaustive = {"INTERCEPT_EXHAUSTIVE=1"};

TEST(ExhaustiveTest, CodeGeneratedAtRunTimeIsSeen)
{
	RunResult plain = RunProgram(HelperPath("prog_jit"), {"prog_jit"});
	ASSERT_EQ(plain.exit_code, 0) << plain.err;
	EXPECT_EQ(plain.out, "main kernel\nthread kernel\nchild kernel\n");
	RunResult def = RunProgram(HelperPath("prog_jit"), {"prog_jit"},
				   HookEnv(StaticHookPath(), ""));
	EXPECT_EQ(def.out, "main kernel\nthread kernel\nchild kernel\n")
	    << "not seen without exhaustive mode";
	RunResult all = RunProgram(HelperPath("prog_jit"), {"prog_jit"},
				   HookEnv(StaticHookPath(), "", kExhaustive));
	ASSERT_EQ(all.exit_code, 0) << all.err;
	EXPECT_EQ(all.out, "main hooked\nthread hooked\nchild hooked\n")
	    << all.err;
	EXPECT_EQ(all.err, "");
}

// prog_jit MODE without the library and in exhaustive mode: the same lines,
// but the verdicts ("kernel" without, "hooked" with).
struct JitRun {
	RunResult plain, hooked;
};

JitRun RunJit(const std::string &mode)
{
	JitRun r;
	r.plain = RunProgram(HelperPath("prog_jit"), {"prog_jit", mode});
	r.hooked = RunProgram(HelperPath("prog_jit"), {"prog_jit", mode},
			      HookEnv(StaticHookPath(), "", kExhaustive));
	return r;
}

// Both runs of prog_jit MODE exit 0, print `plain` and `hooked`, and the
// hooked one prints nothing on stderr.
void ExpectJit(const std::string &mode, const std::string &plain,
	       const std::string &hooked)
{
	SCOPED_TRACE(mode);
	JitRun r = RunJit(mode);
	EXPECT_EQ(r.plain.exit_code, 0) << r.plain.err;
	EXPECT_EQ(r.plain.out, plain);
	EXPECT_EQ(r.hooked.exit_code, 0) << r.hooked.err;
	EXPECT_EQ(r.hooked.out, hooked) << r.hooked.err;
	EXPECT_EQ(r.hooked.err, "");
}

// A thread that blocks every signal (SIGSYS with them, which would make
// SUD's SIGSYS kill the process) still has its run-time code's calls
// hooked, and reads SIGSYS and SIGTRAP back blocked as it asked, then
// SIGSYS unblocked after unblocking it.
TEST(ExhaustiveTest, EverySignalBlockedInAThread)
{
	const std::string lines = "blocked sys 1 trap 1\n"
				  "unblocked sys 0 trap 1\n";
	ExpectJit("blockall",
		  "blockall kernel\n" + lines + "unblocked kernel\n",
		  "blockall hooked\n" + lines + "unblocked hooked\n");
}

// Signal masks changed by run-time code stay changed: a trapped call runs
// inside the SIGSYS handler, whose own mask rt_sigreturn replaces, so the
// library applies it to the mask the return installs. SIGSYS asked blocked
// is reported blocked, and is not: the next trapped call is hooked.
TEST(ExhaustiveTest, MaskChangesByRunTimeCodeLast)
{
	const std::string lines = "block 0 usr1 1 old_usr1 0\n"
				  "block_sys 0 sys 1\n"
				  "query 0 usr1 1 sys 1\n";
	ExpectJit("sigmask", lines + "then kernel\n", lines + "then hooked\n");
}

// A handler that puts SIGSYS into the mask its return restores, returning
// through a restorer generated at run time (a trapped rt_sigreturn): SIGSYS
// reads back blocked, but is not, and the next trapped call is hooked.
TEST(ExhaustiveTest, TrappedSigreturnKeepsSigsysDeliverable)
{
	ExpectJit("sigreturn", "sys 1\nthen kernel\n", "sys 1\nthen hooked\n");
}

// The first syscall after a signal handler returned (through libc's
// restorer, a patched rt_sigreturn) is run-time code's: it is trapped and
// hooked. (rt_sigreturn run at its site with the selector open left the
// thread untrapped until its next intercepted call.)
TEST(ExhaustiveTest, FirstCallAfterAHandlerIsSeen)
{
	ExpectJit("async", "after_handler kernel\n", "after_handler hooked\n");
}

// Run-time code called from a signal handler whose sa_mask holds every
// signal is hooked too.
TEST(ExhaustiveTest, CallFromAHandlerThatBlocksEverySignal)
{
	ExpectJit("handler", "in_handler kernel\n", "in_handler hooked\n");
}

// The program's SIGSYS handler (SA_RESETHAND, every signal in sa_mask) is
// reported back as installed, does not stop run-time code from being
// hooked nor block signals while its calls run, and gets seccomp's SIGSYS
// once (SYS_SECCOMP, its answer returned); the second such SIGSYS finds
// SIG_DFL and kills the process, exactly as without the library.
TEST(ExhaustiveTest, ApplicationSigsysHandlerResetByItsFirstSignal)
{
	JitRun r = RunJit("sigsys");
	EXPECT_EQ(r.plain.exit_code, 128 + SIGSYS) << r.plain.err;
	EXPECT_EQ(r.hooked.exit_code, 128 + SIGSYS) << r.hooked.err;
	std::vector<std::string> plain = SplitLines(r.plain.out);
	std::vector<std::string> hooked = SplitLines(r.hooked.out);
	ASSERT_EQ(plain.size(), 5u) << r.plain.out;
	ASSERT_EQ(hooked.size(), 5u) << r.hooked.out << r.hooked.err;
	// Handler, flags (SA_SIGINFO | SA_RESETHAND, and libc's SA_RESTORER)
	// and mask (sigfillset's: all but libc's two internal signals; less
	// SIGKILL and SIGSTOP) as the kernel reports them without the library.
	EXPECT_EQ(plain[0], "query handler 1 flags 0x84000004 "
			    "mask 0xfffffffe7ffbfeff");
	EXPECT_EQ(hooked[0], plain[0]);
	EXPECT_EQ(plain[1], "installed kernel");
	EXPECT_EQ(hooked[1], "installed hooked");
	EXPECT_EQ(plain[2], "jit_mask usr1 0");
	EXPECT_EQ(hooked[2], plain[2]);
	EXPECT_EQ(plain[3], "seccomp 5555 handler 1 code 1");
	EXPECT_EQ(hooked[3], plain[3]);
	EXPECT_EQ(plain[4], "reset 1");
	EXPECT_EQ(hooked[4], plain[4]);
}

TEST(ExhaustiveTest, RawSyscallInTheProgramIsSeen)
{
	for (const char *prog : {"prog_raw_pie", "prog_raw_nopie"}) {
		SCOPED_TRACE(prog);
		RunResult r =
		    RunProgram(HelperPath(prog), {prog},
			       HookEnv(StaticHookPath(), "", kExhaustive));
		EXPECT_EQ(r.exit_code, 0) << r.err;
		EXPECT_EQ(r.out, "hooked\n") << r.err;
	}
}

// Real programs give the same output and exit status; the counter sees
// the calls as in the usual mode.
TEST(ExhaustiveTest, RealProgramsRunUnchanged)
{
	const std::vector<std::vector<std::string>> cmds = {
	    {"/bin/ls", "ls", "-la", "/usr"},
	    {"/bin/sh", "sh", "-c", "echo hi | cat; exit 3"},
	    {"/usr/bin/python3", "python3", "-c",
	     "import json, threading, subprocess\n"
	     "t = threading.Thread(target=lambda: print('thread'))\n"
	     "t.start(); t.join()\n"
	     "print(subprocess.run(['/bin/echo', 'sub'], capture_output=True)"
	     ".stdout.decode().strip(), json.dumps([1]))"},
	};
	for (const auto &c : cmds) {
		SCOPED_TRACE(c[1]);
		std::vector<std::string> argv(c.begin() + 1, c.end());
		RunResult plain = RunProgram(c[0], argv);
		RunResult r = RunProgram(
		    c[0], argv, HookEnv(StaticHookPath(), "", kExhaustive));
		EXPECT_EQ(r.exit_code, plain.exit_code) << r.err;
		EXPECT_EQ(r.out, plain.out);
		EXPECT_EQ(r.err, plain.err);
	}
}

} // namespace
} // namespace si_process
