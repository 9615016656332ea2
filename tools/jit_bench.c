/*
 * jit_bench: the cost of a syscall made by code no one patched (generated
 * at run time), against the same call through libc, in this process:
 * prints "jit NS libc NS", medians of 9 rounds of N calls (first argument,
 * default 20000). The second argument is the code's mapping: "rx" (the
 * default: read-only once written, which exhaustive mode patches lazily
 * at its first trap) or "rwx" (writable and executable, which it never
 * patches: every call traps). tools/jit_bench.sh runs it unhooked and in
 * exhaustive mode, with and without a hook answering the call, and prints
 * ratios.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tools/bench_stats.h"

int main(int argc, char **argv)
{
	/* mov $110, %eax (getppid); syscall; cmp $-4095, %rax; ret (the
	 * result check leaves room for a jump that begins at the syscall) */
	static const unsigned char code[] = {0xb8, 0x6e, 0x00, 0x00, 0x00,
					     0x0f, 0x05, 0x48, 0x3d, 0x01,
					     0xf0, 0xff, 0xff, 0xc3};
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
	int rwx = argc > 2 && strcmp(argv[2], "rwx") == 0;
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || n <= 0)
		return 1;
	memcpy(p, code, sizeof(code));
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC | (rwx ? PROT_WRITE : 0)) !=
	    0)
		return 1;
	long (*jit)(void) = (long (*)(void))p;
	enum { ROUNDS = 9 };
	double j[ROUNDS], l[ROUNDS];
	long sum = 0;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = bench_now_ns();
		for (long i = 0; i < n; i++)
			sum += jit();
		double t1 = bench_now_ns();
		for (long i = 0; i < n; i++)
			sum += getppid();
		double t2 = bench_now_ns();
		j[r] = (t1 - t0) / (double)n;
		l[r] = (t2 - t1) / (double)n;
	}
	printf("jit %.1f libc %.1f\n", bench_median(j, ROUNDS),
	       bench_median(l, ROUNDS));
	return sum == 0; /* keeps the calls */
}
