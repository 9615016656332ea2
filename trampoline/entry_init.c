/*
 * Sizing of the SI_SITE_SAVE_FULL area: cpuid leaf 0xd and XCR0, read once.
 */
#include "trampoline/entry_abi.h"

#include <cpuid.h>

/* 16 KiB holds every user state component of current CPUs (AMX tile data
 * included), and an all-ones mask asks XSAVE for whatever XCR0 enables. */
struct si_xsave_config si_xsave_config = {
    .area_size = 16384,
    .mask_lo = 0xffffffffu,
    .mask_hi = 0xffffffffu,
    .use_fxsave = 0,
    .initialized = 0,
};

static uint64_t read_xcr0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

void si_entry_init(void)
{
	unsigned int eax, ebx, ecx, edx;
	uint64_t xcr0;

	if (si_xsave_config.initialized)
		return;
	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE) ||
	    __get_cpuid_max(0, 0) < 0xd) {
		si_xsave_config.area_size = 512;
		si_xsave_config.mask_lo = 0;
		si_xsave_config.mask_hi = 0;
		si_xsave_config.use_fxsave = 1;
		si_xsave_config.initialized = 1;
		return;
	}
	xcr0 = read_xcr0();
	/* Leaf 0xd subleaf 0: ebx = size of the standard-format area for the
	 * components enabled in XCR0. */
	__cpuid_count(0xd, 0, eax, ebx, ecx, edx);
	si_xsave_config.area_size = (ebx + 63u) & ~(uint64_t)63u;
	si_xsave_config.mask_lo = (uint32_t)xcr0;
	si_xsave_config.mask_hi = (uint32_t)(xcr0 >> 32);
	si_xsave_config.use_fxsave = 0;
	si_xsave_config.initialized = 1;
}

/* Also run at load, so a FULL site never depends on patcher's call order. */
__attribute__((constructor)) static void si_entry_init_at_load(void)
{
	si_entry_init();
}
