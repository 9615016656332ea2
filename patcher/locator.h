/*
 * locator: what an ELF object looks like to the patcher.
 *
 * For an object loaded in this process, or for an ELF file on disk, the
 * locator reports its identity, its executable segments, the function
 * boundaries that every run-time source agrees on (.eh_frame FDEs, .dynsym,
 * .symtab), and the runs of alignment filler between functions.
 *
 * Addresses. Every address in a struct locator_object is in the object's
 * own address space:
 *  - loaded objects: run-time addresses (link-time vaddr + bias); the bytes
 *    at an address are the process's memory.
 *  - files: link-time vaddrs (bias 0); the bytes live in a private read-only
 *    mapping of the whole file, and locator_bytes() translates an address to
 *    a pointer into it (segment.bytes + (addr - segment.start)).
 * So a loaded object's addresses minus its bias equal the file view's.
 *
 * Arena use: about 16 bytes per FDE, 40 per .dynsym/.symtab entry and 16
 * per padding slot (unused slots are never touched, so never faulted in);
 * libc takes 291 KB, so 1 MB is ample unless a file has a large .symtab.
 *
 * Memory comes from the caller's arena only; nothing here calls malloc, and
 * the only libc calls are dl_iterate_phdr (the entry point for loaded
 * objects, used before any patching) and getauxval (no syscall). Files are
 * read with raw openat/fstat/mmap/close.
 */
#ifndef SYSCALL_INTERCEPT_PATCHER_LOCATOR_H
#define SYSCALL_INTERCEPT_PATCHER_LOCATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

#ifdef __cplusplus
extern "C" {
#endif

/* <link.h> declares it only under _GNU_SOURCE; callers that walk loaded
 * objects include <link.h> themselves. */
struct dl_phdr_info;

/* Failure modes. Functions return 0, a negative errno from a syscall
 * (openat, fstat, mmap), or one of these. */
enum locator_error {
	LOCATOR_ERR_NO_MEMORY = -10001,	       /* the arena is exhausted */
	LOCATOR_ERR_NOT_ELF = -10002,	       /* no ELF magic, or too short */
	LOCATOR_ERR_UNSUPPORTED_ELF = -10003,  /* not x86-64 ELF64 DYN/EXEC */
	LOCATOR_ERR_BAD_HEADER = -10004,       /* inconsistent header fields */
	LOCATOR_ERR_TRUNCATED = -10005,	       /* a table lies past the file */
	LOCATOR_ERR_BAD_EH_FRAME_HDR = -10006, /* malformed .eh_frame_hdr */
	LOCATOR_ERR_BAD_EH_FRAME = -10007,     /* malformed CIE or FDE */
	LOCATOR_ERR_BAD_ENCODING = -10008,     /* unsupported DW_EH_PE_* */
	LOCATOR_ERR_BAD_DYNAMIC = -10009, /* dynamic entry points nowhere */
	LOCATOR_ERR_BAD_SYMBOLS = -10010, /* malformed symbols or hash */
	LOCATOR_ERR_NOT_LOADED = -10011,  /* no object has the address */
};

/* A half-open address range [start, end). */
struct locator_range {
	uintptr_t start;
	uintptr_t end;
};

/* An executable PT_LOAD segment. */
struct locator_segment {
	uintptr_t start;      /* vaddr + bias */
	uintptr_t end;	      /* start + p_memsz */
	uint64_t file_offset; /* p_offset */
	int prot; /* PROT_READ | PROT_WRITE | PROT_EXEC from p_flags */
	const uint8_t *bytes; /* the bytes at `start` (NULL if none readable) */
	size_t bytes_len;     /* readable bytes from `start` (p_filesz) */
};

/* Where .symtab came from, for diagnostics and tests. */
enum locator_symtab_status {
	LOCATOR_SYMTAB_NOT_READ = 0, /* not asked, vdso, or no file path */
	LOCATOR_SYMTAB_ABSENT,	     /* file read, it has no .symtab */
	LOCATOR_SYMTAB_READ,	     /* .symtab functions merged in */
	LOCATOR_SYMTAB_MISMATCH, /* file on disk differs from the loaded one */
	LOCATOR_SYMTAB_FILE_ERROR, /* file could not be opened or parsed */
};

struct locator_stats {
	size_t fde_count;	 /* FDEs parsed (before de-duplication) */
	size_t fde_empty;	 /* FDEs with pc_range 0 (dropped) */
	size_t fde_duplicates;	 /* identical ranges dropped */
	size_t fde_overlaps;	 /* sorted neighbours that overlap */
	size_t dynsym_functions; /* STT_FUNC/IFUNC defined in exec segments */
	size_t symtab_functions; /* same, from .symtab */
	bool used_eh_frame_hdr;	 /* FDEs came from the hdr search table */
	enum locator_symtab_status symtab;
};

struct locator_object {
	/* Identity. */
	const char *path; /* as dl_iterate_phdr reports it ("linux-vdso.so.1"
			     for the vdso), /proc/self/exe's target for the
			     main program; for files the path given */
	uintptr_t bias;	  /* load bias (0 for files) */
	bool is_file;	  /* opened from disk by locator_open_file */
	bool is_vdso;
	bool is_main; /* the main program (dl_iterate_phdr's empty name) */
	bool is_self; /* contains the caller's `self` address */

	struct locator_segment *exec_segments;
	size_t exec_segment_count;

	/* The readable PT_LOAD segments without PF_X (read-only data, where
	 * jump tables live, and data). */
	struct locator_segment *data_segments;
	size_t data_segment_count;

	/* Sorted by start (then end), identical ranges merged. */
	struct locator_range *functions;
	size_t function_count;

	/* Sorted, unique: starts of STT_FUNC/STT_GNU_IFUNC symbols that lie in
	 * exec segments (.dynsym, .symtab) and every FDE start. */
	uintptr_t *symbols;
	size_t symbol_count;

	/* Sorted, disjoint: the object's executable sections (SHF_EXECINSTR
	 * with SHF_ALLOC), from the section headers of its file when they
	 * could be read (for a loaded object: from a file whose program
	 * headers equal the loaded ones). Bytes of exec segments outside
	 * them are data that happens to share an executable segment
	 * (.rodata and .eh_frame, as gold or -z noseparate-code lay them
	 * out): never analyzed, never patched, never padding. Empty when
	 * unknown: then all of the exec segments is taken for code. */
	struct locator_range *code;
	size_t code_count;

	/* Sorted, disjoint: maximal filler runs (nop forms gas emits for
	 * alignment, int3) that begin where a function ends (FDE range or sized
	 * symbol) and end before the next function or symbol starts. */
	struct locator_range *padding;
	size_t padding_count;

	struct locator_stats stats;

	/* Private: symbol tables kept for locator_lookup_symbol, and the file
	 * mapping locator_close releases. */
	const void *priv_dynsym;
	size_t priv_dynsym_count;
	const char *priv_dynstr;
	size_t priv_dynstr_len;
	const uint16_t *priv_versym;
	const void *priv_symtab;
	size_t priv_symtab_count;
	const char *priv_strtab;
	size_t priv_strtab_len;
	void *priv_map;
	size_t priv_map_len;
};

/* Flags for locator_load_object / locator_open_loaded. */
enum locator_flag {
	/* Do not open the object's file to merge its .symtab. */
	LOCATOR_NO_FILE_SYMTAB = 1u << 0,
	/* Skip padding detection (no exec bytes are read). */
	LOCATOR_NO_PADDING = 1u << 1,
	/* Loaded objects: only identity and segments (no FDEs, symbols or
	 * padding), for a caller that has the analysis already. */
	LOCATOR_SEGMENTS_ONLY = 1u << 2,
};

/* Called for each loaded object; a non-zero return stops the walk. */
typedef int (*locator_visit_fn)(const struct dl_phdr_info *info, void *ctx);

/* Calls `fn` for each object dl_iterate_phdr reports. Returns the first
 * non-zero value `fn` returned, or 0. */
int locator_for_each_loaded(locator_visit_fn fn, void *ctx);

/* Describes the loaded object `info` into *obj; `self` (may be NULL) sets
 * obj->is_self. Returns 0 or a negative error; *obj is then unusable. */
int locator_load_object(const struct dl_phdr_info *info, const void *self,
			unsigned flags, struct arena *arena,
			struct locator_object *obj);

/* Describes the loaded object with a PT_LOAD segment containing `addr`.
 * Returns 0, LOCATOR_ERR_NOT_LOADED, or an error of locator_load_object. */
int locator_open_loaded(const void *addr, const void *self, unsigned flags,
			struct arena *arena, struct locator_object *obj);

/* Maps the ELF file at `path` read-only and describes it in vaddr space.
 * Returns 0, a negative errno (e.g. -ENOENT), or a locator_error; on error
 * nothing stays mapped. Release with locator_close. */
int locator_open_file(const char *path, struct arena *arena,
		      struct locator_object *obj);

/* Unmaps what locator_open_file (or the .symtab read) mapped; the arena
 * memory stays the caller's. Safe to call twice. */
void locator_close(struct locator_object *obj);

/* True, with the enclosing FDE range in *start and *end (either may be NULL),
 * if `addr` lies inside a function range; false otherwise. */
bool locator_function_at(const struct locator_object *obj, uintptr_t addr,
			 uintptr_t *start, uintptr_t *end);

/* True if `addr` is in obj->symbols. */
bool locator_is_symbol_start(const struct locator_object *obj, uintptr_t addr);

/* True if `addr` may hold code: inside an exec segment and, when
 * obj->code is known, inside one of its ranges. */
bool locator_is_code(const struct locator_object *obj, uintptr_t addr);

/* The exec segment containing `addr`, or NULL. */
const struct locator_segment *
locator_segment_at(const struct locator_object *obj, uintptr_t addr);

/* Pointer to the `len` bytes at object address `addr` if they all lie in
 * one exec segment's readable bytes, else NULL. */
const uint8_t *locator_bytes(const struct locator_object *obj, uintptr_t addr,
			     size_t len);

/* Finds the defined function symbol `name` (.dynsym first, preferring the
 * default version, then .symtab) and stores its object address in *addr.
 * Returns false if there is none. For tools and tests (linear scan). */
bool locator_lookup_symbol(const struct locator_object *obj, const char *name,
			   uintptr_t *addr);

/* Bytes of the run of whole filler instructions (the alignment forms the
 * padding detection accepts) that starts at `p`, reading at most `avail`
 * bytes; 0 if `p` holds none. */
size_t locator_filler_run(const uint8_t *p, size_t avail);

/* A static description of an error code (locator_error or -errno). */
const char *locator_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
