/*
 * The library's start: when the preloaded library is loaded, its
 * constructor patches every syscall site of libc (or, with
 * INTERCEPT_ALL_OBJS=1, of every loaded object but the vdso and this
 * library) so that each one reaches the dispatcher.
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
 * Linked only into the final shared library (tests link the packages
 * without patching themselves). Everything here runs once, before main,
 * with raw syscalls; nothing it does can take the process down: on any
 * failure it says why on stderr and leaves the object unpatched.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "base/arena.h"
#include "base/raw_syscall.h"
#include "disasm/disasm.h"
#include "dispatch/dispatch.h"
#include "dispatch/log.h"
#include "dispatch/preload.h"
#include "libsyscall_intercept_hook_point.h"
#include "patcher/cache.h"
#include "patcher/locator.h"
#include "patcher/object_input.h"
#include "patcher/planner.h"
#include "patcher/sites.h"
#include "patcher/writer.h"
#include "trampoline/entry_abi.h"

/* Objects whose sites were patched; si_site.object points at one. */
static struct si_object si_objects[SI_MAX_OBJECTS];
static size_t si_n_objects;

/* ---- messages (stderr, raw write, no libc formatting) ---------------- */

struct msg {
	char buf[512];
	size_t len;
};

static void msg_str(struct msg *m, const char *s)
{
	while (*s && m->len < sizeof(m->buf) - 1)
		m->buf[m->len++] = *s++;
}

static void msg_num(struct msg *m, unsigned long long v, unsigned base)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && n < sizeof(tmp));
	if (base == 16)
		msg_str(m, "0x");
	while (n && m->len < sizeof(m->buf) - 1)
		m->buf[m->len++] = tmp[--n];
}

static void msg_flush(struct msg *m)
{
	if (m->len < sizeof(m->buf))
		m->buf[m->len++] = '\n';
	size_t off = 0;
	while (off < m->len) {
		long r = raw_syscall3(SYS_write, 2, (long)(m->buf + off),
				      (long)(m->len - off));
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	m->len = 0;
}

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
	struct msg m = {.len = 0};
	msg_str(&m, "syscall_intercept: ");
	msg_str(&m, name);
	msg_str(&m, "='");
	msg_str(&m, v);
	msg_str(&m, "' is not 0 or 1; using 0");
	msg_flush(&m);
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

enum phase { PH_CACHED, PH_ANALYZE, PH_WRITE, PH_COUNT };

struct patch_ctx {
	struct arena *arena;
	struct disasm_ctx *disasm;
	bool all_objects;
	bool dump;
	const void *libc_addr; /* an address inside libc */
	size_t n_unpatched;
	uint64_t us[PH_COUNT];
	char cache_dir[4096]; /* empty: no plan cache */
	char self_path[4096]; /* this library's file, part of the cache key */
};

static void dump_plan(const struct locator_object *obj,
		      const struct plan_result *plan, bool from_cache)
{
	struct msg m = {.len = 0};
	for (size_t i = 0; i < plan->n_sites; i++) {
		const struct plan_site *p = &plan->sites[i];
		msg_str(&m, "syscall_intercept: ");
		msg_str(&m, obj->path);
		msg_str(&m, " ");
		msg_num(&m, p->site->address - obj->bias, 16);
		msg_str(&m, ": ");
		msg_str(&m, planner_kind_name((enum plan_kind)p->kind));
		if (p->kind == PLAN_FALLBACK) {
			msg_str(&m, " (");
			msg_str(&m, planner_reason_name(
					(enum plan_reason)p->reason));
			msg_str(&m, "), not intercepted");
		} else {
			msg_str(&m, ", ");
			msg_num(&m, p->patch_len, 10);
			msg_str(&m, " bytes at ");
			msg_num(&m, p->patch_start - obj->bias, 16);
			if (p->kind == PLAN_PADDING) {
				msg_str(&m, ", slot ");
				msg_num(&m, p->pad_slot - obj->bias, 16);
			}
			msg_str(&m, p->flags_live ? ", keeps rflags" : "");
			msg_str(&m, p->save == SI_SITE_SAVE_FULL  ? ", xsave"
				    : p->save == SI_SITE_SAVE_SSE ? ", xmm"
								  : "");
		}
		msg_flush(&m);
	}
	msg_str(&m, "syscall_intercept: ");
	msg_str(&m, obj->path);
	msg_str(&m, ": ");
	msg_num(&m, plan->n_sites, 10);
	msg_str(&m, " sites, ");
	msg_num(&m, plan->n_inline, 10);
	msg_str(&m, " inline, ");
	msg_num(&m, plan->n_padding, 10);
	msg_str(&m, " padding, ");
	msg_num(&m, plan->n_fallback, 10);
	msg_str(&m, " not patched");
	msg_str(&m, from_cache ? " (plan from the cache)" : "");
	msg_flush(&m);
}

static void report_error(const char *path, const char *what, int err)
{
	struct msg m = {.len = 0};
	msg_str(&m, "syscall_intercept: ");
	msg_str(&m, path);
	msg_str(&m, ": ");
	msg_str(&m, what);
	msg_str(&m, " (");
	msg_str(&m, locator_strerror(err));
	msg_str(&m, "); its syscalls are not intercepted");
	msg_flush(&m);
}

static bool wanted(const struct patch_ctx *pc, const struct dl_phdr_info *info,
		   const struct locator_object *obj)
{
	if (obj->is_vdso || obj->is_self)
		return false;
	if (pc->all_objects)
		return true;
	uintptr_t a = (uintptr_t)pc->libc_addr;
	for (size_t i = 0; i < obj->exec_segment_count; i++)
		if (a >= obj->exec_segments[i].start &&
		    a < obj->exec_segments[i].end)
			return true;
	(void)info;
	return false;
}

static int patch_object(const struct dl_phdr_info *info, void *arg);

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
	int err = locator_load_object(info, (const void *)&patch_object, 0,
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

static int patch_object(const struct dl_phdr_info *info, void *arg)
{
	struct patch_ctx *pc = (struct patch_ctx *)arg;
	size_t mark = arena_mark(pc->arena);
	struct locator_object obj;
	uint64_t t0 = pc->dump ? now_us() : 0;
	int err = locator_load_object(info, (const void *)&patch_object,
				      LOCATOR_SEGMENTS_ONLY, pc->arena, &obj);
	if (err) {
		if (pc->all_objects || info->dlpi_addr == 0)
			return 0; /* an object we cannot read is left alone */
		report_error(info->dlpi_name, "cannot be analyzed", err);
		return 0;
	}
	if (!wanted(pc, info, &obj) || si_n_objects == SI_MAX_OBJECTS) {
		locator_close(&obj);
		arena_rewind(pc->arena, mark);
		return 0;
	}
	struct sites_result sites;
	struct plan_result plan;
	struct writer_trampolines tr;
	struct si_object *so = &si_objects[si_n_objects];
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
	};
	bool from_cache;
	err = get_plan(pc, info, &obj, &sites, &plan, &from_cache);
	uint64_t t1 = pc->dump ? now_us() : 0;
	if (err) {
		report_error(obj.path, "analysis failed", err);
	} else {
		err = writer_build(&obj, &plan, &cfg, pc->arena, &tr);
		if (err == WRITER_OK)
			err = writer_patch(&obj, &plan, &tr, pc->arena);
		if (pc->dump) {
			pc->us[from_cache ? PH_CACHED : PH_ANALYZE] += t1 - t0;
			pc->us[PH_WRITE] += now_us() - t1;
		}
		if (err != WRITER_OK && err != WRITER_E_NO_REGION)
			report_error(obj.path, "patching failed", err);
		if (pc->dump)
			dump_plan(&obj, &plan, from_cache);
		pc->n_unpatched += plan.n_fallback;
		if (err == WRITER_OK && tr.n_built > 0) {
			so->n_sites = tr.n_built;
			si_n_objects++;
		}
	}
	locator_close(&obj);
	arena_rewind(pc->arena, mark);
	return 0;
}

/* ---- the constructor ---------------------------------------------------- */

const struct si_object *si_patched_objects(size_t *count)
{
	*count = si_n_objects;
	return si_objects;
}

static void si_preload_init(void) __attribute__((constructor));
static void si_preload_init(void)
{
	if (!syscall_hook_in_process_allowed())
		return;
	uint64_t t_start = now_us();
	si_entry_init();
	struct arena arena;
	if (arena_init_mmap(&arena, 64u << 20) != 0) {
		struct msg m = {.len = 0};
		msg_str(&m, "syscall_intercept: cannot map working memory; "
			    "nothing is intercepted");
		msg_flush(&m);
		return;
	}
	void *cs_mem = arena_alloc(&arena, DISASM_ARENA_MIN * 4, 16);
	/* capstone starts only if the fast decoder declines an instruction
	 * (none in glibc 2.36's libc): most processes never pay for it. */
	struct disasm_ctx *cs = disasm_open_lazy(cs_mem, DISASM_ARENA_MIN * 4);
	static struct patch_ctx pc; /* 8 KiB of paths: not on the stack */
	pc.arena = &arena;
	pc.disasm = cs;
	pc.all_objects = env_flag("INTERCEPT_ALL_OBJS");
	pc.dump = env_flag("INTERCEPT_DEBUG_DUMP");
	pc.libc_addr = (const void *)&abort;
	/* The plan cache, unless INTERCEPT_CACHE=0 or no private directory
	 * can be had (then every start analyzes, as without a cache). */
	const char *use_cache = getenv("INTERCEPT_CACHE");
	Dl_info self;
	if (!(use_cache && use_cache[0] == '0' && use_cache[1] == 0) &&
	    dladdr((const void *)&si_preload_init, &self) && self.dli_fname &&
	    self.dli_fname[0] == '/' &&
	    cache_dir(pc.cache_dir, sizeof(pc.cache_dir)) == 0) {
		size_t k = 0;
		for (; self.dli_fname[k] && k < sizeof(pc.self_path) - 1; k++)
			pc.self_path[k] = self.dli_fname[k];
		pc.self_path[k] = 0;
	} else {
		pc.cache_dir[0] = 0;
	}
	locator_for_each_loaded(patch_object, &pc);
	if (pc.n_unpatched > 0 && !pc.dump) {
		struct msg m = {.len = 0};
		msg_str(&m, "syscall_intercept: ");
		msg_num(&m, pc.n_unpatched, 10);
		msg_str(&m, " syscall sites could not be patched and are not "
			    "intercepted (INTERCEPT_DEBUG_DUMP=1 lists them)");
		msg_flush(&m);
	}
	if (pc.disasm)
		disasm_close(pc.disasm);
	arena_release(&arena);
	si_log_init(); /* INTERCEPT_LOG, once every site is in place */
	if (pc.dump) {
		static const char *names[PH_COUNT] = {
		    "plan-from-cache", "locate+analyze+plan", "write"};
		struct msg m = {.len = 0};
		msg_str(&m, "syscall_intercept: start-up ");
		msg_num(&m, now_us() - t_start, 10);
		msg_str(&m, " us:");
		for (int i = 0; i < PH_COUNT; i++) {
			msg_str(&m, " ");
			msg_str(&m, names[i]);
			msg_str(&m, " ");
			msg_num(&m, pc.us[i], 10);
		}
		msg_flush(&m);
	}
}
