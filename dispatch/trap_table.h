/*
 * The trap-site table: which trapped `syscall` sites exist and where each
 * one continues. The SIGTRAP handler (trap.c) looks a faulting address up
 * here, so the lookup only reads memory: no allocation, no locks, no
 * syscalls; it is safe in a signal handler and against a table that another
 * thread replaces (tables are immutable once published, see trap.h).
 *
 * Pure: no OS calls, testable without a process to patch.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_TRAP_TABLE_H
#define SYSCALL_INTERCEPT_DISPATCH_TRAP_TABLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One trapped site: the address of its (overwritten) `syscall` and the
 * trampoline the handler sends the thread to. */
struct si_trap_entry {
	uint64_t site;
	uint64_t target;
};

/* The entry for `site` in e[0..n) sorted by site (binary search), or NULL. */
const struct si_trap_entry *si_trap_table_find(const struct si_trap_entry *e,
					       size_t n, uint64_t site);

/* Sorts e[0..n) by site, in place (insertion sort: n is a few sites per
 * object, and this runs at patch time). */
void si_trap_table_sort(struct si_trap_entry *e, size_t n);

/* Merges the sorted a[0..na) and b[0..nb) into out[0..cap), sorted. A site
 * in both keeps b's entry (the newer one). Returns the number of entries
 * written, or 0 if out is too small (cap < na + nb covers every case). */
size_t si_trap_table_merge(const struct si_trap_entry *a, size_t na,
			   const struct si_trap_entry *b, size_t nb,
			   struct si_trap_entry *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
