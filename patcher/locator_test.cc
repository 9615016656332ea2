#include "patcher/locator.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "base/arena.h"
#include "gtest/gtest.h"
#include "patcher/locator_internal.h"

// Global, so gtest and the standard algorithms find them by
// argument-dependent lookup.
static bool operator==(const locator_range &a, const locator_range &b)
{
	return a.start == b.start && a.end == b.end;
}

static std::ostream &operator<<(std::ostream &os, const locator_range &r)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "[%#lx, %#lx)", (unsigned long)r.start,
		 (unsigned long)r.end);
	return os << buf;
}

namespace
{

using Bytes = std::vector<uint8_t>;

constexpr char kLibc[] = "/lib/x86_64-linux-gnu/libc.so.6";

std::string FixturePath(const char *name)
{
	const char *dir = getenv("TEST_SRCDIR");
	return std::string(dir ? dir : ".") +
	       "/syscall_intercept/testing/locator_fixtures/" + name;
}

Bytes ReadFile(const std::string &path)
{
	std::ifstream f(path, std::ios::binary);
	return Bytes(std::istreambuf_iterator<char>(f),
		     std::istreambuf_iterator<char>());
}

std::string TempFile(const Bytes &b)
{
	const char *dir = getenv("TEST_TMPDIR");
	std::string path = std::string(dir ? dir : "/tmp") + "/locXXXXXX";
	int fd = mkstemp(&path[0]);
	EXPECT_GE(fd, 0);
	if (!b.empty()) {
		EXPECT_EQ(write(fd, b.data(), b.size()), (ssize_t)b.size());
	}
	close(fd);
	return path;
}

// Owns an mmap-backed arena and the object described from it.
struct Located {
	struct arena arena;
	struct locator_object obj;
	explicit Located(size_t size = 64 << 20)
	{
		EXPECT_EQ(arena_init_mmap(&arena, size), 0);
		memset(&obj, 0, sizeof(obj));
	}
	~Located()
	{
		locator_close(&obj);
		arena_release(&arena);
	}
	int File(const std::string &path)
	{
		return locator_open_file(path.c_str(), &arena, &obj);
	}
	int Loaded(const void *addr, const void *self = nullptr,
		   unsigned flags = 0)
	{
		return locator_open_loaded(addr, self, flags, &arena, &obj);
	}
	std::vector<locator_range> Functions() const
	{
		return {obj.functions, obj.functions + obj.function_count};
	}
	std::vector<locator_range> Padding() const
	{
		return {obj.padding, obj.padding + obj.padding_count};
	}
	std::vector<uintptr_t> Symbols() const
	{
		return {obj.symbols, obj.symbols + obj.symbol_count};
	}
};

std::vector<locator_range> Shift(std::vector<locator_range> v, intptr_t by)
{
	for (auto &r : v) {
		r.start += by;
		r.end += by;
	}
	return v;
}

// ---- ELF helpers for building and corrupting test files ------------------

const Elf64_Shdr *Section(const Bytes &b, const char *name)
{
	auto *eh = reinterpret_cast<const Elf64_Ehdr *>(b.data());
	auto *sh = reinterpret_cast<const Elf64_Shdr *>(b.data() + eh->e_shoff);
	const char *names = reinterpret_cast<const char *>(b.data()) +
			    sh[eh->e_shstrndx].sh_offset;
	for (int i = 0; i < eh->e_shnum; i++)
		if (strcmp(names + sh[i].sh_name, name) == 0)
			return &sh[i];
	return nullptr;
}

Elf64_Ehdr *Ehdr(Bytes &b)
{
	return reinterpret_cast<Elf64_Ehdr *>(b.data());
}

// Counts FDEs the way readelf does, when readelf is installed; -1 if not.
long ReadelfFdeCount(const char *path)
{
	std::string cmd = std::string("readelf --debug-dump=frames ") + path +
			  " 2>/dev/null | grep -c ' FDE '";
	FILE *p = popen(cmd.c_str(), "r");
	if (!p)
		return -1;
	long n = -1;
	if (fscanf(p, "%ld", &n) != 1)
		n = -1;
	int st = pclose(p);
	return st == -1 || n <= 0 ? -1 : n;
}

// fde_count straight from the file's .eh_frame_hdr (udata4 expected).
long HdrFdeCount(const Bytes &b)
{
	const Elf64_Shdr *hdr = Section(b, ".eh_frame_hdr");
	if (!hdr)
		return -1;
	const uint8_t *p = b.data() + hdr->sh_offset;
	EXPECT_EQ(p[0], 1);
	EXPECT_EQ(p[1], LOCATOR_PE_PCREL | LOCATOR_PE_SDATA4);
	EXPECT_EQ(p[2], LOCATOR_PE_UDATA4);
	uint32_t n;
	memcpy(&n, p + 8, 4);
	return n;
}

void *LibcSym(const char *name)
{
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	EXPECT_NE(h, nullptr);
	void *p = dlsym(h, name);
	dlclose(h);
	return p;
}

void CheckWellFormed(const locator_object &obj)
{
	for (size_t i = 0; i < obj.function_count; i++) {
		const locator_range &r = obj.functions[i];
		ASSERT_LT(r.start, r.end);
		const locator_segment *s = locator_segment_at(&obj, r.start);
		ASSERT_NE(s, nullptr) << r;
		EXPECT_LE(r.end, s->end) << r;
		EXPECT_TRUE(s->prot & PROT_EXEC);
		if (i > 0) {
			ASSERT_LE(obj.functions[i - 1].start, r.start);
		}
	}
	for (size_t i = 1; i < obj.symbol_count; i++)
		ASSERT_LT(obj.symbols[i - 1], obj.symbols[i]);
	for (size_t i = 0; i < obj.function_count; i++)
		ASSERT_TRUE(
		    locator_is_symbol_start(&obj, obj.functions[i].start));
	for (size_t i = 0; i < obj.padding_count; i++) {
		const locator_range &r = obj.padding[i];
		ASSERT_LT(r.start, r.end);
		if (i > 0) {
			ASSERT_LE(obj.padding[i - 1].end, r.start);
		}
		const uint8_t *p =
		    locator_bytes(&obj, r.start, r.end - r.start);
		ASSERT_NE(p, nullptr) << r;
		// Re-decode: the run is whole filler instructions.
		size_t off = 0, len = r.end - r.start;
		while (off < len) {
			size_t k = locator_filler_len(p + off, len - off);
			ASSERT_GT(k, 0u) << r << " at +" << off;
			off += k;
		}
		EXPECT_FALSE(
		    locator_function_at(&obj, r.start, nullptr, nullptr))
		    << r;
		EXPECT_FALSE(
		    locator_function_at(&obj, r.end - 1, nullptr, nullptr))
		    << r;
	}
}

// ---- Pure parts -------------------------------------------------------------

struct FillerCase {
	Bytes bytes;
	size_t expect;
};

TEST(LocatorFiller, RecognizesGasNopsAndInt3)
{
	const FillerCase cases[] = {
	    {{0x90}, 1},			       // nop
	    {{0xcc}, 1},			       // int3
	    {{0x66, 0x90}, 2},			       // xchg %ax,%ax
	    {{0x0f, 0x1f, 0x00}, 3},		       // nopl (%rax)
	    {{0x0f, 0x1f, 0x40, 0x00}, 4},	       // nopl 0x0(%rax)
	    {{0x0f, 0x1f, 0x44, 0x00, 0x00}, 5},       // nopl 0x0(%rax,%rax,1)
	    {{0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00}, 6}, // nopw 0x0(%rax,%rax,1)
	    {{0x0f, 0x1f, 0x80, 0, 0, 0, 0}, 7},       // nopl 0x0(%rax)
	    {{0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0}, 8},    // nopl 0x0(%rax,%rax,1)
	    {{0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0}, 9},	 // nopw
	    {{0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0}, 10}, // cs nopw
	    {{0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0},
	     11}, // data16 cs nopw
	    {{0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0,
	      0, 0, 0},
	     15}, // longest
	    {{0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84,
	      0, 0, 0, 0, 0},
	     0},				 // 16 bytes: not an instruction
	    {{0x0f, 0x1f, 0x40, 0x08}, 0},	 // nopl 0x8(%rax)
	    {{0x0f, 0x1f, 0x84, 0, 0, 0, 0}, 0}, // truncated
	    {{0x0f, 0x1f, 0x48, 0x00}, 0},	 // nopl 0x0(%rax) reg=1: not /0
	    {{0x66}, 0},			 // lone prefix
	    {{0x2e, 0x90}, 0},			 // cs nop: not emitted
	    {{0x0f, 0x05}, 0},			 // syscall
	    {{0x00, 0x00}, 0},			 // zeros
	    {{0xc3}, 0},			 // ret
	    {{}, 0},
	};
	for (const auto &c : cases) {
		EXPECT_EQ(locator_filler_len(c.bytes.data(), c.bytes.size()),
			  c.expect)
		    << ::testing::PrintToString(c.bytes);
	}
}

TEST(LocatorSort, MatchesStdSort)
{
	std::mt19937_64 rng(7);
	for (size_t n : {0, 1, 2, 15, 16, 17, 100, 4000, 4097}) {
		std::vector<locator_range> v(n), scratch(n);
		for (auto &r : v) {
			r.start = rng() % 500;
			r.end = r.start + rng() % 3;
		}
		auto want = v;
		std::stable_sort(
		    want.begin(), want.end(),
		    [](const locator_range &a, const locator_range &b) {
			    return a.start < b.start ||
				   (a.start == b.start && a.end < b.end);
		    });
		locator_sort_ranges(v.data(), n, scratch.data());
		EXPECT_EQ(v, want) << n;
	}
}

struct EncodedCase {
	Bytes bytes;
	uint8_t enc;
	uint64_t expect;
	int err;
};

TEST(LocatorEncoding, ReadsEveryFormUsedByEhFrame)
{
	const uintptr_t at = 0x1000, data = 0x8000;
	const EncodedCase cases[] = {
	    {{0x10, 0, 0, 0, 0, 0, 0, 0}, LOCATOR_PE_ABSPTR, 0x10, 0},
	    {{0xfc, 0xff, 0xff, 0xff}, LOCATOR_PE_UDATA4, 0xfffffffc, 0},
	    {{0xfc, 0xff, 0xff, 0xff},
	     LOCATOR_PE_PCREL | LOCATOR_PE_SDATA4,
	     at - 4,
	     0},
	    {{0xf0, 0xff, 0xff, 0xff},
	     LOCATOR_PE_DATAREL | LOCATOR_PE_SDATA4,
	     data - 16,
	     0},
	    {{0x00, 0x10, 0, 0, 0, 0, 0, 0},
	     LOCATOR_PE_DATAREL | LOCATOR_PE_UDATA8,
	     data + 0x1000,
	     0},
	    {{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	     LOCATOR_PE_PCREL | LOCATOR_PE_SDATA8,
	     at - 2,
	     0},
	    {{0xff, 0xff}, LOCATOR_PE_SDATA2, (uint64_t)-1, 0},
	    {{0xff, 0xff}, LOCATOR_PE_UDATA2, 0xffff, 0},
	    {{0xe5, 0x8e, 0x26}, LOCATOR_PE_ULEB128, 624485, 0},
	    {{0x7f}, LOCATOR_PE_SLEB128, (uint64_t)-1, 0},
	    {{0, 0, 0}, LOCATOR_PE_SDATA4, 0, LOCATOR_ERR_BAD_EH_FRAME},
	    {{0, 0, 0, 0},
	     LOCATOR_PE_INDIRECT | LOCATOR_PE_PCREL | LOCATOR_PE_SDATA4,
	     0,
	     LOCATOR_ERR_BAD_ENCODING},
	    {{0, 0, 0, 0},
	     0x20 | LOCATOR_PE_SDATA4,
	     0,
	     LOCATOR_ERR_BAD_ENCODING}, // textrel
	    {{0, 0, 0, 0}, LOCATOR_PE_OMIT, 0, LOCATOR_ERR_BAD_ENCODING},
	    {{0, 0, 0, 0}, 0x05, 0, LOCATOR_ERR_BAD_ENCODING},
	};
	for (const auto &c : cases) {
		const uint8_t *p = c.bytes.data();
		uint64_t v = 0;
		int err = locator_read_encoded(
		    &p, c.bytes.data() + c.bytes.size(), c.enc, at, data, &v);
		EXPECT_EQ(err, c.err) << std::hex << int(c.enc);
		if (err == 0) {
			EXPECT_EQ(v, c.expect) << std::hex << int(c.enc);
			EXPECT_EQ(p, c.bytes.data() + c.bytes.size());
		}
	}
}

// Hand-assembled .eh_frame images.
void Put32(Bytes &b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b.push_back(uint8_t(v >> (8 * i)));
}
void Put64(Bytes &b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b.push_back(uint8_t(v >> (8 * i)));
}

// A CIE with augmentation `aug` and its data; returns its offset.
size_t AddCie(Bytes &b, const std::string &aug, const Bytes &aug_data)
{
	size_t off = b.size();
	Bytes body;
	Put32(body, 0);	   // CIE id
	body.push_back(1); // version
	for (char c : aug)
		body.push_back(uint8_t(c));
	body.push_back(0);
	body.push_back(1);    // code alignment
	body.push_back(0x78); // data alignment -8
	body.push_back(16);   // return address column
	if (!aug.empty()) {
		body.push_back(uint8_t(aug_data.size()));
		body.insert(body.end(), aug_data.begin(), aug_data.end());
	}
	while ((body.size() + 4) % 8)
		body.push_back(0); // DW_CFA_nop
	Put32(b, uint32_t(body.size()));
	b.insert(b.end(), body.begin(), body.end());
	return off;
}

// An FDE for `cie` whose pc_begin/pc_range bytes are given raw.
void AddFde(Bytes &b, size_t cie, const Bytes &pc, bool z)
{
	size_t len_at = b.size();
	Put32(b, 0);
	Put32(b, uint32_t(b.size() - cie));
	b.insert(b.end(), pc.begin(), pc.end());
	if (z)
		b.push_back(0); // augmentation data length
	while ((b.size() - len_at) % 8)
		b.push_back(0);
	uint32_t len = uint32_t(b.size() - len_at - 4);
	memcpy(&b[len_at], &len, 4);
}

TEST(LocatorEhFrame, ParsesCieAugmentationsAndEncodings)
{
	const uintptr_t base = 0x10000;
	Bytes b;
	// "zR" pcrel|sdata4: the usual.
	size_t c1 = AddCie(b, "zR", {0x1b});
	Bytes pc;
	size_t fde1 = b.size();
	// pc_begin field sits at fde1 + 8; target base + 0x100.
	int32_t rel = int32_t(0x100 - (fde1 + 8));
	Put32(pc, uint32_t(rel));
	Put32(pc, 0x20);
	AddFde(b, c1, pc, true);
	// "zPLR": personality indirect|pcrel|sdata4, LSDA pcrel|sdata4, FDE
	// udata4.
	size_t c2 = AddCie(b, "zPLR", {0x9b, 0, 0, 0, 0, 0x1b, 0x03});
	pc.clear();
	Put32(pc, 0x200);
	Put32(pc, 0x10);
	AddFde(b, c2, pc, true);
	// "zRS" signal frame with sdata8.
	size_t c3 = AddCie(b, "zRS", {0x0c});
	pc.clear();
	Put64(pc, 0x300);
	Put64(pc, 0x8);
	AddFde(b, c3, pc, true);
	// No augmentation: absptr.
	size_t c4 = AddCie(b, "", {});
	pc.clear();
	Put64(pc, 0x400);
	Put64(pc, 0x4);
	AddFde(b, c4, pc, false);
	Put32(b, 0);	      // terminator
	Put32(b, 0xdeadbeef); // never read

	struct locator_eh eh;
	locator_eh_init(&eh, b.data(), b.size(), base);
	EXPECT_EQ(locator_eh_count(&eh), 4);
	std::vector<locator_range> got;
	size_t off = 0, next = 0;
	for (;;) {
		locator_range r;
		int kind = locator_eh_entry_at(&eh, off, &r, &next);
		ASSERT_GT(kind, 0) << locator_strerror(kind);
		if (kind == LOCATOR_EH_END)
			break;
		if (kind == LOCATOR_EH_FDE)
			got.push_back(r);
		off = next;
	}
	const std::vector<locator_range> want = {
	    {base + 0x100, base + 0x120},
	    {0x200, 0x210},
	    {0x301, 0x308}, // a signal frame ('S'): the code starts 1 later
	    {0x400, 0x404},
	};
	EXPECT_EQ(got, want);
}

TEST(LocatorEhFrame, RejectsMalformedEntries)
{
	Bytes pc;
	Put32(pc, 0);
	Put32(pc, 4);
	struct locator_eh eh;
	locator_range r;
	size_t next;

	// Unknown augmentation letter before 'R'.
	Bytes b;
	size_t c = AddCie(b, "zQR", {0, 0x1b});
	size_t f = b.size();
	AddFde(b, c, pc, true);
	locator_eh_init(&eh, b.data(), b.size(), 0);
	EXPECT_EQ(locator_eh_entry_at(&eh, f, &r, &next),
		  LOCATOR_ERR_BAD_ENCODING);

	// CIE pointer before the start of the section.
	b.clear();
	Put32(b, 12);
	Put32(b, 0x100);
	Put32(b, 0);
	Put32(b, 0);
	locator_eh_init(&eh, b.data(), b.size(), 0);
	EXPECT_EQ(locator_eh_entry_at(&eh, 0, &r, &next),
		  LOCATOR_ERR_BAD_EH_FRAME);

	// Length past the end.
	b.clear();
	Put32(b, 0x1000);
	Put32(b, 0);
	locator_eh_init(&eh, b.data(), b.size(), 0);
	EXPECT_EQ(locator_eh_count(&eh), LOCATOR_ERR_BAD_EH_FRAME);

	// Bad CIE version.
	b.clear();
	c = AddCie(b, "zR", {0x1b});
	b[c + 8] = 7;
	f = b.size();
	AddFde(b, c, pc, true);
	locator_eh_init(&eh, b.data(), b.size(), 0);
	EXPECT_EQ(locator_eh_entry_at(&eh, f, &r, &next),
		  LOCATOR_ERR_BAD_EH_FRAME);
}

// ---- libc, live and on disk
// ---------------------------------------------------

TEST(LocatorLibc, LoadedObject)
{
	void *getpid_addr = LibcSym("getpid");
	ASSERT_NE(getpid_addr, nullptr);
	Located l;
	ASSERT_EQ(l.Loaded(getpid_addr), 0);
	const locator_object &o = l.obj;
	EXPECT_NE(strstr(o.path, "libc.so.6"), nullptr) << o.path;
	EXPECT_FALSE(o.is_vdso);
	EXPECT_FALSE(o.is_main);
	EXPECT_FALSE(o.is_self);
	EXPECT_FALSE(o.is_file);
	ASSERT_EQ(o.exec_segment_count, 1u);
	EXPECT_EQ(o.exec_segments[0].prot, PROT_READ | PROT_EXEC);
	EXPECT_EQ(o.exec_segments[0].file_offset, 0x26000u);
	EXPECT_EQ(o.exec_segments[0].start, o.bias + 0x26000);
	EXPECT_TRUE(o.stats.used_eh_frame_hdr);

	Bytes file = ReadFile(kLibc);
	long hdr_count = HdrFdeCount(file);
	EXPECT_EQ((long)o.stats.fde_count, hdr_count);
	long readelf = ReadelfFdeCount(kLibc);
	if (readelf > 0) {
		EXPECT_EQ((long)o.stats.fde_count, readelf);
	} else {
		printf("readelf unavailable; checked against .eh_frame_hdr\n");
	}
	EXPECT_EQ(o.stats.fde_count, 3713u); // FACTS.md, this machine's libc
	EXPECT_EQ(o.function_count, o.stats.fde_count);
	EXPECT_EQ(o.stats.fde_overlaps, 0u);
	EXPECT_EQ(o.stats.fde_duplicates, 0u);
	EXPECT_EQ(o.stats.fde_empty, 0u);
	for (size_t i = 1; i < o.function_count; i++)
		ASSERT_LE(o.functions[i - 1].end, o.functions[i].start);
	CheckWellFormed(o);

	uintptr_t addr = 0;
	ASSERT_TRUE(locator_lookup_symbol(&o, "getpid", &addr));
	EXPECT_EQ(addr, (uintptr_t)getpid_addr);
	EXPECT_TRUE(locator_is_symbol_start(&o, addr));
	uintptr_t s = 0, e = 0;
	ASSERT_TRUE(locator_function_at(&o, addr + 1, &s, &e));
	EXPECT_EQ(s, addr);
	EXPECT_GT(e, addr);
	// A versioned symbol resolves to its default version, as dlsym does
	// (realpath@@GLIBC_2.3, not realpath@GLIBC_2.2.5). IFUNCs are not
	// compared: dlsym returns the resolved implementation, the locator the
	// symbol (the resolver).
	ASSERT_TRUE(locator_lookup_symbol(&o, "realpath", &addr));
	EXPECT_EQ(addr, (uintptr_t)LibcSym("realpath"));
	EXPECT_FALSE(locator_lookup_symbol(&o, "no_such_function", &addr));
	EXPECT_GT(o.stats.dynsym_functions, 2000u);
	EXPECT_EQ(o.stats.symtab, LOCATOR_SYMTAB_ABSENT); // libc is stripped
	EXPECT_GT(o.padding_count, 3000u);

	size_t bytes = 0;
	for (size_t i = 0; i < o.padding_count; i++)
		bytes += o.padding[i].end - o.padding[i].start;
	printf("libc: %zu FDE ranges, %zu symbol starts (%zu dynsym funcs), "
	       "%zu padding runs (%zu bytes)\n",
	       o.function_count, o.symbol_count, o.stats.dynsym_functions,
	       o.padding_count, bytes);
}

TEST(LocatorLibc, FileViewAgreesWithLoadedView)
{
	Located live, file;
	ASSERT_EQ(live.Loaded(LibcSym("getpid")), 0);
	ASSERT_EQ(file.File(kLibc), 0);
	EXPECT_TRUE(file.obj.is_file);
	EXPECT_EQ(file.obj.bias, 0u);
	EXPECT_FALSE(file.obj.stats.used_eh_frame_hdr); // linear .eh_frame
	EXPECT_EQ(file.obj.stats.fde_count, live.obj.stats.fde_count);
	intptr_t bias = (intptr_t)live.obj.bias;
	EXPECT_EQ(Shift(file.Functions(), bias), live.Functions());
	EXPECT_EQ(Shift(file.Padding(), bias), live.Padding());
	auto syms = file.Symbols();
	for (auto &s : syms)
		s += bias;
	EXPECT_EQ(syms, live.Symbols());
	ASSERT_EQ(file.obj.exec_segment_count, 1u);
	EXPECT_EQ(file.obj.exec_segments[0].start + bias,
		  live.obj.exec_segments[0].start);
	// The file's bytes are the loaded bytes (libc is not patched here).
	const locator_segment &fs = file.obj.exec_segments[0];
	EXPECT_EQ(
	    memcmp(fs.bytes, live.obj.exec_segments[0].bytes, fs.bytes_len), 0);
	CheckWellFormed(file.obj);
}

double NowNs()
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

TEST(LocatorLibc, LocatesQuickly)
{
	void *addr = LibcSym("getpid");
	struct arena a;
	ASSERT_EQ(arena_init_mmap(&a, 4 << 20), 0);
	for (unsigned flags : {0u, (unsigned)LOCATOR_NO_FILE_SYMTAB}) {
		std::vector<double> t;
		for (int i = 0; i < 31; i++) {
			arena_reset(&a);
			locator_object obj;
			double t0 = NowNs();
			ASSERT_EQ(
			    locator_open_loaded(addr, nullptr, flags, &a, &obj),
			    0);
			t.push_back(NowNs() - t0);
			locator_close(&obj);
		}
		std::sort(t.begin(), t.end());
		printf("locate libc (functions+symbols+padding%s): median %.0f "
		       "us, min %.0f us, arena %zu KB\n",
		       flags ? "" : "+symtab probe", t[t.size() / 2] / 1e3,
		       t[0] / 1e3, a.used / 1024);
#if !defined(__SANITIZE_ADDRESS__)
		EXPECT_LT(t[t.size() / 2], 1e6); // budget: well under 2 ms
#endif
	}
	arena_release(&a);
}

// ---- The fixture
// ----------------------------------------------------------------

struct FixtureAddrs {
	void *handle = nullptr;
	uintptr_t base = 0;
	uintptr_t Sym(const char *name) const
	{
		void *p = dlsym(handle, name);
		EXPECT_NE(p, nullptr) << name;
		return (uintptr_t)p;
	}
};

FixtureAddrs OpenFixture()
{
	FixtureAddrs f;
	f.handle = dlopen(FixturePath("liblocator_fixture.so").c_str(),
			  RTLD_NOW | RTLD_LOCAL);
	EXPECT_NE(f.handle, nullptr) << dlerror();
	Dl_info info;
	EXPECT_NE(dladdr((void *)f.Sym("fx_a"), &info), 0);
	f.base = (uintptr_t)info.dli_fbase;
	return f;
}

std::vector<locator_range>
Expected(const FixtureAddrs &f,
	 const std::vector<std::pair<const char *, const char *>> &pairs,
	 uintptr_t minus)
{
	std::vector<locator_range> v;
	for (auto &p : pairs)
		v.push_back({f.Sym(p.first) - minus, f.Sym(p.second) - minus});
	return v;
}

const std::vector<std::pair<const char *, const char *>> kFunctions = {
    {"fx_a", "fx_a_end"}, {"fx_c", "fx_c_end"}, {"fx_d", "fx_d_end"},
    {"fx_e", "fx_e_end"}, {"fx_f", "fx_f_end"},
};

const std::vector<std::pair<const char *, const char *>> kPadding = {
    {"fx_a_end", "fx_b"},      {"fx_b_end", "fx_local_at"},
    {"fx_local_end", "fx_c"},  {"fx_c_end", "fx_c_filler_end"},
    {"fx_d_end", "fx_nosize"}, {"fx_e_end", "fx_f"},
};

// The ranges of `v` that lie in [lo, hi).
std::vector<locator_range> Within(const std::vector<locator_range> &v,
				  uintptr_t lo, uintptr_t hi)
{
	std::vector<locator_range> out;
	for (auto &r : v)
		if (r.start >= lo && r.start < hi)
			out.push_back(r);
	return out;
}

void CheckFixture(const locator_object &o, const FixtureAddrs &f,
		  uintptr_t minus, bool has_symtab)
{
	CheckWellFormed(o);
	uintptr_t lo = f.Sym("fx_a") - minus, hi = f.Sym("fx_f_end") - minus;
	std::vector<locator_range> fns(o.functions,
				       o.functions + o.function_count);
	EXPECT_EQ(Within(fns, lo, hi), Expected(f, kFunctions, minus));

	std::vector<locator_range> pad(o.padding, o.padding + o.padding_count);
	auto want = Expected(f, kPadding, minus);
	if (!has_symtab) {
		// Without fx_local's size nothing marks where filler may start.
		want.erase(want.begin() + 2);
	}
	EXPECT_EQ(Within(pad, lo, hi), want);

	uintptr_t fx_b = f.Sym("fx_b") - minus;
	uintptr_t fx_local = f.Sym("fx_local_at") - minus;
	uintptr_t fx_nosize = f.Sym("fx_nosize") - minus;
	EXPECT_TRUE(locator_is_symbol_start(&o, fx_b));	     // .dynsym
	EXPECT_TRUE(locator_is_symbol_start(&o, fx_nosize)); // .dynsym
	EXPECT_EQ(locator_is_symbol_start(&o, fx_local), has_symtab);
	EXPECT_FALSE(locator_is_symbol_start(&o, f.Sym("fx_a_end") - minus));
	EXPECT_FALSE(locator_function_at(&o, fx_b, nullptr, nullptr));
	uintptr_t s = 0, e = 0;
	ASSERT_TRUE(locator_function_at(&o, f.Sym("fx_c") + 3 - minus, &s, &e));
	EXPECT_EQ(s, f.Sym("fx_c") - minus);
	EXPECT_EQ(e, f.Sym("fx_c_end") - minus);
	EXPECT_FALSE(
	    locator_function_at(&o, f.Sym("fx_c_end") - minus, &s, &e));

	uintptr_t addr = 0;
	ASSERT_TRUE(locator_lookup_symbol(&o, "fx_b", &addr));
	EXPECT_EQ(addr, fx_b);
	EXPECT_EQ(locator_lookup_symbol(&o, "fx_local", &addr), has_symtab);
	if (has_symtab) {
		EXPECT_EQ(addr, fx_local);
	}
	EXPECT_EQ(o.stats.symtab,
		  has_symtab ? LOCATOR_SYMTAB_READ : LOCATOR_SYMTAB_ABSENT);
	EXPECT_EQ(o.stats.symtab_functions > 0, has_symtab);
	EXPECT_GT(o.stats.dynsym_functions, 0u);

	// The bytes the locator hands out are the fixture's code.
	const uint8_t *p = locator_bytes(&o, fx_b, 6);
	ASSERT_NE(p, nullptr);
	const uint8_t mov_ret[] = {0xb8, 1, 0, 0, 0, 0xc3}; // mov $1,%eax; ret
	EXPECT_EQ(memcmp(p, mov_ret, 6), 0);
}

TEST(LocatorFixture, LoadedView)
{
	FixtureAddrs f = OpenFixture();
	Located l;
	ASSERT_EQ(l.Loaded((void *)f.Sym("fx_a")), 0);
	EXPECT_EQ(l.obj.bias, f.base);
	EXPECT_NE(strstr(l.obj.path, "liblocator_fixture.so"), nullptr);
	CheckFixture(l.obj, f, 0, true);

	// Without the file, .symtab's fx_local is unknown.
	Located n;
	ASSERT_EQ(
	    n.Loaded((void *)f.Sym("fx_a"), nullptr, LOCATOR_NO_FILE_SYMTAB),
	    0);
	EXPECT_EQ(n.obj.stats.symtab, LOCATOR_SYMTAB_NOT_READ);
	EXPECT_FALSE(locator_is_symbol_start(&n.obj, f.Sym("fx_local_at")));

	Located np;
	ASSERT_EQ(np.Loaded((void *)f.Sym("fx_a"), nullptr, LOCATOR_NO_PADDING),
		  0);
	EXPECT_EQ(np.obj.padding_count, 0u);
	EXPECT_EQ(np.Functions(), l.Functions());
	dlclose(f.handle);
}

TEST(LocatorFixture, FileView)
{
	FixtureAddrs f = OpenFixture();
	Located l;
	ASSERT_EQ(l.File(FixturePath("liblocator_fixture.so")), 0);
	CheckFixture(l.obj, f, f.base, true);
	dlclose(f.handle);
}

TEST(LocatorFixture, StrippedCopyHasDynsymOnly)
{
	FixtureAddrs f = OpenFixture();
	Located l;
	ASSERT_EQ(l.File(FixturePath("liblocator_fixture_stripped.so")), 0);
	CheckFixture(l.obj, f, f.base, false);
	dlclose(f.handle);
}

TEST(LocatorFixture, NoSectionHeadersUsesEhFrameHdr)
{
	Bytes b = ReadFile(FixturePath("liblocator_fixture.so"));
	Ehdr(b)->e_shnum = 0;
	Ehdr(b)->e_shoff = 0;
	Ehdr(b)->e_shstrndx = 0;
	std::string path = TempFile(b);
	Located plain, nosh;
	ASSERT_EQ(plain.File(FixturePath("liblocator_fixture.so")), 0);
	ASSERT_EQ(nosh.File(path), 0);
	EXPECT_TRUE(nosh.obj.stats.used_eh_frame_hdr);
	EXPECT_EQ(nosh.Functions(), plain.Functions());
	EXPECT_EQ(nosh.obj.stats.symtab, LOCATOR_SYMTAB_ABSENT);
	unlink(path.c_str());
}

// ---- Identity
// ---------------------------------------------------------------------

int FindVdso(const dl_phdr_info *info, void *ctx)
{
	auto *out = static_cast<std::vector<std::string> *>(ctx);
	struct arena a;
	EXPECT_EQ(arena_init_mmap(&a, 1 << 20), 0);
	locator_object obj;
	int err = locator_load_object(info, nullptr, 0, &a, &obj);
	EXPECT_EQ(err, 0) << info->dlpi_name << ": " << locator_strerror(err);
	if (err == 0 && obj.is_vdso) {
		out->push_back(obj.path);
		EXPECT_FALSE(obj.is_main);
		EXPECT_EQ(obj.exec_segment_count, 1u);
		EXPECT_GT(obj.function_count, 0u);
		uintptr_t addr = 0;
		EXPECT_TRUE(
		    locator_lookup_symbol(&obj, "__vdso_clock_gettime", &addr));
		EXPECT_NE(locator_segment_at(&obj, addr), nullptr);
		EXPECT_EQ(obj.bias + 0, obj.bias);
		CheckWellFormed(obj);
	}
	if (err == 0)
		CheckWellFormed(obj);
	locator_close(&obj);
	arena_release(&a);
	return 0;
}

TEST(LocatorIdentity, VdsoIsReportedAsVdso)
{
	ASSERT_NE(getauxval(AT_SYSINFO_EHDR), 0u);
	std::vector<std::string> vdso;
	EXPECT_EQ(locator_for_each_loaded(FindVdso, &vdso), 0);
	ASSERT_EQ(vdso.size(), 1u);
	EXPECT_EQ(vdso[0], "linux-vdso.so.1");
}

int StopAtSecond(const dl_phdr_info *, void *ctx)
{
	return ++*static_cast<int *>(ctx) == 2 ? 42 : 0;
}

TEST(LocatorIdentity, ForEachStopsOnNonZero)
{
	int n = 0;
	EXPECT_EQ(locator_for_each_loaded(StopAtSecond, &n), 42);
	EXPECT_EQ(n, 2);
}

TEST(LocatorIdentity, SelfAndMainProgram)
{
	void *self = (void *)&locator_open_loaded; // linked into this test
	Located me;
	ASSERT_EQ(me.Loaded(self, self), 0);
	EXPECT_TRUE(me.obj.is_self);
	EXPECT_TRUE(me.obj.is_main);
	EXPECT_FALSE(me.obj.is_vdso);
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_GT(n, 0);
	exe[n] = 0;
	EXPECT_STREQ(me.obj.path, exe);
	uintptr_t s = 0, e = 0;
	EXPECT_TRUE(locator_function_at(&me.obj, (uintptr_t)self, &s, &e));
	EXPECT_EQ(s, (uintptr_t)self);

	Located libc;
	ASSERT_EQ(libc.Loaded(LibcSym("getpid"), self), 0);
	EXPECT_FALSE(libc.obj.is_self);
	EXPECT_FALSE(libc.obj.is_main);
}

// ---- Failure modes: one test each
// ---------------------------------------------

TEST(LocatorErrors, NonexistentFile)
{
	Located l;
	EXPECT_EQ(l.File("/nonexistent/locator/file.so"), -ENOENT);
	EXPECT_STREQ(locator_strerror(-ENOENT), "ENOENT");
}

TEST(LocatorErrors, GarbageIsNotElf)
{
	for (const Bytes &b : {Bytes{}, Bytes{'h', 'i'},
			       Bytes{0x7f, 'E', 'L', 'X', 0, 0, 0, 0, 0, 0, 0,
				     0, 0, 0, 0, 0, 1, 2, 3}}) {
		std::string path = TempFile(b);
		Located l;
		EXPECT_EQ(l.File(path), LOCATOR_ERR_NOT_ELF) << b.size();
		unlink(path.c_str());
	}
	Located dir;
	EXPECT_EQ(dir.File("/"), LOCATOR_ERR_NOT_ELF);
}

// Opens a mutated copy of the fixture.
int OpenMutated(const std::function<void(Bytes &)> &mutate)
{
	Bytes b = ReadFile(FixturePath("liblocator_fixture.so"));
	mutate(b);
	std::string path = TempFile(b);
	Located l;
	int err = l.File(path);
	unlink(path.c_str());
	return err;
}

TEST(LocatorErrors, TruncatedFile)
{
	EXPECT_EQ(OpenMutated([](Bytes &b) { b.resize(100); }),
		  LOCATOR_ERR_TRUNCATED);
	EXPECT_EQ(OpenMutated([](Bytes &b) { b.resize(40); }),
		  LOCATOR_ERR_TRUNCATED);
	// Section headers gone: their table lies past the end.
	EXPECT_EQ(OpenMutated([](Bytes &b) { b.resize(b.size() - 64); }),
		  LOCATOR_ERR_TRUNCATED);
}

TEST(LocatorErrors, UnsupportedElf)
{
	EXPECT_EQ(
	    OpenMutated([](Bytes &b) { Ehdr(b)->e_machine = EM_AARCH64; }),
	    LOCATOR_ERR_UNSUPPORTED_ELF);
	EXPECT_EQ(OpenMutated([](Bytes &b) { b[EI_CLASS] = ELFCLASS32; }),
		  LOCATOR_ERR_UNSUPPORTED_ELF);
	EXPECT_EQ(OpenMutated([](Bytes &b) { Ehdr(b)->e_type = ET_REL; }),
		  LOCATOR_ERR_UNSUPPORTED_ELF);
}

TEST(LocatorErrors, BadHeader)
{
	EXPECT_EQ(OpenMutated([](Bytes &b) { Ehdr(b)->e_phentsize = 32; }),
		  LOCATOR_ERR_BAD_HEADER);
	EXPECT_EQ(OpenMutated(
		      [](Bytes &b) { Ehdr(b)->e_shstrndx = Ehdr(b)->e_shnum; }),
		  LOCATOR_ERR_BAD_HEADER);
}

TEST(LocatorErrors, BadEhFrame)
{
	EXPECT_EQ(OpenMutated([](Bytes &b) {
			  const Elf64_Shdr *sh = Section(b, ".eh_frame");
			  b[sh->sh_offset + 8] = 7; // CIE version
		  }),
		  LOCATOR_ERR_BAD_EH_FRAME);
}

TEST(LocatorErrors, BadEncoding)
{
	EXPECT_EQ(OpenMutated([](Bytes &b) {
			  const Elf64_Shdr *sh = Section(b, ".eh_frame");
			  uint8_t *aug = &b[sh->sh_offset + 9];
			  ASSERT_EQ(memcmp(aug, "zR", 3), 0);
			  aug[1] = 'Q'; // unknown augmentation letter
		  }),
		  LOCATOR_ERR_BAD_ENCODING);
}

TEST(LocatorErrors, BadEhFrameHdr)
{
	EXPECT_EQ(OpenMutated([](Bytes &b) {
			  const Elf64_Shdr *sh = Section(b, ".eh_frame_hdr");
			  b[sh->sh_offset] = 2; // version
			  Ehdr(b)->e_shnum = 0; // force the hdr path
			  Ehdr(b)->e_shoff = 0;
			  Ehdr(b)->e_shstrndx = 0;
		  }),
		  LOCATOR_ERR_BAD_EH_FRAME_HDR);
}

TEST(LocatorErrors, BadDynamic)
{
	EXPECT_EQ(OpenMutated([](Bytes &b) {
			  const Elf64_Shdr *sh = Section(b, ".dynamic");
			  auto *d =
			      reinterpret_cast<Elf64_Dyn *>(&b[sh->sh_offset]);
			  for (; d->d_tag != DT_NULL; d++)
				  if (d->d_tag == DT_SYMTAB)
					  d->d_un.d_ptr = 0x7fff0000;
		  }),
		  LOCATOR_ERR_BAD_DYNAMIC);
}

TEST(LocatorErrors, BadSymbols)
{
	EXPECT_EQ(OpenMutated([](Bytes &b) {
			  auto *sh =
			      const_cast<Elf64_Shdr *>(Section(b, ".symtab"));
			  sh->sh_entsize = 7;
		  }),
		  LOCATOR_ERR_BAD_SYMBOLS);
	EXPECT_EQ(OpenMutated([](Bytes &b) {
			  const Elf64_Shdr *sh = Section(b, ".gnu.hash");
			  uint32_t huge =
			      0x10000000; // bloom words past the end
			  memcpy(&b[sh->sh_offset + 8], &huge, 4);
		  }),
		  LOCATOR_ERR_BAD_SYMBOLS);
}

TEST(LocatorErrors, ArenaExhausted)
{
	alignas(16) static uint8_t small[256];
	struct arena a;
	arena_init_buffer(&a, small, sizeof(small));
	locator_object obj;
	EXPECT_EQ(locator_open_file(kLibc, &a, &obj), LOCATOR_ERR_NO_MEMORY);
	arena_init_buffer(&a, small, sizeof(small));
	EXPECT_EQ(locator_open_loaded(LibcSym("getpid"), nullptr, 0, &a, &obj),
		  LOCATOR_ERR_NO_MEMORY);
}

TEST(LocatorErrors, AddressNotLoaded)
{
	Located l;
	int on_stack = 0;
	EXPECT_EQ(l.Loaded(&on_stack), LOCATOR_ERR_NOT_LOADED);
	EXPECT_STRNE(locator_strerror(LOCATOR_ERR_NOT_LOADED), "unknown error");
}

// Random corruption of the fixture must give 0 or an error, never a crash.
TEST(LocatorErrors, CorruptedFilesNeverCrash)
{
	Bytes orig = ReadFile(FixturePath("liblocator_fixture.so"));
	std::mt19937 rng(1234);
	std::string path = TempFile(orig);
	struct arena a;
	ASSERT_EQ(arena_init_mmap(&a, 1 << 20), 0);
	int ok = 0, failed = 0;
	for (int iter = 0; iter < 1500; iter++) {
		Bytes b = orig;
		int flips = 1 + rng() % 8;
		for (int k = 0; k < flips; k++) {
			// Favor the headers and the tables the locator reads.
			size_t limit = rng() % 2 ? 0x1000 : b.size();
			b[rng() % std::min(limit, b.size())] = uint8_t(rng());
		}
		if (rng() % 10 == 0)
			b.resize(rng() % b.size());
		FILE *f = fopen(path.c_str(), "wb");
		ASSERT_NE(f, nullptr);
		fwrite(b.data(), 1, b.size(), f);
		fclose(f);
		arena_reset(&a);
		locator_object obj;
		int err = locator_open_file(path.c_str(), &a, &obj);
		if (err == 0) {
			ok++;
			locator_close(&obj);
		} else {
			failed++;
			EXPECT_LT(err, 0);
		}
	}
	printf("corrupted copies: %d opened, %d rejected\n", ok, failed);
	arena_release(&a);
	unlink(path.c_str());
}

} // namespace
