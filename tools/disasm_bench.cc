// Time to sweep libc's .text with the capstone decoder vs the fast decoder,
// one run each, in ns per instruction.
//
//   bazel run //tools:disasm_bench [-- /path/to/elf]
#include <elf.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "disasm/disasm.h"

namespace
{

struct Text {
	uint64_t addr = 0;
	std::vector<uint8_t> bytes;
};

// The .text section of an ELF64 file on disk.
bool ReadText(const char *path, Text *out)
{
	std::ifstream f(path, std::ios::binary);
	std::vector<uint8_t> file((std::istreambuf_iterator<char>(f)),
				  std::istreambuf_iterator<char>());
	Elf64_Ehdr eh;
	if (file.size() < sizeof(eh))
		return false;
	std::memcpy(&eh, file.data(), sizeof(eh));
	if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shoff == 0)
		return false;
	auto shdr = [&](unsigned i) {
		Elf64_Shdr sh;
		std::memcpy(&sh, file.data() + eh.e_shoff + i * eh.e_shentsize,
			    sizeof(sh));
		return sh;
	};
	if (eh.e_shoff + static_cast<size_t>(eh.e_shnum) * eh.e_shentsize >
	    file.size())
		return false;
	Elf64_Shdr strtab = shdr(eh.e_shstrndx);
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh = shdr(i);
		if (strtab.sh_offset + sh.sh_name >= file.size())
			continue;
		const char *name = reinterpret_cast<const char *>(
		    file.data() + strtab.sh_offset + sh.sh_name);
		if (std::strcmp(name, ".text") == 0 &&
		    sh.sh_offset + sh.sh_size <= file.size()) {
			out->addr = sh.sh_addr;
			out->bytes.assign(file.begin() + sh.sh_offset,
					  file.begin() + sh.sh_offset +
					      sh.sh_size);
			return true;
		}
	}
	return false;
}

double Now()
{
	return std::chrono::duration<double, std::nano>(
		   std::chrono::steady_clock::now().time_since_epoch())
	    .count();
}

} // namespace

int main(int argc, char **argv)
{
	const char *path =
	    argc > 1 ? argv[1] : "/lib/x86_64-linux-gnu/libc.so.6";
	Text text;
	if (!ReadText(path, &text)) {
		std::fprintf(stderr, "disasm_bench: no .text in %s\n", path);
		return 1;
	}
	alignas(16) static unsigned char arena[DISASM_ARENA_MIN];
	disasm_ctx *ctx = disasm_open(arena, sizeof(arena));
	if (ctx == nullptr) {
		std::fprintf(stderr, "disasm_bench: cannot open capstone\n");
		return 1;
	}
	const uint8_t *code = text.bytes.data();
	const size_t size = text.bytes.size();
	disasm_insn in;
	unsigned long sink = 0;

	// 1. capstone: a linear sweep, which also fixes the instruction
	// boundaries the other sweeps visit.
	std::vector<uint32_t> offsets;
	offsets.reserve(size / 3);
	double t0 = Now();
	for (size_t off = 0; off < size;) {
		disasm_decode(ctx, code + off, size - off, text.addr + off,
			      &in);
		offsets.push_back(static_cast<uint32_t>(off));
		sink += in.kind;
		off += in.length;
	}
	double cs_ns = Now() - t0;
	const size_t n = offsets.size();

	// 2. the fast decoder alone, at the same boundaries.
	size_t claimed = 0;
	t0 = Now();
	for (uint32_t off : offsets) {
		if (disasm_decode_fast(code + off, size - off, text.addr + off,
				       &in)) {
			claimed++;
			sink += in.kind;
		}
	}
	double fast_ns = Now() - t0;

	// 3. the fast decoder sweeping on its own, by its lengths.
	size_t swept = 0;
	t0 = Now();
	for (size_t off = 0; off < size; swept++) {
		size_t len = disasm_length_fast(code + off, size - off);
		off += len != 0 ? len : 1;
	}
	double len_ns = Now() - t0;

	// 4. disasm_analyze: fast first, capstone when declined.
	t0 = Now();
	for (uint32_t off : offsets) {
		disasm_analyze(ctx, code + off, size - off, text.addr + off,
			       &in);
		sink += in.kind;
	}
	double an_ns = Now() - t0;

	std::printf("%s .text: %zu bytes, %zu instructions\n", path, size, n);
	std::printf("capstone (disasm_decode):     %8.1f ns/insn  %7.2f ms\n",
		    cs_ns / n, cs_ns / 1e6);
	std::printf("fast (disasm_decode_fast):    %8.2f ns/insn  %7.2f ms  "
		    "claims %.3f%%\n",
		    fast_ns / n, fast_ns / 1e6, 100.0 * claimed / n);
	std::printf("fast lengths only (own sweep):%8.2f ns/insn  %7.2f ms\n",
		    len_ns / swept, len_ns / 1e6);
	std::printf("disasm_analyze (fast+capstone):%7.2f ns/insn  %7.2f ms\n",
		    an_ns / n, an_ns / 1e6);
	std::printf("capstone / fast: %.1fx; capstone / analyze: %.1fx\n",
		    cs_ns / fast_ns, cs_ns / an_ns);
	disasm_close(ctx);
	return sink == 0 ? 1 : 0;
}
