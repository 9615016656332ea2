#include "base/arena.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#include "base/raw_syscall.h"

#define PAGE_SIZE_BYTES 4096UL

int arena_init_mmap(struct arena *a, size_t size)
{
	size_t len = (size + PAGE_SIZE_BYTES - 1) & ~(PAGE_SIZE_BYTES - 1);
	long p = raw_syscall6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a->base = 0;
	a->size = 0;
	a->used = 0;
	a->dirty = 0;
	a->owned = false;
	if (raw_is_error(p))
		return (int)p;
	a->base = (uint8_t *)p;
	a->size = len;
	a->owned = true;
	return 0;
}

void arena_init_buffer(struct arena *a, void *buf, size_t size)
{
	a->base = (uint8_t *)buf;
	a->size = size;
	a->used = 0;
	a->dirty = size; /* a caller's buffer may hold anything */
	a->owned = false;
}

void *arena_alloc_uninit(struct arena *a, size_t size, size_t align)
{
	uintptr_t start = (uintptr_t)a->base + a->used;
	uintptr_t aligned = (start + (align - 1)) & ~(uintptr_t)(align - 1);
	size_t pad = (size_t)(aligned - start);
	if (a->base == 0 || pad > a->size - a->used ||
	    size > a->size - a->used - pad)
		return 0;
	a->used += pad + size;
	return (void *)aligned;
}

void *arena_alloc(struct arena *a, size_t size, size_t align)
{
	void *mem = arena_alloc_uninit(a, size, align);
	if (!mem)
		return 0;
	uintptr_t aligned = (uintptr_t)mem;
	/* mmap'd memory starts zeroed; only memory handed out before a reset
	 * (or a caller's buffer) needs clearing. Word stores where aligned;
	 * volatile so the compiler cannot turn this into a memset call. */
	size_t off = (size_t)(aligned - (uintptr_t)a->base);
	size_t clear = off >= a->dirty	       ? 0
		       : size < a->dirty - off ? size
					       : a->dirty - off;
	volatile uint8_t *p = (volatile uint8_t *)aligned;
	size_t i = 0;
	for (; i < clear && ((uintptr_t)(p + i) & 7); i++)
		p[i] = 0;
	for (; i + 8 <= clear; i += 8)
		*(volatile uint64_t *)(p + i) = 0;
	for (; i < clear; i++)
		p[i] = 0;
	return (void *)aligned;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

void arena_prefault(void *p, size_t size)
{
	uintptr_t start = (uintptr_t)p & ~(uintptr_t)(PAGE_SIZE_BYTES - 1);
	uintptr_t end = ((uintptr_t)p + size + PAGE_SIZE_BYTES - 1) &
			~(uintptr_t)(PAGE_SIZE_BYTES - 1);
	if (size)
		(void)raw_syscall3(SYS_madvise, (long)start,
				   (long)(end - start), MADV_POPULATE_WRITE);
}

size_t arena_mark(const struct arena *a)
{
	return a->used;
}

void arena_rewind(struct arena *a, size_t mark)
{
	if (a->used > a->dirty)
		a->dirty = a->used;
	if (mark < a->used)
		a->used = mark;
}

void arena_reset(struct arena *a)
{
	if (a->used > a->dirty)
		a->dirty = a->used;
	a->used = 0;
}

void arena_release(struct arena *a)
{
	if (a->owned && a->base)
		raw_syscall2(SYS_munmap, (long)a->base, (long)a->size);
	a->base = 0;
	a->size = 0;
	a->used = 0;
	a->dirty = 0;
	a->owned = false;
}
