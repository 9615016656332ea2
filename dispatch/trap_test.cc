// The SIGTRAP side of trapped sites (trap.h), in this process: the handler
// sends a trapped site to its target and passes every other SIGTRAP to the
// application's action; the signal-mask calls keep SIGTRAP unblocked and
// report it back as asked; a bad pointer gives -EFAULT as from the kernel.
#include "dispatch/trap.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <ostream>
#include <string>

#include "gtest/gtest.h"
#include "libsyscall_intercept_hook_point.h"
#include "trampoline/entry_abi.h"

namespace
{

constexpr uint64_t kTrap = 1ull << (SIGTRAP - 1);
constexpr uint64_t kUsr1 = 1ull << (SIGUSR1 - 1);
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

void AppHandler(int, siginfo_t *info, void *)
{
	app_traps++;
	app_code = info->si_code;
}

class Trap : public ::testing::Test
{
      protected:
	static void SetUpTestSuite()
	{
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
	}
	void SetUp() override
	{
		// The application's SIGTRAP action back to SIG_DFL, nothing
		// blocked.
		KSigaction dfl = {};
		ASSERT_EQ(Call(SYS_rt_sigaction, SIGTRAP, (long)&dfl, 0, 8), 0);
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
	KSigaction k = KernelAction(SIGTRAP);
	EXPECT_TRUE(k.flags & SA_NODEFER);
	EXPECT_TRUE(k.flags & SA_SIGINFO);
}

TEST_F(Trap, SigprocmaskKeepsSigtrapAndReportsIt)
{
	uint64_t set = kTrap | kUsr1, old = 0;
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 8), 0);
	EXPECT_EQ(KernelMask() & (kTrap | kUsr1), kUsr1);
	// A trapped site still works with SIGTRAP "blocked".
	EXPECT_EQ(((long (*)(void))(void *)page)(), 777);
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&old, 8), 0);
	EXPECT_EQ(old & (kTrap | kUsr1), kTrap | kUsr1);
	uint64_t trap = kTrap;
	ASSERT_EQ(
	    Call(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&trap, (long)&old, 8),
	    0);
	EXPECT_EQ(old & kTrap, kTrap);
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&old, 8), 0);
	EXPECT_EQ(old & (kTrap | kUsr1), kUsr1);
	uint64_t full = ~0ull;
	ASSERT_EQ(Call(SYS_rt_sigprocmask, SIG_SETMASK, (long)&full, 0, 8), 0);
	EXPECT_EQ(KernelMask() & kTrap, 0u);
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

TEST_F(Trap, SigactionOfSigtrapIsTheApplicationsOwn)
{
	KSigaction mine = {(uint64_t)(uintptr_t)&AppHandler,
			   SA_SIGINFO | kSaRestorer, 0x1234, kTrap | kUsr1};
	KSigaction back = {};
	uint64_t ours = KernelAction(SIGTRAP).handler;
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGTRAP, (long)&mine, 0, 8), 0);
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGTRAP, 0, (long)&back, 8), 0);
	EXPECT_EQ(memcmp(&back, &mine, sizeof(back)), 0);
	KSigaction k = KernelAction(SIGTRAP);
	EXPECT_EQ(k.handler, ours); // the library's stays installed
	EXPECT_EQ(k.mask & (kTrap | kUsr1), kUsr1);
	// A SIGTRAP that is not a site reaches the application's handler.
	ASSERT_EQ(Raw(SYS_tgkill, getpid(), Raw(SYS_gettid), SIGTRAP), 0);
	EXPECT_EQ(app_traps, 1);
	EXPECT_EQ(app_code, SI_TKILL);
	__asm__ volatile("int3");
	EXPECT_EQ(app_traps, 2);
	EXPECT_EQ(app_code, SI_KERNEL);
	// Our site does not.
	EXPECT_EQ(((long (*)(void))(void *)page)(), 777);
	EXPECT_EQ(app_traps, 2);
	EXPECT_EQ(Call(SYS_rt_sigaction, SIGTRAP, 8, 0, 8), -EFAULT);
	EXPECT_EQ(Call(SYS_rt_sigaction, SIGTRAP, 0, 8, 8), -EFAULT);
	EXPECT_EQ(Call(SYS_rt_sigaction, SIGTRAP, 0, (long)&back, 4), -EINVAL);
}

TEST_F(Trap, ResetHandIsHonoured)
{
	KSigaction once = {(uint64_t)(uintptr_t)&AppHandler,
			   SA_SIGINFO | SA_RESETHAND, 0, 0};
	KSigaction back = {};
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGTRAP, (long)&once, 0, 8), 0);
	ASSERT_EQ(Raw(SYS_tgkill, getpid(), Raw(SYS_gettid), SIGTRAP), 0);
	EXPECT_EQ(app_traps, 1);
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGTRAP, 0, (long)&back, 8), 0);
	EXPECT_EQ(back.handler, (uint64_t)(uintptr_t)SIG_DFL);
}

TEST_F(Trap, SaMaskOfOtherSignalsLosesSigtrapButReportsIt)
{
	KSigaction act = {(uint64_t)(uintptr_t)&AppHandler, SA_SIGINFO, 0,
			  ~0ull};
	KSigaction back = {};
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGUSR2, (long)&act, 0, 8), 0);
	EXPECT_EQ(KernelAction(SIGUSR2).mask & kTrap, 0u);
	EXPECT_EQ(KernelAction(SIGUSR2).mask & kUsr1, kUsr1);
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGUSR2, 0, (long)&back, 8), 0);
	EXPECT_EQ(back.mask & kTrap, kTrap);
	act.mask = kUsr1;
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGUSR2, (long)&act, (long)&back, 8),
		  0);
	EXPECT_EQ(back.mask & kTrap, kTrap); // the old action asked for it
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGUSR2, 0, (long)&back, 8), 0);
	EXPECT_EQ(back.mask & kTrap, 0u);
	EXPECT_EQ(Call(SYS_rt_sigaction, SIGUSR2, 8, 0, 8), -EFAULT);
	KSigaction dfl = {};
	ASSERT_EQ(Call(SYS_rt_sigaction, SIGUSR2, (long)&dfl, 0, 8), 0);
}

// Hooks emulate calls by making them with syscall_no_intercept: the
// signal-mask calls made that way keep SIGTRAP unblocked and the library's
// handler installed too.
TEST_F(Trap, SyscallNoInterceptKeepsSigtrap)
{
	uint64_t set = kTrap | kUsr1, old = 0;
	ASSERT_EQ(syscall_no_intercept(SYS_rt_sigprocmask, SIG_BLOCK, &set,
				       nullptr, 8),
		  0);
	EXPECT_EQ(KernelMask() & (kTrap | kUsr1), kUsr1);
	ASSERT_EQ(syscall_no_intercept(SYS_rt_sigprocmask, SIG_BLOCK, nullptr,
				       &old, 8),
		  0);
	EXPECT_EQ(old & (kTrap | kUsr1), kTrap | kUsr1);
	uint64_t ours = KernelAction(SIGTRAP).handler;
	KSigaction mine = {(uint64_t)(uintptr_t)&AppHandler, SA_SIGINFO, 0, 0};
	ASSERT_EQ(
	    syscall_no_intercept(SYS_rt_sigaction, SIGTRAP, &mine, nullptr, 8),
	    0);
	EXPECT_EQ(KernelAction(SIGTRAP).handler, ours);
	EXPECT_EQ(((long (*)(void))(void *)page)(), 777);
	// Everything else goes straight to the kernel, sixth argument
	// included.
	EXPECT_EQ(syscall_no_intercept(SYS_getppid), (long)getppid());
	EXPECT_EQ(syscall_no_intercept(SYS_close, -1), -EBADF);
}

// Calls with a temporary mask holding SIGTRAP: a SIGUSR1 pending outside
// (blocked) but allowed by the temporary mask interrupts the wait, and its
// handler, which runs under the temporary mask, finds SIGTRAP unblocked
// (and SIGUSR2, also in the temporary mask, blocked). A mask that cannot be
// read gives the kernel's -EFAULT.
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

TEST_P(TrapMask, TemporaryMaskLosesSigtrap)
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
	uint64_t tmp = kTrap | usr2;
	EXPECT_EQ(RunMaskCall(c, (long)&tmp), -EINTR) << c.name;
	EXPECT_EQ(mask_in_usr1 & kTrap, 0u) << c.name;
	EXPECT_EQ(mask_in_usr1 & usr2, usr2) << c.name;
	EXPECT_EQ(tmp, kTrap | usr2) << c.name; // the caller's copy intact
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

// The application's SIG_DFL and SIG_IGN, in child processes: a stray int3
// kills with SIGTRAP either way (the kernel does not let a trap be
// ignored); a SIGTRAP sent by kill is ignored under SIG_IGN.
TEST_F(Trap, DefaultAndIgnoredActions)
{
	struct {
		uint64_t handler;
		bool int3;
		int want; // exit code, or 128 + signal
	} cases[] = {
	    {(uint64_t)(uintptr_t)SIG_DFL, true, 128 + SIGTRAP},
	    {(uint64_t)(uintptr_t)SIG_DFL, false, 128 + SIGTRAP},
	    {(uint64_t)(uintptr_t)SIG_IGN, true, 128 + SIGTRAP},
	    {(uint64_t)(uintptr_t)SIG_IGN, false, 0},
	};
	for (const auto &c : cases) {
		pid_t pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			KSigaction a = {c.handler, 0, 0, 0};
			if (Call(SYS_rt_sigaction, SIGTRAP, (long)&a, 0, 8) !=
			    0)
				_exit(90);
			if (c.int3)
				__asm__ volatile("int3");
			else
				Raw(SYS_tgkill, getpid(), Raw(SYS_gettid),
				    SIGTRAP);
			// The site still works after an ignored SIGTRAP.
			_exit(((long (*)(void))(void *)page)() == 777 ? 0 : 91);
		}
		int st;
		ASSERT_EQ(waitpid(pid, &st, 0), pid);
		int got = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		EXPECT_EQ(got, c.want) << c.handler << " " << c.int3;
	}
}

} // namespace
