/*
 * A bump allocator over memory mapped with a raw mmap: the patching path
 * allocates from it, never from malloc.
 */
#ifndef SYSCALL_INTERCEPT_BASE_ARENA_H
#define SYSCALL_INTERCEPT_BASE_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct arena {
	uint8_t *base;
	size_t size;
	size_t used;
	size_t dirty; /* bytes below this may hold old data; above, mmap's
			 zeroes (so most allocations need no clearing) */
	bool owned;   /* mapped by arena_init_mmap, unmapped by arena_release */
};

/* Maps `size` bytes (rounded up to pages) of private anonymous memory.
 * Returns 0, or -errno from mmap. */
int arena_init_mmap(struct arena *a, size_t size);

/* Uses caller-provided memory (for tests and small fixed budgets). */
void arena_init_buffer(struct arena *a, void *buf, size_t size);

/* Returns `size` bytes aligned to `align` (a power of two), zeroed, or NULL
 * when the arena is exhausted. */
void *arena_alloc(struct arena *a, size_t size, size_t align);

/* As arena_alloc, but the memory is not cleared: for arrays the caller
 * fills completely before reading. */
void *arena_alloc_uninit(struct arena *a, size_t size, size_t align);

/* Maps in the pages of [p, p + size), memory from this arena about to be
 * filled, with one madvise(MADV_POPULATE_WRITE) instead of a page fault per
 * 4 KiB (a fault costs microseconds in a virtual machine). Best effort:
 * kernels before 5.14 refuse it, and the pages then fault in as used. */
void arena_prefault(void *p, size_t size);

/* The current fill level, to give back later with arena_rewind. */
size_t arena_mark(const struct arena *a);

/* Frees everything allocated since `mark` (keeping track of what memory
 * later allocations must clear). */
void arena_rewind(struct arena *a, size_t mark);

/* Forgets every allocation, keeping the memory. */
void arena_reset(struct arena *a);

/* Unmaps memory mapped by arena_init_mmap; no-op for buffers. */
void arena_release(struct arena *a);

#ifdef __cplusplus
}
#endif

#endif
