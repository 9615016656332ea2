/*
 * prog_raw: one raw `syscall` instruction in the program itself, the test
 * hook's marker call (getppid with SI_REC_MARK_ARG0). Prints "hooked" if
 * the hook answered it (SI_REC_MARK_RESULT), else "kernel". Built as a PIE
 * and as a position-dependent executable.
 */
#include <stdio.h>
#include <sys/syscall.h>

#include "record_abi.h"

int main(void)
{
	long r;
	register long a0 __asm__("rdi") = SI_REC_MARK_ARG0;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"((long)SYS_getppid), "r"(a0)
			 : "rcx", "r11", "memory");
	puts(r == SI_REC_MARK_RESULT ? "hooked" : "kernel");
	return 0;
}
