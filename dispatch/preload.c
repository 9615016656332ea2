/*
 * The library's start: when the preloaded library is loaded, its
 * constructor patches every syscall site of libc and of the loader, ld.so
 * (or, with INTERCEPT_ALL_OBJS=1, of every loaded object but the vdso and
 * this library, and then of every object dlopen maps later: loader.c) so
 * that each one reaches the dispatcher.
 *
 *   application --call--> libc: ... jmp tramp_N ...   (patched site)
 *                                     |
 *   tramp_N (near libc): moved instructions, lea desc_N, jmp si_entry
 *                                     |
 *   si_entry (trampoline/entry.S): save, align, call si_dispatch
 *                                     |
 *   si_dispatch (dispatch.c) --> intercept_hook_point (the user's hook)
 *                                     |
 *   back: jmp sys_N (the kernel runs it) or jmp resume_N (hook's result)
 *         --> moved instructions after the syscall --> jmp back into libc
 *
 * A site no jump fits gets `int3; nop` instead; the SIGTRAP handler
 * (trap.h) sends the thread to the site's trampoline, and from there the
 * call takes the path above. The handler and its site table are installed
 * before the int3 is written, and only in processes with such sites.
 *
 * Linked only into the final shared library (tests link the packages
 * without patching themselves). Everything here runs once, before main,
 * with raw syscalls; nothing it does can take the process down: on any
 * failure it says why on stderr and leaves the object unpatched.
 *
 * The constructor runs inside ld.so's _dl_init, so ld.so's own pages are
 * written while ld.so frames are on the stack: their return addresses
 * stay valid because the planner never moves a `call` (see writer.h), and
 * the written pages keep their bytes everywhere else. They are written in
 * place (writer_patch_in_place): no ld.so code runs while they are not
 * executable, and every signal is blocked meanwhile.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "base/arena.h"
#include "base/raw_syscall.h"
#include "disasm/disasm.h"
#include "dispatch/dispatch.h"
#include "dispatch/early.h"
#include "dispatch/exhaustive.h"
#include "dispatch/lazy.h"
#include "dispatch/loader.h"
#include "dispatch/mm_pid.h"
#include "dispatch/log.h"
#include "dispatch/preload.h"
#include "dispatch/preload_internal.h"
#include "dispatch/text.h"
#include "dispatch/trap.h"
#include "libsyscall_intercept_hook_point.h"
#include "patcher/cache.h"
#include "patcher/locator.h"
#include "patcher/object_input.h"
#include "patcher/planner.h"
#include "patcher/sites.h"
#include "patcher/writer.h"
#include "trampoline/entry_abi.h"

/* ---- messages (stderr, raw write, no libc formatting) ---------------- */

/* ---- environment ------------------------------------------------------ */

/* A boolean variable: unset or "0" is false, "1" true; anything else is
 * reported and taken as false. */
static bool env_flag(const char *name)
{
	const char *v = getenv(name);
	if (v == NULL || (v[0] == '0' && v[1] == 0) || v[0] == 0)
		return false;
	if (v[0] == '1' && v[1] == 0)
		return true;
	char mbuf[512];
	struct text m = TEXT_ON(mbuf);
	text_str(&m, "syscall_intercept: ");
	text_str(&m, name);
	text_str(&m, "='");
	text_str(&m, v);
	text_str(&m, "' is not 0 or 1; using 0");
	text_write_line(&m, 2);
	return false;
}

/* ---- patching one object --------------------------------------------- */

/* Monotonic microseconds, for the start-up timings INTERCEPT_DEBUG_DUMP
 * prints (a raw clock_gettime: no vdso lookup needed this early). */
static uint64_t now_us(void)
{
	struct {
		long sec, nsec;
	} ts = {0, 0};
	raw_syscall2(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, (long)&ts);
	return (uint64_t)ts.sec * 1000000u + (uint64_t)ts.nsec / 1000u;
}

static void dump_plan(const struct locator_object *obj,
		      const struct plan_result *plan,
		      const struct writer_trampolines *tr, bool patched,
		      bool from_cache)
{
	char mbuf[512];
	struct text m = TEXT_ON(mbuf);
	for (size_t i = 0; i < plan->n_sites; i++) {
		const struct plan_site *p = &plan->sites[i];
		text_str(&m, "syscall_intercept: ");
		text_str(&m, obj->path);
		text_str(&m, " ");
		text_hex(&m, p->site->address - obj->bias);
		text_str(&m, ": ");
		text_str(&m, planner_kind_name((enum plan_kind)p->kind));
		if (p->kind == PLAN_FALLBACK) {
			text_str(&m, " (");
			text_str(&m, planner_reason_name(
					 (enum plan_reason)p->reason));
			text_str(&m, patched && tr->tramp[i]
					 ? "), trapped (int3)"
					 : "), not intercepted");
		} else {
			text_str(&m, ", ");
			text_dec(&m, (long)(p->patch_len));
			text_str(&m, " bytes at ");
			text_hex(&m, p->patch_start - obj->bias);
			if (p->kind == PLAN_PADDING) {
				text_str(&m, ", slot ");
				text_hex(&m, p->pad_slot - obj->bias);
			}
			text_str(&m, p->flags_live ? ", keeps rflags" : "");
			text_str(&m, p->save == SI_SITE_SAVE_FULL  ? ", xsave"
				     : p->save == SI_SITE_SAVE_SSE ? ", xmm"
								   : "");
		}
		text_write_line(&m, 2);
	}
	text_str(&m, "syscall_intercept: ");
	text_str(&m, obj->path);
	text_str(&m, ": ");
	text_dec(&m, (long)(plan->n_sites));
	text_str(&m, " sites, ");
	text_dec(&m, (long)(plan->n_inline));
	text_str(&m, " inline, ");
	text_dec(&m, (long)(plan->n_padding));
	text_str(&m, " padding, ");
	size_t trapped = patched ? tr->n_trap : 0;
	if (trapped > 0) {
		text_dec(&m, (long)trapped);
		text_str(&m, " trapped, ");
	}
	text_dec(&m, (long)(plan->n_fallback - trapped));
	text_str(&m, " not patched");
	text_str(&m, from_cache ? " (plan from the cache)" : "");
	text_write_line(&m, 2);
}

static void report_error(const char *path, const char *what, int err)
{
	char mbuf[512];
	struct text m = TEXT_ON(mbuf);
	text_str(&m, "syscall_intercept: ");
	text_str(&m, path);
	text_str(&m, ": ");
	text_str(&m, what);
	if (err) {
		text_str(&m, " (");
		text_str(&m, locator_strerror(err));
		text_str(&m, ")");
	}
	text_str(&m, "; its syscalls are not intercepted");
	text_write_line(&m, 2);
}

static bool contains(const struct locator_object *obj, const void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	for (size_t i = 0; addr && i < obj->exec_segment_count; i++)
		if (a >= obj->exec_segments[i].start &&
		    a < obj->exec_segments[i].end)
			return true;
	return false;
}

/* libc and the loader (whose own syscalls are those of dlopen: openat,
 * mmap, mprotect, close...), or every object with INTERCEPT_ALL_OBJS. */
static bool wanted(const struct patch_ctx *pc, const struct dl_phdr_info *info,
		   const struct locator_object *obj)
{
	if (obj->is_vdso || obj->is_self)
		return false;
	if (pc->all_objects)
		return true;
	(void)info;
	return contains(obj, pc->libc_addr) || contains(obj, pc->ldso_addr);
}

/* Puts the trapped sites of `tr` in the SIGTRAP handler's table (installing
 * the handler the first time), before writer_patch writes their int3. If
 * that fails, the sites are left as they are: not intercepted. */
static void add_trap_sites(struct patch_ctx *pc, const char *path,
			   const struct plan_result *plan,
			   struct writer_trampolines *tr)
{
	struct si_trap_entry *e = (struct si_trap_entry *)arena_alloc(
	    pc->arena, tr->n_trap * sizeof(*e), 8);
	size_t k = 0;
	int err = WRITER_E_NOMEM;

	for (size_t i = 0; e && i < plan->n_sites; i++)
		if (plan->sites[i].kind == PLAN_FALLBACK && tr->tramp[i]) {
			e[k].site = plan->sites[i].site->address;
			e[k].target = tr->tramp[i];
			k++;
		}
	if (e && (err = si_trap_add_sites(e, k)) == 0)
		return;
	report_error(path, "cannot install the SIGTRAP handler", err);
	for (size_t i = 0; i < plan->n_sites; i++)
		if (plan->sites[i].kind == PLAN_FALLBACK)
			tr->tramp[i] = 0;
	tr->n_trap = 0;
}

/* The analysis and plan of `obj`: from the plan cache when it holds a
 * valid one, else computed (and then saved for the next process).
 * Returns 0 or an error of the failing step; *from_cache says which. */
static int get_plan(struct patch_ctx *pc, const struct dl_phdr_info *info,
		    struct locator_object *obj, struct sites_result *sites,
		    struct plan_result *plan, bool *from_cache)
{
	char file[4096];
	struct cache_key key;
	bool cache =
	    pc->cache_dir[0] && obj->path[0] == '/' &&
	    cache_key_for(obj->path, pc->self_path, &key) == 0 &&
	    cache_file(pc->cache_dir, obj->path, &key, file, sizeof(file)) == 0;
	*from_cache = false;
	if (cache &&
	    cache_load(file, &key, obj, pc->arena, sites, plan) == CACHE_OK) {
		*from_cache = true;
		return 0;
	}
	/* The full view: FDEs, symbols and padding. */
	locator_close(obj);
	int err = locator_load_object(info, (const void *)&si_patch_object, 0,
				      pc->arena, obj);
	struct sites_input in;
	if (err || (err = object_sites_input(obj, pc->arena, &in)) != 0 ||
	    (err = sites_find(&in, pc->disasm, pc->arena, sites)) != 0 ||
	    (err = planner_plan(obj, sites, pc->disasm, pc->arena, plan)) != 0)
		return err;
	if (cache)
		cache_save(file, &key, obj, plan); /* best effort */
	return 0;
}

int si_patch_object(const struct dl_phdr_info *info, void *arg)
{
	struct patch_ctx *pc = (struct patch_ctx *)arg;
	size_t mark = arena_mark(pc->arena);
	struct locator_object obj;
	uint64_t t0 = pc->dump ? now_us() : 0;
	int err = locator_load_object(info, (const void *)&si_patch_object,
				      LOCATOR_SEGMENTS_ONLY, pc->arena, &obj);
	if (err) {
		if (pc->all_objects || info->dlpi_addr == 0)
			return 0; /* an object we cannot read is left alone */
		report_error(info->dlpi_name, "cannot be analyzed", err);
		return 0;
	}
	struct si_object *so = 0;
	if (wanted(pc, info, &obj) &&
	    (so = si_objects_claim()) == 0) /* every slot in use */
		report_error(obj.path, "too many patched objects", 0);
	if (so && pc->late && si_loader_has_textrel(info)) {
		report_error(obj.path,
			     "has text relocations, which ld.so would "
			     "apply over the patched code",
			     0);
		so = 0;
	}
	if (!so) {
		locator_close(&obj);
		arena_rewind(pc->arena, mark);
		return 0;
	}
	struct sites_result sites;
	struct plan_result plan;
	struct writer_trampolines tr;
	size_t n = 0;
	for (; obj.path[n] && n < sizeof(so->path) - 1; n++)
		so->path[n] = obj.path[n];
	so->path[n] = 0;
	so->base = obj.bias;
	struct writer_config cfg = {
	    .entry = (uint64_t)(uintptr_t)&si_entry,
	    .entry_flags = (uint64_t)(uintptr_t)&si_entry_flags,
	    .object = so,
	    .mmap_min_addr = 0,
	    /* In objects loaded later only if the handler was installed
	     * while the process had one thread (with INTERCEPT_ALL_OBJS):
	     * then no thread can have SIGTRAP blocked. */
	    .trap_fallbacks =
		!pc->late || __atomic_load_n(&si_trap_active, __ATOMIC_ACQUIRE),
	};
	bool from_cache;
	err = get_plan(pc, info, &obj, &sites, &plan, &from_cache);
	uint64_t t1 = pc->dump ? now_us() : 0;
	if (err) {
		report_error(obj.path, "analysis failed", err);
	} else {
		if (pc->trap_all) {
			for (size_t i = 0; i < plan.n_sites; i++)
				plan.sites[i].kind = PLAN_FALLBACK;
		}
		err = writer_build(&obj, &plan, &cfg, pc->arena, &tr);
		if (err == WRITER_OK && tr.n_trap > 0)
			add_trap_sites(pc, obj.path, &plan, &tr);
		/* In place: at start-up the process has one thread, and an
		 * object loaded later is patched before any of its code can
		 * run (loader.h). */
		if (err == WRITER_OK)
			err =
			    writer_patch_in_place(&obj, &plan, &tr, pc->arena);
		if (pc->dump) {
			pc->us[from_cache ? PH_CACHED : PH_ANALYZE] += t1 - t0;
			pc->us[PH_WRITE] += now_us() - t1;
		}
		if (err != WRITER_OK && err != WRITER_E_NO_REGION)
			report_error(obj.path, "patching failed", err);
		bool patched = err == WRITER_OK;
		if (pc->dump)
			dump_plan(&obj, &plan, &tr, patched, from_cache);
		pc->n_unpatched += plan.n_fallback - (patched ? tr.n_trap : 0);
		pc->n_trapped += patched ? tr.n_trap : 0;
		if (patched && tr.n_built + tr.n_trap > 0) {
			so->n_sites = tr.n_built + tr.n_trap;
			si_objects_commit(so, info, &plan, &tr);
		}
	}
	locator_close(&obj);
	arena_rewind(pc->arena, mark);
	return 0;
}

/* ---- the constructor ---------------------------------------------------- */

/* Priority 101: first of this object's constructors, which the loader runs
 * before every other object's (-z initfirst, early.h). */
/* The absolute path of this library (the plan cache keys on it). The
 * loader opened a relative LD_PRELOAD path from the directory the process
 * started in, which is still the working directory here. */
static bool own_path(char *out, size_t size)
{
	Dl_info self;
	if (!dladdr((const void *)&own_path, &self) || !self.dli_fname ||
	    !self.dli_fname[0])
		return false;
	struct text t = {out, size, 0};
	if (self.dli_fname[0] != '/') {
		long n = raw_syscall2(SYS_getcwd, (long)out, (long)size);
		if (n <= 1 || (size_t)n >= size)
			return false;
		t.len = strnlen(out, size);
		text_str(&t, "/");
	}
	text_str(&t, self.dli_fname);
	if (t.len >= size - 1)
		return false; /* did not fit */
	out[t.len] = 0;
	return true;
}

static void si_preload_init(int argc, char **argv, char **envp)
    __attribute__((constructor(101)));
static void si_preload_init(int argc, char **argv, char **envp)
{
	bool early = si_early_libc_init(argc, argv, envp);
	if (!syscall_hook_in_process_allowed())
		return;
	uint64_t t_start = now_us();
	si_entry_init();
	si_mm_pid_init();
	struct arena arena;
	if (arena_init_mmap(&arena, 64u << 20) != 0) {
		char mbuf[512];
		struct text m = TEXT_ON(mbuf);
		text_str(&m, "syscall_intercept: cannot map working memory; "
			     "nothing is intercepted");
		text_write_line(&m, 2);
		return;
	}
	void *cs_mem = arena_alloc(&arena, DISASM_ARENA_MIN * 4, 16);
	/* capstone starts only if the fast decoder declines an instruction
	 * (none in glibc 2.36's libc): most processes never pay for it. */
	struct disasm_ctx *cs = disasm_open_lazy(cs_mem, DISASM_ARENA_MIN * 4);
	static struct patch_ctx pc; /* 8 KiB of paths: not on the stack */
	/* Before anything is patched: ld.so's debugger interface tells which
	 * object is the loader. */
	pc.ldso_addr = si_loader_find();
	pc.arena = &arena;
	pc.disasm = cs;
	bool exhaustive = env_flag("INTERCEPT_EXHAUSTIVE");
	pc.all_objects = env_flag("INTERCEPT_ALL_OBJS") || exhaustive;
	pc.dump = env_flag("INTERCEPT_DEBUG_DUMP");
	pc.trap_all = env_flag("INTERCEPT_DEBUG_TRAP");
	pc.libc_addr = (const void *)&abort;
	/* The plan cache, unless INTERCEPT_CACHE=0 or no private directory
	 * can be had (then every start analyzes, as without a cache). */
	const char *use_cache = getenv("INTERCEPT_CACHE");
	if (!(use_cache && use_cache[0] == '0' && use_cache[1] == 0) &&
	    own_path(pc.self_path, sizeof(pc.self_path)) &&
	    cache_dir(pc.cache_dir, sizeof(pc.cache_dir)) == 0) {
		/* the cache is on */
	} else {
		pc.cache_dir[0] = 0;
	}
	/* Objects dlopen maps later may have sites that need the trap:
	 * install its handler now, while this is the only thread. */
	if (pc.all_objects && si_trap_prepare() != 0)
		report_error("SIGTRAP",
			     "cannot install the handler for sites of objects "
			     "loaded later",
			     0);
	locator_for_each_loaded(si_patch_object, &pc);
	/* Every object present is now known; with INTERCEPT_ALL_OBJS, those
	 * dlopen maps from now on are patched as they come. */
	si_loader_start(&pc);
	/* Everything else, through Syscall User Dispatch (exhaustive.h). */
	si_exhaustive_lazy = si_lazy_trapped;
	si_exhaustive_lazy_left = si_lazy_leaving;
	si_lazy_set_dump(pc.dump);
	int sud_err = exhaustive ? si_exhaustive_start() : 0;
	if (sud_err != 0) {
		char mbuf[512];
		struct text m = TEXT_ON(mbuf);
		text_str(&m, "syscall_intercept: INTERCEPT_EXHAUSTIVE: Syscall "
			     "User Dispatch is not available (error ");
		text_dec(&m, -sud_err);
		text_str(&m, "); only patched code is intercepted");
		text_write_line(&m, 2);
	}
	if (pc.n_unpatched > 0 && !pc.dump) {
		char mbuf[512];
		struct text m = TEXT_ON(mbuf);
		text_str(&m, "syscall_intercept: ");
		text_dec(&m, (long)(pc.n_unpatched));
		text_str(&m, " syscall sites could not be patched and are not "
			     "intercepted (INTERCEPT_DEBUG_DUMP=1 lists them)");
		text_write_line(&m, 2);
	}
	if (pc.disasm)
		disasm_close(pc.disasm);
	arena_release(&arena);
	si_log_init(); /* INTERCEPT_LOG, once every site is in place */
	/* Hooks in place before any other library's constructor runs. */
	int early_hooks = early ? si_early_init_hooks() : 0;
	if (pc.dump) {
		static const char *names[PH_COUNT] = {
		    "plan-from-cache", "locate+analyze+plan", "write"};
		char mbuf[512];
		struct text m = TEXT_ON(mbuf);
		text_str(&m, "syscall_intercept: start-up ");
		text_dec(&m, (long)(now_us() - t_start));
		text_str(&m, " us:");
		for (int i = 0; i < PH_COUNT; i++) {
			text_str(&m, " ");
			text_str(&m, names[i]);
			text_str(&m, " ");
			text_dec(&m, (long)(pc.us[i]));
		}
		text_str(&m, early ? "; early start, " : "; late start, ");
		text_dec(&m, early_hooks);
		text_str(&m, " hook libraries initialized early");
		text_write_line(&m, 2);
	}
}
