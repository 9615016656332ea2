// The real dispatcher behind real trampolines and the real entry stub: hooks,
// the recursion guard, FORWARD_POST, clone through a trampoline, threads.
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "dispatch/dispatch.h"
#include "gtest/gtest.h"
#include "libsyscall_intercept_hook_point.h"
#include "trampoline/entry_abi.h"
#include "trampoline/testing/harness.h"
#include "trampoline/testing/test_tramp.h"

namespace
{

constexpr long kNoSuchSyscall = 1000;

// Recorded by the hooks below.
struct Seen {
	std::atomic<long> calls{0};
	long nr = 0;
	long args[6] = {};
	long nested_result = 0;
	std::atomic<long> post_calls{0};
	long post_nr = 0;
	long post_result = 0;
	std::atomic<long> clone_hook_calls{0};
};
Seen *seen;

// Emulates kNoSuchSyscall with 4242, forwards everything else.
int EmulatingHook(long nr, long a0, long a1, long a2, long a3, long a4, long a5,
		  long *result)
{
	seen->calls++;
	seen->nr = nr;
	long args[6] = {a0, a1, a2, a3, a4, a5};
	memcpy(seen->args, args, sizeof(args));
	if (nr == SYS_clone)
		seen->clone_hook_calls++;
	if (nr == kNoSuchSyscall) {
		*result = 4242;
		return 0;
	}
	return 1;
}

void RecordingPostHook(long nr, const long *args, long result)
{
	(void)args;
	seen->post_calls++;
	seen->post_nr = nr;
	seen->post_result = result;
}

class Tramp
{
      public:
	explicit Tramp(const void *resume_to,
		       uint32_t site_flags = SI_SITE_SAVE_NONE,
		       bool preserve_flags = false)
	{
		test_tramp_options o = {};
		o.site_flags = site_flags;
		o.preserve_flags = preserve_flags;
		o.resume_to = resume_to;
		o.orig_addr = reinterpret_cast<uint64_t>(&harness_site);
		rc_ = test_tramp_build(&t_, &o);
	}
	~Tramp()
	{
		test_tramp_free(&t_);
	}
	int rc() const
	{
		return rc_;
	}
	void *entry() const
	{
		return t_.entry;
	}

      private:
	test_tramp t_;
	int rc_;
};

void FillHarness(harness *h, void *tramp, long nr)
{
	memset(h, 0, sizeof(*h));
	for (int i = 0; i < H_NGPR; i++)
		h->gpr_in[i] = 0x7700000000000000ull | (uint64_t(i) << 8) | i;
	h->gpr_in[H_RAX] = static_cast<uint64_t>(nr);
	for (int i = 0; i < 16; i++)
		h->redzone_in[i] = 0xbeef000000000000ull | uint64_t(i);
	h->rflags_in = 0x2;
	h->mxcsr_in = 0x1f80;
	h->tramp = reinterpret_cast<uint64_t>(tramp);
}

void ExpectPreserved(const harness &h)
{
	for (int i = 0; i < H_NGPR; i++) {
		if (i == H_RAX || i == H_RCX || i == H_R11)
			continue;
		EXPECT_EQ(h.gpr_out[i], h.gpr_in[i]) << "register " << i;
	}
	for (int i = 0; i < 16; i++)
		EXPECT_EQ(h.redzone_out[i], h.redzone_in[i])
		    << "red zone " << i;
	EXPECT_EQ(h.rsp_after, h.rsp_at_jump);
}

long RunThrough(void *tramp, long nr, harness *h)
{
	FillHarness(h, tramp, nr);
	harness_run(h);
	return static_cast<long>(h->gpr_out[H_RAX]);
}

class DispatchTest : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		seen = new Seen();
	}
	void TearDown() override
	{
		intercept_hook_point = nullptr;
		si_dispatch_set_post_hook(nullptr);
		delete seen;
		seen = nullptr;
	}
};

TEST_F(DispatchTest, NoHookForwards)
{
	Tramp tr(reinterpret_cast<void *>(&harness_resume));
	ASSERT_EQ(tr.rc(), 0);
	harness h;
	EXPECT_EQ(RunThrough(tr.entry(), SYS_getppid, &h), getppid());
	ExpectPreserved(h);
	EXPECT_EQ(RunThrough(tr.entry(), kNoSuchSyscall, &h), -ENOSYS);
}

// (2) The hook's zero return emulates: its result, no kernel.
TEST_F(DispatchTest, HookEmulates)
{
	intercept_hook_point = EmulatingHook;
	Tramp tr(reinterpret_cast<void *>(&harness_resume));
	ASSERT_EQ(tr.rc(), 0);
	harness h;
	EXPECT_EQ(RunThrough(tr.entry(), kNoSuchSyscall, &h), 4242);
	ExpectPreserved(h);
	EXPECT_EQ(seen->calls, 1);
	EXPECT_EQ(seen->nr, kNoSuchSyscall);
	EXPECT_EQ(seen->args[0], static_cast<long>(h.gpr_in[H_RDI]));
	EXPECT_EQ(seen->args[1], static_cast<long>(h.gpr_in[H_RSI]));
	EXPECT_EQ(seen->args[2], static_cast<long>(h.gpr_in[H_RDX]));
	EXPECT_EQ(seen->args[3], static_cast<long>(h.gpr_in[H_R10]));
	EXPECT_EQ(seen->args[4], static_cast<long>(h.gpr_in[H_R8]));
	EXPECT_EQ(seen->args[5], static_cast<long>(h.gpr_in[H_R9]));
}

// (1) Non-zero forwards: the kernel's answer.
TEST_F(DispatchTest, HookForwards)
{
	intercept_hook_point = EmulatingHook;
	for (bool flags : {false, true}) {
		Tramp tr(reinterpret_cast<void *>(&harness_resume),
			 SI_SITE_SAVE_NONE, flags);
		ASSERT_EQ(tr.rc(), 0);
		harness h;
		EXPECT_EQ(RunThrough(tr.entry(), SYS_getppid, &h), getppid());
		ExpectPreserved(h);
	}
	EXPECT_EQ(seen->calls, 2);
}

int ZeroWithoutResultHook(long, long, long, long, long, long, long, long *)
{
	return 0;
}

int GarbageReturnHook(long, long, long, long, long, long, long, long *result)
{
	*result = 99;
	return -12345; // any non-zero value forwards
}

TEST_F(DispatchTest, HookResultDefaultsAndGarbage)
{
	Tramp tr(reinterpret_cast<void *>(&harness_resume));
	ASSERT_EQ(tr.rc(), 0);
	harness h;
	intercept_hook_point = ZeroWithoutResultHook;
	EXPECT_EQ(RunThrough(tr.entry(), SYS_getppid, &h), -ENOSYS);
	ExpectPreserved(h);
	intercept_hook_point = GarbageReturnHook;
	EXPECT_EQ(RunThrough(tr.entry(), SYS_getppid, &h), getppid());
	ExpectPreserved(h);
}

// (6) A hook may call libc, and the calls it makes through a trampoline go
// to the kernel without reaching the hook again.
void *nested_tramp;
int LibcCallingHook(long nr, long, long, long, long, long, long, long *result)
{
	seen->calls++;
	char buf[64];
	snprintf(buf, sizeof(buf), "hook %ld\n", nr);
	printf("%s", buf);
	fflush(stdout);
	void *p = malloc(1000);
	memset(p, 1, 1000);
	free(p);
	FILE *f = fopen("/proc/self/stat", "r");
	if (f != nullptr)
		fclose(f);
	harness inner;
	seen->nested_result = RunThrough(nested_tramp, SYS_getpid, &inner);
	*result = getpid() + 1;
	return 0;
}

TEST_F(DispatchTest, HookCallingLibcDoesNotRecurse)
{
	Tramp tr(reinterpret_cast<void *>(&harness_resume), SI_SITE_SAVE_SSE);
	ASSERT_EQ(tr.rc(), 0);
	nested_tramp = tr.entry();
	intercept_hook_point = LibcCallingHook;
	harness h;
	EXPECT_EQ(RunThrough(tr.entry(), SYS_getppid, &h), getpid() + 1);
	ExpectPreserved(h);
	EXPECT_EQ(seen->calls, 1);
	EXPECT_EQ(seen->nested_result, getpid());
	EXPECT_FALSE(si_dispatch_in_hook());
	// The guard is released: the next call reaches the hook again.
	EXPECT_EQ(RunThrough(tr.entry(), SYS_getppid, &h), getpid() + 1);
	EXPECT_EQ(seen->calls, 2);
}

// (7) With a post hook, forwarded calls run in the stub and report their
// result; emulated ones do not.
TEST_F(DispatchTest, PostHookSeesForwardedResults)
{
	intercept_hook_point = EmulatingHook;
	si_dispatch_set_post_hook(RecordingPostHook);
	Tramp tr(reinterpret_cast<void *>(&harness_resume));
	ASSERT_EQ(tr.rc(), 0);
	harness h;
	EXPECT_EQ(RunThrough(tr.entry(), SYS_getppid, &h), getppid());
	ExpectPreserved(h);
	EXPECT_EQ(seen->post_calls, 1);
	EXPECT_EQ(seen->post_nr, SYS_getppid);
	EXPECT_EQ(seen->post_result, getppid());
	EXPECT_EQ(RunThrough(tr.entry(), kNoSuchSyscall, &h), 4242);
	EXPECT_EQ(seen->post_calls, 1);
}

// The dispatcher's decision for each kind of call, by direct calls with a
// synthetic frame (for the calls that cannot run in a test: rt_sigreturn,
// exit). No clone hook is set here; clone_test.cc covers the clone paths.
struct PolicyCase {
	long nr;
	int hook_return; // -1: no hook installed
	bool post_hook;
	int expected;
};

int policy_hook_return;
int PolicyHook(long, long, long, long, long, long, long, long *result)
{
	*result = 7;
	return policy_hook_return;
}

class PolicyTest : public DispatchTest,
		   public ::testing::WithParamInterface<PolicyCase>
{
};

TEST_P(PolicyTest, Decides)
{
	const PolicyCase &c = GetParam();
	policy_hook_return = c.hook_return;
	intercept_hook_point = c.hook_return < 0 ? nullptr : PolicyHook;
	si_dispatch_set_post_hook(c.post_hook ? RecordingPostHook : nullptr);
	si_site site = {};
	si_frame frame = {};
	frame.site = &site;
	frame.nr = c.nr;
	EXPECT_EQ(si_dispatch(&frame), c.expected);
	if (c.expected == SI_ACTION_EMULATED) {
		EXPECT_EQ(frame.result, 7);
	}
}

INSTANTIATE_TEST_SUITE_P(
    Table, PolicyTest,
    ::testing::Values(
	PolicyCase{SYS_getppid, -1, false, SI_ACTION_FORWARD},
	PolicyCase{SYS_getppid, -1, true, SI_ACTION_FORWARD},
	PolicyCase{SYS_getppid, 0, false, SI_ACTION_EMULATED},
	PolicyCase{SYS_getppid, 0, true, SI_ACTION_EMULATED},
	PolicyCase{SYS_getppid, 1, false, SI_ACTION_FORWARD},
	PolicyCase{SYS_getppid, 1, true, SI_ACTION_FORWARD_POST},
	// The hook sees rt_sigreturn, but it always runs at the site.
	PolicyCase{SYS_rt_sigreturn, 0, false, SI_ACTION_FORWARD},
	PolicyCase{SYS_rt_sigreturn, 1, true, SI_ACTION_FORWARD},
	PolicyCase{SYS_clone, 1, true, SI_ACTION_FORWARD},
	PolicyCase{SYS_clone3, 1, true, SI_ACTION_FORWARD},
	PolicyCase{SYS_fork, 1, true, SI_ACTION_FORWARD},
	// A vfork child shares this thread's memory and recursion guard:
	// vfork always takes the stub's shared-clone path, so the parent can
	// clear a guard the child's hook left set by exec'ing.
	PolicyCase{SYS_vfork, 1, true, SI_ACTION_CLONE_SHARED},
	PolicyCase{SYS_vfork, -1, false, SI_ACTION_CLONE_SHARED},
	PolicyCase{SYS_exit, 1, true, SI_ACTION_FORWARD},
	PolicyCase{SYS_exit_group, 1, true, SI_ACTION_FORWARD},
	// A hook may still refuse a clone outright.
	PolicyCase{SYS_clone, 0, true, SI_ACTION_EMULATED}));

// (8) Thread-style clone with a new stack through a trampoline: the kernel
// runs it at sys_N, the child resumes at resume_N on its own stack with the
// parent's registers. Also with a post hook installed (which must not move
// the clone into the stub).
TEST_F(DispatchTest, CloneThreadWithNewStack)
{
	intercept_hook_point = EmulatingHook;
	for (bool post : {false, true}) {
		SCOPED_TRACE(post ? "post hook" : "no post hook");
		si_dispatch_set_post_hook(post ? RecordingPostHook : nullptr);
		Tramp tr(reinterpret_cast<void *>(&clone_resume),
			 SI_SITE_SAVE_NONE, true);
		ASSERT_EQ(tr.rc(), 0);
		const size_t kStack = 64 * 1024;
		void *stack = mmap(nullptr, kStack, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(stack, MAP_FAILED);
		void *top = static_cast<char *>(stack) + kStack - 64;
		static clone_result child;
		memset(&child, 0, sizeof(child));
		static int ctid;
		ctid = -1;
		long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			     CLONE_THREAD | CLONE_SYSVSEM |
			     CLONE_CHILD_CLEARTID;
		long before = seen->calls;
		long tid = clone_run(tr.entry(), flags, top, nullptr, &ctid, 0,
				     &child);
		ASSERT_GT(tid, 0);
		// CLONE_CHILD_CLEARTID: the kernel zeroes ctid and wakes us
		// when the child thread is gone.
		while (__atomic_load_n(&ctid, __ATOMIC_ACQUIRE) != 0)
			syscall(SYS_futex, &ctid, FUTEX_WAIT, -1, nullptr,
				nullptr, 0);
		EXPECT_EQ(child.done, 1u);
		EXPECT_EQ(child.rsp, reinterpret_cast<uint64_t>(top));
		EXPECT_EQ(child.rax, 0u);
		EXPECT_EQ(child.rbx, uint64_t{CLONE_SENTINEL_RBX});
		EXPECT_EQ(child.rbp, uint64_t{CLONE_SENTINEL_RBP});
		EXPECT_EQ(child.r12, reinterpret_cast<uint64_t>(&child));
		EXPECT_EQ(child.r13, uint64_t{CLONE_SENTINEL_R13});
		EXPECT_EQ(child.r14, uint64_t{CLONE_SENTINEL_R14});
		EXPECT_EQ(child.r15, uint64_t{CLONE_SENTINEL_R15});
		EXPECT_EQ(child.rdi, static_cast<uint64_t>(flags));
		EXPECT_EQ(child.rsi, reinterpret_cast<uint64_t>(top));
		EXPECT_EQ(child.r10, reinterpret_cast<uint64_t>(&ctid));
		EXPECT_EQ(seen->calls - before, 1) << "hook ran in the parent";
		EXPECT_EQ(seen->post_calls, 0);
		munmap(stack, kStack);
	}
	EXPECT_EQ(seen->clone_hook_calls, 2);
}

// (8) Fork-style clone (SIGCHLD only): the child returns 0 through the
// trampoline on the copied stack.
TEST_F(DispatchTest, CloneForkStyle)
{
	intercept_hook_point = EmulatingHook;
	si_dispatch_set_post_hook(RecordingPostHook);
	Tramp tr(reinterpret_cast<void *>(&clone_resume));
	ASSERT_EQ(tr.rc(), 0);
	clone_result child;
	memset(&child, 0, sizeof(child));
	long pid = clone_run(tr.entry(), SIGCHLD, nullptr, nullptr, nullptr, 0,
			     &child);
	if (pid == 0) {
		// The child: its copy of `child` holds what it saw.
		bool ok = child.rax == 0 && child.rbx == CLONE_SENTINEL_RBX &&
			  child.rbp == CLONE_SENTINEL_RBP &&
			  child.r13 == CLONE_SENTINEL_R13 &&
			  child.r14 == CLONE_SENTINEL_R14 &&
			  child.r15 == CLONE_SENTINEL_R15 &&
			  child.rdi == SIGCHLD && child.rsi == 0;
		_exit(ok ? 42 : 1);
	}
	ASSERT_GT(pid, 0);
	int status = 0;
	ASSERT_EQ(waitpid(static_cast<pid_t>(pid), &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 42);
	EXPECT_EQ(seen->clone_hook_calls, 1);
	EXPECT_EQ(seen->post_calls, 0);
}

// (9) 8 threads x 100k calls through one shared trampoline: exact counts.
std::atomic<long> counted_calls;
thread_local long thread_calls;
int CountingHook(long nr, long, long, long, long, long, long, long *result)
{
	counted_calls.fetch_add(1, std::memory_order_relaxed);
	thread_calls++;
	if (nr == kNoSuchSyscall) {
		*result = 7;
		return 0;
	}
	return 1;
}

TEST_F(DispatchTest, ThreadsCountExactly)
{
	constexpr int kThreads = 8;
	constexpr long kCalls = 100000;
	counted_calls = 0;
	intercept_hook_point = CountingHook;
	Tramp tr(reinterpret_cast<void *>(&bench_resume));
	ASSERT_EQ(tr.rc(), 0);
	std::vector<long> per_thread(kThreads), last(kThreads * 2);
	std::vector<std::thread> threads;
	for (int i = 0; i < kThreads; i++) {
		threads.emplace_back([&, i] {
			thread_calls = 0;
			last[2 * i] = bench_tramp_loop(
			    tr.entry(), kNoSuchSyscall, kCalls / 2);
			last[2 * i + 1] = bench_tramp_loop(
			    tr.entry(), SYS_getppid, kCalls / 2);
			per_thread[i] = thread_calls;
		});
	}
	for (auto &t : threads)
		t.join();
	EXPECT_EQ(counted_calls.load(), kThreads * kCalls);
	for (int i = 0; i < kThreads; i++) {
		EXPECT_EQ(per_thread[i], kCalls) << "thread " << i;
		EXPECT_EQ(last[2 * i], 7);
		EXPECT_EQ(last[2 * i + 1], getppid());
	}
}

TEST(SyscallNoInterceptTest, PassesSixArguments)
{
	int fd = static_cast<int>(syscall_no_intercept(
	    SYS_memfd_create, reinterpret_cast<long>("t"), 0L));
	ASSERT_GE(fd, 0);
	std::vector<unsigned char> data(8192);
	for (size_t i = 0; i < data.size(); i++)
		data[i] = static_cast<unsigned char>(i / 4096 + 1);
	ASSERT_EQ(write(fd, data.data(), data.size()), 8192);
	// offset (the sixth argument, from the stack) selects page 2.
	long p = syscall_no_intercept(SYS_mmap, 0L, 4096L, long{PROT_READ},
				      long{MAP_PRIVATE}, long{fd}, 4096L);
	ASSERT_FALSE(syscall_error_code(p)) << p;
	EXPECT_EQ(*reinterpret_cast<unsigned char *>(p), 2);
	munmap(reinterpret_cast<void *>(p), 4096);
	close(fd);
	EXPECT_EQ(syscall_no_intercept(SYS_close, -1L), -EBADF);
	EXPECT_EQ(syscall_error_code(-EBADF), EBADF);
	EXPECT_EQ(syscall_error_code(-4096), 0);
}

// The filter is decided once per process: check it in children.
int AllowedInChild(const char *filter)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (filter != nullptr)
			setenv("INTERCEPT_HOOK_CMDLINE_FILTER", filter, 1);
		else
			unsetenv("INTERCEPT_HOOK_CMDLINE_FILTER");
		_exit(syscall_hook_in_process_allowed());
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ProcessAllowedTest, CmdlineFilter)
{
	EXPECT_EQ(AllowedInChild(nullptr), 1);
	EXPECT_EQ(AllowedInChild("dispatch_test"), 1);
	EXPECT_EQ(AllowedInChild("patch_test"), 0); // not after a '/'
	EXPECT_EQ(AllowedInChild("other_program"), 0);
}

} // namespace
