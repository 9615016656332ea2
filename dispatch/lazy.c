/* Lazy patching of trapped sites: see lazy.h. */
#include "dispatch/lazy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "base/arena.h"
#include "base/raw_syscall.h"
#include "disasm/disasm.h"
#include "dispatch/mm_pid.h"
#include "dispatch/signals.h"
#include "dispatch/text.h"
#include "patcher/locator.h"
#include "patcher/object_input.h"
#include "patcher/planner.h"
#include "patcher/sites.h"
#include "patcher/writer.h"
#include "trampoline/entry_abi.h"

#define LAZY_SLOTS	 1024 /* sites remembered */
#define LAZY_AFTER	 2    /* the trap that first tries a patch */
#define LAZY_MAX_PATCHED 512
#define LAZY_WINDOW	 (64u << 10) /* bytes decoded on each side */
#define PAGE		 ((uint64_t)4096)

enum lazy_state { L_COUNTING = 0, L_PATCHED, L_REFUSED };

/* Why a site is not patched (or 0: it is). */
enum lazy_why {
	LZ_OK = 0,
	/* Transient: tried again later. */
	LZ_THREADS,
	LZ_IN_HANDLER,
	LZ_NO_MEMORY,
	/* For good. */
	LZ_MAPPING,
	LZ_NOT_FOUND,
	LZ_PLAN,
	LZ_WRITE,
	LZ_FULL,
};

struct lazy_site {
	uint64_t addr; /* 0: free slot */
	uint64_t entry;
	uint32_t traps;
	uint32_t next_try;
	uint32_t state;
};

static struct lazy_site table[LAZY_SLOTS];
static int busy;	 /* one thread patches at a time */
static unsigned patched; /* under busy */
static int dump;

void si_lazy_set_dump(int on)
{
	dump = on;
}

/* The slot of `site`, claimed if new; NULL when the table is full. */
static struct lazy_site *slot_of(uint64_t site)
{
	size_t h = (size_t)((site * 0x9e3779b97f4a7c15ull) >> 54);
	for (size_t k = 0; k < LAZY_SLOTS; k++) {
		struct lazy_site *e = &table[(h + k) % LAZY_SLOTS];
		uint64_t a = __atomic_load_n(&e->addr, __ATOMIC_ACQUIRE);
		if (a == 0) {
			uint64_t zero = 0;
			if (__atomic_compare_exchange_n(&e->addr, &zero, site,
							false, __ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE))
				return e;
			a = zero; /* another thread claimed it */
		}
		if (a == site)
			return e;
	}
	return 0;
}

/* ---- /proc --------------------------------------------------------------- */

/* Reads a /proc file whole into the arena (NUL-terminated); NULL if it
 * cannot (or is larger than `cap`). */
static char *read_proc(const char *path, struct arena *a, size_t cap)
{
	char *buf = (char *)arena_alloc_uninit(a, cap, 1);
	if (!buf)
		return 0;
	long fd = raw_syscall4(SYS_openat, AT_FDCWD, (long)path,
			       O_RDONLY | O_CLOEXEC, 0);
	if (raw_is_error(fd))
		return 0;
	size_t len = 0;
	long n;
	while ((n = raw_syscall3(SYS_read, fd, (long)(buf + len),
				 (long)(cap - 1 - len))) > 0)
		len += (size_t)n;
	raw_syscall1(SYS_close, fd);
	if (n < 0 || len >= cap - 1)
		return 0;
	buf[len] = 0;
	return buf;
}

static uint64_t parse_hex(const char **p)
{
	uint64_t v = 0;
	for (;; (*p)++) {
		char c = **p;
		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			return v;
	}
}

/* The number after "Threads:" in /proc/self/status, or -1. */
static long thread_count(struct arena *a)
{
	size_t mark = arena_mark(a);
	const char *s = read_proc("/proc/self/status", a, 16384);
	long n = -1;
	for (const char *p = s; p && *p; p++) {
		if (p != s && p[-1] != '\n')
			continue;
		const char *k = "Threads:";
		size_t i = 0;
		while (k[i] && p[i] == k[i])
			i++;
		if (k[i])
			continue;
		p += i;
		while (*p == ' ' || *p == '\t')
			p++;
		n = 0;
		while (*p >= '0' && *p <= '9')
			n = n * 10 + (*p++ - '0');
		break;
	}
	arena_rewind(a, mark);
	return n;
}

struct mapping {
	uint64_t start, end, offset;
	char perms[4];
	const char *path; /* "" for anonymous memory; in the arena */
};

/* The line of /proc/self/maps whose range holds `addr`. */
static bool mapping_of(uint64_t addr, struct arena *a, struct mapping *m)
{
	char *s = read_proc("/proc/self/maps", a, 8u << 20);
	for (char *p = s; p && *p;) {
		char *eol = p;
		while (*eol && *eol != '\n')
			eol++;
		const char *q = p;
		m->start = parse_hex(&q);
		q += *q == '-';
		m->end = parse_hex(&q);
		if (addr >= m->start && addr < m->end && *q == ' ') {
			q++;
			for (int i = 0; i < 4; i++)
				m->perms[i] = *q ? *q++ : '-';
			while (*q == ' ')
				q++;
			m->offset = parse_hex(&q);
			/* dev, inode, then the path (may be empty) */
			for (int field = 0; field < 2; field++) {
				while (*q == ' ')
					q++;
				while (*q && *q != ' ' && *q != '\n')
					q++;
			}
			while (*q == ' ')
				q++;
			*eol = 0;
			m->path = q;
			return true;
		}
		p = *eol ? eol + 1 : eol;
	}
	return false;
}

/* ---- patching ------------------------------------------------------------ */

/* Plans and writes `site`, in mapping *m. Returns LZ_OK with *entry set, or
 * why not. */
static int patch_in(uint64_t site, const struct mapping *m, struct arena *a,
		    uint64_t *entry)
{
	/* The bytes analyzed: a copy (a file mapping may end past its file,
	 * where reading would fault; the copy just stops there). */
	uint64_t lo =
	    site > LAZY_WINDOW ? (site - LAZY_WINDOW) & ~(PAGE - 1) : 0;
	uint64_t hi = (site + 2 + LAZY_WINDOW + PAGE - 1u) & ~(PAGE - 1);
	if (lo < m->start)
		lo = m->start;
	if (hi > m->end)
		hi = m->end;
	uint8_t *copy = (uint8_t *)arena_alloc_uninit(a, hi - lo, 16);
	if (!copy)
		return LZ_NO_MEMORY;
	struct iovec here = {copy, hi - lo};
	struct iovec there = {(void *)(uintptr_t)lo, hi - lo};
	long n = raw_syscall6(SYS_process_vm_readv, raw_syscall0(SYS_getpid),
			      (long)&here, 1, (long)&there, 1, 0);
	if (n <= 0 || lo + (uint64_t)n < site + 2) {
		/* process_vm_readv refused (seccomp, say): the pages around
		 * the site are the ones it just ran, read them directly. */
		lo = (site & ~(PAGE - 1)) > m->start ? site & ~(PAGE - 1)
						     : m->start;
		n = (long)(hi - lo < PAGE ? hi - lo : PAGE);
		if (site + 2 > lo + (uint64_t)n)
			return LZ_NOT_FOUND;
		__builtin_memcpy(copy, (const void *)(uintptr_t)lo, (size_t)n);
	}
	struct locator_segment seg = {
	    .start = lo,
	    .end = lo + (uint64_t)n,
	    .file_offset = m->offset + (lo - m->start),
	    .prot = PROT_READ | PROT_EXEC,
	    .bytes = copy,
	    .bytes_len = (size_t)n,
	};
	struct locator_object obj;
	__builtin_memset(&obj, 0, sizeof(obj));
	obj.path = m->path;
	obj.exec_segments = &seg;
	obj.exec_segment_count = 1;

	void *cs_mem = arena_alloc(a, DISASM_ARENA_MIN * 4, 16);
	struct disasm_ctx *cs =
	    cs_mem ? disasm_open_lazy(cs_mem, DISASM_ARENA_MIN * 4) : 0;
	if (!cs)
		return LZ_NO_MEMORY;
	struct sites_input in;
	struct sites_result sites;
	struct plan_result plan;
	int why = LZ_NOT_FOUND;
	if (object_sites_input(&obj, a, &in) != 0 ||
	    sites_find(&in, cs, a, &sites) != 0 ||
	    planner_plan(&obj, &sites, cs, a, &plan) != 0) {
		why = LZ_NO_MEMORY;
		goto out;
	}
	struct plan_site *p = 0;
	for (size_t i = 0; i < plan.n_sites; i++)
		if (plan.sites[i].site->address == site)
			p = &plan.sites[i];
	if (!p)
		goto out; /* the decoding never met this syscall */
	why = LZ_PLAN;
	if (p->kind != PLAN_INLINE)
		goto out;
	/* Only this site: the others have not been seen to run. */
	struct plan_result one = {p, 1, 1, 0, 0};
	struct writer_config cfg = {
	    .entry = (uint64_t)(uintptr_t)&si_entry,
	    .entry_flags = (uint64_t)(uintptr_t)&si_entry_flags,
	    .object = 0,
	    .mmap_min_addr = 0,
	    .trap_fallbacks = false,
	};
	struct writer_trampolines tr;
	why = LZ_WRITE;
	if (writer_build(&obj, &one, &cfg, a, &tr) != WRITER_OK ||
	    tr.n_built != 1)
		goto out;
	if (writer_patch(&obj, &one, &tr, a) != WRITER_OK) {
		writer_release(&tr); /* nothing jumps there */
		goto out;
	}
	*entry = tr.at_syscall[0];
	why = LZ_OK;
out:
	disasm_close(cs);
	return why;
}

static int try_patch(uint64_t site, uint64_t *entry)
{
	if (patched >= LAZY_MAX_PATCHED)
		return LZ_FULL;
	if (si_signals_in_app_handler())
		return LZ_IN_HANDLER;
	if (!si_mm_is_own())
		return LZ_THREADS; /* a vfork child: its parent's threads run */
	struct arena a;
	if (arena_init_mmap(&a, 32u << 20) != 0)
		return LZ_NO_MEMORY;
	int why;
	struct mapping m;
	long threads = thread_count(&a);
	if (threads != 1)
		why = threads < 0 ? LZ_NO_MEMORY : LZ_THREADS;
	else if (!mapping_of(site, &a, &m))
		why = LZ_NO_MEMORY;
	else if (m.perms[0] != 'r' || m.perms[1] != '-' || m.perms[2] != 'x' ||
		 m.perms[3] != 'p' || m.path[0] == '[')
		why = LZ_MAPPING;
	else
		why = patch_in(site, &m, &a, entry);
	arena_release(&a);
	if (why == LZ_OK)
		patched++;
	return why;
}

static void say(uint64_t site, int why)
{
	static const char *const text[] = {
	    [LZ_OK] = "patched",
	    [LZ_THREADS] = "not patched yet: other threads run",
	    [LZ_IN_HANDLER] = "not patched yet: in a signal handler",
	    [LZ_NO_MEMORY] = "not patched yet: no working memory",
	    [LZ_MAPPING] = "not patched: not a private read-only "
			   "executable mapping",
	    [LZ_NOT_FOUND] = "not patched: not found by decoding",
	    [LZ_PLAN] = "not patched: no room for a jump",
	    [LZ_WRITE] = "not patched: the code could not be written",
	    [LZ_FULL] = "not patched: too many sites patched lazily",
	};
	char buf[256];
	struct text t = TEXT_ON(buf);
	text_str(&t, "syscall_intercept: trapped site ");
	text_hex(&t, site);
	text_str(&t, " ");
	text_str(&t, text[why]);
	text_write_line(&t, 2);
}

uint64_t si_lazy_trapped(uint64_t site, bool now)
{
	struct lazy_site *e = slot_of(site);
	if (!e)
		return 0;
	uint32_t state = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
	if (state == L_REFUSED)
		return 0;
	if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
		return 0; /* another thread is patching: trap this time */
	if (state == L_PATCHED) {
		/* A patched site does not trap: its code was written anew. */
		e->traps = 0;
		e->next_try = 0;
		__atomic_store_n(&e->state, L_COUNTING, __ATOMIC_RELEASE);
	}
	uint64_t entry = 0;
	uint32_t n = ++e->traps;
	if ((n >= LAZY_AFTER || now) && n >= e->next_try) {
		int why = try_patch(site, &entry);
		if (why == LZ_OK) {
			e->entry = entry;
			__atomic_store_n(&e->state, L_PATCHED,
					 __ATOMIC_RELEASE);
		} else if (why < LZ_MAPPING) {
			e->next_try = n < (1u << 30) ? 2 * n : UINT32_MAX;
		} else {
			__atomic_store_n(&e->state, L_REFUSED,
					 __ATOMIC_RELEASE);
		}
		if (dump)
			say(site, why);
	}
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	return entry;
}
