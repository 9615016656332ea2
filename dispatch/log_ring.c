/* The traced process's side of the log ring: see log_ring.h. */
#include "dispatch/log_ring_producer.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include "base/raw_syscall.h"
#include "dispatch/log_ring.h"

static struct si_ring_header *ring;
static int ring_fd = -1;
static int ring_dead; /* the consumer went away: write lines directly */

/* This thread's region (initial-exec TLS: no allocation, no lock). busy:
 * an append is under way, so a signal handler's line goes the slow way. */
struct thread_ring {
	struct si_ring_region *region;
	uint8_t *data;
	int busy;
	int failed; /* no region could be had: write directly */
	long pid;   /* the process the region was claimed in */
};
static __thread struct thread_ring tr
    __attribute__((tls_model("initial-exec")));

bool si_ring_active(void)
{
	return ring != NULL;
}

bool si_ring_open(const char *path)
{
	long fd = raw_syscall4(SYS_openat, AT_FDCWD, (long)path,
			       O_RDWR | O_CLOEXEC, 0);
	if (raw_is_error(fd))
		return false;
	long m = raw_syscall6(SYS_mmap, 0, SI_RING_PAGE, PROT_READ | PROT_WRITE,
			      MAP_SHARED, fd, 0);
	if (raw_is_error(m)) {
		raw_syscall1(SYS_close, fd);
		return false;
	}
	struct si_ring_header *h = (struct si_ring_header *)m;
	if (h->magic != SI_RING_MAGIC || h->region_size == 0 ||
	    h->region_size % SI_RING_PAGE != 0 || h->n_regions == 0) {
		raw_syscall2(SYS_munmap, m, SI_RING_PAGE);
		raw_syscall1(SYS_close, fd);
		return false;
	}
	ring_fd = (int)fd;
	__atomic_store_n(&ring, h, __ATOMIC_RELEASE);
	return true;
}

static bool claim_region(void)
{
	uint64_t i =
	    __atomic_fetch_add(&ring->next_region, 1, __ATOMIC_RELAXED);
	if (i >= ring->n_regions)
		return false;
	uint64_t stride = si_ring_stride(ring->region_size);
	long m = raw_syscall6(SYS_mmap, 0, (long)stride, PROT_READ | PROT_WRITE,
			      MAP_SHARED, ring_fd,
			      (long)(SI_RING_PAGE + i * stride));
	if (raw_is_error(m))
		return false;
	tr.region = (struct si_ring_region *)m;
	tr.data = (uint8_t *)m + SI_RING_PAGE;
	tr.region->pid = (uint64_t)raw_syscall0(SYS_gettid);
	return true;
}

/* Waits until `need` bytes are free in this thread's region. Returns false
 * if the consumer is gone. */
static bool wait_for_space(uint64_t head, uint64_t need)
{
	uint64_t size = ring->region_size;
	for (unsigned spins = 0;; spins++) {
		uint64_t tail =
		    __atomic_load_n(&tr.region->tail, __ATOMIC_ACQUIRE);
		if (head + need - tail <= size)
			return true;
		if (__atomic_load_n(&ring_dead, __ATOMIC_RELAXED))
			return false;
		if (spins % 64 == 63) {
			long pid = (long)__atomic_load_n(&ring->consumer_pid,
							 __ATOMIC_RELAXED);
			if (pid == 0 ||
			    raw_syscall2(SYS_kill, pid, 0) == -ESRCH) {
				__atomic_store_n(&ring_dead, 1,
						 __ATOMIC_RELAXED);
				return false;
			}
			struct timespec ts = {0, 200000}; /* 0.2 ms */
			raw_syscall2(SYS_nanosleep, (long)&ts, 0);
		} else {
			raw_syscall0(SYS_sched_yield);
		}
	}
}

bool si_ring_put(const char *line, size_t len, long pid)
{
	if (ring == NULL || __atomic_load_n(&ring_dead, __ATOMIC_RELAXED))
		return false;
	if (tr.pid != pid) {
		/* This thread's first line in this process: a forked child's
		 * copy of tr names its parent's region. */
		tr.region = NULL;
		tr.data = NULL;
		tr.busy = 0;
		tr.failed = 0;
		tr.pid = pid;
	}
	if (tr.busy || tr.failed)
		return false;
	uint64_t need = si_ring_record_size((uint32_t)len);
	if (len > UINT32_MAX || need > ring->region_size)
		return false;
	tr.busy = 1;
	bool ok = false;
	if (tr.region == NULL && !claim_region()) {
		tr.failed = 1;
		goto out;
	}
	uint64_t head = __atomic_load_n(&tr.region->head, __ATOMIC_RELAXED);
	if (!wait_for_space(head, need))
		goto out;
	struct si_ring_record rec = {
	    (uint32_t)len, 0,
	    __atomic_fetch_add(&ring->next_seq, 1, __ATOMIC_RELAXED)};
	si_ring_put_bytes(tr.data, ring->region_size, head, &rec, sizeof(rec));
	si_ring_put_bytes(tr.data, ring->region_size, head + sizeof(rec), line,
			  len);
	__atomic_store_n(&tr.region->head, head + need, __ATOMIC_RELEASE);
	ok = true;
out:
	tr.busy = 0;
	return ok;
}
