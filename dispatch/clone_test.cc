// Process-lifecycle calls through real trampolines, the real stub and the
// real dispatcher: clone, clone3, fork and vfork with the clone hooks set
// (each hook exactly once, on the right side, every register intact on both
// sides), clone3's EFAULT cases, a refused clone, and rt_sigreturn on the
// exact signal frame. Counters live in MAP_SHARED memory so a child process's
// hook is seen by the parent.
#include <errno.h>
#include <execinfo.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <tuple>

#include "dispatch/dispatch.h"
#include "gtest/gtest.h"
#include "libsyscall_intercept_hook_point.h"
#include "trampoline/entry_abi.h"
#include "trampoline/testing/harness.h"
#include "trampoline/testing/test_tramp.h"

namespace
{

long RawGettid()
{
	return syscall_no_intercept(SYS_gettid);
}

// Shared between the test and every child it creates.
struct Shared {
	std::atomic<long> child_hook_calls;
	std::atomic<long> child_hook_tid; // gettid() inside the child hook
	std::atomic<long> parent_hook_calls;
	std::atomic<long> parent_hook_pid; // the hook's argument
	std::atomic<long> parent_hook_tid;
	std::atomic<long> hook_calls;
	std::atomic<long> hook_clone_calls; // clone-family calls seen
	std::atomic<long> in_hook_in_child; // si_dispatch_in_hook() in the hook
	// Unwinding from a hook: the frame after the stub is the site's.
	std::atomic<long> child_unwound_to_site;
	std::atomic<long> parent_unwound_to_site;
	clone_drive drive;
};
Shared *shared;

bool IsClone(long nr)
{
	return nr == SYS_clone || nr == SYS_clone3 || nr == SYS_fork ||
	       nr == SYS_vfork;
}

int CountingHook(long nr, long, long, long, long, long, long, long *)
{
	shared->hook_calls++;
	if (IsClone(nr))
		shared->hook_clone_calls++;
	return 1;
}

int RefusingHook(long nr, long, long, long, long, long, long, long *result)
{
	shared->hook_calls++;
	if (IsClone(nr)) {
		shared->hook_clone_calls++;
		*result = -EPERM;
		return 0;
	}
	return 1;
}

void ChildHook()
{
	shared->child_hook_calls++;
	shared->child_hook_tid = RawGettid();
	shared->in_hook_in_child = si_dispatch_in_hook() ? 1 : 0;
}

void ParentHook(long pid)
{
	shared->parent_hook_calls++;
	shared->parent_hook_pid = pid;
	shared->parent_hook_tid = RawGettid();
}

// Clobbers every vector register a C hook may use, so the checks below
// test the stub's saving rather than a quiet compiler.
__attribute__((noinline)) void ClobberXmm()
{
	asm volatile("pcmpeqd %%xmm0, %%xmm0\n pcmpeqd %%xmm1, %%xmm1\n"
		     "pcmpeqd %%xmm7, %%xmm7\n pcmpeqd %%xmm8, %%xmm8\n"
		     "pcmpeqd %%xmm15, %%xmm15\n" ::
			 : "xmm0", "xmm1", "xmm7", "xmm8", "xmm15");
}

void ClobberingChildHook()
{
	ChildHook();
	ClobberXmm();
}

void ClobberingParentHook(long pid)
{
	ParentHook(pid);
	ClobberXmm();
}

// True if a backtrace taken here passes through the clone's site
// (clone_drive_site + 2, the stub's return address per its CFI).
bool BacktraceReachesSite()
{
	void *bt[64];
	int n = backtrace(bt, 64);
	auto site = reinterpret_cast<uintptr_t>(&clone_drive_site) + 2;
	for (int i = 0; i < n; i++)
		if (reinterpret_cast<uintptr_t>(bt[i]) == site)
			return true;
	return false;
}

void UnwindingChildHook()
{
	ChildHook();
	shared->child_unwound_to_site = BacktraceReachesSite() ? 1 : 0;
}

void UnwindingParentHook(long pid)
{
	ParentHook(pid);
	shared->parent_unwound_to_site = BacktraceReachesSite() ? 1 : 0;
}

uint64_t Sentinel(int i)
{
	return 0x5a00000000000000ull | (uint64_t(i + 1) << 40) |
	       (0xc0de0000u + uint64_t(i));
}

constexpr uint64_t kArithFlags = 0x8d5; // CF PF AF ZF SF OF

// (flags entry?, SI_SITE_SAVE_*)
using Variant = std::tuple<bool, uint32_t>;

class CloneTest : public ::testing::TestWithParam<Variant>
{
      protected:
	void SetUp() override
	{
		void *p = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(p, MAP_FAILED);
		shared = new (p) Shared();
		intercept_hook_point = CountingHook;
		if (save() == SI_SITE_SAVE_NONE) {
			intercept_hook_point_clone_child = ChildHook;
			intercept_hook_point_clone_parent = ParentHook;
		} else {
			intercept_hook_point_clone_child = ClobberingChildHook;
			intercept_hook_point_clone_parent =
			    ClobberingParentHook;
		}
		test_tramp_options o = {};
		o.site_flags = save();
		o.preserve_flags = flags_entry();
		o.resume_to = reinterpret_cast<void *>(&clone_drive_resume);
		o.orig_addr = reinterpret_cast<uint64_t>(&clone_drive_site);
		ASSERT_EQ(test_tramp_build(&tramp_, &o), 0);
		o.resume_to = reinterpret_cast<void *>(&clone_drive_child_fail);
		ASSERT_EQ(test_tramp_build(&child_tramp_, &o), 0);
	}
	void TearDown() override
	{
		intercept_hook_point = nullptr;
		intercept_hook_point_clone_child = nullptr;
		intercept_hook_point_clone_parent = nullptr;
		test_tramp_free(&tramp_);
		test_tramp_free(&child_tramp_);
		if (stack_ != nullptr)
			munmap(stack_, kStack);
		EXPECT_EQ(si_clone_tls.depth, 0u) << "TLS site stack balanced";
		EXPECT_FALSE(si_dispatch_in_hook());
		munmap(shared, sizeof(Shared));
		shared = nullptr;
	}

	bool flags_entry() const
	{
		return std::get<0>(GetParam());
	}
	uint32_t save() const
	{
		return std::get<1>(GetParam());
	}

	// d = every register a sentinel, the clone's number and arguments.
	clone_drive *Drive(long nr, long a0 = 0, long a1 = 0, long a2 = 0,
			   long a3 = 0, long a4 = 0)
	{
		clone_drive *d = &shared->drive;
		memset(d, 0, sizeof(*d));
		d->tramp = reinterpret_cast<uint64_t>(tramp_.entry);
		for (int i = 0; i < H_NGPR; i++)
			d->gpr_in[i] = Sentinel(i);
		d->gpr_in[H_RAX] = static_cast<uint64_t>(nr);
		d->gpr_in[H_RDI] = static_cast<uint64_t>(a0);
		d->gpr_in[H_RSI] = static_cast<uint64_t>(a1);
		d->gpr_in[H_RDX] = static_cast<uint64_t>(a2);
		d->gpr_in[H_R10] = static_cast<uint64_t>(a3);
		d->gpr_in[H_R8] = static_cast<uint64_t>(a4);
		for (int i = 0; i < 16; i++)
			d->redzone_in[i] = 0xfeedf00d00000000ull | uint64_t(i);
		for (int r = 0; r < 16; r++)
			for (int b = 0; b < 16; b++)
				d->xmm_in[r][b] =
				    static_cast<uint8_t>(r * 16 + b + 3);
		d->rflags_in = 0x2 | kArithFlags;
		return d;
	}

	// The child exits with `status` through a trampoline.
	void ChildExitsThroughStub(clone_drive *d, long status)
	{
		d->child_tramp = reinterpret_cast<uint64_t>(child_tramp_.entry);
		d->child_nr = SYS_exit_group;
		d->child_args[0] = static_cast<uint64_t>(status);
	}

	// A thread-style child records, then leaves with a raw exit(0).
	void ChildExitsThread(clone_drive *d)
	{
		d->child_tramp = 0;
		d->child_nr = SYS_exit;
	}

	// A new stack; returns its top, with 64 bytes of scratch above.
	char *NewStackTop()
	{
		stack_ = mmap(nullptr, kStack, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		EXPECT_NE(stack_, MAP_FAILED);
		return static_cast<char *>(stack_) + kStack - 64;
	}

	// What each side must see: every register but rax, rcx, r11 as
	// loaded; rax the result; rsp as given; the red zone; vectors and
	// arithmetic flags as far as the site promises.
	void ExpectSide(const clone_side &s, const clone_drive &d, long rax,
			uint64_t rsp, bool check_redzone, const char *who)
	{
		SCOPED_TRACE(who);
		EXPECT_EQ(static_cast<long>(s.gpr[H_RAX]), rax);
		for (int i = 0; i < H_NGPR; i++) {
			if (i == H_RAX || i == H_RCX || i == H_R11)
				continue;
			EXPECT_EQ(s.gpr[i], d.gpr_in[i]) << "gpr " << i;
		}
		EXPECT_EQ(s.rsp, rsp) << "rsp";
		if (check_redzone) {
			for (int i = 0; i < 16; i++)
				EXPECT_EQ(s.redzone[i], d.redzone_in[i])
				    << "red zone at -" << 8 * (i + 1);
		}
		if (save() != SI_SITE_SAVE_NONE) {
			for (int r = 0; r < 16; r++)
				EXPECT_EQ(memcmp(s.xmm[r], d.xmm_in[r], 16), 0)
				    << "xmm" << r;
		}
		if (flags_entry()) {
			// lahf: SF ZF AF PF CF; seto: OF.
			EXPECT_EQ((s.flags >> 8) & 0xd5, 0xd5u) << "flags";
			EXPECT_EQ(s.flags & 0xff, 1u) << "OF";
		}
	}

	// shared_tls: a CLONE_VM child without CLONE_SETTLS shares the
	// parent's guard flag, which the parent's hook clears concurrently.
	void ExpectHooksOnce(long child_tid, bool shared_tls = false)
	{
		EXPECT_EQ(shared->child_hook_calls, 1);
		EXPECT_EQ(shared->child_hook_tid, child_tid) << "in the child";
		if (!shared_tls) {
			EXPECT_EQ(shared->in_hook_in_child, 1) << "guard held";
		}
		EXPECT_EQ(shared->parent_hook_calls, 1);
		EXPECT_EQ(shared->parent_hook_pid, child_tid);
		EXPECT_EQ(shared->parent_hook_tid, RawGettid())
		    << "in the parent";
	}

	static int WaitStatus(long pid)
	{
		int status = -1;
		EXPECT_EQ(waitpid(static_cast<pid_t>(pid), &status, __WALL),
			  pid);
		return status;
	}

	// Waits for a CLONE_CHILD_CLEARTID thread to be gone.
	static void WaitThread(int *ctid)
	{
		while (__atomic_load_n(ctid, __ATOMIC_ACQUIRE) != 0)
			syscall_no_intercept(SYS_futex, ctid, FUTEX_WAIT, *ctid,
					     nullptr, nullptr, 0);
	}

	static constexpr size_t kStack = 256 * 1024;
	test_tramp tramp_ = {};
	test_tramp child_tramp_ = {};
	void *stack_ = nullptr;
};

constexpr long kThreadFlags = CLONE_VM | CLONE_FS | CLONE_FILES |
			      CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
			      CLONE_CHILD_CLEARTID;

// The ctid word of a thread-style child; static so it outlives the test
// body if the child is late.
int thread_ctid;

TEST_P(CloneTest, CloneThreadWithNewStack)
{
	char *top = NewStackTop();
	thread_ctid = -1;
	clone_drive *d =
	    Drive(SYS_clone, kThreadFlags, reinterpret_cast<long>(top), 0,
		  reinterpret_cast<long>(&thread_ctid), 0);
	ChildExitsThread(d);
	long tid = clone_drive_run(d);
	ASSERT_GT(tid, 0);
	WaitThread(&thread_ctid);
	ASSERT_EQ(d->child_recorded, 1u);
	ExpectSide(d->parent, *d, tid, d->rsp_at_jump, true, "parent");
	ExpectSide(d->child, *d, 0, reinterpret_cast<uint64_t>(top), false,
		   "child");
	ExpectHooksOnce(tid, true);
	EXPECT_EQ(shared->hook_clone_calls, 1);
}

TEST_P(CloneTest, CloneForkStyle)
{
	clone_drive *d = Drive(SYS_clone, SIGCHLD);
	ChildExitsThroughStub(d, 42);
	long pid = clone_drive_run(d);
	ASSERT_GT(pid, 0);
	int status = WaitStatus(pid);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 42);
	ASSERT_EQ(d->child_recorded, 1u);
	ExpectSide(d->parent, *d, pid, d->rsp_at_jump, true, "parent");
	ExpectSide(d->child, *d, 0, d->rsp_at_jump, true, "child");
	ExpectHooksOnce(pid);
	// The clone in the parent, exit_group in the child.
	EXPECT_EQ(shared->hook_clone_calls, 1);
	EXPECT_EQ(shared->hook_calls, 2);
}

// struct clone_args up to CLONE_ARGS_SIZE_VER0.
struct CloneArgs {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
	    stack_size, tls;
};

TEST_P(CloneTest, Clone3ThreadWithNewStack)
{
	char *top = NewStackTop();
	thread_ctid = -1;
	static CloneArgs args;
	args = CloneArgs{};
	args.flags = kThreadFlags;
	args.child_tid = reinterpret_cast<uint64_t>(&thread_ctid);
	args.stack = reinterpret_cast<uint64_t>(stack_);
	args.stack_size = static_cast<uint64_t>(top - (char *)stack_);
	clone_drive *d =
	    Drive(SYS_clone3, reinterpret_cast<long>(&args), sizeof(args));
	ChildExitsThread(d);
	long tid = clone_drive_run(d);
	ASSERT_GT(tid, 0);
	WaitThread(&thread_ctid);
	ASSERT_EQ(d->child_recorded, 1u);
	ExpectSide(d->parent, *d, tid, d->rsp_at_jump, true, "parent");
	ExpectSide(d->child, *d, 0, reinterpret_cast<uint64_t>(top), false,
		   "child");
	ExpectHooksOnce(tid, true);
}

TEST_P(CloneTest, Clone3ForkStyle)
{
	static CloneArgs args;
	args = CloneArgs{};
	args.exit_signal = SIGCHLD;
	clone_drive *d =
	    Drive(SYS_clone3, reinterpret_cast<long>(&args), sizeof(args));
	ChildExitsThroughStub(d, 43);
	long pid = clone_drive_run(d);
	ASSERT_GT(pid, 0);
	int status = WaitStatus(pid);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 43);
	ASSERT_EQ(d->child_recorded, 1u);
	ExpectSide(d->parent, *d, pid, d->rsp_at_jump, true, "parent");
	ExpectSide(d->child, *d, 0, d->rsp_at_jump, true, "child");
	ExpectHooksOnce(pid);
}

// posix_spawn's shape: CLONE_VM | CLONE_VFORK on a new stack; the parent
// sleeps until the child exits.
TEST_P(CloneTest, Clone3VforkWithNewStack)
{
	char *top = NewStackTop();
	static CloneArgs args;
	args = CloneArgs{};
	args.flags = CLONE_VM | CLONE_VFORK;
	args.exit_signal = SIGCHLD;
	args.stack = reinterpret_cast<uint64_t>(stack_);
	args.stack_size = static_cast<uint64_t>(top - (char *)stack_);
	clone_drive *d =
	    Drive(SYS_clone3, reinterpret_cast<long>(&args), sizeof(args));
	ChildExitsThroughStub(d, 44);
	long pid = clone_drive_run(d);
	ASSERT_GT(pid, 0);
	int status = WaitStatus(pid);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 44);
	ExpectSide(d->parent, *d, pid, d->rsp_at_jump, true, "parent");
	ExpectSide(d->child, *d, 0, reinterpret_cast<uint64_t>(top), false,
		   "child");
	ExpectHooksOnce(pid);
}

TEST_P(CloneTest, Fork)
{
	clone_drive *d = Drive(SYS_fork);
	ChildExitsThroughStub(d, 45);
	long pid = clone_drive_run(d);
	ASSERT_GT(pid, 0);
	int status = WaitStatus(pid);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 45);
	ExpectSide(d->parent, *d, pid, d->rsp_at_jump, true, "parent");
	ExpectSide(d->child, *d, 0, d->rsp_at_jump, true, "child");
	ExpectHooksOnce(pid);
}

// The vfork child runs on the parent's stack and leaves through the stub
// (whose frames land below the parent's rsp); the parent must not depend on
// anything there.
TEST_P(CloneTest, VforkThenExit)
{
	clone_drive *d = Drive(SYS_vfork);
	ChildExitsThroughStub(d, 46);
	long pid = clone_drive_run(d);
	ASSERT_GT(pid, 0);
	ASSERT_EQ(d->child_recorded, 1u) << "vfork: the child ran first";
	int status = WaitStatus(pid);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 46);
	ExpectSide(d->parent, *d, pid, d->rsp_at_jump, true, "parent");
	ExpectSide(d->child, *d, 0, d->rsp_at_jump, true, "child");
	ExpectHooksOnce(pid);
	EXPECT_EQ(shared->hook_calls, 2); // vfork, then the child's exit
}

TEST_P(CloneTest, VforkThenExecve)
{
	static const char *const argv[] = {"/bin/true", nullptr};
	static const char *const envp[] = {nullptr};
	clone_drive *d = Drive(SYS_vfork);
	d->child_tramp = reinterpret_cast<uint64_t>(child_tramp_.entry);
	d->child_nr = SYS_execve;
	d->child_args[0] = reinterpret_cast<uint64_t>(argv[0]);
	d->child_args[1] = reinterpret_cast<uint64_t>(argv);
	d->child_args[2] = reinterpret_cast<uint64_t>(envp);
	long pid = clone_drive_run(d);
	ASSERT_GT(pid, 0);
	int status = WaitStatus(pid);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0) << "127: execve failed";
	ExpectSide(d->parent, *d, pid, d->rsp_at_jump, true, "parent");
	ExpectSide(d->child, *d, 0, d->rsp_at_jump, true, "child");
	ExpectHooksOnce(pid);
}

// clone3 with a NULL or unmapped argument: the kernel's -EFAULT through the
// trampoline; no child, so no clone hook.
TEST_P(CloneTest, Clone3BadArgumentsGiveEfault)
{
	void *unmapped =
	    mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(unmapped, MAP_FAILED);
	munmap(unmapped, 4096);
	for (long ptr : {0L, reinterpret_cast<long>(unmapped)}) {
		SCOPED_TRACE(ptr);
		clone_drive *d = Drive(SYS_clone3, ptr, sizeof(CloneArgs));
		long rc = clone_drive_run(d);
		EXPECT_EQ(rc, -EFAULT);
		ExpectSide(d->parent, *d, -EFAULT, d->rsp_at_jump, true,
			   "parent");
		EXPECT_EQ(d->child_recorded, 0u);
	}
	EXPECT_EQ(shared->child_hook_calls, 0);
	EXPECT_EQ(shared->parent_hook_calls, 0);
	EXPECT_EQ(shared->hook_clone_calls, 2);
}

// A hook that refuses the clone: no child, no clone hook, its error.
TEST_P(CloneTest, RefusedCloneCreatesNothing)
{
	intercept_hook_point = RefusingHook;
	for (long nr : {long{SYS_clone}, long{SYS_fork}, long{SYS_vfork}}) {
		SCOPED_TRACE(nr);
		clone_drive *d = Drive(nr, SIGCHLD);
		ChildExitsThroughStub(d, 47);
		long rc = clone_drive_run(d);
		EXPECT_EQ(rc, -EPERM);
		ExpectSide(d->parent, *d, -EPERM, d->rsp_at_jump, true,
			   "parent");
		EXPECT_EQ(d->child_recorded, 0u);
	}
	EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1) << "no child exists";
	EXPECT_EQ(shared->hook_clone_calls, 3);
	EXPECT_EQ(shared->child_hook_calls, 0);
	EXPECT_EQ(shared->parent_hook_calls, 0);
}

// A failing clone (invalid flags) reaches neither clone hook.
TEST_P(CloneTest, FailedCloneCallsNoHook)
{
	// CLONE_THREAD without CLONE_SIGHAND is EINVAL.
	clone_drive *d = Drive(SYS_clone, CLONE_THREAD);
	long rc = clone_drive_run(d);
	EXPECT_EQ(rc, -EINVAL);
	ExpectSide(d->parent, *d, -EINVAL, d->rsp_at_jump, true, "parent");
	EXPECT_EQ(shared->child_hook_calls, 0);
	EXPECT_EQ(shared->parent_hook_calls, 0);
}

// The CFI of the clone paths: from a hook on either side of a fork, and in
// a vfork parent (whose stack the child has overwritten), the unwinder gets
// through the stub to the site.
TEST_P(CloneTest, UnwindsFromCloneHooks)
{
	void *warm[4];
	backtrace(warm, 4); // loads the unwinder before any child runs
	intercept_hook_point_clone_child = UnwindingChildHook;
	intercept_hook_point_clone_parent = UnwindingParentHook;
	for (long nr : {long{SYS_fork}, long{SYS_vfork}}) {
		SCOPED_TRACE(nr);
		shared->child_unwound_to_site = -1;
		shared->parent_unwound_to_site = -1;
		clone_drive *d = Drive(nr);
		ChildExitsThroughStub(d, 48);
		long pid = clone_drive_run(d);
		ASSERT_GT(pid, 0);
		int status = WaitStatus(pid);
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(WEXITSTATUS(status), 48);
		EXPECT_EQ(shared->child_unwound_to_site, 1);
		EXPECT_EQ(shared->parent_unwound_to_site, 1);
	}
}

std::string VariantName(const ::testing::TestParamInfo<Variant> &info)
{
	static const char *const kSave[] = {"None", "Sse", "Full"};
	return std::string(std::get<0>(info.param) ? "EntryFlags" : "Entry") +
	       "Save" + kSave[std::get<1>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(
    AllEntries, CloneTest,
    ::testing::Combine(::testing::Bool(),
		       ::testing::Values(uint32_t{SI_SITE_SAVE_NONE},
					 uint32_t{SI_SITE_SAVE_SSE},
					 uint32_t{SI_SITE_SAVE_FULL})),
    VariantName);

// Without clone hooks, clone-family calls still run at their site (the
// existing FORWARD path): the child still gets the right registers.
TEST(CloneNoHooksTest, ForwardedWithoutCloneHooks)
{
	si_site site = {};
	si_frame frame = {};
	frame.site = &site;
	frame.nr = SYS_fork;
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_FORWARD);
	intercept_hook_point_clone_parent = ParentHook;
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_CLONE_COPY);
	frame.nr = SYS_vfork;
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_CLONE_SHARED);
	frame.nr = SYS_clone;
	frame.args[0] = CLONE_VM; // two tasks on one stack
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_FORWARD);
	frame.args[0] = CLONE_VM | CLONE_VFORK;
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_CLONE_SHARED);
	frame.args[0] = SIGCHLD;
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_CLONE_COPY);
	// A new stack gets the child's record below its top.
	alignas(16) uint64_t stack[8] = {};
	frame.args[0] = kThreadFlags;
	frame.args[1] = reinterpret_cast<long>(&stack[8]);
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_CLONE_NEWSTACK);
	EXPECT_EQ(stack[8 - SI_CLONE_CHILD_RECORD / 8],
		  reinterpret_cast<uint64_t>(&site));
	// An unwritable new stack: forwarded, the kernel decides.
	frame.args[1] = 4096;
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_FORWARD);
	// clone3: sizes below v0, inconsistent stacks, unreadable args.
	CloneArgs args = {};
	frame.nr = SYS_clone3;
	frame.args[0] = reinterpret_cast<long>(&args);
	frame.args[1] = 32;
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_FORWARD);
	frame.args[1] = sizeof(args);
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_CLONE_COPY);
	args.stack = reinterpret_cast<uint64_t>(stack);
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_FORWARD);
	args.stack_size = sizeof(stack);
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_CLONE_NEWSTACK);
	frame.args[0] = 0;
	EXPECT_EQ(si_dispatch(&frame), SI_ACTION_FORWARD);
	intercept_hook_point_clone_parent = nullptr;
}

// rt_sigreturn through a trampoline in a __restore_rt lookalike: the
// handler returns normally, the kernel finds the exact signal frame and
// restores the interrupted context, including a register the handler
// changed in it. The hook sees the call but cannot emulate it.
constexpr uint64_t kHandlerR15 = 0x0123456789abcdefull;
std::atomic<int> handler_calls;
std::atomic<int> sigreturn_hook_calls;

void Handler(int, siginfo_t *, void *uc)
{
	handler_calls++;
	static_cast<ucontext_t *>(uc)->uc_mcontext.gregs[REG_R15] =
	    static_cast<greg_t>(kHandlerR15);
}

int EmulateEverythingHook(long nr, long, long, long, long, long, long,
			  long *result)
{
	if (nr == SYS_rt_sigreturn)
		sigreturn_hook_calls++;
	*result = -ENOSYS;
	return nr == SYS_rt_sigreturn ? 0 : 1;
}

struct KernelSigaction {
	void (*handler)(int, siginfo_t *, void *);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

TEST(SigreturnTest, RunsOnTheExactSignalFrame)
{
	constexpr unsigned long kSaRestorer = 0x04000000;
	for (bool flags : {false, true}) {
		SCOPED_TRACE(flags);
		test_tramp t;
		test_tramp_options o = {};
		o.site_flags = SI_SITE_SAVE_SSE;
		o.preserve_flags = flags;
		// Never reached: rt_sigreturn does not return.
		o.resume_to = reinterpret_cast<void *>(&clone_drive_child_fail);
		o.orig_addr = reinterpret_cast<uint64_t>(&sigreturn_restorer);
		ASSERT_EQ(test_tramp_build(&t, &o), 0);
		sigreturn_tramp = t.entry;
		KernelSigaction sa = {}, old = {};
		sa.handler = Handler;
		sa.flags = SA_SIGINFO | kSaRestorer;
		sa.restorer = sigreturn_restorer;
		ASSERT_EQ(syscall_no_intercept(SYS_rt_sigaction, SIGUSR1, &sa,
					       &old, 8L),
			  0);
		intercept_hook_point = EmulateEverythingHook;
		handler_calls = 0;
		sigreturn_hook_calls = 0;

		harness h;
		memset(&h, 0, sizeof(h));
		for (int i = 0; i < H_NGPR; i++)
			h.gpr_in[i] = Sentinel(i);
		h.gpr_in[H_RAX] = SYS_tgkill;
		h.gpr_in[H_RDI] = static_cast<uint64_t>(getpid());
		h.gpr_in[H_RSI] = static_cast<uint64_t>(RawGettid());
		h.gpr_in[H_RDX] = SIGUSR1;
		for (int i = 0; i < 16; i++)
			h.redzone_in[i] = 0xabcd000000000000ull | uint64_t(i);
		h.rflags_in = 0x2 | kArithFlags;
		h.mxcsr_in = 0x1f80;
		h.tramp = reinterpret_cast<uint64_t>(&signal_site);
		harness_run(&h);
		intercept_hook_point = nullptr;
		ASSERT_EQ(syscall_no_intercept(SYS_rt_sigaction, SIGUSR1, &old,
					       nullptr, 8L),
			  0);
		test_tramp_free(&t);

		EXPECT_EQ(handler_calls, 1);
		EXPECT_EQ(sigreturn_hook_calls, 1);
		EXPECT_EQ(h.gpr_out[H_RAX], 0u) << "tgkill's result";
		EXPECT_EQ(h.gpr_out[H_R15], kHandlerR15)
		    << "the handler's change to the frame";
		for (int i = 0; i < H_NGPR; i++) {
			if (i == H_RAX || i == H_RCX || i == H_R11 ||
			    i == H_R15)
				continue;
			EXPECT_EQ(h.gpr_out[i], h.gpr_in[i]) << "gpr " << i;
		}
		EXPECT_EQ(h.rsp_after, h.rsp_at_jump);
		for (int i = 0; i < 16; i++)
			EXPECT_EQ(h.redzone_out[i], h.redzone_in[i]);
		EXPECT_EQ(h.rflags_out & kArithFlags, kArithFlags);
	}
}

} // namespace
