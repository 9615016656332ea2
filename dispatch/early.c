/* Initialization before every other constructor: see early.h. */
#include "dispatch/early.h"

#include <dlfcn.h>
#include <elf.h>
#include <gnu/libc-version.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "base/raw_syscall.h"

extern char **environ;

typedef void (*init_fn)(int, char **, char **);

/* Stands in for an initializer that already ran. */
static void si_early_noop(int argc, char **argv, char **envp)
{
	(void)argc, (void)argv, (void)envp;
}

/* The glibc versions whose libc initializers are known to be safe to run
 * ahead of the loader (they only record argc/argv/environ and set up
 * stdio's vtable check). */
static bool libc_known(void)
{
	return strcmp(gnu_get_libc_version(), "2.36") == 0;
}

/* What one loaded object says about its initializers. */
struct obj {
	struct dl_phdr_info info_copy; /* its pointers stay valid */
	const struct dl_phdr_info *info;
	ElfW(Dyn) * init;	  /* DT_INIT entry, or NULL */
	ElfW(Dyn) * init_array;	  /* DT_INIT_ARRAY entry, or NULL */
	ElfW(Dyn) * init_arraysz; /* DT_INIT_ARRAYSZ entry, or NULL */
	const char *strtab;
	ElfW(Dyn) * dyn;
};

/* The PT_LOAD segment of `o` holding [a, a + len), or NULL. */
static const ElfW(Phdr) *
    segment_of(const struct dl_phdr_info *info, uintptr_t a, size_t len)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + p->p_vaddr;
		if (p->p_type == PT_LOAD && a >= lo && a + len >= a &&
		    a + len <= lo + p->p_memsz)
			return p;
	}
	return NULL;
}

/* An address a dynamic entry gives: glibc relocates some d_ptr values in
 * place and not others, so take whichever of the two readings lies in the
 * object. */
static uintptr_t dyn_addr(const struct dl_phdr_info *info, uintptr_t d_ptr,
			  size_t len)
{
	if (segment_of(info, info->dlpi_addr + d_ptr, len))
		return info->dlpi_addr + d_ptr;
	if (segment_of(info, d_ptr, len))
		return d_ptr;
	return 0;
}

static bool read_obj(const struct dl_phdr_info *info, struct obj *o)
{
	memset(o, 0, sizeof(*o));
	o->info_copy = *info;
	o->info = &o->info_copy;
	info = o->info;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			o->dyn = (ElfW(Dyn) *)(info->dlpi_addr +
					       info->dlpi_phdr[i].p_vaddr);
	if (o->dyn == NULL)
		return false;
	for (ElfW(Dyn) *d = o->dyn; d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_INIT)
			o->init = d;
		else if (d->d_tag == DT_INIT_ARRAY)
			o->init_array = d;
		else if (d->d_tag == DT_INIT_ARRAYSZ)
			o->init_arraysz = d;
		else if (d->d_tag == DT_STRTAB)
			o->strtab =
			    (const char *)dyn_addr(info, d->d_un.d_ptr, 1);
	}
	return true;
}

/* True if `o` names `soname` in a DT_NEEDED entry. */
static bool needs(const struct obj *o, const char *soname)
{
	if (o->strtab == NULL)
		return false;
	for (ElfW(Dyn) *d = o->dyn; d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_NEEDED &&
		    strcmp(o->strtab + d->d_un.d_val, soname) == 0)
			return true;
	return false;
}

/* Makes the page(s) of [a, a + len) writable for a moment if they are in
 * the object's read-only-after-relocation part, runs the store, restores. */
static bool set_dyn(const struct obj *o, ElfW(Dyn) * d, ElfW(Addr) value)
{
	const struct dl_phdr_info *info = o->info;
	const ElfW(Phdr) *seg = segment_of(info, (uintptr_t)d, sizeof(*d));
	if (seg == NULL)
		return false;
	bool relro = false;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + p->p_vaddr;
		if (p->p_type == PT_GNU_RELRO && (uintptr_t)d >= lo &&
		    (uintptr_t)d + sizeof(*d) <= lo + p->p_memsz)
			relro = true;
	}
	if (!relro && !(seg->p_flags & PF_W))
		return false;
	uintptr_t page = (uintptr_t)d & ~(uintptr_t)4095;
	uintptr_t end = ((uintptr_t)(d + 1) + 4095) & ~(uintptr_t)4095;
	if (relro && raw_syscall3(SYS_mprotect, (long)page, (long)(end - page),
				  PROT_READ | PROT_WRITE) != 0)
		return false;
	d->d_un.d_val = value;
	if (relro)
		raw_syscall3(SYS_mprotect, (long)page, (long)(end - page),
			     PROT_READ);
	return true;
}

/* Runs the initializers of `o` now (DT_INIT, then DT_INIT_ARRAY), after
 * making the loader's own later call of them a no-op. Returns false, with
 * nothing run, if they cannot be neutralized. */
static bool run_early(const struct obj *o, int argc, char **argv, char **envp)
{
	uintptr_t bias = o->info->dlpi_addr;
	init_fn init = NULL;
	uintptr_t array = 0;
	size_t n = 0;
	if (o->init) {
		init = (init_fn)(bias + o->init->d_un.d_ptr);
		if (!segment_of(o->info, (uintptr_t)init, 1))
			return false;
	}
	if (o->init_array && o->init_arraysz) {
		n = o->init_arraysz->d_un.d_val / sizeof(ElfW(Addr));
		array = dyn_addr(o->info, o->init_array->d_un.d_ptr,
				 n * sizeof(ElfW(Addr)));
		if (n && !array)
			return false;
	}
	if (init && !set_dyn(o, o->init, (uintptr_t)&si_early_noop - bias))
		return false;
	if (n && !set_dyn(o, o->init_arraysz, 0))
		return false;
	if (init)
		init(argc, argv, envp);
	for (size_t i = 0; i < n; i++) {
		uintptr_t f = ((const uintptr_t *)array)[i];
		if (f != 0 && f != (uintptr_t)-1)
			((init_fn)f)(argc, argv, envp);
	}
	return true;
}

/* ---- walking the loaded objects --------------------------------------- */

struct walk {
	int argc;
	char **argv;
	char **envp;
	int done_libc;
	int hooks_run;
};

static bool is_named(const char *path, const char *base);

static bool is_named(const char *path, const char *base)
{
	const char *slash = strrchr(path, '/');
	return strcmp(slash ? slash + 1 : path, base) == 0;
}

static int libc_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct walk *w = arg;
	struct obj o;
	(void)size;
	if (!is_named(info->dlpi_name, "libc.so.6") || !read_obj(info, &o))
		return 0;
	w->done_libc = run_early(&o, w->argc, w->argv, w->envp) ? 1 : -1;
	return 1;
}

/* Every loaded object, for initializing a hook library's dependencies
 * before it, as the loader would (dependencies first). */
#define MAX_OBJS 256
static struct obj objs[MAX_OBJS];
static unsigned char obj_state[MAX_OBJS]; /* 0 new, 1 visiting, 2 done */
static size_t n_objs;

static int collect_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size, (void)arg;
	if (n_objs < MAX_OBJS && read_obj(info, &objs[n_objs]))
		n_objs++;
	return 0;
}

static long find_obj(const char *soname)
{
	for (size_t i = 0; i < n_objs; i++)
		if (objs[i].info->dlpi_name[0] &&
		    is_named(objs[i].info->dlpi_name, soname))
			return (long)i;
	return -1;
}

/* Initializes object i after everything it needs. The loader itself, libc
 * (done in step 1) and this library (running now) count as done. */
static bool init_tree(size_t i, struct walk *w, int depth)
{
	if (obj_state[i] == 2)
		return true;
	if (obj_state[i] == 1 || depth > 32 || objs[i].strtab == NULL)
		return false; /* a cycle: leave it to the loader */
	obj_state[i] = 1;
	for (ElfW(Dyn) *d = objs[i].dyn; d->d_tag != DT_NULL; d++) {
		if (d->d_tag != DT_NEEDED)
			continue;
		long dep = find_obj(objs[i].strtab + d->d_un.d_val);
		if (dep < 0 || !init_tree((size_t)dep, w, depth + 1)) {
			obj_state[i] = 0;
			return false;
		}
	}
	if (!run_early(&objs[i], w->argc, w->argv, w->envp)) {
		obj_state[i] = 0;
		return false;
	}
	obj_state[i] = 2;
	return true;
}

static struct walk early_walk;

bool si_early_libc_init(int argc, char **argv, char **envp)
{
	early_walk.argc = argc;
	early_walk.argv = argv;
	early_walk.envp = envp;
	if (environ != NULL || envp == NULL)
		return false; /* libc is initialized: not an early start */
	if (libc_known())
		dl_iterate_phdr(libc_cb, &early_walk);
	if (early_walk.done_libc != 1 && environ == NULL)
		environ = envp; /* at least getenv works */
	return true;
}

int si_early_init_hooks(void)
{
	if (early_walk.done_libc != 1)
		return 0;
	n_objs = 0;
	dl_iterate_phdr(collect_cb, NULL);
	for (size_t i = 0; i < n_objs; i++) {
		const char *name = objs[i].info->dlpi_name;
		/* Done already: the loader (nothing to run), libc (step 1),
		 * this library (running now). */
		if (!name[0] || is_named(name, "libc.so.6") ||
		    is_named(name, "ld-linux-x86-64.so.2") ||
		    is_named(name, "libsyscall_intercept.so"))
			obj_state[i] = 2;
	}
	for (size_t i = 0; i < n_objs; i++)
		if (obj_state[i] != 2 &&
		    needs(&objs[i], "libsyscall_intercept.so") &&
		    init_tree(i, &early_walk, 0))
			early_walk.hooks_run++;
	return early_walk.hooks_run;
}
