/*
 * The code writer: turns a plan into trampolines and patched code.
 *
 *   object code                 trampoline region (RX, within +-2 GiB)
 *   ...                         tramp_N: [moved instructions before]
 *   jmp tramp_N  ------------>           lea  desc_N(%rip), %r11
 *   (int3 fill)                          jmp  entry   (rel32 or via slot)
 *   next: ...  <-----------.    sys_N:   syscall      (entry forwards here)
 *                          |    resume_N:[moved instructions after]
 *                          '-----------  jmp  next
 *                               slots:   entry, entry_flags (8 bytes each)
 *                               descs:   struct si_site desc_0 .. desc_M
 *
 * A padding plan writes `jmp rel8` over the syscall, into a padding slot
 * holding `jmp rel32 tramp_N`, and tramp_N has nothing moved.
 *
 * A fallback site (no jump fits) is trapped when writer_config.trap_fallbacks
 * says so: `int3; nop` (cc 90) over the syscall, and a trampoline with
 * nothing moved whose resume_N jumps to the site + 2. The caller's SIGTRAP
 * handler (dispatch/trap.h) must be in place, with the site in its table,
 * before writer_patch writes the int3.
 *
 * How the code is written, so that no thread executes a half-written jump
 * and nothing is ever writable and executable at once:
 *  1. Trampolines are generated into a fresh private RW mapping near the
 *     object, which is then made RX. No site points at it yet.
 *  2. Each run of object pages holding patches is copied into a fresh
 *     private RW mapping (of the object's file at the same offset when the
 *     file still holds the same bytes, so /proc/self/maps keeps naming it;
 *     else anonymous), patched there, made RX (the object's protection), and
 *     moved over the original pages with one mremap(MREMAP_FIXED). The
 *     kernel swaps the page-table entries under the mmap lock and flushes
 *     every CPU's TLB before mremap returns: another thread fetching from
 *     those pages sees either all-old or all-new bytes, never a mix, and
 *     never a page without execute permission. No byte of the old physical
 *     page ever changes (the mapping does), so a CPU still running from it
 *     runs consistent old code; a fault on the range while it is moved
 *     waits for the lock and finds the new page. writer_redirect writes
 *     its 5 bytes the same way, so the jump at ld.so's _dl_debug_state is
 *     atomic even with other threads running.
 *  2'. Where no thread can be running the pages (writer_patch_in_place:
 *     start-up, an object just mapped), each run is instead made RW (not
 *     executable), written and made RX again, with every signal blocked
 *     in between: the kernel copies only the pages written (copy-on-write
 *     within the object's file mapping), and nothing is mapped or moved.
 *  What this cannot protect: a thread that is *inside* a patched syscall
 *  when its page is swapped resumes after the syscall, in bytes an inline
 *  plan may have replaced with int3 fill. At start-up (a single thread in
 *  the constructor) no thread can be there. Objects loaded later are
 *  patched (dispatch/loader.c) after ld.so mapped them and before they are
 *  relocated or any of their code runs, so no thread executes their pages
 *  while they are written, however many threads the process has; the
 *  other threads keep running through already patched code, whose pages
 *  are not touched again. Return addresses are safe by construction: a
 *  `call` is never moved (planner.c), so a return address lies outside
 *  every overwritten range or at its first byte, the jump itself (this is
 *  what lets the constructor patch ld.so while ld.so's _dl_init is on its
 *  stack).
 *  Sites found by trapping in exhaustive mode (dispatch/lazy.h) get jumps
 *  that begin at the syscall, written when no thread can be stopped in
 *  the bytes after it (every thread reaching them traps first; the trap
 *  handler sends such threads into the trampoline).
 *  Objects with text relocations are not patched after start-up: ld.so
 *  would write the relocations into the patched copy (over jumps, and
 *  missing the instructions moved into trampolines). At start-up they are
 *  already relocated, and the plan sees the relocated bytes.
 */
#ifndef SYSCALL_INTERCEPT_PATCHER_WRITER_H
#define SYSCALL_INTERCEPT_PATCHER_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "patcher/locator.h"
#include "patcher/planner.h"
#include "trampoline/entry_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

enum writer_error {
	WRITER_OK = 0,
	WRITER_E_NOMEM = -20001,     /* the arena is exhausted */
	WRITER_E_NO_REGION = -20002, /* no trampoline memory within reach */
	WRITER_E_CODE = -20003,	     /* site bytes unreadable or changed, or
					 two writes overlap */
};

struct writer_config {
	uint64_t entry;		/* si_entry, or a test's mock with its ABI */
	uint64_t entry_flags;	/* si_entry_flags, or a mock */
	const void *object;	/* stored in every si_site.object */
	uint64_t mmap_min_addr; /* lowest address mmap may use (0: read
				   /proc/sys/vm/mmap_min_addr) */
	bool trap_fallbacks;	/* build trap trampolines for fallbacks */
};

struct writer_trampolines {
	uint8_t *region; /* RX mapping holding code, slots and descriptors */
	size_t region_size;
	struct si_site *descs; /* one per site (unused where tramp is 0) */
	uint64_t *tramp;       /* per site: trampoline address, 0 if none; for
				  a PLAN_FALLBACK site, its trap trampoline */
	uint64_t *at_syscall;  /* per site: where a thread stopped at the
				  site's syscall (having run what moved from
				  before it) enters the trampoline, 0 if none */
	size_t n_sites;
	size_t n_built; /* sites given a jump */
	size_t n_trap;	/* fallback sites given a trap trampoline */
};

/* Bytes of the trampoline for one planned site at address `at`, written to
 * buf (NULL: only measure). `code` reads object bytes: it returns a pointer
 * to `len` bytes at `address` or NULL. *sys_off gets the offset of the
 * trampoline's `syscall`, *call_off that of its `lea` (after the
 * instructions moved from before the syscall). Returns the length, or 0 if
 * some instruction cannot be moved to `at`. */
typedef const uint8_t *(*writer_code_fn)(const void *obj, uint64_t address,
					 size_t len);
size_t writer_emit_trampoline(const struct plan_site *p, writer_code_fn code,
			      const void *code_obj, uint64_t at, uint64_t desc,
			      uint64_t entry_target, bool entry_via_slot,
			      uint8_t *buf, size_t cap, size_t *sys_off,
			      size_t *call_off);

/* The bytes written into the object for one site: at patch_start
 * (`site_len` bytes into site_bytes) and, for padding, at pad_slot (5 bytes
 * into pad_bytes). Returns false if a jump does not reach. */
bool writer_emit_patch(const struct plan_site *p, uint64_t tramp,
		       uint8_t site_bytes[16], size_t *site_len,
		       uint8_t pad_bytes[5]);

/* The bytes written over a trapped site's syscall: `int3; nop` (2 bytes,
 * *site_len = 2). */
void writer_emit_trap(uint8_t site_bytes[16], size_t *site_len);

/* Maps a region within +-2 GiB of the object and builds every non-fallback
 * site's trampoline and descriptor there (and, with cfg->trap_fallbacks,
 * every fallback site's trap trampoline), then makes it RX. Sites whose
 * trampoline cannot be built become fallbacks (reason NO_TRAMPOLINE) in
 * *plan, trapped with cfg->trap_fallbacks. Returns WRITER_OK, or an error
 * with nothing mapped. */
int writer_build(const struct locator_object *obj, struct plan_result *plan,
		 const struct writer_config *cfg, struct arena *arena,
		 struct writer_trampolines *out);

/* Writes the jumps of every built site, and the int3 of every trapped one,
 * into the loaded object (see the method above). Returns WRITER_OK, -errno
 * from mmap/mprotect/mremap, or WRITER_E_CODE. On error no page has been
 * half-patched. */
int writer_patch(const struct locator_object *obj,
		 const struct plan_result *plan,
		 const struct writer_trampolines *tr, struct arena *arena);

/* As writer_patch, but each run of pages is made writable (not executable)
 * in place, written, and given its protection back, with every signal
 * blocked meanwhile: fewer pages touched and no copy, but for the moment
 * of the write the pages cannot run. Only while no thread can be running
 * them: at start-up (one thread, in the library's constructor), or for an
 * object just mapped whose code nothing has run yet. The private pages
 * stay part of the object's file mapping (/proc/self/maps names them). */
int writer_patch_in_place(const struct locator_object *obj,
			  const struct plan_result *plan,
			  const struct writer_trampolines *tr,
			  struct arena *arena);

/* A stub page writer_redirect mapped (NULL if the jump reached). */
struct writer_redirect {
	uint8_t *stub;
	size_t stub_size;
};

/* Makes the 5 bytes at `at` (in an exec segment of the loaded `obj`; they
 * must still be `expect`) a `jmp rel32` to `target`, through a stub page
 * within reach (`jmp *0(%rip); .quad target`) when `target` is not. The
 * bytes change as writer_patch's do (a page copy swapped in whole).
 * `mmap_min_addr` as in writer_config. Returns WRITER_OK, WRITER_E_CODE
 * (the bytes differ), WRITER_E_NO_REGION (no stub memory in reach) or
 * -errno; on error nothing changed and nothing stays mapped. */
int writer_redirect(const struct locator_object *obj, uint64_t at,
		    const uint8_t expect[5], uint64_t target,
		    uint64_t mmap_min_addr, struct writer_redirect *out);

/* Unmaps the trampoline region: only once no code can jump into it (tests,
 * or the object it served has been unmapped). */
void writer_release(struct writer_trampolines *tr);

#ifdef __cplusplus
}
#endif

#endif
