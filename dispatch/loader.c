/*
 * The known objects and the patching of objects loaded after start-up
 * (see loader.h for the control flow).
 *
 * Every loaded object the library has seen is a `struct known`, keyed by
 * its load bias and the address of its dynamic section (link_map l_addr
 * and l_ld, the same pair dl_iterate_phdr's entries give), in every link
 * map namespace (dlmopen's included). At each _dl_debug_state call with
 * every namespace RT_CONSISTENT, the lists are compared with the table:
 *  - an object no longer listed was dlclosed: its trampolines are
 *    unmapped and its si_object slot freed, so a later object at the same
 *    address never meets them;
 *  - a patched object whose first jump is no longer the one written is a
 *    different object at the same address (an unload the library did not
 *    see): it is forgotten (its trampolines and slot kept, in case the
 *    inference is wrong) and treated as new;
 *  - a new object is patched, before ld.so relocates it or runs any of its
 *    code: no thread can be executing its pages while they are written.
 * ld.so makes these calls holding its load lock, so they never overlap,
 * and nothing here takes a lock of its own. What ld.so's lists look like
 * is read through the public debugger interface only (struct r_debug,
 * struct r_debug_extended, struct link_map's public head).
 */
#include "dispatch/loader.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "base/arena.h"
#include "base/raw_syscall.h"
#include "dispatch/text.h"
#include "dispatch/trap.h"
#include "patcher/locator.h"

/* Objects known at once (patched or not): far more than SI_MAX_OBJECTS,
 * since most are seen and left alone. */
#define SI_MAX_KNOWN 1024

struct known {
	uintptr_t bias;	      /* l_addr */
	uintptr_t dyn;	      /* l_ld */
	struct si_object *so; /* NULL: seen, not patched */
	uint8_t *region;      /* its trampolines (patched objects) */
	size_t region_size;
	uintptr_t check_addr; /* a jump written into it (0: none) */
	uint8_t check[5];     /* the jump's bytes */
	bool seen;	      /* listed at the current event */
};

/* Patched objects; si_site.object points at one. A slot with n_sites 0 is
 * free. */
static struct si_object si_objects[SI_MAX_OBJECTS];
static size_t si_n_objects; /* slots ever used */

static struct known known[SI_MAX_KNOWN];
static size_t n_known;
static bool known_overflow; /* the table filled up: stop patching later */

static struct r_debug_extended *rdebug;
static struct patch_ctx late_pc; /* the start-up settings, late = true */
static bool watching;		 /* the jump at _dl_debug_state is in */

static void say(const char *a, const char *b, const char *c)
{
	char mbuf[512];
	struct text m = TEXT_ON(mbuf);
	text_str(&m, "syscall_intercept: ");
	text_str(&m, a);
	text_str(&m, b);
	text_str(&m, c);
	text_write_line(&m, 2);
}

/* Reads memory that may not be mapped without faulting. */
static bool read_mem(uintptr_t addr, void *dst, size_t len)
{
	return raw_vm_copy(SYS_process_vm_readv, raw_syscall0(SYS_getpid), dst,
			   addr, len) == (long)len;
}

/* ---- the objects --------------------------------------------------------- */

const struct si_object *si_patched_objects(size_t *count)
{
	*count = si_n_objects;
	return si_objects;
}

struct si_object *si_objects_claim(void)
{
	for (size_t i = 0; i < si_n_objects; i++)
		if (si_objects[i].n_sites == 0)
			return &si_objects[i];
	return si_n_objects < SI_MAX_OBJECTS ? &si_objects[si_n_objects] : 0;
}

static uintptr_t dyn_of(const struct dl_phdr_info *info)
{
	for (size_t i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			return info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
	return 0;
}

static struct known *find_known(uintptr_t bias, uintptr_t dyn)
{
	for (size_t i = 0; i < n_known; i++)
		if (known[i].bias == bias && known[i].dyn == dyn)
			return &known[i];
	return 0;
}

/* A new entry (seen, not patched), or NULL when the table is full. */
static struct known *add_known(uintptr_t bias, uintptr_t dyn)
{
	if (n_known == SI_MAX_KNOWN) {
		if (!known_overflow)
			say("more than 1024 loaded objects: objects loaded "
			    "from now on are not patched",
			    "", "");
		known_overflow = true;
		return 0;
	}
	struct known *k = &known[n_known++];
	k->bias = bias;
	k->dyn = dyn;
	k->so = 0;
	k->region = 0;
	k->region_size = 0;
	k->check_addr = 0;
	k->seen = true;
	return k;
}

void si_objects_commit(struct si_object *so, const struct dl_phdr_info *info,
		       const struct plan_result *plan,
		       const struct writer_trampolines *tr)
{
	if (so == &si_objects[si_n_objects])
		si_n_objects++;
	uintptr_t dyn = dyn_of(info);
	struct known *k = find_known(info->dlpi_addr, dyn);
	if (!k)
		k = add_known(info->dlpi_addr, dyn);
	if (!k)
		return;
	k->so = so;
	k->region = tr->region;
	k->region_size = tr->region_size;
	for (size_t i = 0; i < plan->n_sites; i++) {
		const struct plan_site *p = &plan->sites[i];
		if (p->kind == PLAN_FALLBACK || !tr->tramp[i])
			continue;
		/* Both kinds write a 5-byte jmp rel32 to this object's
		 * trampolines: at the site, or in the padding slot. */
		k->check_addr =
		    p->kind == PLAN_PADDING ? p->pad_slot : p->patch_start;
		if (!read_mem(k->check_addr, k->check, 5))
			k->check_addr = 0;
		break;
	}
}

/* Forgets k. For an object ld.so unloaded, unmaps its trampolines (the
 * object they served is gone, so nothing can jump into them) and frees its
 * si_object slot; for a stale entry both stay, since what replaced its
 * object is only inferred. */
static void release(struct known *k, bool unloaded)
{
	if (unloaded && k->region) {
		/* Its trapped sites first: nothing may be sent to trampolines
		 * that are about to go. */
		si_trap_forget((uint64_t)k->region,
			       (uint64_t)k->region + k->region_size);
		raw_syscall2(SYS_munmap, (long)k->region, (long)k->region_size);
	}
	if (unloaded && k->so) {
		k->so->n_sites = 0;
		k->so->path[0] = 0;
	}
	*k = known[--n_known];
}

/* True if k's object is not the one the library patched: the displacement
 * of its jump (which points into this object's own trampolines) is gone.
 * The opcode byte is not compared: a debugger's breakpoint puts an int3
 * there while the object stays the same. */
static bool stale(const struct known *k)
{
	uint8_t now[5];
	if (!k->so || !k->check_addr)
		return false;
	return !read_mem(k->check_addr, now, 5) ||
	       __builtin_memcmp(now + 1, k->check + 1, 4) != 0;
}

bool si_loader_has_textrel(const struct dl_phdr_info *info)
{
	uintptr_t dyn = dyn_of(info);
	Elf64_Dyn d;
	for (size_t i = 0; dyn && i < 4096; i++) {
		if (!read_mem(dyn + i * sizeof(d), &d, sizeof(d)) ||
		    d.d_tag == DT_NULL)
			return false;
		if (d.d_tag == DT_TEXTREL ||
		    (d.d_tag == DT_FLAGS && (d.d_un.d_val & DF_TEXTREL)))
			return true;
	}
	return false;
}

/* ---- ld.so's lists ------------------------------------------------------ */

/* The next namespace's r_debug (r_version 2 added r_next), or NULL. */
static struct r_debug_extended *next_ns(const struct r_debug_extended *r)
{
	return r->base.r_version >= 2 ? r->r_next : 0;
}

static bool all_consistent(void)
{
	for (const struct r_debug_extended *r = rdebug; r; r = next_ns(r))
		if (r->base.r_state != RT_CONSISTENT)
			return false;
	return true;
}

/* The program headers of a listed object, from its ELF header (mapped at
 * l_addr for every shared object: its first PT_LOAD maps file offset 0 at
 * vaddr 0), checked against l_ld. Returns false if they cannot be found. */
static bool info_of(const struct link_map *lm, struct dl_phdr_info *info)
{
	uintptr_t base = lm->l_addr;
	Elf64_Ehdr eh;
	if (base == 0 || !read_mem(base, &eh, sizeof(eh)) ||
	    __builtin_memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_DYN ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
	    eh.e_phnum > 256)
		return false;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh.e_phoff);
	uint64_t ph_end = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(*ph);
	bool dyn_ok = false, table_mapped = false;
	for (size_t i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr p;
		if (!read_mem((uintptr_t)&ph[i], &p, sizeof(p)))
			return false;
		if (p.p_type == PT_DYNAMIC &&
		    base + p.p_vaddr == (uintptr_t)lm->l_ld)
			dyn_ok = true;
		if (p.p_type == PT_LOAD && p.p_vaddr == p.p_offset &&
		    p.p_offset <= eh.e_phoff &&
		    ph_end <= p.p_offset + p.p_filesz)
			table_mapped = true;
	}
	if (!dyn_ok || !table_mapped)
		return false;
	__builtin_memset(info, 0, sizeof(*info));
	info->dlpi_addr = base;
	info->dlpi_name = lm->l_name;
	info->dlpi_phdr = ph;
	info->dlpi_phnum = eh.e_phnum;
	return true;
}

/* Working memory for one event, mapped only when a new object needs it. */
struct event_mem {
	struct arena arena;
	bool ready;
	bool failed;
};

/* Maps mem's arena and points late_pc at it, once per event. Returns
 * false (after saying so about `path`) if it cannot. */
static bool event_mem_ready(struct event_mem *mem, const char *path)
{
	if (!mem->ready && !mem->failed) {
		if (arena_init_mmap(&mem->arena, 64u << 20) != 0) {
			mem->failed = true;
			say(path, ": cannot map working memory; its syscalls ",
			    "are not intercepted");
			return false;
		}
		void *cs = arena_alloc(&mem->arena, DISASM_ARENA_MIN * 4, 16);
		late_pc.disasm = disasm_open_lazy(cs, DISASM_ARENA_MIN * 4);
		late_pc.arena = &mem->arena;
		mem->ready = true;
	}
	return mem->ready;
}

static void patch_new(const struct link_map *lm, struct event_mem *mem)
{
	uintptr_t dyn = (uintptr_t)lm->l_ld;
	struct dl_phdr_info info;
	if (!info_of(lm, &info))
		say(lm->l_name, ": program headers not found; its syscalls ",
		    "are not intercepted");
	else if (event_mem_ready(mem, lm->l_name))
		si_patch_object(&info, &late_pc);
	if (!find_known(lm->l_addr, dyn))
		add_known(lm->l_addr, dyn);
}

/* Where _dl_debug_state jumps: an ordinary void function, entered with
 * the return address of ld.so's call on the stack, returning to it. */
static void si_loader_event(void)
{
	if (!watching || known_overflow || !all_consistent())
		return;
	/* 1. What is still listed; what is gone or stale is released first,
	 *    so its slot and its address range are free for what is new. */
	for (size_t i = 0; i < n_known; i++)
		known[i].seen = false;
	for (struct r_debug_extended *r = rdebug; r; r = next_ns(r))
		for (struct link_map *lm = r->base.r_map; lm; lm = lm->l_next) {
			struct known *k =
			    find_known(lm->l_addr, (uintptr_t)lm->l_ld);
			if (k && stale(k))
				release(k, false);
			else if (k)
				k->seen = true;
		}
	for (size_t i = n_known; i-- > 0;)
		if (!known[i].seen)
			release(&known[i], true);
	/* 2. What is new. */
	struct event_mem mem = {.ready = false, .failed = false};
	for (struct r_debug_extended *r = rdebug; r; r = next_ns(r))
		for (struct link_map *lm = r->base.r_map; lm; lm = lm->l_next)
			if (!known_overflow &&
			    !find_known(lm->l_addr, (uintptr_t)lm->l_ld))
				patch_new(lm, &mem);
	if (mem.ready) {
		if (late_pc.disasm)
			disasm_close(late_pc.disasm);
		late_pc.disasm = 0;
		late_pc.arena = 0;
		arena_release(&mem.arena);
	}
}

/* ---- start-up ------------------------------------------------------------ */

const void *si_loader_find(void)
{
	/* The versioned name: the one ld.so defines, whatever else the
	 * program exports. */
	struct r_debug_extended *r = (struct r_debug_extended *)dlvsym(
	    RTLD_DEFAULT, "_r_debug", "GLIBC_2.2.5");
	if (!r || r->base.r_version < 1 || r->base.r_brk == 0)
		return 0;
	rdebug = r;
	return (const void *)r->base.r_brk;
}

/* Puts the jump to si_loader_event at _dl_debug_state. Returns 0 or an
 * error code for the message. */
static int install(const struct patch_ctx *pc)
{
	uintptr_t brk = rdebug->base.r_brk;
	struct locator_object ld;
	size_t mark = arena_mark(pc->arena);
	int err = locator_open_loaded((const void *)brk, 0,
				      LOCATOR_SEGMENTS_ONLY, pc->arena, &ld);
	if (err)
		return err;
	/* `ret`, then alignment filler up to the next 16-byte boundary (where
	 * the next function starts) with room for the jump: those bytes are
	 * never executed, so the 5 overwritten bytes hold nothing that runs
	 * except the `ret` the jump replaces. */
	uint8_t cur[16];
	const uint8_t *live = locator_bytes(&ld, brk, sizeof(cur));
	size_t run = 0;
	if (live) {
		__builtin_memcpy(cur, live, sizeof(cur));
		run = locator_filler_run(cur + 1, sizeof(cur) - 1);
	}
	err = WRITER_E_CODE;
	if (live && cur[0] == 0xc3 && run >= 4 && ((brk + 1 + run) & 15) == 0) {
		struct writer_redirect rd;
		err = writer_redirect(&ld, brk, cur,
				      (uint64_t)(uintptr_t)&si_loader_event, 0,
				      &rd);
	}
	locator_close(&ld);
	arena_rewind(pc->arena, mark);
	return err;
}

void si_loader_start(const struct patch_ctx *pc)
{
	for (const struct r_debug_extended *r = rdebug; r; r = next_ns(r))
		for (const struct link_map *lm = r->base.r_map; lm;
		     lm = lm->l_next)
			if (!find_known(lm->l_addr, (uintptr_t)lm->l_ld))
				add_known(lm->l_addr, (uintptr_t)lm->l_ld);
	if (!pc->all_objects || known_overflow)
		return;
	if (!rdebug) {
		say("ld.so's debugger interface (_r_debug) not found: objects "
		    "loaded after start-up are not patched",
		    "", "");
		return;
	}
	late_pc = *pc;
	late_pc.arena = 0;
	late_pc.disasm = 0;
	late_pc.late = true;
	int err = install(pc);
	if (err) {
		say("_dl_debug_state cannot be redirected (",
		    err == WRITER_E_CODE	? "not the expected code"
		    : err == WRITER_E_NO_REGION ? "no memory within reach"
						: locator_strerror(err),
		    "): objects loaded after start-up are not patched");
		return;
	}
	watching = true;
}
