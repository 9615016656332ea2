/*
 * Test support: hand-built per-site trampolines, written the way patcher's
 * code writer lays them out (entry_abi.h), in their own page that is mapped
 * RW, filled, then made RX. testonly.
 */
#ifndef SYSCALL_INTERCEPT_TRAMPOLINE_TESTING_TEST_TRAMP_H
#define SYSCALL_INTERCEPT_TRAMPOLINE_TESTING_TEST_TRAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trampoline/entry_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

struct test_tramp_options {
	uint32_t site_flags;   /* SI_SITE_SAVE_* */
	uint32_t site_index;   /* copied to si_site.index */
	bool preserve_flags;   /* enter si_entry_flags instead of si_entry */
	bool force_indirect;   /* jmp *slot(%rip) even if rel32 reaches */
	const void *resume_to; /* where resume_N jumps (back_into_libc) */
	uint64_t orig_addr;    /* si_site.orig_addr */
};

struct test_tramp {
	void *page;		    /* the mapping (RX once built) */
	size_t page_size;	    /* its length */
	void *entry;		    /* tramp_N: jump here instead of syscall */
	void *sys;		    /* sys_N */
	const struct si_site *site; /* desc_N, inside the page */
	bool used_rel32;	    /* entered the stub with jmp rel32 */
};

/* Builds one trampoline:
 *   tramp_N:  4c 8d 1d rel32        lea desc_N(%rip), %r11
 *             e9 rel32              jmp si_entry[_flags]   (or)
 *             ff 25 rel32           jmp *entry_slot(%rip)
 *   sys_N:    0f 05                 syscall
 *   resume_N: ff 25 rel32           jmp *resume_slot(%rip)
 * Returns 0, or -errno from mmap/mprotect. */
int test_tramp_build(struct test_tramp *t,
		     const struct test_tramp_options *opts);

/* Unmaps the page. */
void test_tramp_free(struct test_tramp *t);

#ifdef __cplusplus
}
#endif

#endif
