/*
 * The entry ABI: the contract between the per-site trampolines that patcher
 * writes, the assembly entry stub (entry.S) and the C dispatcher (dispatch/).
 * This one header is included by C and by assembly; every offset the stub
 * uses is defined here and checked with _Static_assert below.
 *
 *   libc:      ... jmp tramp_N ...            (the patched `syscall` site)
 *                    |
 *   tramp_N:   [relocated instructions that preceded the syscall]
 *              lea  desc_N(%rip), %r11        r11 = const struct si_site *
 *              jmp  si_entry | si_entry_flags (rel32 or jmp *slot(%rip))
 *   sys_N:     syscall                        desc_N.syscall_addr == sys_N
 *   resume_N:  [relocated instructions that followed the syscall]
 *              jmp  back_into_libc
 *
 *   si_entry:  steps over the red zone, aligns the stack, fills a struct
 *              si_frame, saves vector state per desc_N.flags, calls the
 *              hook itself (the fast path, below) or si_dispatch(frame),
 *              then, by the answer:
 *                SI_ACTION_FORWARD       restore everything, jmp *sys_N
 *                SI_ACTION_EMULATED      rax = frame->result, jmp *resume_N
 *                SI_ACTION_FORWARD_POST  run `syscall` in the stub, call
 *                                        si_dispatch_post(frame, result),
 *                                        rax = frame->result, jmp *resume_N
 *                SI_ACTION_CLONE_*       run the clone in the stub, then
 *                                        each side re-enters through
 *                                        si_clone_return (below)
 *
 * On entry to the stub: rax = syscall number, rdi rsi rdx r10 r8 r9 = args,
 * rsp = the application's rsp at the original syscall (its 128-byte red zone
 * may hold live data), r11 = site descriptor, rcx = scratch. On leaving it,
 * every register except rax, rcx and r11 holds its value from entry (kernel
 * `syscall` semantics). rflags are preserved only by si_entry_flags; vector
 * registers only as the site's SI_SITE_SAVE_* flag says. The stub never
 * returns with `ret`: control reaches sys_N or resume_N by `jmp *%r11`.
 *
 * Process-lifecycle calls. rt_sigreturn, exit and exit_group always run at
 * sys_N (rt_sigreturn must find the signal frame at the application's rsp).
 * clone, clone3, fork and vfork run at sys_N too (SI_ACTION_FORWARD) unless
 * a clone hook is set; then si_clone_plan() picks one of three actions by
 * where the child's stack is, and the stub runs the call itself:
 *
 *   restore every application register (rbp and vectors included), write
 *   the site pointer to the 16-byte gap G = app_rsp - SI_RED_ZONE -
 *   SI_CLONE_GAP, set rsp = G, `syscall`. Both sides then come back with
 *   all registers as the application had them, r11 = site and rsp =
 *   app_rsp (or the child's stack top), and jump to si_clone_return (or
 *   si_clone_thread_start), a second entry point that builds a fresh frame,
 *   calls si_dispatch_clone_done(frame) with frame->result = the kernel's
 *   result, and leaves through resume_N with rax = that result.
 *
 *   SI_ACTION_CLONE_COPY      no CLONE_VM, no new stack (fork): the child
 *                             has a copy of the stack, so parent and child
 *                             both read the site back from G.
 *   SI_ACTION_CLONE_NEWSTACK  the child starts on a new stack (threads,
 *                             posix_spawn): si_clone_plan wrote the site to
 *                             top - SI_CLONE_CHILD_RECORD with
 *                             process_vm_writev (never faults; on failure
 *                             the call is simply forwarded, without clone
 *                             hooks). That slot is inside the child's red
 *                             zone, so no signal frame can overwrite it
 *                             before the child reads it. The parent reads G.
 *   SI_ACTION_CLONE_SHARED    CLONE_VM|CLONE_VFORK without a new stack
 *                             (vfork): the child runs on the parent's stack
 *                             until it execs or exits and overwrites
 *                             anything below app_rsp. The child reads G at
 *                             once; the parent keeps the site in the
 *                             initial-exec TLS stack si_clone_tls (pushed
 *                             before the syscall, popped after; a vfork
 *                             child shares that memory and never pops, so
 *                             nested vforks and signal handlers stay LIFO).
 *
 * G lies above rsp during the syscall, so a signal frame (always placed below
 * rsp - 128) cannot overwrite it. CLONE_VM without a new stack and without
 * CLONE_VFORK (two tasks running at once on one stack) is forwarded without
 * clone hooks, as is a full TLS stack.
 */
#ifndef SYSCALL_INTERCEPT_TRAMPOLINE_ENTRY_ABI_H
#define SYSCALL_INTERCEPT_TRAMPOLINE_ENTRY_ABI_H

/* Bytes below the application's rsp that the stub never touches. */
#define SI_RED_ZONE 128

/* struct si_site.flags: vector state the stub saves around C code. */
#define SI_SITE_SAVE_NONE 0 /* no vector register is live at the site */
#define SI_SITE_SAVE_SSE  1 /* xmm0-15 as 128-bit (movaps) */
#define SI_SITE_SAVE_FULL 2 /* xsave/xrstor of every enabled component */
#define SI_SITE_SAVE_MASK 3

/* si_dispatch's answer. */
#define SI_ACTION_FORWARD	 0
#define SI_ACTION_EMULATED	 1
#define SI_ACTION_FORWARD_POST	 2
#define SI_ACTION_CLONE_COPY	 3
#define SI_ACTION_CLONE_SHARED	 4
#define SI_ACTION_CLONE_NEWSTACK 5

/* Numbers the fast path needs (checked against the system headers below). */
#define SI_ENOSYS	    38
#define SI_SYS_RT_SIGACTION 13
#define SI_SYS_RT_SIGRETURN 15
#define SI_SYS_CLONE	    56 /* then fork (57) and vfork (58) */
#define SI_SYS_CLONE3	    435

/* Clone paths (see above): bytes below the red zone that hold the site
 * pointer while the stub runs a clone, and where the site pointer sits below
 * a new stack's top. */
#define SI_CLONE_GAP	      16
#define SI_CLONE_CHILD_RECORD 8

/* struct si_clone_tls offsets. */
#define SI_CLONE_TLS_DEPTH 0
#define SI_CLONE_TLS_SITES 8
#define SI_CLONE_TLS_SLOTS 7
#define SI_CLONE_TLS_SIZE  64

/* struct si_site offsets. */
#define SI_SITE_SYSCALL_ADDR 0
#define SI_SITE_ORIG_ADDR    8
#define SI_SITE_OBJECT	     16
#define SI_SITE_FLAGS	     24
#define SI_SITE_INDEX	     28
#define SI_SITE_SIZE	     32

/* struct si_frame offsets. The first three stay below 64 so the stub's
 * DWARF expressions encode them as one-byte SLEB128 operands. */
#define SI_FRAME_APP_RSP 0
#define SI_FRAME_SITE	 8
#define SI_FRAME_APP_RBP 16
#define SI_FRAME_NR	 24
#define SI_FRAME_ARG0	 32 /* rdi */
#define SI_FRAME_ARG1	 40 /* rsi */
#define SI_FRAME_ARG2	 48 /* rdx */
#define SI_FRAME_ARG3	 56 /* r10 */
#define SI_FRAME_ARG4	 64 /* r8 */
#define SI_FRAME_ARG5	 72 /* r9 */
#define SI_FRAME_RESULT	 80
#define SI_FRAME_SIZE	 96 /* a multiple of 16 */

/* Bytes of the SI_SITE_SAVE_SSE area (xmm0-15). */
#define SI_SSE_AREA_SIZE 256

/* Offset of the XSAVE header in the save area; its 64 bytes must be zeroed
 * before XSAVE (which writes only the XSTATE_BV bits it saves), or XRSTOR
 * faults on stale stack contents. */
#define SI_XSAVE_HEADER 512

/* struct si_xsave_config offsets. */
#define SI_XSAVE_AREA_SIZE  0
#define SI_XSAVE_MASK_LO    8
#define SI_XSAVE_MASK_HI    12
#define SI_XSAVE_USE_FXSAVE 16

#ifndef __ASSEMBLER__

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#ifdef __cplusplus
#define SI_STATIC_ASSERT static_assert
extern "C" {
#else
#define SI_STATIC_ASSERT _Static_assert
#endif

/* One patched syscall site. Generated by patcher, read-only at run time, and
 * within +-2 GiB of its trampoline (the trampoline loads it with a
 * rip-relative lea). */
struct si_site {
	/* Address of the `syscall` instruction in the trampoline (sys_N). The
	 * stub jumps here to forward, and to syscall_addr + 2 (resume_N) to
	 * return an emulated result. */
	uint64_t syscall_addr;
	/* Address of the original `syscall` instruction in the patched object.
	 * Unwinders see orig_addr + 2 as the stub's return address, so a
	 * backtrace from a hook continues in the libc function that made the
	 * call. */
	uint64_t orig_addr;
	/* Patcher's handle of the patched object (for logs); opaque here. */
	const void *object;
	/* SI_SITE_SAVE_*. */
	uint32_t flags;
	/* Number of this site within its object (for logs). */
	uint32_t index;
};

/* What the stub saved; lives on the stack below the red zone, 16-aligned,
 * for the duration of one intercepted call. */
struct si_frame {
	uint64_t app_rsp;	    /* rsp at the original syscall */
	const struct si_site *site; /* r11 at entry */
	uint64_t app_rbp;	    /* the stub uses rbp as its frame pointer */
	long nr;		    /* rax at entry */
	long args[6];		    /* rdi rsi rdx r10 r8 r9 at entry */
	long result; /* EMULATED: the result; FORWARD_POST: the kernel's */
	uint64_t pad;
};

SI_STATIC_ASSERT(SI_ENOSYS == ENOSYS, "ENOSYS");
SI_STATIC_ASSERT(SI_SYS_RT_SIGACTION == SYS_rt_sigaction, "rt_sigaction");
SI_STATIC_ASSERT(SI_SYS_RT_SIGRETURN == SYS_rt_sigreturn, "rt_sigreturn");
SI_STATIC_ASSERT(SI_SYS_CLONE == SYS_clone && SYS_fork == SYS_clone + 1 &&
		     SYS_vfork == SYS_clone + 2,
		 "clone, fork, vfork");
SI_STATIC_ASSERT(SI_SYS_CLONE3 == 435, "clone3");

SI_STATIC_ASSERT(offsetof(struct si_site, syscall_addr) == SI_SITE_SYSCALL_ADDR,
		 "si_site.syscall_addr");
SI_STATIC_ASSERT(offsetof(struct si_site, orig_addr) == SI_SITE_ORIG_ADDR,
		 "si_site.orig_addr");
SI_STATIC_ASSERT(offsetof(struct si_site, object) == SI_SITE_OBJECT,
		 "si_site.object");
SI_STATIC_ASSERT(offsetof(struct si_site, flags) == SI_SITE_FLAGS,
		 "si_site.flags");
SI_STATIC_ASSERT(offsetof(struct si_site, index) == SI_SITE_INDEX,
		 "si_site.index");
SI_STATIC_ASSERT(sizeof(struct si_site) == SI_SITE_SIZE, "si_site size");

SI_STATIC_ASSERT(offsetof(struct si_frame, app_rsp) == SI_FRAME_APP_RSP,
		 "si_frame.app_rsp");
SI_STATIC_ASSERT(offsetof(struct si_frame, site) == SI_FRAME_SITE,
		 "si_frame.site");
SI_STATIC_ASSERT(offsetof(struct si_frame, app_rbp) == SI_FRAME_APP_RBP,
		 "si_frame.app_rbp");
SI_STATIC_ASSERT(offsetof(struct si_frame, nr) == SI_FRAME_NR, "si_frame.nr");
SI_STATIC_ASSERT(offsetof(struct si_frame, args[0]) == SI_FRAME_ARG0,
		 "si_frame.args[0]");
SI_STATIC_ASSERT(offsetof(struct si_frame, args[1]) == SI_FRAME_ARG1,
		 "si_frame.args[1]");
SI_STATIC_ASSERT(offsetof(struct si_frame, args[2]) == SI_FRAME_ARG2,
		 "si_frame.args[2]");
SI_STATIC_ASSERT(offsetof(struct si_frame, args[3]) == SI_FRAME_ARG3,
		 "si_frame.args[3]");
SI_STATIC_ASSERT(offsetof(struct si_frame, args[4]) == SI_FRAME_ARG4,
		 "si_frame.args[4]");
SI_STATIC_ASSERT(offsetof(struct si_frame, args[5]) == SI_FRAME_ARG5,
		 "si_frame.args[5]");
SI_STATIC_ASSERT(offsetof(struct si_frame, result) == SI_FRAME_RESULT,
		 "si_frame.result");
SI_STATIC_ASSERT(sizeof(struct si_frame) == SI_FRAME_SIZE, "si_frame size");
SI_STATIC_ASSERT(SI_FRAME_SIZE % 16 == 0, "si_frame keeps rsp 16-aligned");
/* The clone paths write the gap below the red zone while the frame is live;
 * the gap can only overlap the frame's last 16 bytes (result and pad), which
 * they no longer read. */
SI_STATIC_ASSERT(SI_FRAME_RESULT == SI_FRAME_SIZE - 16 && SI_CLONE_GAP == 16,
		 "clone gap overlaps only result and pad");

/* The parent's side of SI_ACTION_CLONE_SHARED: a per-thread stack of site
 * pointers, depth entries used. */
struct si_clone_tls {
	uint64_t depth;
	const struct si_site *sites[SI_CLONE_TLS_SLOTS];
};
SI_STATIC_ASSERT(offsetof(struct si_clone_tls, depth) == SI_CLONE_TLS_DEPTH,
		 "si_clone_tls.depth");
SI_STATIC_ASSERT(offsetof(struct si_clone_tls, sites) == SI_CLONE_TLS_SITES,
		 "si_clone_tls.sites");
SI_STATIC_ASSERT(sizeof(struct si_clone_tls) == SI_CLONE_TLS_SIZE,
		 "si_clone_tls size");

/* Defined in entry_clone.c; read and written only by the stub. */
extern __thread struct si_clone_tls si_clone_tls
    __attribute__((tls_model("initial-exec")));

/* The stub's two entry points (assembly; never called from C). si_entry
 * clobbers the arithmetic flags; si_entry_flags preserves rflags. */
void si_entry(void);
void si_entry_flags(void);

/* Re-entry points after a clone the stub ran (never called from C): on
 * entry rax = the kernel's result, r11 = site, rsp = the rsp the application
 * must see, every other register the application's. si_clone_thread_start
 * is for a child on a new stack: its CFI marks it the outermost frame, since
 * nothing above the new stack's top is a caller. */
void si_clone_return(void);
void si_clone_return_flags(void);
void si_clone_thread_start(void);
void si_clone_thread_start_flags(void);

/* The fast path. Unless si_dispatch_slow is set, the stub itself calls
 * intercept_hook_point (the public hook, defined by dispatch/) with the
 * calling thread's si_in_hook set around the call, and skips si_dispatch.
 * While si_dispatch_slow is set, every call goes to si_dispatch, the calls
 * a hook makes included (dispatch/trap.h needs to see those too):
 *
 *   si_in_hook set           SI_ACTION_FORWARD (a call the hook makes),
 *                            except rt_sigreturn: si_dispatch decides
 *   no hook                  si_dispatch decides
 *   hook returns 0           SI_ACTION_EMULATED with frame->result, except
 *                            rt_sigreturn, which is forwarded
 *   hook returns non-zero    SI_ACTION_FORWARD, except clone, fork, vfork,
 *                            clone3 and rt_sigaction:
 *                            si_dispatch_forward_special decides
 *
 * which is what si_dispatch answers when nothing else (a log, a post hook,
 * trapped sites) needs the call. dispatch/ sets si_dispatch_slow whenever
 * something does. */
extern __thread int si_in_hook __attribute__((tls_model("initial-exec")));
extern int si_dispatch_slow;

/* Implemented by dispatch/: the answer for a clone-family call or an
 * rt_sigaction the hook let through (SI_ACTION_FORWARD, an
 * SI_ACTION_CLONE_*, or SI_ACTION_EMULATED with the kernel's result when
 * the dispatcher ran the call itself). */
int si_dispatch_forward_special(struct si_frame *frame);

/* Implemented by dispatch/: decides what happens to the call in `frame`.
 * Returns an SI_ACTION_*; for SI_ACTION_EMULATED, frame->result holds the
 * result. Never returns SI_ACTION_FORWARD_POST for clone, clone3, fork,
 * vfork, rt_sigreturn, exit or exit_group; returns SI_ACTION_CLONE_* only
 * for clone, clone3, fork and vfork, and only as si_clone_plan's answer. */
int si_dispatch(struct si_frame *frame);

/* Implemented by dispatch/: called on each side of a clone the stub ran,
 * with frame->result = the kernel's result (0 in the child, the child's id
 * in the parent, -errno on failure); the stub returns frame->result. */
void si_dispatch_clone_done(struct si_frame *frame);

/* The shape of clone-family call nr(args): its flags (fork: none; vfork:
 * CLONE_VM | CLONE_VFORK) and the top of the child's new stack (0: none).
 * clone3's struct is read without faulting. False when nr is no clone call
 * or the shape cannot be known (clone3's struct short or unreadable, or a
 * stack without a size: the kernel answers those with an error itself, at
 * the site, without clone hooks). Raw syscalls only. */
bool si_clone_shape(long nr, const long args[6], uint64_t *flags,
		    uint64_t *top);

/* Classifies a clone-family call of the shape si_clone_shape gave, made
 * at `site`, for the stub. Returns SI_ACTION_CLONE_COPY, _SHARED or
 * _NEWSTACK (for _NEWSTACK it has written the child's record below the new
 * stack's top), or SI_ACTION_FORWARD when the call must run at its site
 * without clone hooks: the new stack not writable, CLONE_VM on a shared
 * stack without CLONE_VFORK, or the TLS stack full. Raw syscalls only. */
int si_clone_plan(uint64_t flags, uint64_t top, const struct si_site *site);

/* Implemented by dispatch/: called by the stub after it ran the syscall for
 * SI_ACTION_FORWARD_POST, with the kernel's result (also in frame->result).
 * The stub returns frame->result to the application afterwards. */
void si_dispatch_post(struct si_frame *frame, long result);

/* State for SI_SITE_SAVE_FULL, set by si_entry_init(). */
struct si_xsave_config {
	uint64_t area_size; /* bytes reserved on the stack (then 64-aligned) */
	uint32_t mask_lo;   /* XSAVE/XRSTOR requested-feature bitmap, edx:eax */
	uint32_t mask_hi;
	uint32_t use_fxsave; /* 1: no XSAVE, use fxsave/fxrstor (512 bytes) */
	uint32_t initialized;
};
SI_STATIC_ASSERT(offsetof(struct si_xsave_config, area_size) ==
		     SI_XSAVE_AREA_SIZE,
		 "si_xsave_config.area_size");
SI_STATIC_ASSERT(offsetof(struct si_xsave_config, mask_lo) == SI_XSAVE_MASK_LO,
		 "si_xsave_config.mask_lo");
SI_STATIC_ASSERT(offsetof(struct si_xsave_config, mask_hi) == SI_XSAVE_MASK_HI,
		 "si_xsave_config.mask_hi");
SI_STATIC_ASSERT(offsetof(struct si_xsave_config, use_fxsave) ==
		     SI_XSAVE_USE_FXSAVE,
		 "si_xsave_config.use_fxsave");

/* Read by the stub. Until si_entry_init() runs it holds a conservative
 * default (XSAVE of every enabled component into 16 KiB), so a FULL site
 * entered before initialization is still correct on any XSAVE machine. */
extern struct si_xsave_config si_xsave_config;

/* Sizes the XSAVE area from cpuid leaf 0xd and XCR0 (falls back to fxsave
 * without OSXSAVE). Idempotent; runs as a constructor, and patcher calls it
 * again before enabling any site. */
void si_entry_init(void);

#ifdef __cplusplus
}
#endif

#endif /* __ASSEMBLER__ */

#endif
