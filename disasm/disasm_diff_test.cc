// Differential test: linear-sweeps the executable segments of the system's
// libraries with capstone and, at every instruction, checks the fast
// decoder against it (see the relations in disasm.h).
#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "disasm/disasm.h"
#include "disasm/disasm_testing.h"
#include "gtest/gtest.h"

namespace
{

using disasm_testing::Describe;
using disasm_testing::FastVersusCapstone;
using disasm_testing::Hex;

struct Segment {
	uint64_t vaddr;
	std::vector<uint8_t> bytes;
};

// The PF_X PT_LOAD segments of an ELF64 file, read from disk.
std::vector<Segment> ExecutableSegments(const std::string &path)
{
	std::ifstream f(path, std::ios::binary);
	std::vector<uint8_t> file((std::istreambuf_iterator<char>(f)),
				  std::istreambuf_iterator<char>());
	std::vector<Segment> out;
	if (file.size() < sizeof(Elf64_Ehdr))
		return out;
	Elf64_Ehdr eh;
	std::memcpy(&eh, file.data(), sizeof(eh));
	if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
		return out;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		size_t off =
		    eh.e_phoff + static_cast<size_t>(i) * eh.e_phentsize;
		if (off + sizeof(ph) > file.size())
			break;
		std::memcpy(&ph, file.data() + off, sizeof(ph));
		if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X) ||
		    ph.p_offset + ph.p_filesz > file.size())
			continue;
		out.push_back({ph.p_vaddr,
			       std::vector<uint8_t>(file.begin() + ph.p_offset,
						    file.begin() + ph.p_offset +
							ph.p_filesz)});
	}
	return out;
}

struct Totals {
	std::map<std::string, size_t> declined; // by capstone mnemonic
	size_t insns = 0;
	size_t claimed = 0;
	size_t length_known = 0;
	size_t mismatches = 0;
	size_t length_mismatches = 0;
};

void Sweep(disasm_ctx *ctx, const std::string &path, Totals *t)
{
	std::vector<Segment> segs = ExecutableSegments(path);
	ASSERT_FALSE(segs.empty()) << path;
	size_t printed = 0;
	for (const Segment &s : segs) {
		const uint8_t *code = s.bytes.data();
		size_t size = s.bytes.size();
		for (size_t off = 0; off < size;) {
			disasm_insn cs, fast;
			uint64_t addr = s.vaddr + off;
			bool valid = disasm_decode(ctx, code + off, size - off,
						   addr, &cs);
			bool claimed = disasm_decode_fast(
			    code + off, size - off, addr, &fast);
			size_t flen =
			    disasm_length_fast(code + off, size - off);
			std::string why;
			if (valid) {
				t->insns++;
				if (claimed) {
					t->claimed++;
					why = FastVersusCapstone(fast, cs);
				} else {
					char text[160];
					disasm_format(ctx, code + off,
						      size - off, addr, text,
						      sizeof(text));
					std::string m(text);
					t->declined[m.substr(0, m.find(' '))]++;
				}
				if (flen != 0) {
					t->length_known++;
					if (flen != cs.length) {
						t->length_mismatches++;
						why += " length_fast=" +
						       std::to_string(flen);
					}
				}
			} else if (claimed) {
				why = "fast claims what capstone rejects";
			}
			if (!why.empty()) {
				t->mismatches++;
				if (printed++ < 8) {
					char text[160];
					disasm_format(ctx, code + off,
						      size - off, addr, text,
						      sizeof(text));
					size_t n =
					    size - off < 15 ? size - off : 15;
					ADD_FAILURE()
					    << path << "+0x" << std::hex << addr
					    << ": "
					    << Hex(code + off,
						   valid ? cs.length : n)
					    << "  " << text << "\n  " << why
					    << "\n  capstone " << Describe(cs)
					    << "\n  fast     "
					    << (claimed ? Describe(fast)
							: "declined");
				}
			}
			off += cs.length;
		}
	}
}

TEST(DisasmDiff, FastAgreesWithCapstoneOnSystemLibraries)
{
	alignas(16) static unsigned char arena[DISASM_ARENA_MIN];
	disasm_ctx *ctx = disasm_open(arena, sizeof(arena));
	ASSERT_NE(ctx, nullptr);
	const char *libs[] = {
	    "/lib/x86_64-linux-gnu/libc.so.6",
	    "/lib64/ld-linux-x86-64.so.2",
	    "/lib/x86_64-linux-gnu/libm.so.6",
	    "/lib/x86_64-linux-gnu/libpthread.so.0",
	    "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
	};
	Totals all;
	for (const char *lib : libs) {
		if (!std::ifstream(lib).good()) {
			std::printf("%-45s missing, skipped\n", lib);
			continue;
		}
		Totals t;
		Sweep(ctx, lib, &t);
		std::printf("%-45s %8zu insns, fast claims %6.2f%%, "
			    "length known %6.2f%%, %zu mismatches\n",
			    lib, t.insns, 100.0 * t.claimed / t.insns,
			    100.0 * t.length_known / t.insns, t.mismatches);
		std::vector<std::pair<size_t, std::string>> top;
		for (const auto &d : t.declined)
			top.push_back({d.second, d.first});
		std::sort(top.rbegin(), top.rend());
		std::printf("  most declined:");
		for (size_t i = 0; i < top.size() && i < 8; i++)
			std::printf(" %s %zu", top[i].second.c_str(),
				    top[i].first);
		std::printf("\n");
		all.insns += t.insns;
		all.claimed += t.claimed;
		all.length_known += t.length_known;
		all.mismatches += t.mismatches;
		all.length_mismatches += t.length_mismatches;
		// libc alone carries the start-up sweep: hold it to 99%.
		if (std::string(lib).find("libc.so") != std::string::npos) {
			EXPECT_GE(t.claimed * 100, t.insns * 99) << lib;
		}
	}
	std::printf("total: %zu insns, fast claims %.3f%%, mismatches %zu, "
		    "length mismatches %zu\n",
		    all.insns, 100.0 * all.claimed / all.insns, all.mismatches,
		    all.length_mismatches);
	EXPECT_GT(all.insns, 100000u);
	EXPECT_GE(all.claimed * 100, all.insns * 99);
	EXPECT_EQ(all.mismatches, 0u);
	EXPECT_EQ(all.length_mismatches, 0u);
	disasm_close(ctx);
}

} // namespace
