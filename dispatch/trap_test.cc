// The SIGTRAP side of trapped sites (trap.h), in this process: the handler
// sends a trapped site to its target and passes every other SIGTRAP to the
// application's action; the reserved signals (SIGTRAP, and SIGSYS as
// exhaustive mode reserves it, here with a handler that chains every
// SIGSYS) are kept unblocked by the signal-mask calls and reported back as
// asked, each on its own; a bad pointer gives -EFAULT as from the kernel.
#include "dispatch/trap.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <ostream>
#include <string>

#include "gtest/gtest.h"
#include "libsyscall_intercept_hook_point.h"
#include "testing/process/seccomp_filter.h"
#include "trampoline/entry_abi.h"

namespace
{

constexpr uint64_t Bit(int sig)
{
	return 1ull << (sig - 1);
}
constexpr uint64_t kTrap = Bit(SIGTRAP);
constexpr uint64_t kSys = Bit(SIGSYS);
constexpr uint64_t kUsr1 = Bit(SIGUSR1);
constexpr uint64_t kSaRestorer = 0x04000000; // SA_RESTORER (kernel ABI)

// The kernel's struct sigaction.
struct KSigaction {
	uint64_t handler, flags, restorer, mask;
};

long Raw(long nr, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0)
{
	long r = syscall(nr, a0, a1, a2, a3);
	return r == -1 ? -errno : r;
}

// A call as the dispatcher hands it to si_trap_signal_call.
long Call(long nr, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0,
	  long a4 = 0, long a5 = 0)
{
	si_frame f = {};
	f.nr = nr;
	long args[6] = {a0, a1, a2, a3, a4, a5};
	memcpy(f.args, args, sizeof(args));
	return si_trap_signal_call(&f);
}

uint64_t KernelMask()
{
	uint64_t m = 0;
	EXPECT_EQ(Raw(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&m, 8), 0);
	return m;
}

KSigaction KernelAction(int sig)
{
	KSigaction k = {};
	EXPECT_EQ(Raw(SYS_rt_sigaction, sig, 0, (long)&k, 8), 0);
	return k;
}

// A trapped site made by hand: `int3; nop; ret` at page+0, and its
// "trampoline" at page+16: `mov eax, 777; ret`.
uint8_t *page;
volatile int app_traps;
volatile int app_code;
volatile uint64_t app_mask; // the kernel's mask while AppHandler ran

void AppHandler(int, siginfo_t *info, void *)
{
	app_traps++;
	app_code = info->si_code;
	uint64_t m = 0;
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0, &m, 8);
	app_mask = m;
}

// Our SIGSYS handler, as exhaustive mode's is for every SIGSYS that is not
// Syscall User Dispatch's.
void SysHandler(int sig, siginfo_t *info, void *uc)
{
	si_trap_chain(sig, info, uc);
}

class Trap : public ::testing::Test
{
      protected:
	static void SetUpTestSuite()
	{
		if (page != nullptr)
			return; // done for a suite deriving from this one
		void *m = mmap(nullptr, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(m, MAP_FAILED);
		page = (uint8_t *)m;
		const uint8_t site[] = {0xcc, 0x90, 0xc3};
		const uint8_t target[] = {0xb8, 0x09, 0x03, 0x00, 0x00, 0xc3};
		memcpy(page, site, sizeof(site));
		memcpy(page + 16, target, sizeof(target));
		ASSERT_EQ(mprotect(page, 4096, PROT_READ | PROT_EXEC), 0);
		si_trap_entry e = {(uint64_t)(uintptr_t)page,
				   (uint64_t)(uintptr_t)(page + 16)};
		ASSERT_EQ(si_trap_add_sites(&e, 1), 0);
		ASSERT_EQ(si_trap_reserve(SIGSYS, &SysHandler), 0);
	}
	void SetUp() override
	{
		// The application's actions of the reserved signals back to
		// SIG_DFL, nothing blocked.
		KSigaction dfl = {};
		ASSERT_EQ(Call(SYS_rt_sigaction, SIGTRAP, (long)&dfl, 0, 8), 0);
		ASSERT_EQ(Call(SYS_rt_sigaction, SIGSYS, (long)&dfl, 0, 8), 0);
		uint64_t none = 0;
		ASSERT_EQ(
		    Call(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, 8),
		    0);
		app_traps = 0;
	}
};

TEST_F(Trap, SiteGoesToItsTarget)
{
	ASSERT_NE(si_trap_active, 0);
	size_t n;
	const si_trap_entry *t = si_trap_sites(&n);
	ASSERT_EQ(n, 1u);
	EXPECT_EQ(t[0].site, (uint64_t)(uintptr_t)page);
	long (*fn)(void) = (long (*)(void))(void *)page;
	EXPECT_EQ(fn(), 777);
	EXPECT_EQ(app_traps, 0);
}

// Each failure of si_trap_reserve has its own code.
TEST_F(Trap, ReserveRefusesWhatItCannotReserve)
{
	EXPECT_EQ(si_trap_reserve(SIGSYS, &SysHandler), -EBUSY);
	EXPECT_EQ(si_trap_reserve(SIGTRAP, &SysHandler), -EINVAL);
	EXPECT_EQ(si_trap_reserve(SIGUSR1, &SysHandler), -EINVAL);
	EXPECT_EQ(KernelAction(SIGUSR1).handler, (uint64_t)(uintptr_t)SIG_DFL);
}

TEST_F(Trap, SigprocmaskErrorsAsTheKernel)
{
	uint64_t old = 0;
	EXPECT_EQ(Call(SYS_rt_sigprocmask, SIG_BLOCK, 8, 0, 8), -EFAULT);
	EXPECT_EQ(Call(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&old, 4),
		  -EINVAL);
	uint64_t set = kUsr1;
	EXPECT_EQ(Call(SYS_rt_sigprocmask, 99, (long)&set, 0, 8), -EINVAL);
	EXPECT_EQ(KernelMask() & kUsr1, 0u);
}

// The application asks for SIGTRAP and SIGSYS blocked and unblocked
// independently: each is reported as asked, neither is ever blocked.
TEST_F(Trap, EachReservedSignalIsReportedOnItsOwn)
{
	uint64_t set = kTrap | kSys, old = 0;
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 8), 0);
	uint64_t sys = kSys;
	ASSERT_EQ(
	    Call(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&sys, (long)&old, 8),
	    0);
	EXPECT_EQ(old & (kTrap | kSys), kTrap | kSys);
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&old, 8), 0);
	EXPECT_EQ(old & (kTrap | kSys), kTrap);
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_SETMASK, (long)&sys, 0, 8), 0);
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&old, 8), 0);
	EXPECT_EQ(old & (kTrap | kSys), kSys);
	EXPECT_EQ(KernelMask() & (kTrap | kSys), 0u);
}

// A signal handler's uc_sigmask holding the reserved signals: the
// rt_sigreturn restores a mask without them, and they read back blocked.
TEST_F(Trap, SigreturnMaskLosesReservedSignals)
{
	ucontext_t uc = {};
	uint64_t want = kTrap | kSys | kUsr1, old = 0;
	memcpy(&uc.uc_sigmask, &want, sizeof(want));
	si_frame f = {};
	f.nr = SYS_rt_sigreturn;
	f.app_rsp = (uint64_t)(uintptr_t)&uc;
	si_trap_sigreturn(&f);
	uint64_t got = 0;
	memcpy(&got, &uc.uc_sigmask, sizeof(got));
	EXPECT_EQ(got, kUsr1);
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&old, 8), 0);
	EXPECT_EQ(old & (kTrap | kSys), kTrap | kSys);
}

// sa_mask of other signals: each reserved signal is taken out, and
// reported back as the application last asked for it.
TEST_F(Trap, SaMaskOfOtherSignalsLosesReservedSignalsButReportsThem)
{
	KSigaction act = {(uint64_t)(uintptr_t)&AppHandler, SA_SIGINFO, 0,
			  ~0ull};
	KSigaction back = {};
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGUSR2, (long)&act, 0, 8), 0);
	EXPECT_EQ(KernelAction(SIGUSR2).mask & (kTrap | kSys), 0u);
	EXPECT_EQ(KernelAction(SIGUSR2).mask & kUsr1, kUsr1);
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGUSR2, 0, (long)&back, 8), 0);
	EXPECT_EQ(back.mask & (kTrap | kSys), kTrap | kSys);
	act.mask = kUsr1 | kSys;
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGUSR2, (long)&act, (long)&back, 8),
		  0);
	EXPECT_EQ(back.mask & (kTrap | kSys), kTrap | kSys); // the old one's
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGUSR2, 0, (long)&back, 8), 0);
	EXPECT_EQ(back.mask & (kTrap | kSys), kSys);
	EXPECT_EQ(KernelAction(SIGUSR2).mask & (kTrap | kSys), 0u);
	EXPECT_EQ(Call(SYS_rt_sigaction, SIGUSR2, 8, 0, 8), -EFAULT);
	KSigaction dfl = {};
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGUSR2, (long)&dfl, 0, 8), 0);
}

// The application's own int3 reaches its SIGTRAP handler (si_code
// SI_KERNEL); our site does not.
TEST_F(Trap, ApplicationsInt3ReachesItsHandler)
{
	KSigaction mine = {(uint64_t)(uintptr_t)&AppHandler, SA_SIGINFO, 0, 0};
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGTRAP, (long)&mine, 0, 8), 0);
	__asm__ volatile("int3");
	EXPECT_EQ(app_traps, 1);
	EXPECT_EQ(app_code, SI_KERNEL);
	EXPECT_EQ(((long (*)(void))(void *)page)(), 777);
	EXPECT_EQ(app_traps, 1);
}

// ---- each reserved signal alike --------------------------------------------

class Reserved : public Trap, public ::testing::WithParamInterface<int>
{
};

TEST_P(Reserved, OursIsInstalled)
{
	KSigaction k = KernelAction(GetParam());
	EXPECT_NE(k.handler, (uint64_t)(uintptr_t)SIG_DFL);
	EXPECT_TRUE(k.flags & SA_NODEFER);
	EXPECT_TRUE(k.flags & SA_SIGINFO);
	EXPECT_EQ(k.mask, 0u);
}

TEST_P(Reserved, SigprocmaskKeepsItAndReportsIt)
{
	const uint64_t bit = Bit(GetParam());
	uint64_t set = bit | kUsr1, old = 0;
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 8), 0);
	EXPECT_EQ(KernelMask() & (bit | kUsr1), kUsr1);
	// A trapped site still works with the signal "blocked".
	EXPECT_EQ(((long (*)(void))(void *)page)(), 777);
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&old, 8), 0);
	EXPECT_EQ(old & (kTrap | kSys | kUsr1), bit | kUsr1);
	uint64_t unblock = bit;
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&unblock,
		       (long)&old, 8),
		  0);
	EXPECT_EQ(old & bit, bit);
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&old, 8), 0);
	EXPECT_EQ(old & (bit | kUsr1), kUsr1);
	uint64_t full = ~0ull;
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_SETMASK, (long)&full, 0, 8), 0);
	EXPECT_EQ(KernelMask() & (kTrap | kSys), 0u);
}

// rt_sigaction of the signal is the application's: reported back as set
// (sa_mask without SIGKILL and SIGSTOP, as the kernel keeps it), ours
// stays installed, and a signal that is not the library's runs the
// application's handler with its sa_mask blocked, the reserved signals
// excepted.
TEST_P(Reserved, SigactionIsTheApplicationsOwn)
{
	const int sig = GetParam();
	KSigaction mine = {(uint64_t)(uintptr_t)&AppHandler,
			   SA_SIGINFO | kSaRestorer | SA_ONSTACK, 0x1234,
			   ~0ull};
	KSigaction back = {};
	uint64_t ours = KernelAction(sig).handler;
	ASSERT_EQ(Call(SYS_rt_sigaction, sig, (long)&mine, 0, 8), 0);
	ASSERT_EQ(Call(SYS_rt_sigaction, sig, 0, (long)&back, 8), 0);
	EXPECT_EQ(back.handler, mine.handler);
	EXPECT_EQ(back.flags, mine.flags);
	EXPECT_EQ(back.restorer, mine.restorer);
	EXPECT_EQ(back.mask, ~(Bit(SIGKILL) | Bit(SIGSTOP)));
	KSigaction k = KernelAction(sig);
	EXPECT_EQ(k.handler, ours);
	EXPECT_TRUE(k.flags & SA_ONSTACK);
	EXPECT_EQ(k.mask, 0u); // ours runs trapped calls under the thread's
	ASSERT_EQ(Raw(SYS_tgkill, getpid(), Raw(SYS_gettid), sig), 0);
	EXPECT_EQ(app_traps, 1);
	EXPECT_EQ(app_code, SI_TKILL);
	EXPECT_EQ(app_mask & (kTrap | kSys | kUsr1), kUsr1);
	EXPECT_EQ(KernelMask() & kUsr1, 0u); // restored after the handler
	EXPECT_EQ(Call(SYS_rt_sigaction, sig, 8, 0, 8), -EFAULT);
	EXPECT_EQ(Call(SYS_rt_sigaction, sig, 0, 8, 8), -EFAULT);
	EXPECT_EQ(Call(SYS_rt_sigaction, sig, 0, (long)&back, 4), -EINVAL);
}

TEST_P(Reserved, ResetHandIsHonoured)
{
	const int sig = GetParam();
	KSigaction once = {(uint64_t)(uintptr_t)&AppHandler,
			   SA_SIGINFO | SA_RESETHAND, 0, 0};
	KSigaction back = {};
	ASSERT_EQ(Call(SYS_rt_sigaction, sig, (long)&once, 0, 8), 0);
	ASSERT_EQ(Raw(SYS_tgkill, getpid(), Raw(SYS_gettid), sig), 0);
	EXPECT_EQ(app_traps, 1);
	ASSERT_EQ(Call(SYS_rt_sigaction, sig, 0, (long)&back, 8), 0);
	EXPECT_EQ(back.handler, (uint64_t)(uintptr_t)SIG_DFL);
}

// Hooks emulate calls by making them with syscall_no_intercept: the
// signal-mask calls made that way keep the signal unblocked and the
// library's handler installed too.
TEST_P(Reserved, SyscallNoInterceptKeepsIt)
{
	const int sig = GetParam();
	const uint64_t bit = Bit(sig);
	uint64_t set = bit | kUsr1, old = 0;
	ASSERT_EQ(syscall_no_intercept(SYS_rt_sigprocmask, SIG_BLOCK, &set,
				       nullptr, 8),
		  0);
	EXPECT_EQ(KernelMask() & (bit | kUsr1), kUsr1);
	ASSERT_EQ(syscall_no_intercept(SYS_rt_sigprocmask, SIG_BLOCK, nullptr,
				       &old, 8),
		  0);
	EXPECT_EQ(old & (bit | kUsr1), bit | kUsr1);
	uint64_t ours = KernelAction(sig).handler;
	KSigaction mine = {(uint64_t)(uintptr_t)&AppHandler, SA_SIGINFO, 0, 0};
	ASSERT_EQ(
	    syscall_no_intercept(SYS_rt_sigaction, sig, &mine, nullptr, 8), 0);
	EXPECT_EQ(KernelAction(sig).handler, ours);
	EXPECT_EQ(((long (*)(void))(void *)page)(), 777);
	// Everything else goes straight to the kernel, sixth argument
	// included.
	EXPECT_EQ(syscall_no_intercept(SYS_getppid), (long)getppid());
	EXPECT_EQ(syscall_no_intercept(SYS_close, -1), -EBADF);
}

INSTANTIATE_TEST_SUITE_P(Signals, Reserved, ::testing::Values(SIGTRAP, SIGSYS),
			 [](const ::testing::TestParamInfo<int> &info) {
				 return std::string(info.param == SIGTRAP
							? "SIGTRAP"
							: "SIGSYS");
			 });

// Calls with a temporary mask holding SIGTRAP and SIGSYS: a SIGUSR1
// pending outside (blocked) but allowed by the temporary mask interrupts
// the wait, and its handler, which runs under the temporary mask, finds
// both unblocked (and SIGUSR2, also in the temporary mask, blocked). A mask
// that cannot be read gives the kernel's -EFAULT.
volatile uint64_t mask_in_usr1;

void Usr1Handler(int)
{
	uint64_t m = 0;
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0, &m, 8);
	mask_in_usr1 = m;
}

struct MaskCall {
	const char *name;
	long nr;
};

void PrintTo(const MaskCall &c, std::ostream *os)
{
	*os << c.name;
}

class TrapMask : public Trap, public ::testing::WithParamInterface<MaskCall>
{
};

long RunMaskCall(const MaskCall &c, long mask_ptr)
{
	static struct timespec ts;
	ts = {5, 0};
	switch (c.nr) {
	case SYS_rt_sigsuspend:
		return Call(c.nr, mask_ptr, 8);
	case SYS_ppoll:
		return Call(c.nr, 0, 0, (long)&ts, mask_ptr, 8);
	case SYS_pselect6: {
		static struct {
			long ss, len;
		} data;
		data = {mask_ptr, 8};
		return Call(c.nr, 0, 0, 0, 0, (long)&ts, (long)&data);
	}
	default: { // epoll_pwait, epoll_pwait2
		int ep = (int)Raw(SYS_epoll_create1, 0);
		static char events[64];
		long r =
		    c.nr == SYS_epoll_pwait
			? Call(c.nr, ep, (long)events, 1, 5000, mask_ptr, 8)
			: Call(c.nr, ep, (long)events, 1, (long)&ts, mask_ptr,
			       8);
		close(ep);
		return r;
	}
	}
}

TEST_P(TrapMask, TemporaryMaskLosesReservedSignals)
{
	const MaskCall &c = GetParam();
	struct sigaction sa = {};
	sa.sa_handler = Usr1Handler;
	ASSERT_EQ(sigaction(SIGUSR1, &sa, nullptr), 0);
	uint64_t usr1 = kUsr1;
	ASSERT_EQ(Raw(SYS_rt_sigprocmask, SIG_BLOCK, (long)&usr1, 0, 8), 0);
	ASSERT_EQ(Raw(SYS_tgkill, getpid(), Raw(SYS_gettid), SIGUSR1), 0);
	mask_in_usr1 = ~0ull;
	uint64_t usr2 = 1ull << (SIGUSR2 - 1);
	uint64_t tmp = kTrap | kSys | usr2;
	EXPECT_EQ(RunMaskCall(c, (long)&tmp), -EINTR) << c.name;
	EXPECT_EQ(mask_in_usr1 & (kTrap | kSys), 0u) << c.name;
	EXPECT_EQ(mask_in_usr1 & usr2, usr2) << c.name;
	EXPECT_EQ(tmp, kTrap | kSys | usr2) << c.name; // the caller's copy
	// An unreadable mask is passed on as it is: the kernel says EFAULT.
	EXPECT_EQ(RunMaskCall(c, 8), -EFAULT) << c.name;
	EXPECT_EQ(KernelMask() & (kTrap | kUsr1), kUsr1) << c.name;
	sa.sa_handler = SIG_DFL;
	ASSERT_EQ(sigaction(SIGUSR1, &sa, nullptr), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Calls, TrapMask,
    ::testing::Values(MaskCall{"rt_sigsuspend", SYS_rt_sigsuspend},
		      MaskCall{"ppoll", SYS_ppoll},
		      MaskCall{"pselect6", SYS_pselect6},
		      MaskCall{"epoll_pwait", SYS_epoll_pwait},
		      MaskCall{"epoll_pwait2", SYS_epoll_pwait2}),
    [](const ::testing::TestParamInfo<MaskCall> &info) {
	    return std::string(info.param.name);
    });

// The application's SIG_DFL and SIG_IGN, in child processes: a signal the
// kernel raises synchronously (a stray int3; seccomp's SECCOMP_RET_TRAP)
// kills either way (the kernel does not let a trap be ignored); one sent by
// kill is ignored under SIG_IGN. Either way a trapped site works after an
// ignored one.
enum class Raise { kKill, kSync };

// getppid(kSeccompArg) raises SIGSYS (si_code SYS_SECCOMP) once
// TrapGetppid ran.
constexpr long kSeccompArg = 0x5ecc;
constexpr int kSysSeccomp = 1; // SYS_SECCOMP (kernel ABI)

bool TrapGetppid()
{
	struct si_test_filter filter;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
	       Raw(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
		   (long)si_test_trap_getppid(&filter, kSeccompArg)) == 0;
}

TEST_F(Trap, DefaultAndIgnoredActions)
{
	struct {
		int sig;
		uint64_t handler;
		Raise how;
		int want; // exit code, or 128 + signal
	} cases[] = {
	    {SIGTRAP, (uint64_t)(uintptr_t)SIG_DFL, Raise::kSync,
	     128 + SIGTRAP},
	    {SIGTRAP, (uint64_t)(uintptr_t)SIG_DFL, Raise::kKill,
	     128 + SIGTRAP},
	    {SIGTRAP, (uint64_t)(uintptr_t)SIG_IGN, Raise::kSync,
	     128 + SIGTRAP},
	    {SIGTRAP, (uint64_t)(uintptr_t)SIG_IGN, Raise::kKill, 0},
	    {SIGSYS, (uint64_t)(uintptr_t)SIG_DFL, Raise::kSync, 128 + SIGSYS},
	    {SIGSYS, (uint64_t)(uintptr_t)SIG_DFL, Raise::kKill, 128 + SIGSYS},
	    {SIGSYS, (uint64_t)(uintptr_t)SIG_IGN, Raise::kSync, 128 + SIGSYS},
	    {SIGSYS, (uint64_t)(uintptr_t)SIG_IGN, Raise::kKill, 0},
	};
	for (const auto &c : cases) {
		pid_t pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			struct rlimit no_core = {0, 0};
			setrlimit(RLIMIT_CORE, &no_core);
			KSigaction a = {c.handler, 0, 0, 0};
			if (Call(SYS_rt_sigaction, c.sig, (long)&a, 0, 8) != 0)
				_exit(90);
			if (c.how == Raise::kKill)
				Raw(SYS_tgkill, getpid(), Raw(SYS_gettid),
				    c.sig);
			else if (c.sig == SIGTRAP)
				__asm__ volatile("int3");
			else if (!TrapGetppid() ||
				 Raw(SYS_getppid, kSeccompArg) == 0)
				_exit(92);
			_exit(((long (*)(void))(void *)page)() == 777 ? 0 : 91);
		}
		int st;
		ASSERT_EQ(waitpid(pid, &st, 0), pid);
		int got = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		EXPECT_EQ(got, c.want)
		    << c.sig << " " << c.handler << " "
		    << (c.how == Raise::kSync ? "sync" : "kill");
	}
}

// The application's SIGSYS handler gets seccomp's SIGSYS (SYS_SECCOMP).
TEST_F(Trap, SeccompReachesTheApplicationsSigsysHandler)
{
	pid_t pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		KSigaction mine = {(uint64_t)(uintptr_t)&AppHandler, SA_SIGINFO,
				   0, 0};
		if (Call(SYS_rt_sigaction, SIGSYS, (long)&mine, 0, 8) != 0 ||
		    !TrapGetppid())
			_exit(90);
		Raw(SYS_getppid, kSeccompArg);
		_exit(app_traps == 1 && app_code == kSysSeccomp ? 0 : 91);
	}
	int st;
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
}

} // namespace
