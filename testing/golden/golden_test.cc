// Golden patterns: every tricky site shape in golden_fixture.S, planned and
// patched for real in this process with a mock entry stub. For each site the
// test checks the plan, the bytes written into the object, and the
// trampoline's instructions; then it runs every function and compares with
// the results it gave before patching.
#include <dlfcn.h>
#include <errno.h>
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
#include "disasm/disasm.h"
#include "gtest/gtest.h"
#include "patcher/cache.h"
#include "patcher/locator.h"
#include "patcher/object_input.h"
#include "patcher/planner.h"
#include "patcher/sites.h"
#include "patcher/writer.h"
#include "testing/golden/golden_util.h"
#include "trampoline/entry_abi.h"

extern "C" {
void golden_mock_entry(void);
void golden_mock_entry_flags(void);
extern volatile uint64_t golden_mock_count;
}

namespace
{

// One expected plan. Offsets are from the function's symbol; a pattern is
// hex bytes with ?? where an address-dependent byte goes.
struct GoldenSite {
	const char *fn;
	int site;
	plan_kind kind;
	int patch;	    // first overwritten byte
	int len;	    // bytes overwritten at `patch`
	int pad;	    // padding slot, or -1
	const char *bytes;  // expected bytes at `patch` after patching
	bool flags_live;    // entered through the flag-preserving stub
	plan_reason reason; // for fallbacks
};

#define PADDING(fn)                                                            \
	{                                                                      \
		fn, 0, PLAN_PADDING, 0, 2, 3, "eb 01", false, PLAN_OK          \
	}
#define NO_ROOM(fn)                                                            \
	{                                                                      \
		fn, 0, PLAN_FALLBACK, 0, 0, -1, "0f 05", false, PLAN_R_NO_ROOM \
	}

const GoldenSite kGolden[] = {
    // syscall; ret; 13 nops  ->  jmp +1 into the nops
    PADDING("g_first"),
    // mov eax,39; syscall | next function  ->  both moved
    {"g_last", 5, PLAN_INLINE, 0, 7, -1, "e9 ?? ?? ?? ?? cc cc", true, PLAN_OK},
    // test; jz 1f; syscall; 1: ret  ->  range ends at the target
    {"g_target_after", 9, PLAN_INLINE, 5, 6, -1, "e9 ?? ?? ?? ?? cc", false,
     PLAN_OK},
    // 1: mov; syscall; dec r8d; jnz 1b  ->  syscall+dec; jnz reads flags
    {"g_loop", 8, PLAN_INLINE, 8, 5, -1, "e9 ?? ?? ?? ??", true, PLAN_OK},
    // mov eax,[rip+g_nr]; syscall  ->  the load moves, disp re-based
    {"g_riprel", 6, PLAN_INLINE, 0, 8, -1, "e9 ?? ?? ?? ?? cc cc cc", false,
     PLAN_OK},
    // syscall; mov [rip+g_out],rax  ->  the store moves
    {"g_riprel_after", 0, PLAN_INLINE, 0, 9, -1, "e9 ?? ?? ?? ?? cc cc cc cc",
     false, PLAN_OK},
    NO_ROOM("g_pad1"),
    NO_ROOM("g_pad2"),
    NO_ROOM("g_pad3"),
    NO_ROOM("g_pad4"),
    PADDING("g_pad5"),
    PADDING("g_pad6"),
    PADDING("g_pad7"),
    PADDING("g_pad8"),
    PADDING("g_pad9"),
    PADDING("g_pad10"),
    PADDING("g_pad11"),
    PADDING("g_pad12"),
    PADDING("g_pad13"),
    PADDING("g_pad14"),
    PADDING("g_pad15"),
    // mov eax,3; mov edi,-1; syscall; syscall; ret; 8 nops
    {"g_double", 10, PLAN_INLINE, 5, 7, -1, "e9 ?? ?? ?? ?? cc cc", true,
     PLAN_OK},
    {"g_double", 12, PLAN_PADDING, 12, 2, 15, "eb 01", false, PLAN_OK},
    // syscall; jmp 1f; nop; nop; 1: ret  ->  syscall+jmp+nop
    {"g_then_jmp", 0, PLAN_INLINE, 0, 5, -1, "e9 ?? ?? ?? ??", true, PLAN_OK},
    // jnz cold; syscall; back: ret  ->  the jcc moves, ret stays
    {"g_hot", 13, PLAN_INLINE, 7, 8, -1, "e9 ?? ?? ?? ?? cc cc cc", false,
     PLAN_OK},
    // jnz cold; sys: syscall; ret; 8 nops  ->  the syscall is a target
    {"g_hot2", 13, PLAN_PADDING, 13, 2, 16, "eb 01", false, PLAN_OK},
    NO_ROOM("g_noroom"),
    // endbr64; mov eax,39; syscall; ret
    {"g_endbr", 9, PLAN_INLINE, 4, 7, -1, "e9 ?? ?? ?? ?? cc cc", false,
     PLAN_OK},
    // sub; call g_ret39; syscall; add rsp,8; ret  ->  the call stays
    {"g_call_near", 9, PLAN_INLINE, 9, 6, -1, "e9 ?? ?? ?? ?? cc", false,
     PLAN_OK},
    // cmp; mov; syscall; mov eax,0; setl al  ->  flags live
    {"g_flags", 7, PLAN_INLINE, 7, 7, -1, "e9 ?? ?? ?? ?? cc cc", true,
     PLAN_OK},
    // jmp *rcx via a jump table; case0: syscall; case1: add rax,1000;
    // ret; 8 nops. The syscall and the add are both table targets: no
    // range fits, the padding after ret does.
    {"g_switch", 24, PLAN_PADDING, 24, 2, 33, "eb 07", false, PLAN_OK},
    // mov eax,39; syscall at page offset 0xfff
    {"g_straddle", 5, PLAN_INLINE, 0, 7, -1, "e9 ?? ?? ?? ?? cc cc", false,
     PLAN_OK},
    // mov eax,110; syscall; jmp back  ->  syscall+jmp
    {"g_hot_cold", 5, PLAN_INLINE, 5, 7, -1, "e9 ?? ?? ?? ?? cc cc", true,
     PLAN_OK},
};

std::string Hex(const uint8_t *p, size_t n)
{
	std::string s;
	char b[4];
	for (size_t i = 0; i < n; i++) {
		snprintf(b, sizeof b, "%02x ", p[i]);
		s += b;
	}
	if (!s.empty())
		s.pop_back();
	return s;
}

bool MatchPattern(const char *pattern, const uint8_t *p, size_t n)
{
	std::vector<std::string> tok;
	std::string t;
	for (const char *c = pattern;; c++) {
		if (*c == ' ' || *c == 0) {
			if (!t.empty())
				tok.push_back(t);
			t.clear();
			if (!*c)
				break;
		} else {
			t += *c;
		}
	}
	if (tok.size() != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tok[i] != "??" && strtoul(tok[i].c_str(), 0, 16) != p[i])
			return false;
	return true;
}

class Golden : public ::testing::Test
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
	static int patch_err_;
	static struct cache_key cache_key_;
	static std::string cache_path_;
	static int cache_load_err_;
	static bool cache_same_;
	// Results of each runtime case before patching, by case name.
	static std::map<std::string, long> before_;
	// Bytes of the object before patching, per site (for diagnostics).
	static std::map<uint64_t, std::vector<uint8_t>> orig_;

	static uint64_t Sym(const char *name)
	{
		void *p = dlsym(lib_, name);
		EXPECT_NE(p, nullptr) << name;
		return (uint64_t)(uintptr_t)p;
	}
	// Two-column dump: expected pattern | actual bytes, with capstone's
	// reading of the actual bytes.
	static std::string Diff(const char *pattern, const uint8_t *p, size_t n,
				uint64_t at)
	{
		std::string out = "\n  expected: ";
		out += pattern;
		out += "\n  actual:   " + Hex(p, n) + "\n";
		size_t off = 0;
		while (off < n) {
			char text[96];
			struct disasm_insn insn;
			disasm_decode(ctx_, p + off, n - off, at + off, &insn);
			disasm_format(ctx_, p + off, n - off, at + off, text,
				      sizeof text);
			out += "    " + Hex(p + off, insn.length) + "\t" +
			       text + "\n";
			off += insn.length;
		}
		return out;
	}
	static const plan_site *PlanAt(uint64_t address)
	{
		for (size_t i = 0; i < plan_.n_sites; i++)
			if (plan_.sites[i].site->address == address)
				return &plan_.sites[i];
		return nullptr;
	}
	static size_t IndexOf(const plan_site *p)
	{
		return (size_t)(p - plan_.sites);
	}
};

void *Golden::lib_;
struct arena Golden::arena_;
struct disasm_ctx *Golden::ctx_;
struct locator_object Golden::obj_;
struct sites_result Golden::sites_;
struct plan_result Golden::plan_;
struct writer_trampolines Golden::tr_;
int Golden::patch_err_ = -1;
struct cache_key Golden::cache_key_;
std::string Golden::cache_path_;
int Golden::cache_load_err_ = -1;
bool Golden::cache_same_ = false;
std::map<std::string, long> Golden::before_;
std::map<uint64_t, std::vector<uint8_t>> Golden::orig_;

// How each function is run: through golden_call with a number in rax, or
// called directly with two int arguments.
struct RunCase {
	const char *name;
	const char *fn;
	long nr; // -1: direct call
	long a0, a1;
	int syscalls_hooked; // mock entries per call after patching
};

const RunCase kRuns[] = {
    {"first", "g_first", SYS_getpid, 0, 0, 1},
    {"last", "g_last", -1, 0, 0, 1},
    {"target_after_skip", "g_target_after", -1, 0, 0, 0},
    {"target_after_call", "g_target_after", -1, 1, 0, 1},
    {"loop5", "g_loop", -1, 5, 0, 5},
    {"riprel", "g_riprel", -1, 0, 0, 1},
    {"riprel_after", "g_riprel_after", SYS_getpid, 0, 0, 1},
    {"pad1", "g_pad1", SYS_getpid, 0, 0, 0},
    {"pad4", "g_pad4", SYS_getpid, 0, 0, 0},
    {"pad5", "g_pad5", SYS_getpid, 0, 0, 1},
    {"pad9", "g_pad9", SYS_getpid, 0, 0, 1},
    {"pad15", "g_pad15", SYS_getpid, 0, 0, 1},
    {"double", "g_double", -1, 0, 0, 2},
    {"then_jmp", "g_then_jmp", SYS_getpid, 0, 0, 1},
    {"hot", "g_hot", -1, 0, 0, 1},
    {"hot_cold", "g_hot", -1, 1, 0, 1},
    {"hot2", "g_hot2", -1, 0, 0, 1},
    {"hot2_cold", "g_hot2", -1, 1, 0, 1},
    {"noroom", "g_noroom", SYS_getpid, 0, 0, 0},
    {"endbr", "g_endbr", -1, 0, 0, 1},
    {"call_near", "g_call_near", -1, 0, 0, 1},
    {"flags_lt", "g_flags", -1, 1, 2, 1},
    {"flags_ge", "g_flags", -1, 2, 1, 1},
    {"straddle", "g_straddle", -1, 0, 0, 1},
    {"switch_case0", "g_switch", -1, 0, 0, 1},
    {"switch_case1", "g_switch", -1, 1, 0, 0},
};

long RunOne(void *lib, const RunCase &c)
{
	void *fn = dlsym(lib, c.fn);
	if (!fn)
		return -999999;
	if (c.nr >= 0) {
		auto call = (long (*)(void *, long, long, long, long))dlsym(
		    lib, "golden_call");
		return call(fn, c.nr, c.a0, c.a1, 0);
	}
	return ((long (*)(long, long))fn)(c.a0, c.a1);
}

std::string FixturePath()
{
	const char *srcdir = getenv("TEST_SRCDIR");
	std::string base = srcdir ? srcdir : ".";
	return base + "/syscall_intercept/testing/golden/libgolden_fixture.so";
}

void Golden::SetUpTestSuite()
{
	lib_ = dlopen(FixturePath().c_str(), RTLD_NOW | RTLD_LOCAL);
	ASSERT_NE(lib_, nullptr) << dlerror();
	for (const RunCase &c : kRuns)
		before_[c.name] = RunOne(lib_, c);
	AnalyzeLoaded(dlsym(lib_, "g_first"), &arena_, &ctx_, &obj_, &sites_);
	if (HasFatalFailure())
		return;
	for (size_t i = 0; i < sites_.n_sites; i++) {
		const uint8_t *b =
		    locator_bytes(&obj_, sites_.sites[i].address - 16, 48);
		orig_[sites_.sites[i].address] =
		    b ? std::vector<uint8_t>(b, b + 48)
		      : std::vector<uint8_t>();
	}
	ASSERT_EQ(planner_plan(&obj_, &sites_, ctx_, &arena_, &plan_), 0);
	struct writer_config cfg = {};
	cfg.entry = (uint64_t)(uintptr_t)&golden_mock_entry;
	cfg.entry_flags = (uint64_t)(uintptr_t)&golden_mock_entry_flags;
	cfg.object = &obj_;
	// Save the plan before patching, then load it back: the same plan.
	cache_key_.object.ino = 1; // any key: only equality matters
	cache_path_ = std::string(getenv("TEST_TMPDIR")) + "/golden.plan";
	ASSERT_EQ(cache_save(cache_path_.c_str(), &cache_key_, &obj_, &plan_),
		  0);
	struct sites_result cs;
	struct plan_result cp;
	cache_load_err_ = cache_load(cache_path_.c_str(), &cache_key_, &obj_,
				     &arena_, &cs, &cp);
	if (cache_load_err_ == 0) {
		cache_same_ = cp.n_sites == plan_.n_sites;
		for (size_t i = 0; cache_same_ && i < cp.n_sites; i++) {
			const plan_site &a = cp.sites[i], &b = plan_.sites[i];
			cache_same_ =
			    a.kind == b.kind &&
			    a.patch_start == b.patch_start &&
			    a.patch_len == b.patch_len &&
			    a.pad_slot == b.pad_slot && a.resume == b.resume &&
			    a.first == b.first && a.count == b.count &&
			    a.flags_live == b.flags_live && a.save == b.save &&
			    memcmp(a.site->insns, b.site->insns,
				   sizeof a.site->insns) == 0;
		}
	}
	ASSERT_EQ(writer_build(&obj_, &plan_, &cfg, &arena_, &tr_), WRITER_OK);
	patch_err_ = writer_patch(&obj_, &plan_, &tr_, &arena_);
}

TEST_F(Golden, EverySiteHasAnExpectedPlan)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	EXPECT_EQ(sites_.n_sites, sizeof(kGolden) / sizeof(kGolden[0]));
	for (const GoldenSite &g : kGolden)
		EXPECT_NE(PlanAt(Sym(g.fn) + g.site), nullptr)
		    << g.fn << "+" << g.site << " is not a site";
}

// Bytes in .rodata that decode as `mov $39, %eax; syscall; ret`: in the
// executable segment (gold puts .rodata there) but in no executable
// section, so no site, and left as they were.
TEST_F(Golden, DataInTheExecutableSegmentIsNotCode)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	uint64_t data = Sym("g_rodata_code");
	ASSERT_NE(locator_segment_at(&obj_, data), nullptr)
	    << "the fixture's .rodata is expected in its exec segment";
	EXPECT_FALSE(locator_is_code(&obj_, data));
	EXPECT_TRUE(locator_is_code(&obj_, Sym("g_switch")));
	for (size_t i = 0; i < sites_.n_sites; i++)
		EXPECT_FALSE(sites_.sites[i].address >= data &&
			     sites_.sites[i].address < data + 24)
		    << "a site in .rodata";
	static const uint8_t expect[] = {0xb8, 0x27, 0x00, 0x00,
					 0x00, 0x0f, 0x05, 0xc3};
	EXPECT_EQ(memcmp((const void *)(uintptr_t)(data + 16), expect,
			 sizeof(expect)),
		  0);
}

// at_syscall: where a thread stopped at the original syscall (the moved
// instructions before it already run) enters: the trampoline's
// `lea desc(%rip), %r11`, after exactly those instructions.
TEST_F(Golden, AtSyscallIsTheTrampolinesLea)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	size_t checked = 0;
	for (size_t i = 0; i < plan_.n_sites; i++) {
		if (!tr_.tramp[i] || plan_.sites[i].kind == PLAN_FALLBACK)
			continue;
		const plan_site &p = plan_.sites[i];
		uint64_t at = tr_.at_syscall[i];
		ASSERT_GE(at, tr_.tramp[i]);
		const uint8_t *b = (const uint8_t *)(uintptr_t)at;
		EXPECT_EQ(b[0], 0x4c);
		EXPECT_EQ(b[1], 0x8d);
		EXPECT_EQ(b[2], 0x1d);
		int32_t rel;
		memcpy(&rel, b + 3, 4);
		EXPECT_EQ(at + 7 + (int64_t)rel,
			  (uint64_t)(uintptr_t)&tr_.descs[i]);
		// Nothing moved from before the syscall: the trampoline starts
		// with the lea.
		if (p.kind == PLAN_PADDING || p.first == p.site->syscall_index)
			EXPECT_EQ(at, tr_.tramp[i]);
		else
			EXPECT_GT(at, tr_.tramp[i]);
		checked++;
	}
	EXPECT_GT(checked, 5u);
}

TEST_F(Golden, PlansAndBytes)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	for (const GoldenSite &g : kGolden) {
		uint64_t fn = Sym(g.fn);
		const plan_site *p = PlanAt(fn + g.site);
		if (!p) {
			ADD_FAILURE() << g.fn << "+" << g.site << ": no site";
			continue;
		}
		std::string where =
		    std::string(g.fn) + "+" + std::to_string(g.site);
		EXPECT_EQ(p->kind, g.kind)
		    << where << ": plan "
		    << planner_kind_name((plan_kind)p->kind) << " ("
		    << planner_reason_name((plan_reason)p->reason) << ")";
		if (g.kind == PLAN_FALLBACK) {
			EXPECT_EQ(p->reason, g.reason) << where;
		} else {
			EXPECT_EQ(p->patch_start, fn + g.patch) << where;
			EXPECT_EQ(p->patch_len, g.len) << where;
			EXPECT_EQ(p->flags_live, g.flags_live) << where;
		}
		if (g.pad >= 0) {
			EXPECT_EQ(p->pad_slot, fn + g.pad) << where;
		}
		size_t n = g.kind == PLAN_FALLBACK ? 2 : (size_t)g.len;
		uint64_t at =
		    g.kind == PLAN_FALLBACK ? fn + g.site : fn + g.patch;
		const uint8_t *now = (const uint8_t *)(uintptr_t)at;
		EXPECT_TRUE(MatchPattern(g.bytes, now, n))
		    << where << ": site bytes" << Diff(g.bytes, now, n, at);
		size_t i = IndexOf(p);
		if (g.kind == PLAN_INLINE) {
			// jmp rel32 lands on the site's trampoline
			int32_t rel;
			memcpy(&rel, now + 1, 4);
			EXPECT_EQ(at + 5 + (int64_t)rel, tr_.tramp[i]) << where;
		}
		if (g.kind == PLAN_PADDING) {
			const uint8_t *slot =
			    (const uint8_t *)(uintptr_t)p->pad_slot;
			EXPECT_TRUE(MatchPattern("e9 ?? ?? ?? ??", slot, 5))
			    << where << ": slot"
			    << Diff("e9 ?? ?? ?? ??", slot, 5, p->pad_slot);
			int32_t rel;
			memcpy(&rel, slot + 1, 4);
			EXPECT_EQ(p->pad_slot + 5 + (int64_t)rel, tr_.tramp[i])
			    << where;
		}
	}
}

// Every trampoline, decoded: the moved instructions with their original
// targets, lea r11 -> this site's descriptor, a jump to the right entry,
// the syscall at desc.syscall_addr, the moved instructions after it, and the
// jump back to the resume address.
TEST_F(Golden, TrampolinesDecodeAsPlanned)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	for (size_t i = 0; i < plan_.n_sites; i++) {
		const plan_site *p = &plan_.sites[i];
		if (p->kind == PLAN_FALLBACK)
			continue;
		const sites_site *s = p->site;
		uint64_t pc = tr_.tramp[i];
		auto next = [&](disasm_insn *insn) {
			disasm_decode(ctx_, (const uint8_t *)(uintptr_t)pc, 15,
				      pc, insn);
			pc += insn->length;
		};
		std::string where = "site " + std::to_string(i);
		disasm_insn t;
		unsigned first =
		    p->kind == PLAN_INLINE ? p->first : s->syscall_index;
		unsigned last = p->kind == PLAN_INLINE
				    ? p->first + p->count - 1u
				    : s->syscall_index;
		auto check_moved = [&](unsigned k) {
			const disasm_insn &o = s->insns[k];
			next(&t);
			EXPECT_EQ(t.target, o.target) << where << " insn " << k;
			bool widened = (o.kind == DISASM_JCC_REL8 &&
					t.kind == DISASM_JCC_REL32) ||
				       (o.kind == DISASM_JMP_REL8 &&
					t.kind == DISASM_JMP_REL32);
			EXPECT_TRUE(t.kind == o.kind || widened)
			    << where << " insn " << k;
		};
		for (unsigned k = first; k < s->syscall_index; k++)
			check_moved(k);
		next(&t); // lea r11, [rip + desc]
		EXPECT_EQ(t.target, (uint64_t)(uintptr_t)&tr_.descs[i])
		    << where;
		next(&t); // jmp entry, directly or through the slot
		uint64_t entry =
		    p->flags_live
			? (uint64_t)(uintptr_t)&golden_mock_entry_flags
			: (uint64_t)(uintptr_t)&golden_mock_entry;
		if (t.kind == DISASM_JMP_REL32) {
			EXPECT_EQ(t.target, entry) << where;
		} else {
			EXPECT_EQ(*(const uint64_t *)(uintptr_t)t.target, entry)
			    << where;
		}
		EXPECT_EQ(tr_.descs[i].syscall_addr, pc) << where;
		EXPECT_EQ(tr_.descs[i].orig_addr, s->address) << where;
		next(&t);
		EXPECT_EQ(t.kind, DISASM_SYSCALL) << where;
		for (unsigned k = s->syscall_index + 1; k <= last; k++)
			check_moved(k);
		if (!(t.flags & DISASM_F_NO_FALLTHROUGH) ||
		    last == s->syscall_index) {
			next(&t);
			EXPECT_EQ(t.kind, DISASM_JMP_REL32) << where;
			EXPECT_EQ(t.target, p->resume) << where;
		}
	}
}

TEST_F(Golden, PatchedCodeGivesTheSameResults)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	for (const RunCase &c : kRuns) {
		uint64_t before_count = golden_mock_count;
		long r = RunOne(lib_, c);
		EXPECT_EQ(r, before_[c.name]) << c.name;
		EXPECT_EQ(golden_mock_count - before_count,
			  (uint64_t)c.syscalls_hooked)
		    << c.name;
	}
	EXPECT_EQ(*(long *)dlsym(lib_, "g_out"), getpid());
}

TEST_F(Golden, NothingWritableAndExecutable)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	EXPECT_EQ(WritableExecutableMappings(), std::vector<std::string>{});
}

// The plan cache gives back the plan it was given, refuses another key,
// and refuses a plan whose bytes the object no longer holds.
TEST_F(Golden, PlanCache)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	EXPECT_EQ(cache_load_err_, 0) << cache_strerror(cache_load_err_);
	EXPECT_TRUE(cache_same_);
	struct sites_result cs;
	struct plan_result cp;
	struct cache_key other = cache_key_;
	other.library.mtime_nsec++;
	EXPECT_EQ(
	    cache_load(cache_path_.c_str(), &other, &obj_, &arena_, &cs, &cp),
	    CACHE_E_KEY);
	// The object is patched now: every site's bytes changed.
	EXPECT_EQ(cache_load(cache_path_.c_str(), &cache_key_, &obj_, &arena_,
			     &cs, &cp),
		  CACHE_E_STALE);
	EXPECT_EQ(cache_load("/nonexistent/plan", &cache_key_, &obj_, &arena_,
			     &cs, &cp),
		  -ENOENT);
}

TEST_F(Golden, PlanCounts)
{
	ASSERT_EQ(patch_err_, WRITER_OK);
	EXPECT_EQ(plan_.n_inline + plan_.n_padding + plan_.n_fallback,
		  plan_.n_sites);
	EXPECT_EQ(plan_.n_fallback, 5u); // g_pad1..4, g_noroom
	EXPECT_EQ(tr_.n_built, plan_.n_sites - plan_.n_fallback);
}

} // namespace
