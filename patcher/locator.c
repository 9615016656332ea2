/*
 * locator: ELF views (loaded object or mapped file), FDEs, symbols, padding.
 *
 * Both views share one "object address" space: a loaded object's run-time
 * addresses, or a file's link-time vaddrs. view_region() turns an object
 * address into a pointer to its bytes, bounded by the PT_LOAD segment that
 * holds it, so every parser below reads through the same bounds check.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dl_iterate_phdr */
#endif
#include "patcher/locator.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/syscall.h>

#include "base/raw_syscall.h"
#include "patcher/locator_internal.h"

#define VDSO_NAME "linux-vdso.so.1"

/* Every array here holds uintptr_t-sized fields. */
#define ALLOC_ALIGN 8

struct view {
	bool file;
	uintptr_t bias;
	const uint8_t *image; /* file only: the whole file */
	size_t image_len;
	const Elf64_Phdr *phdr;
	size_t phnum;
};

/* A sized symbol: [start, end), end == start when st_size is 0. */
typedef struct locator_range sym_range;

/* Every array below is fully written before it is read, so none needs
 * clearing. */
static void *arena_take(struct arena *a, size_t size)
{
	return arena_alloc_uninit(a, size, ALLOC_ALIGN);
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static bool bytes_eq(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/* Pointer to object address `addr` and the readable length from there to
 * the end of its PT_LOAD segment; NULL if no segment holds it. */
static const uint8_t *view_region(const struct view *v, uintptr_t addr,
				  size_t *len)
{
	for (size_t i = 0; i < v->phnum; i++) {
		const Elf64_Phdr *ph = &v->phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t start = v->bias + ph->p_vaddr;
		uint64_t size = v->file ? ph->p_filesz : ph->p_memsz;
		if (addr < start || addr - start >= size)
			continue;
		*len = (size_t)(size - (addr - start));
		if (v->file)
			return v->image + ph->p_offset + (addr - start);
		return (const uint8_t *)addr;
	}
	return 0;
}

static const uint8_t *view_ptr(const struct view *v, uintptr_t addr,
			       size_t need)
{
	size_t len;
	const uint8_t *p = view_region(v, addr, &len);
	return p && len >= need ? p : 0;
}

static int prot_of(uint32_t flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) |
	       ((flags & PF_W) ? PROT_WRITE : 0) |
	       ((flags & PF_X) ? PROT_EXEC : 0);
}

/* Executable segments, or readable ones that are not executable. */
static bool wanted_segment(Elf64_Word flags, bool exec)
{
	return exec ? (flags & PF_X) != 0
		    : (flags & PF_R) != 0 && (flags & PF_X) == 0;
}

static int collect_kind(const struct view *v, struct arena *arena, bool exec,
			struct locator_segment **out, size_t *count)
{
	size_t n = 0;
	for (size_t i = 0; i < v->phnum; i++)
		if (v->phdr[i].p_type == PT_LOAD &&
		    wanted_segment(v->phdr[i].p_flags, exec))
			n++;
	*count = 0;
	*out = arena_take(arena, (n ? n : 1) * sizeof(**out));
	if (!*out)
		return LOCATOR_ERR_NO_MEMORY;
	for (size_t i = 0; i < v->phnum; i++) {
		const Elf64_Phdr *ph = &v->phdr[i];
		if (ph->p_type != PT_LOAD || !wanted_segment(ph->p_flags, exec))
			continue;
		struct locator_segment *s = &(*out)[(*count)++];
		s->start = v->bias + ph->p_vaddr;
		s->end = s->start + ph->p_memsz;
		s->file_offset = ph->p_offset;
		s->prot = prot_of(ph->p_flags);
		s->bytes_len = ph->p_filesz;
		s->bytes = v->file ? v->image + ph->p_offset
				   : (const uint8_t *)s->start;
	}
	return 0;
}

static int collect_segments(const struct view *v, struct arena *arena,
			    struct locator_object *obj)
{
	int err = collect_kind(v, arena, true, &obj->exec_segments,
			       &obj->exec_segment_count);
	if (err)
		return err;
	return collect_kind(v, arena, false, &obj->data_segments,
			    &obj->data_segment_count);
}

/* ---- FDEs ---------------------------------------------------------------- */

/* Walks the .eh_frame at `eh` linearly, appending FDE ranges. */
static int fdes_linear(struct locator_eh *eh, struct arena *arena,
		       struct locator_object *obj)
{
	long count = locator_eh_count(eh);
	if (count < 0)
		return (int)count;
	obj->functions = arena_take(arena, ((size_t)count + 1) *
					       sizeof(struct locator_range));
	if (!obj->functions)
		return LOCATOR_ERR_NO_MEMORY;
	size_t off = 0, next;
	for (;;) {
		struct locator_range r;
		int kind = locator_eh_entry_at(eh, off, &r, &next);
		if (kind < 0)
			return kind;
		if (kind == LOCATOR_EH_END)
			break;
		if (kind == LOCATOR_EH_FDE) {
			obj->stats.fde_count++;
			obj->functions[obj->function_count++] = r;
		}
		off = next;
	}
	return 0;
}

/* Uses .eh_frame_hdr's search table when it has one, else walks the
 * .eh_frame it points to. */
static int fdes_from_hdr(const struct view *v, uintptr_t hdr_addr,
			 size_t hdr_size, struct arena *arena,
			 struct locator_object *obj)
{
	const uint8_t *hdr = view_ptr(v, hdr_addr, hdr_size);
	const uint8_t *p, *end;
	uint64_t eh_addr, fde_count;
	size_t eh_len;
	int err;

	if (!hdr || hdr_size < 4 || hdr[0] != 1)
		return LOCATOR_ERR_BAD_EH_FRAME_HDR;
	uint8_t ptr_enc = hdr[1], count_enc = hdr[2], table_enc = hdr[3];
	p = hdr + 4;
	end = hdr + hdr_size;
	err = locator_read_encoded(&p, end, ptr_enc, hdr_addr + 4, hdr_addr,
				   &eh_addr);
	if (err)
		return err == LOCATOR_ERR_BAD_EH_FRAME
			   ? LOCATOR_ERR_BAD_EH_FRAME_HDR
			   : err;
	const uint8_t *eh_data = view_region(v, (uintptr_t)eh_addr, &eh_len);
	if (!eh_data)
		return LOCATOR_ERR_BAD_EH_FRAME_HDR;
	struct locator_eh eh;
	locator_eh_init(&eh, eh_data, eh_len, (uintptr_t)eh_addr);

	if (count_enc == LOCATOR_PE_OMIT || table_enc == LOCATOR_PE_OMIT)
		return fdes_linear(&eh, arena, obj);
	err = locator_read_encoded(&p, end, count_enc,
				   hdr_addr + (uintptr_t)(p - hdr), hdr_addr,
				   &fde_count);
	if (err)
		return err == LOCATOR_ERR_BAD_EH_FRAME
			   ? LOCATOR_ERR_BAD_EH_FRAME_HDR
			   : err;
	/* Each entry holds two encoded values of at least 2 bytes. */
	if (fde_count > (uint64_t)(end - p) / 4)
		return LOCATOR_ERR_BAD_EH_FRAME_HDR;
	obj->functions = arena_take(arena, ((size_t)fde_count + 1) *
					       sizeof(struct locator_range));
	if (!obj->functions)
		return LOCATOR_ERR_NO_MEMORY;
	obj->stats.used_eh_frame_hdr = true;
	for (uint64_t i = 0; i < fde_count; i++) {
		uint64_t loc, fde_addr;
		struct locator_range r;
		size_t next;
		if (table_enc == (LOCATOR_PE_DATAREL | LOCATOR_PE_SDATA4) &&
		    end - p >= 8) {
			/* What ld always writes: two datarel int32s. */
			int32_t d[2];
			memcpy(d, p, sizeof(d));
			p += 8;
			loc = hdr_addr + (uint64_t)(int64_t)d[0];
			fde_addr = hdr_addr + (uint64_t)(int64_t)d[1];
			err = 0;
		} else {
			err = locator_read_encoded(
			    &p, end, table_enc, hdr_addr + (uintptr_t)(p - hdr),
			    hdr_addr, &loc);
			if (!err)
				err = locator_read_encoded(
				    &p, end, table_enc,
				    hdr_addr + (uintptr_t)(p - hdr), hdr_addr,
				    &fde_addr);
		}
		if (err)
			return err == LOCATOR_ERR_BAD_EH_FRAME
				   ? LOCATOR_ERR_BAD_EH_FRAME_HDR
				   : err;
		if (fde_addr < eh_addr || fde_addr - eh_addr >= eh_len)
			return LOCATOR_ERR_BAD_EH_FRAME_HDR;
		int kind = locator_eh_entry_at(
		    &eh, (size_t)(fde_addr - eh_addr), &r, &next);
		if (kind < 0)
			return kind;
		/* The table holds the raw pc_begin; a signal frame's FDE
		 * range starts one byte later (locator_eh_entry_at). */
		if (kind != LOCATOR_EH_FDE ||
		    (r.start != loc && r.start != loc + 1))
			return LOCATOR_ERR_BAD_EH_FRAME_HDR;
		obj->stats.fde_count++;
		obj->functions[obj->function_count++] = r;
	}
	return 0;
}

/* Sorts the FDE ranges, drops empty and identical ones, counts overlaps. */
static int finish_functions(struct arena *arena, struct locator_object *obj)
{
	size_t n = obj->function_count, o = 0;
	struct locator_range *r = obj->functions;

	if (n > 1) {
		size_t mark = arena_mark(arena);
		struct locator_range *scratch =
		    arena_take(arena, n * sizeof(*scratch));
		if (!scratch)
			return LOCATOR_ERR_NO_MEMORY;
		locator_sort_ranges(r, n, scratch);
		arena_rewind(arena, mark); /* scratch was the last allocation */
	}
	for (size_t i = 0; i < n; i++) {
		if (r[i].start == r[i].end) {
			obj->stats.fde_empty++;
			continue;
		}
		if (o > 0 && r[o - 1].start == r[i].start &&
		    r[o - 1].end == r[i].end) {
			obj->stats.fde_duplicates++;
			continue;
		}
		if (o > 0 && r[i].start < r[o - 1].end)
			obj->stats.fde_overlaps++;
		r[o++] = r[i];
	}
	obj->function_count = o;
	return 0;
}

/* ---- Symbols ------------------------------------------------------------- */

struct symbuf {
	sym_range *r;
	size_t n, cap;
};

static bool in_exec(const struct locator_object *obj, uintptr_t addr)
{
	return locator_segment_at(obj, addr) != 0;
}

/* Appends the defined functions of `syms` that lie in exec segments. */
static size_t add_symbols(struct symbuf *sb, const struct locator_object *obj,
			  const Elf64_Sym *syms, size_t count, uintptr_t bias)
{
	size_t added = 0;
	for (size_t i = 0; i < count && sb->n < sb->cap; i++) {
		const Elf64_Sym *s = &syms[i];
		unsigned type = ELF64_ST_TYPE(s->st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    s->st_shndx == SHN_UNDEF || s->st_shndx == SHN_ABS)
			continue;
		uintptr_t start = bias + s->st_value;
		if (!in_exec(obj, start))
			continue;
		sb->r[sb->n].start = start;
		sb->r[sb->n].end = start + s->st_size;
		sb->n++;
		added++;
	}
	return added;
}

/* Reads d_ptr: glibc rebases dynamic entries in place for objects with a
 * writable dynamic section, but not for the vdso (and musl never does), so
 * an address already inside the object is taken as it is. */
static uintptr_t dyn_addr(const struct view *v, uint64_t d_ptr)
{
	size_t len;
	if (v->file || v->bias == 0)
		return (uintptr_t)d_ptr;
	if (view_region(v, (uintptr_t)d_ptr, &len) &&
	    !view_region(v, v->bias + (uintptr_t)d_ptr, &len))
		return (uintptr_t)d_ptr;
	return v->bias + (uintptr_t)d_ptr;
}

/* Number of .dynsym entries from DT_GNU_HASH: one past the highest index
 * any bucket chain reaches. */
static int gnu_hash_count(const struct view *v, uintptr_t addr, size_t *out)
{
	size_t len;
	const uint8_t *h = view_region(v, addr, &len);
	if (!h || (uintptr_t)h % 4 || len < 16)
		return LOCATOR_ERR_BAD_SYMBOLS;
	const uint32_t *w = (const uint32_t *)h;
	uint32_t nbuckets = w[0], symoffset = w[1], bloom = w[2];
	uint64_t fixed = 16 + (uint64_t)bloom * 8 + (uint64_t)nbuckets * 4;
	if (fixed > len)
		return LOCATOR_ERR_BAD_SYMBOLS;
	const uint32_t *buckets = (const uint32_t *)(h + 16 + bloom * 8);
	const uint32_t *chain = buckets + nbuckets;
	size_t chain_len = (size_t)((len - fixed) / 4);
	uint32_t max = 0;
	for (uint32_t i = 0; i < nbuckets; i++)
		if (buckets[i] > max)
			max = buckets[i];
	if (max < symoffset) {
		*out = symoffset;
		return 0;
	}
	for (size_t i = max - symoffset;; i++) {
		if (i >= chain_len)
			return LOCATOR_ERR_BAD_SYMBOLS;
		if (chain[i] & 1) {
			*out = i + symoffset + 1;
			return 0;
		}
	}
}

static int read_dynsym(const struct view *v, struct locator_object *obj)
{
	const Elf64_Dyn *dyn = 0;
	size_t dyn_len = 0;
	uintptr_t symtab = 0, strtab = 0, gnu_hash = 0, hash = 0, versym = 0;
	uint64_t strsz = 0, syment = sizeof(Elf64_Sym);
	size_t count = 0, len;

	for (size_t i = 0; i < v->phnum; i++) {
		if (v->phdr[i].p_type != PT_DYNAMIC)
			continue;
		const uint8_t *p =
		    view_region(v, v->bias + v->phdr[i].p_vaddr, &len);
		if (!p || (uintptr_t)p % 8)
			return LOCATOR_ERR_BAD_DYNAMIC;
		dyn = (const Elf64_Dyn *)p;
		dyn_len = len / sizeof(Elf64_Dyn);
		if (v->phdr[i].p_filesz / sizeof(Elf64_Dyn) < dyn_len)
			dyn_len = v->phdr[i].p_filesz / sizeof(Elf64_Dyn);
	}
	if (!dyn)
		return 0;
	for (size_t i = 0; i < dyn_len && dyn[i].d_tag != DT_NULL; i++) {
		switch (dyn[i].d_tag) {
		case DT_SYMTAB:
			symtab = dyn_addr(v, dyn[i].d_un.d_ptr);
			break;
		case DT_STRTAB:
			strtab = dyn_addr(v, dyn[i].d_un.d_ptr);
			break;
		case DT_STRSZ:
			strsz = dyn[i].d_un.d_val;
			break;
		case DT_SYMENT:
			syment = dyn[i].d_un.d_val;
			break;
		case DT_GNU_HASH:
			gnu_hash = dyn_addr(v, dyn[i].d_un.d_ptr);
			break;
		case DT_HASH:
			hash = dyn_addr(v, dyn[i].d_un.d_ptr);
			break;
		case DT_VERSYM:
			versym = dyn_addr(v, dyn[i].d_un.d_ptr);
			break;
		default:
			break;
		}
	}
	if (!symtab)
		return 0;
	if (syment != sizeof(Elf64_Sym))
		return LOCATOR_ERR_BAD_SYMBOLS;
	if (gnu_hash) {
		int err = gnu_hash_count(v, gnu_hash, &count);
		if (err)
			return err;
	} else if (hash) {
		const uint32_t *h = (const uint32_t *)view_ptr(v, hash, 8);
		if (!h || (uintptr_t)h % 4)
			return LOCATOR_ERR_BAD_SYMBOLS;
		count = h[1]; /* nchain == number of symbols */
	} else {
		return LOCATOR_ERR_BAD_SYMBOLS;
	}
	const uint8_t *syms = view_ptr(v, symtab, count * sizeof(Elf64_Sym));
	const uint8_t *strs = view_ptr(v, strtab, (size_t)strsz);
	if (!syms || (uintptr_t)syms % 8 || (strtab && !strs))
		return LOCATOR_ERR_BAD_DYNAMIC;
	obj->priv_dynsym = syms;
	obj->priv_dynsym_count = count;
	obj->priv_dynstr = (const char *)strs;
	obj->priv_dynstr_len = strs ? (size_t)strsz : 0;
	if (versym && versym % 2 == 0)
		obj->priv_versym = (const uint16_t *)view_ptr(
		    v, versym, count * sizeof(uint16_t));
	return 0;
}

/* ---- File images -----------------------------------------------------------
 */

struct image {
	const uint8_t *data;
	size_t len;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *phdr;
	const Elf64_Shdr *shdr;
	size_t shnum;
};

static bool in_file(const struct image *im, uint64_t off, uint64_t size)
{
	return off <= im->len && size <= im->len - off;
}

/* Checks the header and every table locator reads from the file. */
static int check_image(struct image *im)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)im->data;

	if (im->len < EI_NIDENT || eh->e_ident[EI_MAG0] != ELFMAG0 ||
	    eh->e_ident[EI_MAG1] != ELFMAG1 ||
	    eh->e_ident[EI_MAG2] != ELFMAG2 || eh->e_ident[EI_MAG3] != ELFMAG3)
		return LOCATOR_ERR_NOT_ELF;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return LOCATOR_ERR_UNSUPPORTED_ELF;
	if (im->len < sizeof(Elf64_Ehdr))
		return LOCATOR_ERR_TRUNCATED;
	if (eh->e_machine != EM_X86_64 ||
	    (eh->e_type != ET_DYN && eh->e_type != ET_EXEC))
		return LOCATOR_ERR_UNSUPPORTED_ELF;
	if ((eh->e_phnum && eh->e_phentsize != sizeof(Elf64_Phdr)) ||
	    eh->e_phnum == PN_XNUM ||
	    (eh->e_shnum && eh->e_shentsize != sizeof(Elf64_Shdr)) ||
	    (eh->e_shnum && eh->e_shstrndx >= eh->e_shnum))
		return LOCATOR_ERR_BAD_HEADER;
	if (!in_file(im, eh->e_phoff,
		     (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)) ||
	    !in_file(im, eh->e_shoff,
		     (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		return LOCATOR_ERR_TRUNCATED;
	if ((eh->e_phnum && eh->e_phoff % 8) ||
	    (eh->e_shnum && eh->e_shoff % 8))
		return LOCATOR_ERR_BAD_HEADER;
	im->eh = eh;
	im->phdr = (const Elf64_Phdr *)(im->data + eh->e_phoff);
	im->shdr =
	    eh->e_shnum ? (const Elf64_Shdr *)(im->data + eh->e_shoff) : 0;
	im->shnum = eh->e_shnum;
	for (size_t i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = &im->phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_filesz > ph->p_memsz ||
		    ph->p_vaddr + ph->p_memsz < ph->p_vaddr)
			return LOCATOR_ERR_BAD_HEADER;
		if (!in_file(im, ph->p_offset, ph->p_filesz))
			return LOCATOR_ERR_TRUNCATED;
	}
	for (size_t i = 0; i < im->shnum; i++) {
		const Elf64_Shdr *sh = &im->shdr[i];
		if (sh->sh_type != SHT_NOBITS &&
		    !in_file(im, sh->sh_offset, sh->sh_size))
			return LOCATOR_ERR_TRUNCATED;
	}
	return 0;
}

static const Elf64_Shdr *find_section(const struct image *im, uint32_t type,
				      const char *name)
{
	if (!im->shdr)
		return 0;
	const Elf64_Shdr *names = &im->shdr[im->eh->e_shstrndx];
	for (size_t i = 0; i < im->shnum; i++) {
		const Elf64_Shdr *sh = &im->shdr[i];
		if (sh->sh_type != type)
			continue;
		if (!name)
			return sh;
		if (sh->sh_name >= names->sh_size)
			continue;
		const char *s =
		    (const char *)im->data + names->sh_offset + sh->sh_name;
		size_t room = (size_t)(names->sh_size - sh->sh_name);
		size_t k = 0;
		while (k < room && name[k] && s[k] == name[k])
			k++;
		if (k < room && name[k] == 0 && s[k] == 0)
			return sh;
	}
	return 0;
}

/* Finds .symtab and its string table in a checked image. */
static int image_symtab(const struct image *im, const Elf64_Sym **syms,
			size_t *count, const char **strs, size_t *strs_len)
{
	const Elf64_Shdr *sh = find_section(im, SHT_SYMTAB, 0);
	*syms = 0;
	*count = 0;
	if (!sh)
		return 0;
	if (sh->sh_entsize != sizeof(Elf64_Sym) || sh->sh_link >= im->shnum ||
	    sh->sh_offset % 8 || im->shdr[sh->sh_link].sh_type != SHT_STRTAB)
		return LOCATOR_ERR_BAD_SYMBOLS;
	const Elf64_Shdr *str = &im->shdr[sh->sh_link];
	*syms = (const Elf64_Sym *)(im->data + sh->sh_offset);
	*count = (size_t)(sh->sh_size / sizeof(Elf64_Sym));
	*strs = (const char *)im->data + str->sh_offset;
	*strs_len = (size_t)str->sh_size;
	return 0;
}

/* Maps `path` read-only. Returns 0 or -errno / LOCATOR_ERR_NOT_ELF. */
static int map_file(const char *path, void **map, size_t *len)
{
	struct stat st;
	long fd = raw_syscall4(SYS_openat, AT_FDCWD, (long)path,
			       O_RDONLY | O_CLOEXEC, 0);
	if (raw_is_error(fd))
		return (int)fd;
	long r = raw_syscall2(SYS_fstat, fd, (long)&st);
	if (raw_is_error(r)) {
		raw_syscall1(SYS_close, fd);
		return (int)r;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < EI_NIDENT) {
		raw_syscall1(SYS_close, fd);
		return LOCATOR_ERR_NOT_ELF;
	}
	long p = raw_syscall6(SYS_mmap, 0, (long)st.st_size, PROT_READ,
			      MAP_PRIVATE, fd, 0);
	raw_syscall1(SYS_close, fd);
	if (raw_is_error(p))
		return (int)p;
	*map = (void *)p;
	*len = (size_t)st.st_size;
	return 0;
}

static void unmap(void *map, size_t len)
{
	if (map)
		raw_syscall2(SYS_munmap, (long)map, (long)len);
}

/* ---- Assembly of the result ------------------------------------------------
 */

static const struct locator_segment *seg_at(const struct locator_object *obj,
					    uintptr_t addr)
{
	for (size_t i = 0; i < obj->exec_segment_count; i++) {
		const struct locator_segment *s = &obj->exec_segments[i];
		if (addr >= s->start && addr < s->end)
			return s;
	}
	return 0;
}

/* The first entry of sorted `a` that is >= key (n if none). */
static size_t lower_bound(const uintptr_t *a, size_t n, uintptr_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The code range holding addr (obj->code), or NULL. */
static const struct locator_range *code_at(const struct locator_object *obj,
					   uintptr_t addr)
{
	for (size_t i = 0; i < obj->code_count; i++)
		if (addr >= obj->code[i].start && addr < obj->code[i].end)
			return &obj->code[i];
	return 0;
}

bool locator_is_code(const struct locator_object *obj, uintptr_t addr)
{
	return seg_at(obj, addr) &&
	       (obj->code_count == 0 || code_at(obj, addr) != 0);
}

/* Records the candidate gap [covered.end, limit) if a filler run could
 * start there: a sized range ends inside a segment's bytes. */
static void add_gap(struct locator_object *obj, struct locator_range covered,
		    uintptr_t limit)
{
	uintptr_t gap = covered.end;
	if (gap == covered.start) /* an unsized symbol marks no end */
		return;
	const struct locator_segment *s = seg_at(obj, gap);
	if (!s || gap - s->start >= s->bytes_len)
		return;
	if (s->start + s->bytes_len < limit)
		limit = s->start + s->bytes_len;
	if (obj->code_count) { /* filler only inside a code section */
		const struct locator_range *c = code_at(obj, gap);
		if (!c)
			return;
		if (c->end < limit)
			limit = c->end;
	}
	if (limit > gap) {
		struct locator_range *r = &obj->padding[obj->padding_count++];
		r->start = gap;
		r->end = limit;
	}
}

/* Shrinks each candidate gap to its leading filler run, dropping empty
 * ones. The gaps are scattered over the whole text (3,400 cache lines for
 * libc), so later gaps' bytes are prefetched while one is decoded; that
 * only matters for a cold cache, which the benchmark does not measure. */
static void scan_gaps(struct locator_object *obj)
{
	const size_t ahead = 8;
	size_t o = 0, n = obj->padding_count;
	struct locator_range *r = obj->padding;
	const struct locator_segment *s = 0;

	for (size_t i = 0; i < n; i++) {
		if (i + ahead < n) {
			const uint8_t *p =
			    locator_bytes(obj, r[i + ahead].start, 1);
			if (p)
				__builtin_prefetch(p);
		}
		uintptr_t gap = r[i].start, limit = r[i].end, pos = gap;
		if (!s || gap < s->start || gap >= s->end)
			s = seg_at(obj, gap);
		while (pos < limit) {
			size_t k = locator_filler_len(
			    s->bytes + (pos - s->start), (size_t)(limit - pos));
			if (k == 0)
				break;
			pos += k;
		}
		if (pos > gap) {
			r[o].start = gap;
			r[o].end = pos;
			o++;
		}
	}
	obj->padding_count = o;
}

/* One merged walk over the sorted FDE ranges and sorted symbols `sym`:
 * symbols = unique starts of both; coverage = their union, and each end of
 * the coverage is where a padding run may start, up to the next start. */
static int build_symbols_and_padding(struct arena *arena,
				     struct locator_object *obj,
				     const sym_range *sym, size_t nsym,
				     bool padding)
{
	const struct locator_range *fn = obj->functions;
	size_t nf = obj->function_count;
	size_t a = 0, b = 0, o = 0;
	bool have = false;
	struct locator_range cur = {0, 0};

	obj->symbols = arena_take(arena, (nsym + nf + 1) * sizeof(uintptr_t));
	if (!obj->symbols)
		return LOCATOR_ERR_NO_MEMORY;
	if (padding) {
		/* Each run starts at a distinct coverage end: at most one per
		 * range. Untouched capacity costs no page faults. */
		obj->padding =
		    arena_take(arena, (nsym + nf + 1) * sizeof(*obj->padding));
		if (!obj->padding)
			return LOCATOR_ERR_NO_MEMORY;
	}
	while (a < nsym || b < nf) {
		struct locator_range next;
		if (b >= nf || (a < nsym && sym[a].start < fn[b].start))
			next = sym[a++];
		else
			next = fn[b++];
		if (o == 0 || obj->symbols[o - 1] != next.start)
			obj->symbols[o++] = next.start;
		if (have && next.start <= cur.end) {
			if (next.end > cur.end)
				cur.end = next.end;
			continue;
		}
		if (have && padding)
			add_gap(obj, cur, next.start);
		cur = next;
		have = true;
	}
	if (have && padding)
		add_gap(obj, cur, UINTPTR_MAX);
	obj->symbol_count = o;
	if (padding)
		scan_gaps(obj);
	return 0;
}

/* Shared tail of both views: FDEs are in obj->functions; gathers symbols
 * from .dynsym and the optional .symtab, then sorts and derives padding. */
static int finish(const struct view *v, const Elf64_Sym *symtab,
		  size_t symtab_count, unsigned flags, struct arena *arena,
		  struct locator_object *obj)
{
	int err = finish_functions(arena, obj);
	if (err)
		return err;
	err = read_dynsym(v, obj);
	if (err)
		return err;
	size_t cap = obj->priv_dynsym_count + symtab_count;
	struct symbuf sb = {0, 0, cap};
	sb.r = arena_take(arena, (2 * cap + 1) * sizeof(sym_range));
	if (!sb.r)
		return LOCATOR_ERR_NO_MEMORY;
	obj->stats.dynsym_functions = add_symbols(
	    &sb, obj, obj->priv_dynsym, obj->priv_dynsym_count, v->bias);
	obj->stats.symtab_functions =
	    add_symbols(&sb, obj, symtab, symtab_count, v->bias);
	locator_sort_ranges(sb.r, sb.n, sb.r + cap);
	/* Same start: keep the largest size, so coverage never shrinks. */
	size_t o = 0;
	for (size_t i = 0; i < sb.n; i++) {
		if (o > 0 && sb.r[o - 1].start == sb.r[i].start)
			sb.r[o - 1] = sb.r[i];
		else
			sb.r[o++] = sb.r[i];
	}
	sb.n = o;
	return build_symbols_and_padding(arena, obj, sb.r, sb.n,
					 !(flags & LOCATOR_NO_PADDING));
}

/* ---- Loaded objects ---------------------------------------------------------
 */

/* Resolves the main program's path: /proc/self/exe, else AT_EXECFN. */
static const char *main_path(struct arena *arena)
{
	const size_t size = 4096;
	char *buf = arena_take(arena, size);
	if (buf) {
		long n = raw_syscall3(SYS_readlink, (long)"/proc/self/exe",
				      (long)buf, (long)(size - 1));
		if (!raw_is_error(n) && n > 0) {
			buf[n] = 0;
			return buf;
		}
	}
	const char *fn = (const char *)getauxval(AT_EXECFN);
	return fn ? fn : "";
}

/* Merges .symtab from the object's file if the file on disk is the one
 * that is loaded (same program headers). Failures only set the status. */
/* Reads `len` bytes at `off` of fd completely. */
static bool pread_all(long fd, void *buf, size_t len, uint64_t off)
{
	long n = raw_syscall4(SYS_pread64, fd, (long)buf, (long)len, (long)off);
	return !raw_is_error(n) && (size_t)n == len;
}

/* Most executable sections an object may have for obj->code to be kept
 * (real objects have 4 to 8: .init, .plt, .plt.got, .plt.sec, .text,
 * .fini); more, and the exec segments count as code. */
#define MAX_CODE_SECTIONS 32

/* The SHF_ALLOC|SHF_EXECINSTR sections of `sh` (+ bias) into out; returns
 * how many, or MAX_CODE_SECTIONS + 1 if they do not fit. */
static size_t code_sections(const Elf64_Shdr *sh, size_t n, uintptr_t bias,
			    struct locator_range *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const uint64_t want = SHF_ALLOC | SHF_EXECINSTR;
		if ((sh[i].sh_flags & want) != want || sh[i].sh_size == 0 ||
		    sh[i].sh_type == SHT_NOBITS)
			continue;
		if (k == MAX_CODE_SECTIONS)
			return MAX_CODE_SECTIONS + 1;
		out[k].start = bias + (uintptr_t)sh[i].sh_addr;
		out[k].end = out[k].start + (uintptr_t)sh[i].sh_size;
		k++;
	}
	return k;
}

/* Sets obj->code from the n ranges in r (n as code_sections returned). */
static int set_code(struct locator_object *obj, struct arena *arena,
		    const struct locator_range *r, size_t n)
{
	if (n == 0 || n > MAX_CODE_SECTIONS)
		return 0;
	struct locator_range *c = arena_take(arena, n * sizeof(*c));
	if (!c)
		return LOCATOR_ERR_NO_MEMORY;
	for (size_t i = 0; i < n; i++) { /* insertion sort: n is tiny */
		size_t j = i;
		while (j > 0 && c[j - 1].start > r[i].start) {
			c[j] = c[j - 1];
			j--;
		}
		c[j] = r[i];
	}
	for (size_t i = 1; i < n; i++)
		if (c[i].start < c[i - 1].end)
			return 0; /* overlapping sections: not trusted */
	obj->code = c;
	obj->code_count = n;
	return 0;
}

/* Cheap look at the file behind a loaded object before mapping it: its
 * program headers must equal the loaded ones and it must have a .symtab.
 * Four syscalls and no page faults for the common stripped library.
 * Returns LOCATOR_SYMTAB_READ when mapping it is worthwhile, else the
 * status to report. */
static enum locator_symtab_status probe_symtab(const char *path,
					       const struct dl_phdr_info *info,
					       struct arena *arena,
					       struct locator_object *obj)
{
	struct locator_range code[MAX_CODE_SECTIONS];
	size_t n_code = 0;
	enum locator_symtab_status st = LOCATOR_SYMTAB_FILE_ERROR;
	Elf64_Ehdr eh;
	size_t mark = arena_mark(arena);
	long fd = raw_syscall4(SYS_openat, AT_FDCWD, (long)path,
			       O_RDONLY | O_CLOEXEC, 0);
	if (raw_is_error(fd))
		return st;
	if (!pread_all(fd, &eh, sizeof(eh), 0) ||
	    !bytes_eq(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    (eh.e_shnum && eh.e_shentsize != sizeof(Elf64_Shdr)))
		goto out;
	size_t ph_len = (size_t)info->dlpi_phnum * sizeof(Elf64_Phdr);
	size_t sh_len = (size_t)eh.e_shnum * sizeof(Elf64_Shdr);
	uint8_t *buf = arena_take(arena, ph_len > sh_len ? ph_len : sh_len);
	if (!buf)
		goto out;
	st = LOCATOR_SYMTAB_MISMATCH;
	if (eh.e_phnum != info->dlpi_phnum ||
	    !pread_all(fd, buf, ph_len, eh.e_phoff) ||
	    !bytes_eq(buf, info->dlpi_phdr, ph_len))
		goto out;
	st = LOCATOR_SYMTAB_FILE_ERROR;
	if (sh_len && !pread_all(fd, buf, sh_len, eh.e_shoff))
		goto out;
	st = LOCATOR_SYMTAB_ABSENT;
	for (size_t i = 0; i < eh.e_shnum; i++)
		if (((const Elf64_Shdr *)buf)[i].sh_type == SHT_SYMTAB)
			st = LOCATOR_SYMTAB_READ;
	n_code = code_sections((const Elf64_Shdr *)buf, eh.e_shnum,
			       info->dlpi_addr, code);
out:
	arena_rewind(arena, mark); /* buf was the last allocation */
	raw_syscall1(SYS_close, fd);
	if (set_code(obj, arena, code, n_code) != 0)
		return LOCATOR_SYMTAB_FILE_ERROR;
	return st;
}

static void loaded_symtab(const struct dl_phdr_info *info,
			  const Elf64_Sym **syms, size_t *count,
			  struct arena *arena, struct locator_object *obj)
{
	struct image im = {0};
	void *map = 0;
	size_t len = 0;
	const char *strs = 0;
	size_t strs_len = 0;

	*syms = 0;
	*count = 0;
	obj->stats.symtab = probe_symtab(obj->path, info, arena, obj);
	if (obj->stats.symtab != LOCATOR_SYMTAB_READ)
		return;
	if (map_file(obj->path, &map, &len) != 0) {
		obj->stats.symtab = LOCATOR_SYMTAB_FILE_ERROR;
		return;
	}
	im.data = map;
	im.len = len;
	if (check_image(&im) != 0) {
		obj->stats.symtab = LOCATOR_SYMTAB_FILE_ERROR;
		unmap(map, len);
		return;
	}
	if (im.eh->e_phnum != info->dlpi_phnum ||
	    !bytes_eq(im.phdr, info->dlpi_phdr,
		      info->dlpi_phnum * sizeof(Elf64_Phdr))) {
		obj->stats.symtab = LOCATOR_SYMTAB_MISMATCH;
		unmap(map, len);
		return;
	}
	int err = image_symtab(&im, syms, count, &strs, &strs_len);
	if (err || !*syms) {
		obj->stats.symtab =
		    err ? LOCATOR_SYMTAB_FILE_ERROR : LOCATOR_SYMTAB_ABSENT;
		*syms = 0;
		*count = 0;
		unmap(map, len);
		return;
	}
	obj->stats.symtab = LOCATOR_SYMTAB_READ;
	obj->priv_symtab = *syms;
	obj->priv_symtab_count = *count;
	obj->priv_strtab = strs;
	obj->priv_strtab_len = strs_len;
	obj->priv_map = map;
	obj->priv_map_len = len;
}

static void clear(struct locator_object *obj)
{
	uint8_t *p = (uint8_t *)obj;
	for (size_t i = 0; i < sizeof(*obj); i++)
		p[i] = 0;
}

int locator_load_object(const struct dl_phdr_info *info, const void *self,
			unsigned flags, struct arena *arena,
			struct locator_object *obj)
{
	struct view v = {0};
	const Elf64_Sym *symtab = 0;
	size_t symtab_count = 0;
	uintptr_t ehdr_addr = 0;
	int err;

	clear(obj);
	v.bias = info->dlpi_addr;
	v.phdr = info->dlpi_phdr;
	v.phnum = info->dlpi_phnum;
	obj->bias = info->dlpi_addr;
	obj->path = info->dlpi_name ? info->dlpi_name : "";

	for (size_t i = 0; i < v.phnum; i++) {
		const Elf64_Phdr *ph = &v.phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t start = v.bias + ph->p_vaddr;
		if (ph->p_offset == 0)
			ehdr_addr = start;
		if (self && (uintptr_t)self >= start &&
		    (uintptr_t)self - start < ph->p_memsz)
			obj->is_self = true;
	}
	uintptr_t vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
	obj->is_vdso =
	    (vdso && ehdr_addr == vdso) || str_eq(obj->path, VDSO_NAME);
	if (!obj->is_vdso && obj->path[0] == 0) {
		obj->is_main = true;
		obj->path = main_path(arena);
	}

	err = collect_segments(&v, arena, obj);
	if (err || (flags & LOCATOR_SEGMENTS_ONLY))
		return err;
	for (size_t i = 0; i < v.phnum; i++) {
		if (v.phdr[i].p_type != PT_GNU_EH_FRAME)
			continue;
		err = fdes_from_hdr(&v, v.bias + v.phdr[i].p_vaddr,
				    (size_t)v.phdr[i].p_memsz, arena, obj);
		if (err)
			return err;
		break;
	}
	if (!obj->is_vdso && obj->path[0] && !(flags & LOCATOR_NO_FILE_SYMTAB))
		loaded_symtab(info, &symtab, &symtab_count, arena, obj);
	err = finish(&v, symtab, symtab_count, flags, arena, obj);
	if (err)
		locator_close(obj);
	return err;
}

struct find_ctx {
	uintptr_t addr;
	const void *self;
	unsigned flags;
	struct arena *arena;
	struct locator_object *obj;
	int result;
	bool found;
};

static int find_cb(const struct dl_phdr_info *info, void *ctx_)
{
	struct find_ctx *ctx = ctx_;
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const Elf64_Phdr *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type != PT_LOAD || ctx->addr < start ||
		    ctx->addr - start >= ph->p_memsz)
			continue;
		ctx->found = true;
		ctx->result = locator_load_object(info, ctx->self, ctx->flags,
						  ctx->arena, ctx->obj);
		return 1;
	}
	return 0;
}

struct iter_ctx {
	locator_visit_fn fn;
	void *ctx;
};

static int iter_cb(struct dl_phdr_info *info, size_t size, void *ctx_)
{
	struct iter_ctx *ctx = ctx_;
	(void)size;
	return ctx->fn(info, ctx->ctx);
}

int locator_for_each_loaded(locator_visit_fn fn, void *ctx)
{
	struct iter_ctx ic = {fn, ctx};
	return dl_iterate_phdr(iter_cb, &ic);
}

int locator_open_loaded(const void *addr, const void *self, unsigned flags,
			struct arena *arena, struct locator_object *obj)
{
	struct find_ctx ctx = {
	    (uintptr_t)addr, self, flags, arena, obj, 0, false};
	locator_for_each_loaded(find_cb, &ctx);
	return ctx.found ? ctx.result : LOCATOR_ERR_NOT_LOADED;
}

/* ---- Files
 * -------------------------------------------------------------------- */

int locator_open_file(const char *path, struct arena *arena,
		      struct locator_object *obj)
{
	struct image im = {0};
	struct view v = {0};
	void *map = 0;
	size_t len = 0;
	const Elf64_Sym *symtab = 0;
	size_t symtab_count = 0;
	const char *strs = 0;
	size_t strs_len = 0;
	int err;

	clear(obj);
	err = map_file(path, &map, &len);
	if (err)
		return err;
	obj->priv_map = map;
	obj->priv_map_len = len;
	obj->path = path;
	obj->is_file = true;
	im.data = map;
	im.len = len;
	err = check_image(&im);
	if (err)
		goto fail;
	v.file = true;
	v.image = im.data;
	v.image_len = im.len;
	v.phdr = im.phdr;
	v.phnum = im.eh->e_phnum;

	err = collect_segments(&v, arena, obj);
	if (err)
		goto fail;
	const Elf64_Shdr *ehs = find_section(&im, SHT_PROGBITS, ".eh_frame");
	if (ehs) {
		struct locator_eh eh;
		locator_eh_init(&eh, im.data + ehs->sh_offset,
				(size_t)ehs->sh_size, (uintptr_t)ehs->sh_addr);
		err = fdes_linear(&eh, arena, obj);
	} else {
		for (size_t i = 0; i < v.phnum; i++) {
			if (v.phdr[i].p_type != PT_GNU_EH_FRAME)
				continue;
			err = fdes_from_hdr(&v, v.phdr[i].p_vaddr,
					    (size_t)v.phdr[i].p_filesz, arena,
					    obj);
			break;
		}
	}
	if (err)
		goto fail;
	if (im.shdr) {
		struct locator_range code[MAX_CODE_SECTIONS];
		size_t n = code_sections(im.shdr, im.eh->e_shnum, 0, code);
		err = set_code(obj, arena, code, n);
		if (err)
			goto fail;
	}
	err = image_symtab(&im, &symtab, &symtab_count, &strs, &strs_len);
	if (err)
		goto fail;
	obj->stats.symtab =
	    symtab ? LOCATOR_SYMTAB_READ : LOCATOR_SYMTAB_ABSENT;
	obj->priv_symtab = symtab;
	obj->priv_symtab_count = symtab_count;
	obj->priv_strtab = strs;
	obj->priv_strtab_len = strs_len;
	err = finish(&v, symtab, symtab_count, 0, arena, obj);
	if (err)
		goto fail;
	return 0;
fail:
	locator_close(obj);
	return err;
}

void locator_close(struct locator_object *obj)
{
	unmap(obj->priv_map, obj->priv_map_len);
	obj->priv_map = 0;
	obj->priv_map_len = 0;
	if (obj->is_file) {
		/* Everything that pointed into the mapping is gone. */
		obj->priv_dynsym = 0;
		obj->priv_dynsym_count = 0;
		obj->priv_dynstr = 0;
		obj->priv_versym = 0;
		for (size_t i = 0; i < obj->exec_segment_count; i++)
			obj->exec_segments[i].bytes = 0;
		for (size_t i = 0; i < obj->data_segment_count; i++)
			obj->data_segments[i].bytes = 0;
	}
	obj->priv_symtab = 0;
	obj->priv_symtab_count = 0;
	obj->priv_strtab = 0;
}

/* ---- Queries
 * ------------------------------------------------------------------ */

bool locator_function_at(const struct locator_object *obj, uintptr_t addr,
			 uintptr_t *start, uintptr_t *end)
{
	const struct locator_range *r = obj->functions;
	size_t lo = 0, hi = obj->function_count;

	/* Last range with start <= addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Ranges may overlap (stats.fde_overlaps): look back while an earlier
	 * range could still reach addr. Without overlaps this runs once. */
	for (size_t i = lo; i > 0; i--) {
		if (addr < r[i - 1].end) {
			if (start)
				*start = r[i - 1].start;
			if (end)
				*end = r[i - 1].end;
			return true;
		}
		if (obj->stats.fde_overlaps == 0)
			break;
	}
	return false;
}

bool locator_is_symbol_start(const struct locator_object *obj, uintptr_t addr)
{
	size_t i = lower_bound(obj->symbols, obj->symbol_count, addr);
	return i < obj->symbol_count && obj->symbols[i] == addr;
}

const struct locator_segment *
locator_segment_at(const struct locator_object *obj, uintptr_t addr)
{
	return seg_at(obj, addr);
}

const uint8_t *locator_bytes(const struct locator_object *obj, uintptr_t addr,
			     size_t len)
{
	const struct locator_segment *s = seg_at(obj, addr);
	if (!s || !s->bytes || addr - s->start > s->bytes_len ||
	    len > s->bytes_len - (addr - s->start))
		return 0;
	return s->bytes + (addr - s->start);
}

/* Compares a NUL-terminated `name` with a string-table entry of bounded
 * length. */
static bool name_is(const char *tab, size_t tab_len, uint32_t off,
		    const char *name)
{
	if (!tab || off >= tab_len)
		return false;
	size_t k = 0;
	while (off + k < tab_len && name[k] && tab[off + k] == name[k])
		k++;
	return name[k] == 0 && off + k < tab_len && tab[off + k] == 0;
}

static bool lookup_in(const Elf64_Sym *syms, size_t count, const char *tab,
		      size_t tab_len, const uint16_t *versym, const char *name,
		      uintptr_t bias, uintptr_t *addr)
{
	bool found = false;
	for (size_t i = 0; i < count; i++) {
		const Elf64_Sym *s = &syms[i];
		unsigned type = ELF64_ST_TYPE(s->st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    s->st_shndx == SHN_UNDEF ||
		    !name_is(tab, tab_len, s->st_name, name))
			continue;
		*addr = bias + s->st_value;
		found = true;
		/* 0x8000 marks a hidden (non-default) version. */
		if (!versym || !(versym[i] & 0x8000))
			return true;
	}
	return found;
}

bool locator_lookup_symbol(const struct locator_object *obj, const char *name,
			   uintptr_t *addr)
{
	return lookup_in(obj->priv_dynsym, obj->priv_dynsym_count,
			 obj->priv_dynstr, obj->priv_dynstr_len,
			 obj->priv_versym, name, obj->bias, addr) ||
	       lookup_in(obj->priv_symtab, obj->priv_symtab_count,
			 obj->priv_strtab, obj->priv_strtab_len, 0, name,
			 obj->bias, addr);
}

const char *locator_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case LOCATOR_ERR_NO_MEMORY:
		return "arena exhausted";
	case LOCATOR_ERR_NOT_ELF:
		return "not an ELF file";
	case LOCATOR_ERR_UNSUPPORTED_ELF:
		return "not an ELF64 little-endian x86-64 executable or DSO";
	case LOCATOR_ERR_BAD_HEADER:
		return "inconsistent ELF header";
	case LOCATOR_ERR_TRUNCATED:
		return "ELF table lies outside the file";
	case LOCATOR_ERR_BAD_EH_FRAME_HDR:
		return "malformed .eh_frame_hdr";
	case LOCATOR_ERR_BAD_EH_FRAME:
		return "malformed CIE or FDE";
	case LOCATOR_ERR_BAD_ENCODING:
		return "unsupported DWARF pointer encoding";
	case LOCATOR_ERR_BAD_DYNAMIC:
		return "dynamic table points outside the object";
	case LOCATOR_ERR_BAD_SYMBOLS:
		return "malformed symbol table or hash table";
	case LOCATOR_ERR_NOT_LOADED:
		return "no loaded object contains the address";
	case -ENOENT:
		return "ENOENT";
	case -EACCES:
		return "EACCES";
	case -ENOMEM:
		return "ENOMEM";
	case -EISDIR:
		return "EISDIR";
	case -ENOTDIR:
		return "ENOTDIR";
	case -ELOOP:
		return "ELOOP";
	case -ENAMETOOLONG:
		return "ENAMETOOLONG";
	case -EMFILE:
		return "EMFILE";
	case -ENODEV:
		return "ENODEV";
	case -EINVAL:
		return "EINVAL";
	default:
		return err < 0 && err > -4096 ? "system error"
					      : "unknown error";
	}
}
