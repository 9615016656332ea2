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
	a->owned = false;
}

void *arena_alloc(struct arena *a, size_t size, size_t align)
{
	uintptr_t start = (uintptr_t)a->base + a->used;
	uintptr_t aligned = (start + (align - 1)) & ~(uintptr_t)(align - 1);
	size_t pad = (size_t)(aligned - start);
	if (a->base == 0 || pad > a->size - a->used ||
	    size > a->size - a->used - pad)
		return 0;
	a->used += pad + size;
	/* mmap'd memory starts zeroed, but reset arenas and buffers do not. */
	for (size_t i = 0; i < size; i++)
		((volatile uint8_t *)aligned)[i] = 0;
	return (void *)aligned;
}

void arena_reset(struct arena *a)
{
	a->used = 0;
}

void arena_release(struct arena *a)
{
	if (a->owned && a->base)
		raw_syscall2(SYS_munmap, (long)a->base, (long)a->size);
	a->base = 0;
	a->size = 0;
	a->used = 0;
	a->owned = false;
}
