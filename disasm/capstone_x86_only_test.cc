// The link holds capstone's X86 module only: every other architecture's
// entry points are the stubs of capstone_x86_only.c.
#include <cstdlib>

#include "disasm/capstone_wrapper.h"
#include "disasm/capstone_x86_only.h"
#include "gtest/gtest.h"

namespace
{

TEST(CapstoneX86Only, OtherArchitecturesDoNotOpen)
{
	const cs_arch others[] = {
	    CS_ARCH_ARM,	CS_ARCH_ARM64, CS_ARCH_MIPS,  CS_ARCH_PPC,
	    CS_ARCH_SPARC,	CS_ARCH_SYSZ,  CS_ARCH_XCORE, CS_ARCH_M68K,
	    CS_ARCH_TMS320C64X, CS_ARCH_M680X, CS_ARCH_EVM};
	for (cs_arch arch : others) {
		csh h = 0;
		EXPECT_NE(cs_open(arch, CS_MODE_LITTLE_ENDIAN, &h), CS_ERR_OK)
		    << "arch " << arch;
	}
}

TEST(CapstoneX86Only, X86Works)
{
	csh h = 0;
	ASSERT_EQ(cs_open(CS_ARCH_X86, CS_MODE_64, &h), CS_ERR_OK);
	cs_insn *insn = nullptr;
	const uint8_t code[] = {0x0f, 0x05}; // syscall
	ASSERT_EQ(cs_disasm(h, code, sizeof(code), 0x1000, 0, &insn), 1u);
	EXPECT_EQ(insn[0].id, X86_INS_SYSCALL);
	cs_free(insn, 1);
	cs_close(&h);
}

int Descending(const void *a, const void *b)
{
	int x = *static_cast<const int *>(a), y = *static_cast<const int *>(b);
	return (x < y) - (x > y);
}

TEST(CapstoneX86Only, WrappedQsortSorts)
{
	int v[100];
	for (int i = 0; i < 100; i++)
		v[i] = (i * 37) % 100;
	size_t calls = disasm_qsort_calls();
	__wrap_qsort(v, 100, sizeof(int), Descending);
	EXPECT_EQ(disasm_qsort_calls(), calls + 1);
	for (int i = 0; i < 100; i++)
		EXPECT_EQ(v[i], 99 - i);
	__wrap_qsort(v, 0, sizeof(int), Descending);
	__wrap_qsort(v, 1, sizeof(int), Descending);
}

} // namespace
