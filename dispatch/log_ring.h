/*
 * The log ring: how sitrace collects INTERCEPT_LOG lines without the traced
 * program writing a file. sitrace (the consumer) creates a file in /dev/shm
 * and names it in INTERCEPT_LOG_RING; each process image of the traced
 * program maps it (MAP_SHARED) and each of its threads claims a region of
 * its own on its first line, never reused. A thread appends records to its
 * region (a single-producer ring) and publishes them by advancing `head`;
 * sitrace copies them out, merging regions by each record's sequence number
 * (taken from one counter when the line is written), writes them to the
 * output and advances `tail`, which frees the space. A line is in shared
 * memory as soon as the call that made it returns to the library, so it
 * survives whatever happens to the process next: exit, exec, a fatal signal,
 * even SIGKILL.
 *
 * A producer falls back to writing the line itself (INTERCEPT_LOG, opened
 * O_APPEND) when it cannot use the ring: no region left, a line larger than
 * a region, a line written by a signal handler that interrupted the same
 * thread's append, or a consumer that went away while the region was full.
 *
 * Layout (all little-endian, offsets in bytes):
 *   0                      struct si_ring_header (one page)
 *   SI_RING_PAGE + i*stride region i: struct si_ring_region (one page), then
 *                          region_size bytes of data; stride = SI_RING_PAGE +
 *                          region_size
 * Record, at head % region_size (wrapping around the data): struct
 * si_ring_record, then `len` bytes of line (newline included), padded to 8.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_LOG_RING_H
#define SYSCALL_INTERCEPT_DISPATCH_LOG_RING_H

#include <stdint.h>
#include <string.h>

#define SI_RING_MAGIC 0x31474e4952494953ull /* "SIIRING1" */
#define SI_RING_PAGE  4096u

struct si_ring_header {
	uint64_t magic;
	uint64_t region_size;  /* a multiple of SI_RING_PAGE */
	uint64_t n_regions;    /* regions in the file */
	uint64_t next_region;  /* atomic: regions claimed so far */
	uint64_t next_seq;     /* atomic: lines numbered so far */
	uint64_t consumer_pid; /* sitrace; 0 once it stopped reading */
};

struct si_ring_region {
	uint64_t head; /* bytes published by the producer (release) */
	uint64_t tail; /* bytes consumed by sitrace (release) */
	uint64_t pid;  /* the thread that claimed it (for diagnostics) */
};

struct si_ring_record {
	uint32_t len; /* bytes of line that follow */
	uint32_t reserved;
	uint64_t seq;
};

static inline uint64_t si_ring_stride(uint64_t region_size)
{
	return SI_RING_PAGE + region_size;
}

static inline uint64_t si_ring_record_size(uint32_t len)
{
	return sizeof(struct si_ring_record) + (((uint64_t)len + 7) & ~7ull);
}

/* Copies n bytes into / out of a ring of `size` bytes at position pos. */
static inline void si_ring_put_bytes(uint8_t *data, uint64_t size, uint64_t pos,
				     const void *src, uint64_t n)
{
	uint64_t at = pos % size, first = size - at < n ? size - at : n;
	memcpy(data + at, src, first);
	memcpy(data, (const uint8_t *)src + first, n - first);
}

static inline void si_ring_get_bytes(const uint8_t *data, uint64_t size,
				     uint64_t pos, void *dst, uint64_t n)
{
	uint64_t at = pos % size, first = size - at < n ? size - at : n;
	memcpy(dst, data + at, first);
	memcpy((uint8_t *)dst + first, data, n - first);
}

#endif
