// The golden fixture's fallback sites (no room for any jump: g_noroom,
// g_pad1..4) hooked through the trap, in this process, with the real entry
// stub, dispatcher and SIGTRAP handler: each site holds `int3; nop`, its
// trampoline decodes as planned, and calls through it reach the hook with
// the same number and arguments, and give the same results, as calls
// through a jump-patched site (g_first) and as the unpatched code.
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/arena.h"
#include "dispatch/trap.h"
#include "disasm/disasm.h"
#include "gtest/gtest.h"
#include "libsyscall_intercept_hook_point.h"
#include "patcher/locator.h"
#include "patcher/object_input.h"
#include "patcher/planner.h"
#include "patcher/sites.h"
#include "patcher/writer.h"
#include "testing/golden/golden_util.h"
#include "trampoline/entry_abi.h"

namespace
{

constexpr long kMarkNr = 1000; // no such syscall: the kernel says ENOSYS
constexpr long kMarkResult = 4242;
constexpr long kFakePpid = 777;

// What the hook saw, per call.
struct Call {
	long nr;
	long a0, a1, a2;
};
std::vector<Call> *calls;
bool emulate_getppid;
bool nested; // the hook calls a trapped site itself

typedef long (*golden_call_fn)(void *fn, long nr, long a0, long a1, long a2);
golden_call_fn golden_call;
void *g_noroom;

int Hook(long nr, long a0, long a1, long a2, long, long, long, long *result)
{
	calls->push_back({nr, a0, a1, a2});
	if (nested) // must go to the kernel, not back to this hook
		(void)golden_call(g_noroom, SYS_getppid, 0, 0, 0);
	if (nr == kMarkNr) {
		*result = kMarkResult + a0;
		return 0;
	}
	if (nr == SYS_getppid && emulate_getppid) {
		*result = kFakePpid;
		return 0;
	}
	return 1;
}

std::string FixturePath()
{
	const char *srcdir = getenv("TEST_SRCDIR");
	std::string base = srcdir ? srcdir : ".";
	return base + "/syscall_intercept/testing/golden/libgolden_fixture.so";
}

const char *const kTrapped[] = {"g_noroom", "g_pad1", "g_pad2", "g_pad3",
				"g_pad4"};

class GoldenTrap : public ::testing::Test
{
      protected:
	static void SetUpTestSuite();
	static void *lib_;
	static struct arena arena_;
	static struct disasm_ctx *ctx_;
	static struct locator_object obj_;
	static struct sites_result sites_;
	static struct plan_result plan_;
	static struct writer_trampolines tr_;
	static int build_err_, add_err_, patch_err_;
	static int overlap_err_;
	static bool overlap_left_code_alone_;
	static std::map<std::string, long> before_;

	void SetUp() override
	{
		calls = new std::vector<Call>();
		emulate_getppid = false;
		nested = false;
		intercept_hook_point = Hook;
	}
	void TearDown() override
	{
		intercept_hook_point = nullptr;
		delete calls;
		calls = nullptr;
	}
	static void *Fn(const char *name)
	{
		return dlsym(lib_, name);
	}
	static long Call3(const char *fn, long nr, long a0 = 0, long a1 = 0,
			  long a2 = 0)
	{
		return golden_call(Fn(fn), nr, a0, a1, a2);
	}
	static const plan_site *PlanAt(uint64_t address, size_t *index)
	{
		for (size_t i = 0; i < plan_.n_sites; i++)
			if (plan_.sites[i].site->address == address) {
				*index = i;
				return &plan_.sites[i];
			}
		return nullptr;
	}
};

void *GoldenTrap::lib_;
struct arena GoldenTrap::arena_;
struct disasm_ctx *GoldenTrap::ctx_;
struct locator_object GoldenTrap::obj_;
struct sites_result GoldenTrap::sites_;
struct plan_result GoldenTrap::plan_;
struct writer_trampolines GoldenTrap::tr_;
int GoldenTrap::build_err_ = -1;
int GoldenTrap::add_err_ = -1;
int GoldenTrap::patch_err_ = -1;
int GoldenTrap::overlap_err_ = 0;
bool GoldenTrap::overlap_left_code_alone_ = false;
std::map<std::string, long> GoldenTrap::before_;

void GoldenTrap::SetUpTestSuite()
{
	lib_ = dlopen(FixturePath().c_str(), RTLD_NOW | RTLD_LOCAL);
	ASSERT_NE(lib_, nullptr) << dlerror();
	golden_call = (golden_call_fn)dlsym(lib_, "golden_call");
	g_noroom = dlsym(lib_, "g_noroom");
	ASSERT_NE(golden_call, nullptr);
	for (const char *fn : kTrapped) {
		before_[std::string(fn) + "/getppid"] =
		    golden_call(dlsym(lib_, fn), SYS_getppid, 0, 0, 0);
		before_[std::string(fn) + "/mark"] =
		    golden_call(dlsym(lib_, fn), kMarkNr, 0, 0, 0);
	}
	AnalyzeLoaded(dlsym(lib_, "g_first"), &arena_, &ctx_, &obj_, &sites_);
	if (HasFatalFailure())
		return;
	ASSERT_EQ(planner_plan(&obj_, &sites_, ctx_, &arena_, &plan_), 0);
	struct writer_config cfg = {};
	cfg.entry = (uint64_t)(uintptr_t)&si_entry;
	cfg.entry_flags = (uint64_t)(uintptr_t)&si_entry_flags;
	cfg.object = &obj_;
	cfg.trap_fallbacks = true;
	build_err_ = writer_build(&obj_, &plan_, &cfg, &arena_, &tr_);
	ASSERT_EQ(build_err_, WRITER_OK);
	std::vector<si_trap_entry> entries;
	for (size_t i = 0; i < plan_.n_sites; i++)
		if (plan_.sites[i].kind == PLAN_FALLBACK && tr_.tramp[i])
			entries.push_back(
			    {plan_.sites[i].site->address, tr_.tramp[i]});
	add_err_ = si_trap_add_sites(entries.data(), entries.size());
	ASSERT_EQ(add_err_, 0);
	// A plan whose writes overlap (g_noroom's site twice) is refused
	// before any page is touched.
	{
		size_t i = 0;
		uint64_t at = (uint64_t)(uintptr_t)dlsym(lib_, "g_noroom");
		while (i < plan_.n_sites && plan_.sites[i].site->address != at)
			i++;
		ASSERT_LT(i, plan_.n_sites);
		plan_site twice[2] = {plan_.sites[i], plan_.sites[i]};
		uint64_t tramp[2] = {tr_.tramp[i], tr_.tramp[i]};
		plan_result bad = {};
		bad.sites = twice;
		bad.n_sites = 2;
		bad.n_fallback = 2;
		writer_trampolines bad_tr = tr_;
		bad_tr.tramp = tramp;
		bad_tr.n_sites = 2;
		overlap_err_ =
		    writer_patch_in_place(&obj_, &bad, &bad_tr, &arena_);
		const uint8_t *b = (const uint8_t *)(uintptr_t)at;
		overlap_left_code_alone_ = b[0] == 0x0f && b[1] == 0x05;
	}
	// In place, as the library patches at start-up (golden_test covers
	// the swapped copy).
	patch_err_ = writer_patch_in_place(&obj_, &plan_, &tr_, &arena_);
}

TEST_F(GoldenTrap, OverlappingWritesAreRefused)
{
	EXPECT_EQ(overlap_err_, WRITER_E_CODE);
	EXPECT_TRUE(overlap_left_code_alone_);
}

TEST_F(GoldenTrap, EveryFallbackSiteIsTrapped)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	EXPECT_EQ(plan_.n_fallback, 5u);
	EXPECT_EQ(tr_.n_trap, 5u);
	EXPECT_EQ(tr_.n_built, plan_.n_sites - plan_.n_fallback);
	size_t n;
	const si_trap_entry *table = si_trap_sites(&n);
	EXPECT_EQ(n, 5u);
	for (const char *fn : kTrapped) {
		uint64_t at = (uint64_t)(uintptr_t)Fn(fn);
		size_t i = 0;
		const plan_site *p = PlanAt(at, &i);
		ASSERT_NE(p, nullptr) << fn;
		EXPECT_EQ(p->kind, PLAN_FALLBACK) << fn;
		const uint8_t *b = (const uint8_t *)(uintptr_t)at;
		EXPECT_EQ(b[0], 0xcc) << fn; // int3
		EXPECT_EQ(b[1], 0x90) << fn; // nop
		EXPECT_EQ(b[2], 0xc3) << fn; // ret, untouched
		const si_trap_entry *e = si_trap_table_find(table, n, at);
		ASSERT_NE(e, nullptr) << fn;
		EXPECT_EQ(e->target, tr_.tramp[i]) << fn;
	}
}

// lea r11, [rip + desc]; jmp entry (rel32 or through the slot); sys_N:
// syscall; jmp site + 2.
TEST_F(GoldenTrap, TrapTrampolinesDecodeAsPlanned)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	for (const char *fn : kTrapped) {
		uint64_t at = (uint64_t)(uintptr_t)Fn(fn);
		size_t i = 0;
		const plan_site *p = PlanAt(at, &i);
		ASSERT_NE(p, nullptr) << fn;
		uint64_t pc = tr_.tramp[i];
		disasm_insn t;
		auto next = [&]() {
			disasm_decode(ctx_, (const uint8_t *)(uintptr_t)pc, 15,
				      pc, &t);
			pc += t.length;
		};
		next();
		EXPECT_EQ(t.target, (uint64_t)(uintptr_t)&tr_.descs[i]) << fn;
		next();
		uint64_t entry = p->flags_live
				     ? (uint64_t)(uintptr_t)&si_entry_flags
				     : (uint64_t)(uintptr_t)&si_entry;
		if (t.kind == DISASM_JMP_REL32)
			EXPECT_EQ(t.target, entry) << fn;
		else
			EXPECT_EQ(*(const uint64_t *)(uintptr_t)t.target, entry)
			    << fn;
		EXPECT_EQ(tr_.descs[i].syscall_addr, pc) << fn;
		EXPECT_EQ(tr_.descs[i].orig_addr, at) << fn;
		EXPECT_EQ(tr_.descs[i].flags, p->save) << fn;
		next();
		EXPECT_EQ(t.kind, DISASM_SYSCALL) << fn;
		next();
		EXPECT_EQ(t.kind, DISASM_JMP_REL32) << fn;
		EXPECT_EQ(t.target, at + 2) << fn;
	}
}

// Forwarded: the kernel's answer, as before patching; the hook saw it.
TEST_F(GoldenTrap, ForwardedCallsGiveTheUnpatchedResult)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	for (const char *fn : kTrapped) {
		calls->clear();
		EXPECT_EQ(Call3(fn, SYS_getppid),
			  before_[std::string(fn) + "/getppid"])
		    << fn;
		EXPECT_EQ(Call3(fn, SYS_getppid), (long)getppid()) << fn;
		ASSERT_EQ(calls->size(), 2u) << fn;
		EXPECT_EQ((*calls)[0].nr, SYS_getppid) << fn;
	}
	// Without a hook the call still runs, once, in the kernel.
	intercept_hook_point = nullptr;
	EXPECT_EQ(Call3("g_noroom", SYS_getppid), (long)getppid());
	EXPECT_EQ(Call3("g_noroom", kMarkNr), before_["g_noroom/mark"]);
	EXPECT_EQ(before_["g_noroom/mark"], -ENOSYS);
}

// Emulated: the hook's result instead of the kernel's, exactly as through a
// jump-patched site; the hook sees the same number and arguments.
TEST_F(GoldenTrap, EmulatedCallsMatchAPatchedSite)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	emulate_getppid = true;
	for (const char *fn : kTrapped) {
		calls->clear();
		long patched = Call3("g_first", kMarkNr, 5, 6, 7);
		long trapped = Call3(fn, kMarkNr, 5, 6, 7);
		EXPECT_EQ(patched, kMarkResult + 5);
		EXPECT_EQ(trapped, patched) << fn;
		EXPECT_EQ(Call3(fn, SYS_getppid), kFakePpid) << fn;
		EXPECT_EQ(Call3("g_first", SYS_getppid), kFakePpid);
		ASSERT_EQ(calls->size(), 4u) << fn;
		EXPECT_EQ((*calls)[1].nr, (*calls)[0].nr) << fn;
		EXPECT_EQ((*calls)[1].a0, 5) << fn;
		EXPECT_EQ((*calls)[1].a1, 6) << fn;
		EXPECT_EQ((*calls)[1].a2, 7) << fn;
	}
}

// A trapped site reached from inside the hook goes to the kernel.
TEST_F(GoldenTrap, CallsTheHookMakesAreNotHookedAgain)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	nested = true;
	EXPECT_EQ(Call3("g_noroom", kMarkNr, 1), kMarkResult + 1);
	ASSERT_EQ(calls->size(), 1u);
	EXPECT_EQ((*calls)[0].nr, kMarkNr);
}

TEST_F(GoldenTrap, NothingWritableAndExecutable)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	EXPECT_EQ(WritableExecutableMappings(), std::vector<std::string>{});
}

// The handler is ours, with SA_NODEFER (a trapped site reached from a
// handler chained from ours must not meet SIGTRAP blocked).
TEST_F(GoldenTrap, HandlerInstalled)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	struct sigaction sa;
	ASSERT_EQ(sigaction(SIGTRAP, nullptr, &sa), 0);
	EXPECT_TRUE(sa.sa_flags & SA_SIGINFO);
	EXPECT_TRUE(sa.sa_flags & SA_NODEFER);
	EXPECT_NE((void *)sa.sa_sigaction, (void *)SIG_DFL);
	EXPECT_NE(si_trap_active, 0);
	EXPECT_NE(si_dispatch_slow, 0);
}

} // namespace
