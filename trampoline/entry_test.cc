// The entry stub against a scriptable fake dispatcher: every test runs a real
// trampoline (RX page, lea/jmp/syscall/jmp) from harness.S with all registers
// loaded with sentinels, and checks what came back.
#include <cpuid.h>
#include <execinfo.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <tuple>

#include "gtest/gtest.h"
#include "trampoline/entry_abi.h"
#include "trampoline/testing/harness.h"
#include "trampoline/testing/test_tramp.h"

namespace
{

// What the fake si_dispatch does and what it saw.
struct Fake {
	int action = SI_ACTION_FORWARD;
	long result = 0;
	bool clobber_vectors = false; // all-ones into xmm/ymm0-15, mxcsr reset
	bool post_rewrites = false;   // si_dispatch_post sets result = ~result
	bool take_backtrace = false;

	int calls = 0;
	long nr = 0;
	long args[6] = {};
	uint64_t app_rsp = 0;
	const si_site *site = nullptr;
	uintptr_t frame_addr = 0;
	uintptr_t local_addr = 0;

	int post_calls = 0;
	long post_result = 0;
	long post_frame_result = 0;

	void *bt[64];
	int bt_len = 0;

	// The public hook the stub's fast path calls (FakeHook).
	int hook_answer = 1; // 1: the kernel runs the call; 0: hook_result
	long hook_result = 0;
	int hook_calls = 0;
	long hook_nr = 0;
	long hook_args[6] = {};
	int hook_saw_in_hook = -1;

	// si_dispatch_forward_special.
	int clone_calls = 0;
	long clone_result = 0;
};
Fake fake;

bool CpuHasAvx()
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return false;
	return (c & bit_AVX) && (c & bit_OSXSAVE);
}

__attribute__((noinline)) void ClobberVectors()
{
	if (CpuHasAvx()) {
		asm volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n"
			     "vpcmpeqd %%ymm1, %%ymm1, %%ymm1\n"
			     "vpcmpeqd %%ymm2, %%ymm2, %%ymm2\n"
			     "vpcmpeqd %%ymm3, %%ymm3, %%ymm3\n"
			     "vpcmpeqd %%ymm4, %%ymm4, %%ymm4\n"
			     "vpcmpeqd %%ymm5, %%ymm5, %%ymm5\n"
			     "vpcmpeqd %%ymm6, %%ymm6, %%ymm6\n"
			     "vpcmpeqd %%ymm7, %%ymm7, %%ymm7\n"
			     "vpcmpeqd %%ymm8, %%ymm8, %%ymm8\n"
			     "vpcmpeqd %%ymm9, %%ymm9, %%ymm9\n"
			     "vpcmpeqd %%ymm10, %%ymm10, %%ymm10\n"
			     "vpcmpeqd %%ymm11, %%ymm11, %%ymm11\n"
			     "vpcmpeqd %%ymm12, %%ymm12, %%ymm12\n"
			     "vpcmpeqd %%ymm13, %%ymm13, %%ymm13\n"
			     "vpcmpeqd %%ymm14, %%ymm14, %%ymm14\n"
			     "vpcmpeqd %%ymm15, %%ymm15, %%ymm15\n" ::
				 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
				   "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
				   "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
				   "xmm15");
	} else {
		asm volatile("pcmpeqd %%xmm0, %%xmm0\n"
			     "pcmpeqd %%xmm1, %%xmm1\n"
			     "pcmpeqd %%xmm2, %%xmm2\n"
			     "pcmpeqd %%xmm3, %%xmm3\n"
			     "pcmpeqd %%xmm4, %%xmm4\n"
			     "pcmpeqd %%xmm5, %%xmm5\n"
			     "pcmpeqd %%xmm6, %%xmm6\n"
			     "pcmpeqd %%xmm7, %%xmm7\n"
			     "pcmpeqd %%xmm8, %%xmm8\n"
			     "pcmpeqd %%xmm9, %%xmm9\n"
			     "pcmpeqd %%xmm10, %%xmm10\n"
			     "pcmpeqd %%xmm11, %%xmm11\n"
			     "pcmpeqd %%xmm12, %%xmm12\n"
			     "pcmpeqd %%xmm13, %%xmm13\n"
			     "pcmpeqd %%xmm14, %%xmm14\n"
			     "pcmpeqd %%xmm15, %%xmm15\n" ::
				 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
				   "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
				   "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
				   "xmm15");
	}
	unsigned mxcsr = 0x1f80;
	asm volatile("ldmxcsr %0" ::"m"(mxcsr));
}

} // namespace

// The link-time fake of dispatch/'s si_dispatch.
extern "C" int si_dispatch(struct si_frame *frame)
{
	// A 16-byte aligned local written with movaps: faults if the stub
	// called us with a misaligned stack.
	alignas(16) unsigned char local[16];
	asm volatile("xorps %%xmm0, %%xmm0\n movaps %%xmm0, %0"
		     : "=m"(local)
		     :
		     : "xmm0");
	fake.local_addr = reinterpret_cast<uintptr_t>(&local);
	fake.calls++;
	fake.nr = frame->nr;
	for (int i = 0; i < 6; i++)
		fake.args[i] = frame->args[i];
	fake.app_rsp = frame->app_rsp;
	fake.site = frame->site;
	fake.frame_addr = reinterpret_cast<uintptr_t>(frame);
	if (fake.take_backtrace)
		fake.bt_len = backtrace(fake.bt, 64);
	if (fake.clobber_vectors)
		ClobberVectors();
	if (fake.action == SI_ACTION_EMULATED)
		frame->result = fake.result;
	return fake.action;
}

// The public hook, as the final library defines it (dispatch.c); the fast
// path tests point it at FakeHook.
extern "C" int (*intercept_hook_point)(long, long, long, long, long, long, long,
				       long *);
int (*intercept_hook_point)(long, long, long, long, long, long, long, long *);

// A hook as users write them, plus the worst a hook may do to the registers
// the ABI lets it clobber.
extern "C" int FakeHook(long nr, long a0, long a1, long a2, long a3, long a4,
			long a5, long *result)
{
	alignas(16) unsigned char local[16];
	asm volatile("xorps %%xmm0, %%xmm0\n movaps %%xmm0, %0"
		     : "=m"(local)
		     :
		     : "xmm0");
	fake.local_addr = reinterpret_cast<uintptr_t>(&local);
	fake.hook_calls++;
	fake.hook_nr = nr;
	const long args[6] = {a0, a1, a2, a3, a4, a5};
	for (int i = 0; i < 6; i++)
		fake.hook_args[i] = args[i];
	fake.hook_saw_in_hook = si_in_hook;
	if (fake.take_backtrace)
		fake.bt_len = backtrace(fake.bt, 64);
	if (fake.clobber_vectors)
		ClobberVectors();
	asm volatile("mov $-1, %%rdi\n mov $-1, %%rsi\n mov $-1, %%rdx\n"
		     "mov $-1, %%rcx\n mov $-1, %%r8\n mov $-1, %%r9\n"
		     "mov $-1, %%r10\n mov $-1, %%r11\n"
		     "sub $1, %%rdi\n std\n cld" ::
			 : "rdi", "rsi", "rdx", "rcx", "r8", "r9", "r10", "r11",
			   "cc");
	if (fake.hook_answer == 0)
		*result = fake.hook_result;
	return fake.hook_answer;
}

extern "C" int si_dispatch_forward_special(struct si_frame *frame)
{
	fake.clone_calls++;
	frame->result = fake.clone_result;
	return SI_ACTION_EMULATED;
}

// The fake's side of the clone paths: counts in the process that runs it.
int fake_clone_done_calls;
long fake_clone_done_result;
extern "C" void si_dispatch_clone_done(struct si_frame *frame)
{
	fake_clone_done_calls++;
	fake_clone_done_result = frame->result;
	if (fake.clobber_vectors)
		ClobberVectors();
}

extern "C" void si_dispatch_post(struct si_frame *frame, long result)
{
	fake.post_calls++;
	fake.post_result = result;
	fake.post_frame_result = frame->result;
	if (fake.post_rewrites)
		frame->result = ~result;
	if (fake.clobber_vectors)
		ClobberVectors();
}

namespace
{

constexpr uint64_t kArithFlags = 0x8d5; // CF PF AF ZF SF OF

uint64_t Sentinel(int i)
{
	return 0xa5a5000000000000ull | (uint64_t(i + 1) << 32) |
	       (0x5a5a0000u + uint64_t(i));
}

void FillHarness(harness *h, void *tramp, long nr, bool avx)
{
	memset(h, 0, sizeof(*h));
	for (int i = 0; i < H_NGPR; i++)
		h->gpr_in[i] = Sentinel(i);
	h->gpr_in[H_RAX] = static_cast<uint64_t>(nr);
	for (int i = 0; i < 16; i++)
		h->redzone_in[i] = 0xfeed000000000000ull | uint64_t(i);
	for (int r = 0; r < 16; r++)
		for (int b = 0; b < 32; b++)
			h->vec_in[r][b] = static_cast<uint8_t>(r * 32 + b + 1);
	h->rflags_in = 0x2 | kArithFlags;
	h->mxcsr_in = 0x1f80;
	h->use_avx = avx ? 1 : 0;
	h->tramp = reinterpret_cast<uint64_t>(tramp);
}

const char *const kGprNames[H_NGPR] = {
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
    "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

// Every register but rax, rcx, r11 as it went in, rsp included.
void ExpectGprsPreserved(const harness &h)
{
	for (int i = 0; i < H_NGPR; i++) {
		if (i == H_RAX || i == H_RCX || i == H_R11)
			continue;
		EXPECT_EQ(h.gpr_out[i], h.gpr_in[i]) << kGprNames[i];
	}
	EXPECT_EQ(h.rsp_after, h.rsp_at_jump) << "rsp";
}

void ExpectRedZonePreserved(const harness &h)
{
	for (int i = 0; i < 16; i++)
		EXPECT_EQ(h.redzone_out[i], h.redzone_in[i])
		    << "red zone at -" << 8 * (i + 1) << "(%rsp)";
}

void ExpectVectorsPreserved(const harness &h, int bytes)
{
	for (int r = 0; r < 16; r++)
		EXPECT_EQ(memcmp(h.vec_out[r], h.vec_in[r], bytes), 0)
		    << (bytes == 16 ? "xmm" : "ymm") << r;
}

// One trampoline per test, resuming at harness_resume.
class Tramp
{
      public:
	Tramp(uint32_t site_flags, bool preserve_flags, bool indirect = false)
	{
		test_tramp_options o = {};
		o.site_flags = site_flags;
		o.preserve_flags = preserve_flags;
		o.force_indirect = indirect;
		o.resume_to = reinterpret_cast<void *>(&harness_resume);
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
	const test_tramp &t() const
	{
		return t_;
	}

      private:
	test_tramp t_;
	int rc_;
};

// Runs getppid through a trampoline of this kind with every vector register
// (and with SAVE_FULL, mxcsr: round toward zero) loaded over a dirty stack,
// and checks what the site's policy promises survived whatever the fake
// dispatcher or hook did to them.
void RunExpectingVectorsKept(uint32_t save, bool flags, bool indirect)
{
	Tramp tr(save, flags, indirect);
	ASSERT_EQ(tr.rc(), 0);
	bool full = save == SI_SITE_SAVE_FULL;
	bool avx = full && CpuHasAvx();
	harness h;
	FillHarness(&h, tr.t().entry, SYS_getppid, avx);
	h.dirty_stack = 1;
	if (full)
		h.mxcsr_in = 0x7f80;
	harness_run(&h);
	ExpectVectorsPreserved(h, avx ? 32 : 16);
	if (full) {
		EXPECT_EQ(h.mxcsr_out, 0x7f80u);
	}
	ExpectGprsPreserved(h);
	if (flags) {
		EXPECT_EQ(h.rflags_out & kArithFlags, kArithFlags);
	}
}

class EntryTest : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		fake = Fake();
	}
};

// (entry point with flags?, force jmp *slot?, site save flags)
using Variant = std::tuple<bool, bool, uint32_t>;

class EntryVariantTest : public EntryTest,
			 public ::testing::WithParamInterface<Variant>
{
      protected:
	bool flags_entry() const
	{
		return std::get<0>(GetParam());
	}
	bool indirect() const
	{
		return std::get<1>(GetParam());
	}
	uint32_t save() const
	{
		return std::get<2>(GetParam());
	}
};

// (1) Forwarded getppid: the real ppid, every other register intact, and the
// dispatcher saw the call as made.
TEST_P(EntryVariantTest, ForwardRunsSyscallAtSiteAndPreservesRegisters)
{
	Tramp tr(save(), flags_entry(), indirect());
	ASSERT_EQ(tr.rc(), 0);
	// The page is mapped near the stub, so the direct form is used
	// unless an indirect jump is asked for.
	EXPECT_EQ(tr.t().used_rel32, !indirect());
	harness h;
	FillHarness(&h, tr.t().entry, SYS_getppid, false);
	harness_run(&h);

	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), getppid());
	ExpectGprsPreserved(h);
	ExpectRedZonePreserved(h);
	EXPECT_EQ(fake.calls, 1);
	EXPECT_EQ(fake.nr, SYS_getppid);
	EXPECT_EQ(fake.args[0], static_cast<long>(h.gpr_in[H_RDI]));
	EXPECT_EQ(fake.args[1], static_cast<long>(h.gpr_in[H_RSI]));
	EXPECT_EQ(fake.args[2], static_cast<long>(h.gpr_in[H_RDX]));
	EXPECT_EQ(fake.args[3], static_cast<long>(h.gpr_in[H_R10]));
	EXPECT_EQ(fake.args[4], static_cast<long>(h.gpr_in[H_R8]));
	EXPECT_EQ(fake.args[5], static_cast<long>(h.gpr_in[H_R9]));
	EXPECT_EQ(fake.app_rsp, h.rsp_at_jump);
	EXPECT_EQ(fake.site, tr.t().site);
	EXPECT_EQ(fake.frame_addr % 16, 0u);
	if (flags_entry()) {
		EXPECT_EQ(h.rflags_out & kArithFlags, kArithFlags);
	}
}

// (2) Emulated: rax is the dispatcher's result, the kernel never ran the
// call (a non-existent number would have given -ENOSYS).
TEST_P(EntryVariantTest, EmulatedReturnsResultAndSkipsKernel)
{
	Tramp tr(save(), flags_entry(), indirect());
	ASSERT_EQ(tr.rc(), 0);
	fake.action = SI_ACTION_EMULATED;
	fake.result = 0x123456789abcdefl;
	harness h;
	FillHarness(&h, tr.t().entry, 1000, false);
	harness_run(&h);

	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), 0x123456789abcdefl);
	ExpectGprsPreserved(h);
	ExpectRedZonePreserved(h);
	EXPECT_EQ(fake.calls, 1);
	EXPECT_EQ(fake.nr, 1000);
	if (flags_entry()) {
		EXPECT_EQ(h.rflags_out & kArithFlags, kArithFlags);
	}
}

// (7) FORWARD_POST: the stub runs the call and reports the result.
TEST_P(EntryVariantTest, ForwardPostReportsKernelResult)
{
	Tramp tr(save(), flags_entry(), indirect());
	ASSERT_EQ(tr.rc(), 0);
	fake.action = SI_ACTION_FORWARD_POST;
	harness h;
	FillHarness(&h, tr.t().entry, SYS_getppid, false);
	harness_run(&h);

	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), getppid());
	EXPECT_EQ(fake.post_calls, 1);
	EXPECT_EQ(fake.post_result, getppid());
	EXPECT_EQ(fake.post_frame_result, getppid());
	ExpectGprsPreserved(h);
	ExpectRedZonePreserved(h);
	if (flags_entry()) {
		EXPECT_EQ(h.rflags_out & kArithFlags, kArithFlags);
	}
}

// (3) Vector state survives a dispatcher that clobbers it, as far as the
// site's policy promises; mxcsr and the ymm upper halves with SAVE_FULL.
std::string VariantName(const ::testing::TestParamInfo<Variant> &info)
{
	static const char *const kSave[] = {"None", "Sse", "Full"};
	return std::string(std::get<0>(info.param) ? "EntryFlags" : "Entry") +
	       (std::get<1>(info.param) ? "Indirect" : "Rel32") + "Save" +
	       kSave[std::get<2>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(
    AllEntries, EntryVariantTest,
    ::testing::Combine(::testing::Bool(), ::testing::Bool(),
		       ::testing::Values(uint32_t{SI_SITE_SAVE_NONE},
					 uint32_t{SI_SITE_SAVE_SSE},
					 uint32_t{SI_SITE_SAVE_FULL})),
    VariantName);

class EntryVectorTest : public EntryVariantTest
{
};

TEST_P(EntryVectorTest, VectorStateSurvivesPerPolicy)
{
	for (int action :
	     {SI_ACTION_FORWARD, SI_ACTION_EMULATED, SI_ACTION_FORWARD_POST}) {
		SCOPED_TRACE(action);
		fake = Fake();
		fake.action = action;
		fake.result = 5;
		fake.clobber_vectors = true;
		RunExpectingVectorsKept(save(), flags_entry(), indirect());
		EXPECT_EQ(fake.calls, 1);
	}
}

INSTANTIATE_TEST_SUITE_P(
    SavingEntries, EntryVectorTest,
    ::testing::Combine(::testing::Bool(), ::testing::Bool(),
		       ::testing::Values(uint32_t{SI_SITE_SAVE_SSE},
					 uint32_t{SI_SITE_SAVE_FULL})),
    VariantName);

// Control for (3) (SAVE_NONE promises nothing): the clobbering fake does reach
// the registers, so the preservation above is the stub's doing.
TEST_F(EntryTest, SaveNoneDoesNotRestoreVectors)
{
	Tramp tr(SI_SITE_SAVE_NONE, false);
	ASSERT_EQ(tr.rc(), 0);
	fake.clobber_vectors = true;
	harness h;
	FillHarness(&h, tr.t().entry, SYS_getppid, false);
	harness_run(&h);
	EXPECT_NE(memcmp(h.vec_out[0], h.vec_in[0], 16), 0);
}

// Control for the flags checks: plain si_entry does clobber rflags, so the
// si_entry_flags checks above are meaningful.
TEST_F(EntryTest, PlainEntryDoesNotPreserveFlags)
{
	Tramp tr(SI_SITE_SAVE_NONE, false);
	ASSERT_EQ(tr.rc(), 0);
	harness h;
	FillHarness(&h, tr.t().entry, SYS_getppid, false);
	harness_run(&h);
	EXPECT_NE(h.rflags_out & kArithFlags, kArithFlags);
}

// (5) The dispatcher runs on a 16-byte aligned stack whatever the
// application's rsp was.
TEST_F(EntryTest, DispatcherStackAlignedFromAnyEntryRsp)
{
	for (uint32_t save :
	     {uint32_t{SI_SITE_SAVE_NONE}, uint32_t{SI_SITE_SAVE_SSE},
	      uint32_t{SI_SITE_SAVE_FULL}}) {
		for (bool flags : {false, true}) {
			Tramp tr(save, flags);
			ASSERT_EQ(tr.rc(), 0);
			for (uint64_t adj = 0; adj < 16; adj++) {
				SCOPED_TRACE(testing::Message()
					     << "save " << save << " flags "
					     << flags << " adj " << adj);
				fake = Fake();
				harness h;
				FillHarness(&h, tr.t().entry, SYS_getppid,
					    false);
				h.stack_adj = adj;
				harness_run(&h);
				EXPECT_EQ(h.rsp_at_jump % 16, (16 - adj) % 16);
				EXPECT_EQ(fake.calls, 1);
				EXPECT_EQ(fake.frame_addr % 16, 0u);
				EXPECT_EQ(fake.local_addr % 16, 0u);
				// Below the red zone.
				EXPECT_LE(fake.frame_addr + SI_FRAME_SIZE,
					  h.rsp_at_jump - SI_RED_ZONE);
				EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]),
					  getppid());
				ExpectGprsPreserved(h);
				ExpectRedZonePreserved(h);
			}
		}
	}
}

// (7) si_dispatch_post may rewrite the result the application sees.
TEST_F(EntryTest, ForwardPostResultCanBeRewritten)
{
	Tramp tr(SI_SITE_SAVE_NONE, false);
	ASSERT_EQ(tr.rc(), 0);
	fake.action = SI_ACTION_FORWARD_POST;
	fake.post_rewrites = true;
	harness h;
	FillHarness(&h, tr.t().entry, SYS_getppid, false);
	harness_run(&h);
	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), ~long{getppid()});
}

// FORWARD_POST runs the call on the stub's stack: a raw -ENOSYS comes back
// unchanged as well.
TEST_F(EntryTest, ForwardPostPassesErrors)
{
	Tramp tr(SI_SITE_SAVE_NONE, true);
	ASSERT_EQ(tr.rc(), 0);
	fake.action = SI_ACTION_FORWARD_POST;
	harness h;
	FillHarness(&h, tr.t().entry, 1000, false);
	harness_run(&h);
	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), -38L); // -ENOSYS
	EXPECT_EQ(fake.post_result, -38L);
}

// The unwinder gets from the dispatcher through the stub to the function
// that held the original syscall (harness_run) and on to its caller.
TEST_F(EntryTest, UnwindsThroughStubToSiteCaller)
{
	for (bool flags : {false, true}) {
		for (uint32_t save : {uint32_t{SI_SITE_SAVE_NONE},
				      uint32_t{SI_SITE_SAVE_FULL}}) {
			SCOPED_TRACE(testing::Message()
				     << "flags " << flags << " save " << save);
			Tramp tr(save, flags);
			ASSERT_EQ(tr.rc(), 0);
			fake = Fake();
			fake.take_backtrace = true;
			harness h;
			FillHarness(&h, tr.t().entry, SYS_getppid, false);
			h.stack_adj = 8;
			harness_run(&h);
			ASSERT_GT(fake.bt_len, 0);
			auto lo = reinterpret_cast<uintptr_t>(&harness_run);
			auto hi = reinterpret_cast<uintptr_t>(&harness_run_end);
			int site_frame = -1;
			for (int i = 0; i < fake.bt_len; i++) {
				auto pc =
				    reinterpret_cast<uintptr_t>(fake.bt[i]);
				if (pc >= lo && pc < hi) {
					site_frame = i;
					break;
				}
			}
			ASSERT_GE(site_frame, 0) << "no frame in harness_run";
			EXPECT_EQ(
			    reinterpret_cast<uintptr_t>(fake.bt[site_frame]),
			    reinterpret_cast<uintptr_t>(&harness_site) + 2);
			ASSERT_LT(site_frame + 1, fake.bt_len);
			EXPECT_EQ(
			    reinterpret_cast<uint64_t>(fake.bt[site_frame + 1]),
			    h.ret_addr);
		}
	}
}

// The fast path: with a hook set and nothing else wanting the call, the stub
// calls the hook itself, with the dispatcher's semantics. FastPathOn sets
// that state up for a test and puts it back after.
struct FastPathOn {
	FastPathOn()
	{
		fake = Fake();
		intercept_hook_point = FakeHook;
		si_dispatch_slow = 0;
		si_in_hook = 0;
	}
	~FastPathOn()
	{
		intercept_hook_point = nullptr;
		si_dispatch_slow = 0;
		si_in_hook = 0;
	}
};

class EntryFastTest : public EntryVariantTest
{
      protected:
	FastPathOn fast_;

	// Checks what FakeHook saw against what went into the trampoline.
	void ExpectHookSaw(const harness &h, long nr)
	{
		EXPECT_EQ(fake.hook_calls, 1);
		EXPECT_EQ(fake.calls, 0) << "si_dispatch was not needed";
		EXPECT_EQ(fake.hook_nr, nr);
		const int regs[6] = {H_RDI, H_RSI, H_RDX, H_R10, H_R8, H_R9};
		for (int i = 0; i < 6; i++)
			EXPECT_EQ(fake.hook_args[i],
				  static_cast<long>(h.gpr_in[regs[i]]))
			    << "arg " << i;
		EXPECT_EQ(fake.hook_saw_in_hook, 1);
		EXPECT_EQ(si_in_hook, 0) << "cleared after the hook";
		EXPECT_EQ(fake.local_addr % 16, 0u) << "aligned stack";
	}
};

TEST_P(EntryFastTest, HookLetsKernelRunCall)
{
	Tramp tr(save(), flags_entry(), indirect());
	ASSERT_EQ(tr.rc(), 0);
	harness h;
	FillHarness(&h, tr.t().entry, SYS_getppid, false);
	harness_run(&h);

	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), getppid());
	ExpectHookSaw(h, SYS_getppid);
	ExpectGprsPreserved(h);
	ExpectRedZonePreserved(h);
	if (flags_entry()) {
		EXPECT_EQ(h.rflags_out & kArithFlags, kArithFlags);
	}
}

TEST_P(EntryFastTest, HookAnswersCall)
{
	Tramp tr(save(), flags_entry(), indirect());
	ASSERT_EQ(tr.rc(), 0);
	fake.hook_answer = 0;
	fake.hook_result = -0x1234;
	harness h;
	FillHarness(&h, tr.t().entry, 1000, false); // the kernel: -ENOSYS
	harness_run(&h);

	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), -0x1234L);
	ExpectHookSaw(h, 1000);
	ExpectGprsPreserved(h);
	ExpectRedZonePreserved(h);
	if (flags_entry()) {
		EXPECT_EQ(h.rflags_out & kArithFlags, kArithFlags);
	}
}

// A hook that answers 0 without writing *result: the result is -ENOSYS, as
// from si_dispatch.
TEST_P(EntryFastTest, UnsetResultIsEnosys)
{
	Tramp tr(save(), flags_entry(), indirect());
	ASSERT_EQ(tr.rc(), 0);
	fake.hook_answer = 0;
	intercept_hook_point = [](long, long, long, long, long, long, long,
				  long *) { return 0; };
	harness h;
	FillHarness(&h, tr.t().entry, SYS_getppid, false);
	harness_run(&h);
	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), -38L);
	ExpectGprsPreserved(h);
}

TEST_P(EntryFastTest, VectorsSurviveHookPerPolicy)
{
	if (save() == SI_SITE_SAVE_NONE)
		GTEST_SKIP() << "SAVE_NONE promises nothing";
	for (int answer : {0, 1}) {
		SCOPED_TRACE(answer);
		fake = Fake();
		fake.hook_answer = answer;
		fake.hook_result = 5;
		fake.clobber_vectors = true;
		RunExpectingVectorsKept(save(), flags_entry(), indirect());
		EXPECT_EQ(fake.hook_calls, 1);
	}
}

INSTANTIATE_TEST_SUITE_P(
    AllEntries, EntryFastTest,
    ::testing::Combine(::testing::Bool(), ::testing::Bool(),
		       ::testing::Values(uint32_t{SI_SITE_SAVE_NONE},
					 uint32_t{SI_SITE_SAVE_SSE},
					 uint32_t{SI_SITE_SAVE_FULL})),
    VariantName);

class EntryFastRouteTest : public EntryTest
{
      protected:
	FastPathOn fast_;
	harness Run(long nr)
	{
		Tramp tr(SI_SITE_SAVE_NONE, false);
		EXPECT_EQ(tr.rc(), 0);
		harness h;
		FillHarness(&h, tr.t().entry, nr, false);
		harness_run(&h);
		return h;
	}
};

// A call made while the thread is inside the hook goes to the kernel, past
// both the hook and the dispatcher.
TEST_F(EntryFastRouteTest, CallFromInsideHookGoesToKernel)
{
	si_in_hook = 1;
	fake.hook_answer = 0;
	harness h = Run(SYS_getppid);
	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), getppid());
	EXPECT_EQ(fake.hook_calls, 0);
	EXPECT_EQ(fake.calls, 0);
	EXPECT_EQ(si_in_hook, 1) << "left as it was";
	ExpectGprsPreserved(h);
}

// While a log or post hook needs the calls, the dispatcher decides.
TEST_F(EntryFastRouteTest, SlowFlagSendsCallsToDispatcher)
{
	si_dispatch_slow = 1;
	fake.action = SI_ACTION_EMULATED;
	fake.result = 99;
	harness h = Run(SYS_getppid);
	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), 99);
	EXPECT_EQ(fake.calls, 1);
	EXPECT_EQ(fake.hook_calls, 0);
}

TEST_F(EntryFastRouteTest, NoHookSendsCallsToDispatcher)
{
	intercept_hook_point = nullptr;
	harness h = Run(SYS_getppid);
	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), getppid());
	EXPECT_EQ(fake.calls, 1);
}

// clone, fork, vfork and clone3 let through by the hook go to
// si_dispatch_forward_special (the fake answers them, so nothing is cloned),
// as does rt_sigaction (the dispatcher wraps handlers);
// their neighbours' numbers do not.
TEST_F(EntryFastRouteTest, ForwardedSpecialCallsGoToDispatcher)
{
	for (long nr : {long{SYS_clone}, long{SYS_fork}, long{SYS_vfork}, 435L,
			long{SYS_rt_sigaction}}) {
		SCOPED_TRACE(nr);
		fake = Fake();
		fake.clone_result = 4321;
		harness h = Run(nr);
		EXPECT_EQ(fake.hook_calls, 1);
		EXPECT_EQ(fake.clone_calls, 1);
		EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), 4321);
		ExpectGprsPreserved(h);
	}
	for (long nr :
	     {long{SYS_clone - 1}, long{SYS_vfork + 1}, 434L, 436L,
	      long{SYS_rt_sigaction - 1}, long{SYS_rt_sigaction + 1}}) {
		SCOPED_TRACE(nr);
		fake = Fake();
		Run(nr);
		EXPECT_EQ(fake.hook_calls, 1);
		EXPECT_EQ(fake.clone_calls, 0);
	}
	// Answered by the hook: no clone path.
	fake = Fake();
	fake.hook_answer = 0;
	fake.hook_result = 7;
	harness h = Run(SYS_clone);
	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), 7);
	EXPECT_EQ(fake.clone_calls, 0);
}

// rt_sigreturn made while the thread is inside the hook ends a signal
// handler that interrupted the hook: the dispatcher, not the guard, decides.
TEST_F(EntryFastRouteTest, RtSigreturnInsideHookGoesToDispatcher)
{
	si_in_hook = 1;
	fake.action = SI_ACTION_EMULATED; // the fake answers; nothing returns
	fake.result = 55;
	harness h = Run(SYS_rt_sigreturn);
	EXPECT_EQ(fake.calls, 1);
	EXPECT_EQ(fake.hook_calls, 0);
	EXPECT_EQ(static_cast<long>(h.gpr_out[H_RAX]), 55);
	si_in_hook = 0;
}

// A backtrace taken in the hook reaches the function that made the call.
TEST_F(EntryFastRouteTest, UnwindsFromHookToSiteCaller)
{
	for (bool flags : {false, true}) {
		SCOPED_TRACE(flags);
		Tramp tr(SI_SITE_SAVE_SSE, flags);
		ASSERT_EQ(tr.rc(), 0);
		fake = Fake();
		fake.take_backtrace = true;
		harness h;
		FillHarness(&h, tr.t().entry, SYS_getppid, false);
		h.stack_adj = 8;
		harness_run(&h);
		ASSERT_EQ(fake.hook_calls, 1);
		auto lo = reinterpret_cast<uintptr_t>(&harness_run);
		auto hi = reinterpret_cast<uintptr_t>(&harness_run_end);
		int site_frame = -1;
		for (int i = 0; i < fake.bt_len; i++) {
			auto pc = reinterpret_cast<uintptr_t>(fake.bt[i]);
			if (pc >= lo && pc < hi) {
				site_frame = i;
				break;
			}
		}
		ASSERT_GE(site_frame, 0) << "no frame in harness_run";
		EXPECT_EQ(reinterpret_cast<uintptr_t>(fake.bt[site_frame]),
			  reinterpret_cast<uintptr_t>(&harness_site) + 2);
	}
}

TEST(EntryInitTest, XsaveConfigFromCpuid)
{
	si_entry_init();
	const struct si_xsave_config &c = si_xsave_config;
	EXPECT_EQ(c.initialized, 1u);
	EXPECT_EQ(c.area_size % 64, 0u);
	if (c.use_fxsave) {
		EXPECT_EQ(c.area_size, 512u);
	} else {
		// x87 and SSE are always enabled; the area holds at least the
		// legacy region and the header.
		EXPECT_EQ(c.mask_lo & 3u, 3u);
		EXPECT_GE(c.area_size, 576u);
		EXPECT_LE(c.area_size, 16384u);
		if (CpuHasAvx()) {
			EXPECT_NE(c.mask_lo & 4u, 0u) << "AVX state enabled";
			EXPECT_GE(c.area_size, 832u);
		}
	}
}

} // namespace
