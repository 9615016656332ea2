/*
 * Internal: what capstone_x86_only.c adds to libcapstone.a so that a link
 * pulls in the X86 module only and never calls libc's qsort.
 */
#ifndef SYSCALL_INTERCEPT_DISASM_CAPSTONE_X86_ONLY_H
#define SYSCALL_INTERCEPT_DISASM_CAPSTONE_X86_ONLY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The allocation-free sort that replaces capstone's qsort calls (linked
 * with -Wl,--wrap=qsort). */
void __wrap_qsort(void *base, size_t nmemb, size_t size,
		  int (*compar)(const void *, const void *));

/* How many times capstone has sorted through __wrap_qsort (for tests). */
size_t disasm_qsort_calls(void);

#ifdef __cplusplus
}
#endif

#endif
