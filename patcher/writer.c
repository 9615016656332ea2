#include "patcher/writer.h"

#include <signal.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "base/raw_syscall.h"
#include "patcher/x86_emit.h"

#define PAGE	   4096UL
#define SLOT_BYTES 16 /* entry and entry_flags, 8 bytes each */
#define TWO_GIB	   (1ULL << 31)
#define MERGE_GAP  (4 * PAGE) /* merge page runs closer than this */

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif

static uint64_t page_down(uint64_t a)
{
	return a & ~(PAGE - 1);
}

static uint64_t page_up(uint64_t a)
{
	return (a + PAGE - 1) & ~(PAGE - 1);
}

/* The object's code stays mapped and executable throughout (pages are
 * swapped in whole at the end), so even libc's memcpy is safe to use. */
#define copy_bytes(d, s, n) __builtin_memcpy((d), (s), (n))

size_t writer_emit_trampoline(const struct plan_site *p, writer_code_fn code,
			      const void *code_obj, uint64_t at, uint64_t desc,
			      uint64_t entry_target, bool entry_via_slot,
			      uint8_t *buf, size_t cap, size_t *sys_off,
			      size_t *call_off)
{
	const struct sites_site *s = p->site;
	size_t off = 0, n;
	unsigned idx = s->syscall_index;
	unsigned first = p->kind == PLAN_INLINE ? p->first : idx;
	unsigned last = p->kind == PLAN_INLINE ? p->first + p->count - 1u : idx;
#define PUT(expr)                                                              \
	do {                                                                   \
		n = (expr);                                                    \
		if (n == 0)                                                    \
			return 0;                                              \
		off += n;                                                      \
	} while (0)
#define OUT (buf ? buf + off : 0), (buf ? cap - off : 0), at + off
	for (unsigned i = first; i < idx; i++) {
		const struct disasm_insn *insn = &s->insns[i];
		const uint8_t *bytes =
		    code(code_obj, insn->address, insn->length);
		if (!bytes)
			return 0;
		PUT(emit_relocated(OUT, insn, bytes));
	}
	*call_off = off;
	PUT(emit_lea_r11_rip(OUT, desc));
	if (entry_via_slot)
		PUT(emit_jmp_rip_slot(OUT, entry_target));
	else
		PUT(emit_jmp_rel32(OUT, entry_target));
	*sys_off = off;
	PUT(emit_syscall(buf ? buf + off : 0, buf ? cap - off : 0));
	bool falls_through = true;
	for (unsigned i = idx + 1; i <= last; i++) {
		const struct disasm_insn *insn = &s->insns[i];
		const uint8_t *bytes =
		    code(code_obj, insn->address, insn->length);
		if (!bytes)
			return 0;
		PUT(emit_relocated(OUT, insn, bytes));
		falls_through = !(insn->flags & DISASM_F_NO_FALLTHROUGH);
	}
	if (falls_through)
		PUT(emit_jmp_rel32(OUT, p->resume));
#undef OUT
#undef PUT
	return off;
}

bool writer_emit_patch(const struct plan_site *p, uint64_t tramp,
		       uint8_t site_bytes[16], size_t *site_len,
		       uint8_t pad_bytes[5])
{
	*site_len = 0;
	if (p->kind == PLAN_INLINE) {
		if (p->patch_len < 5 || p->patch_len > 16 ||
		    !emit_jmp_rel32(site_bytes, 16, p->patch_start, tramp))
			return false;
		/* The rest of the range is never reached: fill with int3 so a
		 * stray jump traps instead of running garbage. */
		emit_int3_fill(site_bytes + 5, 11, p->patch_len - 5u);
		*site_len = p->patch_len;
		return true;
	}
	if (p->kind == PLAN_PADDING) {
		if (!emit_jmp_rel8(site_bytes, 16, p->patch_start,
				   p->pad_slot) ||
		    !emit_jmp_rel32(pad_bytes, 5, p->pad_slot, tramp))
			return false;
		*site_len = 2;
		return true;
	}
	return false;
}

void writer_emit_trap(uint8_t site_bytes[16], size_t *site_len)
{
	site_bytes[0] = 0xcc; /* int3: SIGTRAP, rip = site + 1 */
	site_bytes[1] = 0x90; /* nop: never reached (the handler moves rip) */
	*site_len = 2;
}

static const uint8_t *object_code(const void *o, uint64_t address, size_t len)
{
	return locator_bytes((const struct locator_object *)o,
			     (uintptr_t)address, len);
}

/* Lowest address user mappings may use, from /proc (default 64 KiB). */
static uint64_t read_mmap_min_addr(void)
{
	/* Read once per process: every object patched asks. */
	static uint64_t known;
	uint64_t k = __atomic_load_n(&known, __ATOMIC_RELAXED);
	if (k)
		return k;
	char buf[32];
	long n = raw_read_file("/proc/sys/vm/mmap_min_addr", buf, sizeof(buf));
	if (n <= 0)
		return 65536;
	uint64_t x = 0;
	for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		x = x * 10 + (uint64_t)(buf[i] - '0');
	k = x ? page_up(x) : PAGE;
	__atomic_store_n(&known, k, __ATOMIC_RELAXED);
	return k;
}

/* Maps `size` bytes RW so that every byte of [lo, hi) and of the mapping
 * are within +-2 GiB (less a margin) of each other. Tries just above the
 * object first, then just below, stepping outwards. */
static uint8_t *map_near(uint64_t lo, uint64_t hi, size_t size,
			 uint64_t min_addr)
{
	const uint64_t reach = TWO_GIB - (64ULL << 20);
	const uint64_t step = 1ULL << 20;
	if (hi - lo + size >= reach)
		return 0;
	for (uint64_t d = 0; d + (hi - lo) + size < reach; d += step) {
		uint64_t cand[2];
		cand[0] = page_up(hi) + d;
		cand[1] =
		    lo >= d + size + min_addr ? page_down(lo - d - size) : 0;
		for (int k = 0; k < 2; k++) {
			uint64_t a = cand[k];
			if (a < min_addr || a == 0 || a + size > lo + reach ||
			    (hi > reach && a < hi - reach))
				continue;
			/* Populated: every page is written next, and one
			 * mmap is cheaper than a page fault per page. */
			long r =
			    raw_syscall6(SYS_mmap, (long)a, (long)size,
					 PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS |
					     MAP_FIXED_NOREPLACE | MAP_POPULATE,
					 -1, 0);
			if (raw_is_error(r))
				continue;
			if ((uint64_t)r != a) { /* old kernel: only a hint */
				raw_syscall2(SYS_munmap, r, (long)size);
				continue;
			}
			return (uint8_t *)r;
		}
	}
	return 0;
}

/* The trampoline of a trapped site is built from its plan with nothing
 * moved: lea desc; jmp entry; syscall; jmp site + 2. */
static struct plan_site trap_plan(const struct plan_site *p)
{
	struct plan_site q = *p;
	q.kind = PLAN_FALLBACK;
	q.patch_start = p->site->address;
	q.patch_len = 2;
	q.resume = p->site->address + 2;
	return q;
}

/* A trapped site's trampoline is at most this long (lea 7, jmp 6, syscall
 * 2, jmp 5); every site reserves at least this much when fallbacks are
 * trapped, so a site whose own trampoline cannot be built can still be
 * trapped in its place. */
#define TRAP_TRAMP_MAX 20

static void recount(struct plan_result *plan)
{
	plan->n_inline = plan->n_padding = plan->n_fallback = 0;
	for (size_t i = 0; i < plan->n_sites; i++) {
		switch (plan->sites[i].kind) {
		case PLAN_INLINE:
			plan->n_inline++;
			break;
		case PLAN_PADDING:
			plan->n_padding++;
			break;
		default:
			plan->n_fallback++;
			break;
		}
	}
}

int writer_build(const struct locator_object *obj, struct plan_result *plan,
		 const struct writer_config *cfg, struct arena *arena,
		 struct writer_trampolines *out)
{
	size_t n = plan->n_sites;
	out->region = 0;
	out->region_size = 0;
	out->n_sites = n;
	out->n_built = 0;
	out->n_trap = 0;
	out->descs = 0;
	out->tramp = (uint64_t *)arena_alloc(arena, (n ? n : 1) * 8, 8);
	out->at_syscall = (uint64_t *)arena_alloc(arena, (n ? n : 1) * 8, 8);
	size_t *sizes = (size_t *)arena_alloc(arena, (n ? n : 1) * 8, 8);
	if (!out->tramp || !out->at_syscall || !sizes)
		return WRITER_E_NOMEM;
	if (obj->exec_segment_count == 0)
		return WRITER_OK;

	/* Measure: the entry is assumed reachable only through the slot. */
	size_t code_size = 0;
	uint64_t probe = obj->exec_segments[0].start;
	for (size_t i = 0; i < n; i++) {
		struct plan_site *p = &plan->sites[i];
		size_t sys_off, call_off;
		sizes[i] = 0;
		if (p->kind == PLAN_FALLBACK && !cfg->trap_fallbacks)
			continue;
		struct plan_site q = trap_plan(p);
		sizes[i] = writer_emit_trampoline(
		    p->kind == PLAN_FALLBACK ? &q : p, object_code, obj, probe,
		    probe, probe, true, 0, 0, &sys_off, &call_off);
		if (cfg->trap_fallbacks && sizes[i] < TRAP_TRAMP_MAX)
			sizes[i] = TRAP_TRAMP_MAX;
		code_size += (sizes[i] + 15) & ~(size_t)15;
	}
	if (code_size == 0)
		return WRITER_OK;
	size_t desc_off = (code_size + SLOT_BYTES + 63) & ~(size_t)63;
	size_t total = page_up(desc_off + n * sizeof(struct si_site));

	uint64_t lo = obj->exec_segments[0].start, hi = lo;
	for (size_t i = 0; i < obj->exec_segment_count; i++) {
		if (obj->exec_segments[i].start < lo)
			lo = obj->exec_segments[i].start;
		if (obj->exec_segments[i].end > hi)
			hi = obj->exec_segments[i].end;
	}
	uint64_t min_addr =
	    cfg->mmap_min_addr ? cfg->mmap_min_addr : read_mmap_min_addr();
	uint8_t *region = map_near(lo, hi, total, min_addr);
	if (!region) {
		for (size_t i = 0; i < n; i++)
			if (plan->sites[i].kind != PLAN_FALLBACK) {
				plan->sites[i].kind = PLAN_FALLBACK;
				plan->sites[i].reason = PLAN_R_NO_TRAMPOLINE;
			}
		recount(plan);
		return WRITER_E_NO_REGION;
	}
	uint64_t base = (uint64_t)(uintptr_t)region;
	uint64_t slot_entry = base + code_size;
	uint64_t slot_flags = slot_entry + 8;
	copy_bytes(region + code_size, &cfg->entry, 8);
	copy_bytes(region + code_size + 8, &cfg->entry_flags, 8);
	struct si_site *descs = (struct si_site *)(region + desc_off);

	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		struct plan_site *p = &plan->sites[i];
		out->tramp[i] = 0;
		out->at_syscall[i] = 0;
		if (sizes[i] == 0) { /* not even measurable at the probe */
			if (p->kind != PLAN_FALLBACK) {
				p->kind = PLAN_FALLBACK;
				p->reason = PLAN_R_NO_TRAMPOLINE;
			}
			continue;
		}
		bool trap = p->kind == PLAN_FALLBACK;
		uint64_t at = base + off;
		uint64_t desc = base + desc_off + i * sizeof(struct si_site);
		uint64_t entry = p->flags_live ? cfg->entry_flags : cfg->entry;
		uint64_t slot = p->flags_live ? slot_flags : slot_entry;
		/* rel32 to the stub when both ends of the trampoline reach it,
		 * else the 6-byte jmp through the region's slot. */
		bool direct = x86_rel32_fits(at, 0, entry) &&
			      x86_rel32_fits(at + sizes[i], 0, entry);
		size_t sys_off = 0, call_off = 0;
		struct plan_site q = trap_plan(p);
		size_t len = writer_emit_trampoline(
		    trap ? &q : p, object_code, obj, at, desc,
		    direct ? entry : slot, !direct, region + off, sizes[i],
		    &sys_off, &call_off);
		if (len == 0 &&
		    !trap) { /* a moved instruction does not reach */
			p->kind = PLAN_FALLBACK;
			p->reason = PLAN_R_NO_TRAMPOLINE;
			if (cfg->trap_fallbacks) {
				trap = true;
				q = trap_plan(p);
				len = writer_emit_trampoline(
				    &q, object_code, obj, at, desc,
				    direct ? entry : slot, !direct,
				    region + off, sizes[i], &sys_off,
				    &call_off);
			}
		}
		if (len == 0) {
			off += (sizes[i] + 15) & ~(size_t)15;
			continue;
		}
		descs[i].syscall_addr = at + sys_off;
		out->at_syscall[i] = at + call_off;
		descs[i].orig_addr = p->site->address;
		descs[i].object = cfg->object;
		descs[i].flags = p->save;
		descs[i].index = (uint32_t)i;
		out->tramp[i] = at;
		if (trap)
			out->n_trap++;
		else
			out->n_built++;
		off += (sizes[i] + 15) & ~(size_t)15;
	}
	recount(plan);
	long r = raw_syscall3(SYS_mprotect, (long)region, (long)total,
			      PROT_READ | PROT_EXEC);
	if (raw_is_error(r)) {
		raw_syscall2(SYS_munmap, (long)region, (long)total);
		return (int)r;
	}
	out->region = region;
	out->region_size = total;
	out->descs = descs;
	return WRITER_OK;
}

/* One byte write into the object, gathered before any page is touched. */
struct pending {
	uint64_t address;
	uint8_t bytes[16];
	uint8_t len;
};

static int prot_of(const struct locator_object *obj, uint64_t address)
{
	const struct locator_segment *seg = locator_segment_at(obj, address);
	return seg ? seg->prot : (PROT_READ | PROT_EXEC);
}

/* The object's file, opened for the private copies of its patched pages
 * (-1: anonymous copies). */
static long open_object_file(const struct locator_object *obj)
{
	if (obj->path[0] != '/')
		return -1;
	long fd = raw_syscall4(SYS_openat, AT_FDCWD, (long)obj->path,
			       O_RDONLY | O_CLOEXEC, 0);
	return raw_is_error(fd) ? -1 : fd;
}

/* Where the page at `start` comes from in the object's file, or -1. */
static long file_offset_of(const struct locator_object *obj, uint64_t start,
			   uint64_t at)
{
	const struct locator_segment *seg = locator_segment_at(obj, at);
	if (!seg || start + seg->file_offset < seg->start)
		return -1;
	return (long)(seg->file_offset + (start - seg->start));
}

/* A private RW mapping of [start, start + len) holding the same bytes as
 * the live pages: the object's file mapped at the same offset when it still
 * holds those bytes (so /proc/self/maps, and profilers and debuggers that
 * read it, keep naming the file), else an anonymous copy. Returns the
 * address or -errno. */
static long private_copy(uint64_t start, size_t len, long fd, long offset)
{
	if (fd >= 0 && offset >= 0 && offset % PAGE == 0) {
		long m =
		    raw_syscall6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_POPULATE, fd, offset);
		if (!raw_is_error(m)) {
			if (__builtin_memcmp((const void *)m,
					     (const void *)(uintptr_t)start,
					     len) == 0)
				return m;
			raw_syscall2(SYS_munmap, m, (long)len);
		}
	}
	long m =
	    raw_syscall6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (!raw_is_error(m))
		copy_bytes((uint8_t *)m, (const void *)(uintptr_t)start, len);
	return m;
}

/* Replaces the pages [start, end) by a patched copy: the writes w[0..nw)
 * go into a private RW copy (private_copy: the object's file where it can),
 * which is made `prot` and moved over the originals with one
 * mremap(MREMAP_FIXED) (see writer.h for why no thread sees a half-written
 * instruction). Returns 0 or -errno, the originals untouched on error. */
static int swap_in(uint64_t start, uint64_t end, int prot,
		   const struct pending *w, size_t nw, long fd, long offset)
{
	size_t len = (size_t)(end - start);
	long m = private_copy(start, len, fd, offset);
	if (raw_is_error(m))
		return (int)m;
	uint8_t *copy = (uint8_t *)m;
	for (size_t k = 0; k < nw; k++)
		copy_bytes(copy + (w[k].address - start), w[k].bytes, w[k].len);
	long r = raw_syscall3(SYS_mprotect, m, (long)len, prot);
	if (!raw_is_error(r))
		r = raw_syscall6(SYS_mremap, m, (long)len, (long)len,
				 MREMAP_MAYMOVE | MREMAP_FIXED, (long)start, 0);
	if (raw_is_error(r)) {
		raw_syscall2(SYS_munmap, m, (long)len);
		return (int)r;
	}
	return 0;
}

/* Writes w[0..nw) into the live pages [start, end), made writable (and not
 * executable) meanwhile, then `prot` again. No libc call in between: the
 * pages may be libc's own. */
static int write_in_place(uint64_t start, uint64_t end, int prot,
			  const struct pending *w, size_t nw)
{
	long len = (long)(end - start);
	long r = raw_syscall3(SYS_mprotect, (long)start, len,
			      PROT_READ | PROT_WRITE);
	if (raw_is_error(r))
		return (int)r;
	for (size_t k = 0; k < nw; k++) {
		volatile uint8_t *to =
		    (volatile uint8_t *)(uintptr_t)w[k].address;
		for (size_t b = 0; b < w[k].len; b++)
			to[b] = w[k].bytes[b];
	}
	r = raw_syscall3(SYS_mprotect, (long)start, len, prot);
	return raw_is_error(r) ? (int)r : 0;
}

static int patch(const struct locator_object *obj,
		 const struct plan_result *plan,
		 const struct writer_trampolines *tr, struct arena *arena,
		 bool in_place)
{
	size_t n = plan->n_sites;
	struct pending *w =
	    (struct pending *)arena_alloc(arena, (2 * n + 1) * sizeof(*w), 8);
	if (!w)
		return WRITER_E_NOMEM;
	size_t nw = 0;
	for (size_t i = 0; i < n; i++) {
		const struct plan_site *p = &plan->sites[i];
		if (!tr->tramp[i])
			continue;
		uint8_t site[16], pad[5];
		size_t len;
		if (p->kind == PLAN_FALLBACK)
			writer_emit_trap(site, &len);
		else if (!writer_emit_patch(p, tr->tramp[i], site, &len, pad))
			return WRITER_E_CODE;
		/* The object must still hold a syscall where we analyzed one.
		 */
		const uint8_t *cur = locator_bytes(obj, p->site->address, 2);
		if (!cur || cur[0] != 0x0f || cur[1] != 0x05)
			return WRITER_E_CODE;
		/* A trap goes over the syscall itself; a jump at its plan's
		 * start. */
		w[nw].address = p->kind == PLAN_FALLBACK ? p->site->address
							 : p->patch_start;
		w[nw].len = (uint8_t)len;
		copy_bytes(w[nw].bytes, site, len);
		nw++;
		if (p->kind == PLAN_PADDING) {
			w[nw].address = p->pad_slot;
			w[nw].len = 5;
			copy_bytes(w[nw].bytes, pad, 5);
			nw++;
		}
	}
	/* Insertion sort by address: padding slots can precede their site. */
	for (size_t i = 1; i < nw; i++) {
		struct pending t = w[i];
		size_t j = i;
		while (j > 0 && w[j - 1].address > t.address) {
			w[j] = w[j - 1];
			j--;
		}
		w[j] = t;
	}
	/* No two writes may overlap (the planner never lets a range, a slot
	 * or a trapped syscall take another's bytes): refuse the object
	 * rather than write one over another. */
	for (size_t k = 1; k < nw; k++)
		if (w[k].address < w[k - 1].address + w[k - 1].len)
			return WRITER_E_CODE;
	long fd = in_place ? -1 : open_object_file(obj);
	/* In place, no signal handler may run while pages are not
	 * executable: it might run code on them. */
	uint64_t all = ~(uint64_t)0, saved = 0;
	if (in_place)
		raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all,
			     (long)&saved, 8);
	int err = 0;
	size_t i = 0;
	while (i < nw && !err) {
		/* A run: consecutive pages touched by writes i..j-1. */
		uint64_t start = page_down(w[i].address);
		uint64_t end = page_up(w[i].address + w[i].len);
		int prot = prot_of(obj, w[i].address);
		/* Swapped runs closer than MERGE_GAP pages become one: copying
		 * a few untouched pages is cheaper than three more syscalls.
		 * In place, only touching pages join (two mprotects each). */
		uint64_t gap = in_place ? 0 : MERGE_GAP;
		size_t j = i + 1;
		while (j < nw && page_down(w[j].address) <= end + gap &&
		       prot_of(obj, w[j].address) == prot &&
		       locator_segment_at(obj, w[j].address) ==
			   locator_segment_at(obj, w[i].address)) {
			uint64_t e = page_up(w[j].address + w[j].len);
			if (e > end)
				end = e;
			j++;
		}
		err = in_place
			  ? write_in_place(start, end, prot, w + i, j - i)
			  : swap_in(start, end, prot, w + i, j - i, fd,
				    file_offset_of(obj, start, w[i].address));
		i = j;
	}
	if (in_place)
		raw_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&saved, 0,
			     8);
	if (fd >= 0)
		raw_syscall1(SYS_close, fd);
	return err ? err : WRITER_OK;
}

int writer_patch(const struct locator_object *obj,
		 const struct plan_result *plan,
		 const struct writer_trampolines *tr, struct arena *arena)
{
	return patch(obj, plan, tr, arena, false);
}

int writer_patch_in_place(const struct locator_object *obj,
			  const struct plan_result *plan,
			  const struct writer_trampolines *tr,
			  struct arena *arena)
{
	return patch(obj, plan, tr, arena, true);
}

int writer_redirect(const struct locator_object *obj, uint64_t at,
		    const uint8_t expect[5], uint64_t target,
		    uint64_t mmap_min_addr, struct writer_redirect *out)
{
	out->stub = 0;
	out->stub_size = 0;
	const uint8_t *cur = locator_bytes(obj, at, 5);
	if (!cur || __builtin_memcmp(cur, expect, 5) != 0)
		return WRITER_E_CODE;
	uint64_t dest = target;
	if (!x86_rel32_fits(at, 5, target)) {
		/* Out of reach: through a stub page near the object. */
		uint8_t *stub = map_near(at, at + 5, PAGE,
					 mmap_min_addr ? mmap_min_addr
						       : read_mmap_min_addr());
		if (!stub)
			return WRITER_E_NO_REGION;
		/* ff 25 00 00 00 00   jmp qword ptr [rip + 0]
		 * <8 bytes>           .quad target */
		uint64_t s = (uint64_t)(uintptr_t)stub;
		if (emit_jmp_rip_slot(stub, PAGE, s, s + 6) != 6) {
			raw_syscall2(SYS_munmap, (long)stub, (long)PAGE);
			return WRITER_E_NO_REGION;
		}
		copy_bytes(stub + 6, &target, 8);
		long r = raw_syscall3(SYS_mprotect, (long)stub, (long)PAGE,
				      PROT_READ | PROT_EXEC);
		if (raw_is_error(r)) {
			raw_syscall2(SYS_munmap, (long)stub, (long)PAGE);
			return (int)r;
		}
		out->stub = stub;
		out->stub_size = PAGE;
		dest = s;
	}
	struct pending w;
	w.address = at;
	w.len = 5;
	/* e9 rel32   jmp dest */
	if (emit_jmp_rel32(w.bytes, sizeof(w.bytes), at, dest) != 5)
		return WRITER_E_NO_REGION;
	long fd = open_object_file(obj);
	int err = swap_in(page_down(at), page_up(at + 5), prot_of(obj, at), &w,
			  1, fd, file_offset_of(obj, page_down(at), at));
	if (fd >= 0)
		raw_syscall1(SYS_close, fd);
	if (err && out->stub) {
		raw_syscall2(SYS_munmap, (long)out->stub, (long)out->stub_size);
		out->stub = 0;
		out->stub_size = 0;
	}
	return err;
}

void writer_release(struct writer_trampolines *tr)
{
	if (tr->region)
		raw_syscall2(SYS_munmap, (long)tr->region,
			     (long)tr->region_size);
	tr->region = 0;
	tr->region_size = 0;
}
