/*
 * prog_vector: runs each function of vec_fixture.S (linked as a shared
 * object) once and prints one line per case:
 *   sse|avx|avx_nofde <syscall result> <bytes that changed across the call>
 *   flags_pushf|flags_branch <in flags> <result> <flags read after>
 * (flags in hex, masked to CF PF AF ZF SF DF OF) or "avx skipped" without
 * AVX. Exit status 0. The test decides what the numbers must be.
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

long si_fix_sse(const void *in, void *out);
long si_fix_avx(const void *in, void *out);
long si_fix_avx_nofde(const void *in, void *out);
void si_fix_flags_pushf(unsigned long flags, unsigned long out[2]);
void si_fix_flags_branch(unsigned long flags, unsigned long out[2]);

/* The status flags and DF: CF PF AF ZF SF DF OF. */
#define FLAGS_MASK 0xcd5ul
/* What si_fix_flags_branch can see: CF ZF SF OF. */
#define BRANCH_MASK 0x8c1ul

static int have_avx(void)
{
	unsigned a, b, c, d;
	uint32_t lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) ||
	    !(c & bit_AVX))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 0x6) == 0x6;
}

/* Distinct, non-trivial bytes: no register holds all-ones or zeros. */
static void fill(uint8_t *p, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)((x >> 16) | 1);
	}
}

static size_t changed(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += a[i] != b[i];
	return c;
}

typedef long (*vec_fn)(const void *, void *);

static void run_vec(const char *name, vec_fn fn, size_t bytes)
{
	uint8_t in[512], out[512];
	long r;

	fill(in, sizeof(in), (unsigned)bytes);
	memset(out, 0, sizeof(out));
	r = fn(in, out);
	printf("%s %ld %zu\n", name, r, changed(in, out, bytes));
}

static void run_flags(const char *name,
		      void (*fn)(unsigned long, unsigned long[2]),
		      unsigned long flags, unsigned long mask)
{
	unsigned long out[2] = {0, 0};

	/* Bit 1 is always set; IF (0x200) is kept as it is. */
	fn(flags | 0x202, out);
	printf("%s %#lx %ld %#lx\n", name, flags & mask, (long)out[0],
	       out[1] & mask);
}

int main(void)
{
	static const unsigned long inputs[] = {
	    0x0,   /* all clear */
	    0x8d5, /* CF PF AF ZF SF OF */
	    0xcd5, /* and DF */
	    0x400, /* DF alone */
	    0x081, /* CF SF */
	};

	run_vec("sse", si_fix_sse, 256);
	if (have_avx()) {
		run_vec("avx", si_fix_avx, 512);
		run_vec("avx_nofde", si_fix_avx_nofde, 512);
	} else {
		printf("avx skipped\n");
	}
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		run_flags("flags_pushf", si_fix_flags_pushf, inputs[i],
			  FLAGS_MASK);
		run_flags("flags_branch", si_fix_flags_branch, inputs[i],
			  BRANCH_MASK);
	}
	return 0;
}
