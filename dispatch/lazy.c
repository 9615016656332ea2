/* Lazy patching of trapped sites: see lazy.h. */
#include "dispatch/lazy.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "base/arena.h"
#include "base/raw_syscall.h"
#include "disasm/disasm.h"
#include "dispatch/exhaustive.h"
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
#define LAZY_MAX_PATCHED 512
#define LAZY_WINDOW	 (64u << 10) /* bytes decoded on each side */
#define PAGE		 ((uint64_t)4096)

enum lazy_state { L_NEW = 0, L_REDIRECT, L_PATCHED, L_REFUSED };

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
	uint64_t addr;	/* 0: free slot */
	uint64_t tramp; /* L_REDIRECT, L_PATCHED: the site's trampoline */
	uint64_t entry; /* ... and where a trapped thread enters it */
	uint32_t traps;
	uint32_t next_try;
	uint32_t state;
	int inflight; /* threads in the SIGSYS handler for the site */
	int tainted;  /* a thread left the handler for the site's next bytes */
	/* The range the jump overwrites: its bytes as planned (L_REDIRECT)
	 * and as written (L_PATCHED). A trap that finds other bytes there
	 * means the code was written anew. */
	uint64_t patch_start;
	uint8_t patch_len;
	uint8_t orig[16];
	uint8_t jump[16];
};

static struct lazy_site table[LAZY_SLOTS];
static int busy;	 /* one thread patches at a time */
static unsigned patched; /* under busy */
static int dump;

void si_lazy_set_dump(int on)
{
	dump = on;
}

/* The slot of `site`, claimed if new (claim) or NULL. */
static struct lazy_site *lookup(uint64_t site, bool claim)
{
	size_t h = (size_t)((site * 0x9e3779b97f4a7c15ull) >> 54);
	for (size_t k = 0; k < LAZY_SLOTS; k++) {
		struct lazy_site *e = &table[(h + k) % LAZY_SLOTS];
		uint64_t a = __atomic_load_n(&e->addr, __ATOMIC_ACQUIRE);
		if (a == 0 && !claim)
			return 0;
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

static struct lazy_site *slot_of(uint64_t site)
{
	return lookup(site, true);
}

static struct lazy_site *find(uint64_t site)
{
	return lookup(site, false);
}

/* ---- /proc --------------------------------------------------------------- */

/* Reads a /proc file whole into the arena (NUL-terminated); NULL if it
 * cannot (or is larger than `cap`). */
static char *read_proc(const char *path, struct arena *a, size_t cap)
{
	char *buf = (char *)arena_alloc_uninit(a, cap, 1);
	long n = buf ? raw_read_file(path, buf, cap) : -1;
	return n < 0 || (size_t)n >= cap - 1 ? 0 : buf;
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

/* What one attempt works with: the mapping, the analyzed copy and the plan
 * of the site, in the arena. */
struct work {
	struct arena a;
	struct mapping m;
	struct locator_segment seg;
	struct locator_range code[2];
	struct locator_object obj;
	struct disasm_ctx *cs;
	struct plan_site *p; /* the site's plan */
};

/* Finds the site's mapping, checks it, and plans the site: a jump that
 * begins at the syscall. Nothing before it is known to be an instruction
 * boundary (a sweep through unknown bytes may fall out of step with the
 * code, and a function's entry, reached through a pointer, is unknown), so
 * nothing before it is overwritten; after it, decoding starts at the
 * syscall itself, which the trap proved to be one. Returns LZ_OK with
 * w->p set, or why not. */
static int analyze(uint64_t site, struct work *w)
{
	struct mapping *m = &w->m;
	if (!mapping_of(site, &w->a, m))
		return LZ_NO_MEMORY;
	if (m->perms[0] != 'r' || m->perms[1] != '-' || m->perms[2] != 'x' ||
	    m->perms[3] != 'p' || m->path[0] == '[')
		return LZ_MAPPING;
	/* The bytes analyzed: a copy (a file mapping may end past its file,
	 * where reading would fault; the copy just stops there). */
	uint64_t lo =
	    site > LAZY_WINDOW ? (site - LAZY_WINDOW) & ~(PAGE - 1) : 0;
	uint64_t hi = (site + 2 + LAZY_WINDOW + PAGE - 1u) & ~(PAGE - 1);
	if (lo < m->start)
		lo = m->start;
	if (hi > m->end)
		hi = m->end;
	uint8_t *copy = (uint8_t *)arena_alloc_uninit(&w->a, hi - lo, 16);
	if (!copy)
		return LZ_NO_MEMORY;
	long n = raw_vm_copy(SYS_process_vm_readv, raw_syscall0(SYS_getpid),
			     copy, lo, hi - lo);
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
	w->seg = seg;
	__builtin_memset(&w->obj, 0, sizeof(w->obj));
	w->obj.path = m->path;
	w->obj.exec_segments = &w->seg;
	w->obj.exec_segment_count = 1;
	/* Decoded as two stretches: before the site, and from it. */
	w->code[0].start = seg.start;
	w->code[0].end = site;
	w->code[1].start = site;
	w->code[1].end = seg.end;
	w->obj.code = site > seg.start ? w->code : w->code + 1;
	w->obj.code_count = site > seg.start ? 2 : 1;

	void *cs_mem = arena_alloc(&w->a, DISASM_ARENA_MIN * 4, 16);
	w->cs = cs_mem ? disasm_open_lazy(cs_mem, DISASM_ARENA_MIN * 4) : 0;
	if (!w->cs)
		return LZ_NO_MEMORY;
	struct sites_input in;
	struct sites_result sites;
	struct plan_result plan;
	if (object_sites_input(&w->obj, &w->a, &in) != 0 ||
	    sites_find(&in, w->cs, &w->a, &sites) != 0 ||
	    planner_plan_from_syscall(&w->obj, &sites, w->cs, &w->a, &plan) !=
		0)
		return LZ_NO_MEMORY;
	w->p = 0;
	for (size_t i = 0; i < plan.n_sites; i++)
		if (plan.sites[i].site->address == site)
			w->p = &plan.sites[i];
	if (!w->p)
		return LZ_NOT_FOUND; /* the decoding never met this syscall */
	return w->p->kind == PLAN_INLINE ? LZ_OK : LZ_PLAN;
}

static const struct writer_config config = {
    .entry = (uint64_t)(uintptr_t)&si_entry,
    .entry_flags = (uint64_t)(uintptr_t)&si_entry_flags,
    .object = 0,
    .mmap_min_addr = 0,
    .trap_fallbacks = false,
};

/* Builds the site's trampoline (only this site: the others have not been
 * seen to run) and records the range's bytes, before and after. */
static int build(struct work *w, struct lazy_site *e)
{
	struct plan_result one = {w->p, 1, 1, 0, 0};
	struct writer_trampolines tr;
	uint8_t pad[5];
	size_t len;
	const uint8_t *orig =
	    locator_bytes(&w->obj, w->p->patch_start, w->p->patch_len);
	if (!orig || w->p->patch_len > sizeof(e->orig) ||
	    writer_build(&w->obj, &one, &config, &w->a, &tr) != WRITER_OK ||
	    tr.n_built != 1)
		return LZ_WRITE;
	if (!writer_emit_patch(w->p, tr.tramp[0], e->jump, &len, pad) ||
	    len != w->p->patch_len) {
		writer_release(&tr);
		return LZ_WRITE;
	}
	__builtin_memcpy(e->orig, orig, len);
	e->patch_start = w->p->patch_start;
	e->patch_len = (uint8_t)len;
	e->tramp = tr.tramp[0];
	e->entry = tr.at_syscall[0];
	patched++;
	return LZ_OK;
}

/* Writes the jump to the site's trampoline (built by build(), maybe by an
 * earlier attempt from the same plan). */
static int write_jump(struct work *w, const struct lazy_site *e)
{
	struct plan_result one = {w->p, 1, 1, 0, 0};
	uint64_t tramp = e->tramp;
	struct writer_trampolines tr;
	__builtin_memset(&tr, 0, sizeof(tr));
	tr.tramp = &tramp;
	tr.n_sites = 1;
	return writer_patch(&w->obj, &one, &tr, &w->a) == WRITER_OK ? LZ_OK
								    : LZ_WRITE;
}

/* Where a thread trapped at e's site goes once it has a trampoline: there,
 * while the range holds the bytes it was built from or the jump (written
 * after the thread trapped, or being written: the state may lag), else
 * nowhere (0: the code was written anew). */
static uint64_t entry_for(const struct lazy_site *e)
{
	uint8_t now[16];
	if (!raw_copy_self(SYS_process_vm_readv, now, e->patch_start,
			   e->patch_len) ||
	    (__builtin_memcmp(now, e->orig, e->patch_len) != 0 &&
	     __builtin_memcmp(now, e->jump, e->patch_len) != 0))
		return 0;
	return __atomic_load_n(&e->entry, __ATOMIC_ACQUIRE);
}

/* The process has one thread, in its own memory, outside any application
 * signal handler: then no thread can be stopped inside any range. */
static int alone(struct arena *a)
{
	if (si_signals_in_app_handler())
		return LZ_IN_HANDLER;
	if (!si_mm_is_own() || si_mm_has_sharer())
		return LZ_THREADS; /* another process runs in this memory */
	long threads = thread_count(a);
	return threads == 1 ? LZ_OK : threads < 0 ? LZ_NO_MEMORY : LZ_THREADS;
}

/* May the jump of e be written now? It begins at the syscall, so a thread
 * could be stopped inside its range only after the syscall: with one
 * thread, not in a handler, never; else only while no other thread is in
 * the handler for this site, none ever left it for the bytes after the
 * syscall, and every thread traps (exhaustive.h). */
static bool may_write(struct lazy_site *e, struct arena *a)
{
	if (__atomic_load_n(&e->inflight, __ATOMIC_SEQ_CST) == 1 &&
	    !__atomic_load_n(&e->tainted, __ATOMIC_SEQ_CST) &&
	    !__atomic_load_n(&si_exhaustive_untrapped, __ATOMIC_SEQ_CST))
		return true;
	return alone(a) == LZ_OK;
}

/* Under `busy`, site in state L_NEW: plans, builds and (when it may)
 * writes. Returns LZ_OK with e in state L_REDIRECT or L_PATCHED, or why
 * not. */
static int first_patch(uint64_t site, struct lazy_site *e, struct work *w)
{
	if (patched >= LAZY_MAX_PATCHED)
		return LZ_FULL;
	int why = alone(&w->a);
	bool single = why == LZ_OK;
	if (!single &&
	    (__atomic_load_n(&e->tainted, __ATOMIC_SEQ_CST) ||
	     __atomic_load_n(&si_exhaustive_untrapped, __ATOMIC_SEQ_CST)))
		return why; /* transient: wait for the process to be alone */
	why = analyze(site, w);
	if (why == LZ_OK)
		why = build(w, e);
	if (why != LZ_OK)
		return why;
	/* From here every trap at the site goes to the trampoline. */
	__atomic_store_n(&e->state, L_REDIRECT, __ATOMIC_SEQ_CST);
	if (may_write(e, &w->a) && write_jump(w, e) == LZ_OK)
		__atomic_store_n(&e->state, L_PATCHED, __ATOMIC_RELEASE);
	return LZ_OK;
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

/* The trap after which to try again, after a failed try at trap n. */
static uint32_t later(uint32_t n)
{
	return n < (1u << 30) ? 2 * n : UINT32_MAX;
}

/* Under `busy`: the decision for a trap at `site`. Returns where the thread
 * continues, or 0. */
static uint64_t decide(uint64_t site, struct lazy_site *e)
{
	uint32_t state = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
	if (state == L_REFUSED)
		return 0;
	uint64_t to = state == L_NEW ? 0 : entry_for(e);
	if (state == L_PATCHED && to)
		return to; /* trapped before the jump was written */
	if (state != L_NEW && !to) {
		/* The code was written anew: start again. The taint stays (a
		 * thread may be in the new code's bytes after the syscall). */
		e->traps = 0;
		e->next_try = 0;
		__atomic_store_n(&e->state, L_NEW, __ATOMIC_SEQ_CST);
		state = L_NEW;
	}
	/* Attempts back off: at the 2nd, 4th, 8th... trap after a failed one
	 * (each costs more than a trap). */
	uint32_t n = ++e->traps;
	if (n < e->next_try)
		return to;
	struct work w;
	if (arena_init_mmap(&w.a, 32u << 20) != 0)
		return to;
	w.cs = 0;
	if (state == L_REDIRECT) {
		if (may_write(e, &w.a) && analyze(site, &w) == LZ_OK &&
		    w.p->patch_start == e->patch_start &&
		    w.p->patch_len == e->patch_len &&
		    write_jump(&w, e) == LZ_OK) {
			__atomic_store_n(&e->state, L_PATCHED,
					 __ATOMIC_RELEASE);
			if (dump)
				say(site, LZ_OK);
		} else {
			e->next_try = later(n);
		}
	} else {
		int why = first_patch(site, e, &w);
		if (why == LZ_OK)
			to = e->entry;
		else if (why < LZ_MAPPING)
			e->next_try = later(n);
		else
			__atomic_store_n(&e->state, L_REFUSED,
					 __ATOMIC_RELEASE);
		if (dump &&
		    (why != LZ_OK ||
		     __atomic_load_n(&e->state, __ATOMIC_ACQUIRE) == L_PATCHED))
			say(site, why);
	}
	if (w.cs)
		disasm_close(w.cs);
	arena_release(&w.a);
	return to;
}

uint64_t si_lazy_trapped(uint64_t site)
{
	struct lazy_site *e = slot_of(site);
	if (!e)
		return 0;
	__atomic_add_fetch(&e->inflight, 1, __ATOMIC_SEQ_CST);
	uint32_t state = __atomic_load_n(&e->state, __ATOMIC_SEQ_CST);
	uint64_t to = 0;
	if (state != L_REFUSED) {
		if (!__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE)) {
			to = decide(site, e);
			__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
		} else if (state != L_NEW) {
			/* Another thread patches: its trampoline will do, if
			 * the code is still the one it was built for. */
			to = entry_for(e);
		}
	}
	if (to)
		__atomic_sub_fetch(&e->inflight, 1, __ATOMIC_SEQ_CST);
	return to;
}

void si_lazy_leaving(uint64_t site)
{
	struct lazy_site *e = find(site);
	if (!e)
		return;
	__atomic_store_n(&e->tainted, 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&e->inflight, 1, __ATOMIC_SEQ_CST);
}
