/*
 * Keeps every architecture but X86 out of the link.
 *
 * capstone's cs.o holds a table of <Arch>_global_init / <Arch>_option for
 * each architecture it was built with, so linking cs.o from libcapstone.a
 * drags in all of them (6.7 MB of code, 77k relocations). Defining those
 * symbols here, in an object the linker sees before libcapstone.a, satisfies
 * the references: the archive members of the other architectures are never
 * extracted and cs_open() of any of them fails with CS_ERR_ARCH.
 *
 * capstone's X86 module also sorts a register table with libc's qsort on
 * first use, which may call malloc; the link wraps qsort with an
 * allocation-free sort (see BUILD.bazel).
 */
#include "disasm/capstone_wrapper.h"
#include "disasm/capstone_x86_only.h"

#define DISASM_NO_ARCH(arch)                                                   \
	cs_err arch##_global_init(struct cs_struct *ud);                       \
	cs_err arch##_option(struct cs_struct *ud, cs_opt_type type,           \
			     size_t value);                                    \
	cs_err arch##_global_init(struct cs_struct *ud)                        \
	{                                                                      \
		(void)ud;                                                      \
		return CS_ERR_ARCH;                                            \
	}                                                                      \
	cs_err arch##_option(struct cs_struct *ud, cs_opt_type type,           \
			     size_t value)                                     \
	{                                                                      \
		(void)ud;                                                      \
		(void)type;                                                    \
		(void)value;                                                   \
		return CS_ERR_ARCH;                                            \
	}

DISASM_NO_ARCH(AArch64)
DISASM_NO_ARCH(ARM)
DISASM_NO_ARCH(EVM)
DISASM_NO_ARCH(M680X)
DISASM_NO_ARCH(M68K)
DISASM_NO_ARCH(Mips)
DISASM_NO_ARCH(PPC)
DISASM_NO_ARCH(Sparc)
DISASM_NO_ARCH(SystemZ)
DISASM_NO_ARCH(TMS320C64x)
DISASM_NO_ARCH(XCore)

static size_t qsort_calls;

size_t disasm_qsort_calls(void)
{
	return __atomic_load_n(&qsort_calls, __ATOMIC_RELAXED);
}

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		unsigned char t = a[i];
		a[i] = b[i];
		b[i] = t;
	}
}

static void sift_down(unsigned char *base, size_t root, size_t n, size_t size,
		      int (*compar)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n &&
		    compar(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (compar(base + root * size, base + child * size) >= 0)
			return;
		swap_bytes(base + root * size, base + child * size, size);
		root = child;
	}
}

/* Heapsort: in place, no allocation, no recursion. */
void __wrap_qsort(void *base, size_t nmemb, size_t size,
		  int (*compar)(const void *, const void *))
{
	unsigned char *b = base;
	__atomic_add_fetch(&qsort_calls, 1, __ATOMIC_RELAXED);
	if (nmemb < 2 || size == 0)
		return;
	for (size_t i = nmemb / 2; i-- > 0;)
		sift_down(b, i, nmemb, size, compar);
	for (size_t end = nmemb - 1; end > 0; end--) {
		swap_bytes(b, b + end * size, size);
		sift_down(b, 0, end, size, compar);
	}
}
