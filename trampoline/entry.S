/*
 * The entry stub: the one piece of code every intercepted syscall runs
 * through between its trampoline and the C dispatcher. The contract (register
 * state on entry and exit, struct layouts) is in entry_abi.h.
 *
 * Stack while C code runs (addresses grow upwards):
 *
 *   app rsp            ->  application data
 *   app rsp - 128..-1      red zone, untouched
 *   app rsp - 136          saved rflags (si_entry_flags only)
 *                          (alignment padding)
 *   rbp                ->  struct si_frame, 16-aligned
 *   rsp                ->  vector save area (SSE: 256 B; FULL: XSAVE area,
 *                          64-aligned), or nothing for SI_SITE_SAVE_NONE
 *
 * rbp is the frame pointer from the first store to the last load, so the
 * frame can sit under a variable-size XSAVE area. The DWARF rules describe
 * the caller as the function that held the original syscall: CFA = app rsp,
 * return address = site->orig_addr + 2, rbp saved in the frame.
 */
#include "trampoline/entry_abi.h"

/* DWARF register numbers and the opcodes used below. */
#define DW_REG_RCX		2
#define DW_REG_RBP		6
#define DW_REG_RSP		7
#define DW_REG_R11		11
#define DW_REG_RA		16
#define DW_CFA_def_cfa_expression 0x0f
#define DW_CFA_expression	0x10
#define DW_CFA_val_expression	0x16
#define DW_OP_breg0		0x70
#define DW_OP_deref		0x06
#define DW_OP_plus_uconst	0x23

/* CFA = *(reg + SI_FRAME_APP_RSP): the application's rsp. */
.macro CFI_CFA_FROM_FRAME reg
	.cfi_escape DW_CFA_def_cfa_expression, 3, DW_OP_breg0 + \reg, SI_FRAME_APP_RSP, DW_OP_deref
.endm

/* The caller's rbp is stored at reg + SI_FRAME_APP_RBP. */
.macro CFI_RBP_IN_FRAME reg
	.cfi_escape DW_CFA_expression, DW_REG_RBP, 2, DW_OP_breg0 + \reg, SI_FRAME_APP_RBP
.endm

/* Return address = (*(reg + SI_FRAME_SITE))->orig_addr + 2. */
.macro CFI_RA_FROM_FRAME reg
	.cfi_escape DW_CFA_val_expression, DW_REG_RA, 8, DW_OP_breg0 + \reg, SI_FRAME_SITE, DW_OP_deref, DW_OP_plus_uconst, SI_SITE_ORIG_ADDR, DW_OP_deref, DW_OP_plus_uconst, 2
.endm

/* Return address = reg->orig_addr + 2 (reg holds the site). */
.macro CFI_RA_FROM_SITE reg
	.cfi_escape DW_CFA_val_expression, DW_REG_RA, 5, DW_OP_breg0 + \reg, SI_SITE_ORIG_ADDR, DW_OP_deref, DW_OP_plus_uconst, 2
.endm

	.hidden si_dispatch
	.hidden si_dispatch_forward_special
	.hidden si_dispatch_slow
	.hidden si_in_hook
	.hidden si_dispatch_post
	.hidden si_dispatch_clone_done
	.hidden si_xsave_config
	.hidden si_clone_tls

	.text

/* Entry-point kinds (SI_ENTRY's `kind`). */
#define SI_KIND_ENTRY  0 /* si_entry: calls si_dispatch, has the clone paths */
#define SI_KIND_RETURN 1 /* si_clone_return: after a clone, either side */
#define SI_KIND_THREAD 2 /* si_clone_thread_start: a child on a new stack */

/* The return-address rules, except in a new-stack child: nothing above its
 * stack's top is a caller, so it is the outermost frame. */
.macro CFI_RA_SITE kind, reg
.if \kind != SI_KIND_THREAD
	CFI_RA_FROM_SITE \reg
.endif
.endm

.macro CFI_RA_FRAME kind, reg
.if \kind != SI_KIND_THREAD
	CFI_RA_FROM_FRAME \reg
.endif
.endm

/* Return address = (*(rsp))->orig_addr + 2: the site in the clone gap. */
.macro CFI_RA_FROM_GAP
	.cfi_escape DW_CFA_val_expression, DW_REG_RA, 8, DW_OP_breg0 + DW_REG_RSP, 0, DW_OP_deref, DW_OP_plus_uconst, SI_SITE_ORIG_ADDR, DW_OP_deref, DW_OP_plus_uconst, 2
.endm

/* Vector state from the area at rsp, per the site in r11. eax and r11 are
 * preserved; continues at `done`. */
.macro RESTORE_VEC prefix, done
	mov %eax, %ecx
	testl $SI_SITE_SAVE_FULL, SI_SITE_FLAGS(%r11)
	jnz \prefix\()_full
	movaps 0x00(%rsp), %xmm0
	movaps 0x10(%rsp), %xmm1
	movaps 0x20(%rsp), %xmm2
	movaps 0x30(%rsp), %xmm3
	movaps 0x40(%rsp), %xmm4
	movaps 0x50(%rsp), %xmm5
	movaps 0x60(%rsp), %xmm6
	movaps 0x70(%rsp), %xmm7
	movaps 0x80(%rsp), %xmm8
	movaps 0x90(%rsp), %xmm9
	movaps 0xa0(%rsp), %xmm10
	movaps 0xb0(%rsp), %xmm11
	movaps 0xc0(%rsp), %xmm12
	movaps 0xd0(%rsp), %xmm13
	movaps 0xe0(%rsp), %xmm14
	movaps 0xf0(%rsp), %xmm15
	jmp \prefix\()_done
\prefix\()_full:
	cmpl $0, si_xsave_config + SI_XSAVE_USE_FXSAVE(%rip)
	jne \prefix\()_fx
	mov si_xsave_config + SI_XSAVE_MASK_LO(%rip), %eax
	mov si_xsave_config + SI_XSAVE_MASK_HI(%rip), %edx
	xrstor64 (%rsp)
	jmp \prefix\()_done
\prefix\()_fx:
	fxrstor64 (%rsp)
\prefix\()_done:
	mov %ecx, %eax
	jmp \done
.endm

/* The six argument registers back from the frame at rbp, and with flags = 1
 * the application's rflags (saved under the red zone), through rcx; after
 * that only mov, lea, jmp and syscall, which leave rflags alone. */
.macro RESTORE_ARGS flags
	mov SI_FRAME_ARG0(%rbp), %rdi
	mov SI_FRAME_ARG1(%rbp), %rsi
	mov SI_FRAME_ARG2(%rbp), %rdx
	mov SI_FRAME_ARG3(%rbp), %r10
	mov SI_FRAME_ARG4(%rbp), %r8
	mov SI_FRAME_ARG5(%rbp), %r9
.if \flags
	mov SI_FRAME_APP_RSP(%rbp), %rcx
	pushq -(SI_RED_ZONE + 8)(%rcx)
	popfq
.endif
.endm

/* The way out of an entry point: rax and r11 (where to jump) are set and
 * vectors restored; the arguments, rflags (flags = 1), rbp and rsp come back
 * from the frame at rbp, then jmp *%r11. */
.macro LEAVE flags, kind
	RESTORE_ARGS \flags
	.cfi_remember_state
	mov %rbp, %rcx
	CFI_CFA_FROM_FRAME DW_REG_RCX
	CFI_RBP_IN_FRAME DW_REG_RCX
	CFI_RA_FRAME \kind, DW_REG_RCX
	mov SI_FRAME_APP_RBP(%rcx), %rbp
	.cfi_same_value %rbp
	/* The frame is above rsp until this last load. */
	mov SI_FRAME_APP_RSP(%rcx), %rsp
	.cfi_def_cfa %rsp, 0
	jmp *%r11
	.cfi_restore_state
.endm

/* The clone paths' common part: every application register back from the
 * frame at rbp (vectors are already restored), rsp = the clone gap (whose
 * first word the caller has set to the site), then the syscall. Both sides
 * come out of it with rsp = the gap. */
.macro CLONE_SYSCALL flags
	mov SI_FRAME_NR(%rbp), %rax
	RESTORE_ARGS \flags
	mov %rbp, %rcx
	CFI_CFA_FROM_FRAME DW_REG_RCX
	CFI_RBP_IN_FRAME DW_REG_RCX
	CFI_RA_FROM_FRAME DW_REG_RCX
	mov SI_FRAME_APP_RBP(%rcx), %rbp
	.cfi_same_value %rbp
	mov SI_FRAME_APP_RSP(%rcx), %rcx
	lea -(SI_RED_ZONE + SI_CLONE_GAP)(%rcx), %rsp
	.cfi_def_cfa %rsp, SI_RED_ZONE + SI_CLONE_GAP
	CFI_RA_FROM_GAP
	syscall
.endm

/* One entry point; `flags` = 1 wraps everything in pushfq/popfq; `kind` is
 * an SI_KIND_*; `ret` and `thread` name the re-entry points the clone paths
 * of an SI_KIND_ENTRY continue at. */
.macro SI_ENTRY name, flags, kind, ret=0, thread=0
	.globl \name
	.hidden \name
	.type \name, @function
	.p2align 5
\name:
	.cfi_startproc simple
	.cfi_def_cfa %rsp, 0
.if \kind == SI_KIND_THREAD
	.cfi_undefined DW_REG_RA
.endif
	CFI_RA_SITE \kind, DW_REG_R11
.if \flags
	lea -SI_RED_ZONE(%rsp), %rsp
	.cfi_def_cfa_offset SI_RED_ZONE
	pushfq
	.cfi_def_cfa_offset SI_RED_ZONE + 8
	lea SI_RED_ZONE + 8(%rsp), %rcx
	.cfi_def_cfa %rcx, 0
.else
	mov %rsp, %rcx
	.cfi_def_cfa_register %rcx
	lea -SI_RED_ZONE(%rsp), %rsp
.endif
	and $-16, %rsp
	sub $SI_FRAME_SIZE, %rsp
	mov %rcx, SI_FRAME_APP_RSP(%rsp)
	mov %r11, SI_FRAME_SITE(%rsp)
	mov %rbp, SI_FRAME_APP_RBP(%rsp)
	mov %rsp, %rbp
	CFI_CFA_FROM_FRAME DW_REG_RBP
	CFI_RBP_IN_FRAME DW_REG_RBP
	CFI_RA_FRAME \kind, DW_REG_RBP
	mov %rax, SI_FRAME_NR(%rbp)
.if \kind != SI_KIND_ENTRY
	mov %rax, SI_FRAME_RESULT(%rbp)
.endif
	mov %rdi, SI_FRAME_ARG0(%rbp)
	mov %rsi, SI_FRAME_ARG1(%rbp)
	mov %rdx, SI_FRAME_ARG2(%rbp)
	mov %r10, SI_FRAME_ARG3(%rbp)
	mov %r8, SI_FRAME_ARG4(%rbp)
	mov %r9, SI_FRAME_ARG5(%rbp)
	/* The C ABI wants the direction flag clear in C code. si_entry is
	 * used only where the patcher proved DF clear (no `std` in a function
	 * whose extent it knows; the ABI clears DF at every call), so only
	 * si_entry_flags clears it, and gets the application's DF back with
	 * popfq. (cld costs ~1 ns here: worth sparing on the hot path.) */
.if \flags
	cld
.endif
	testl $SI_SITE_SAVE_MASK, SI_SITE_FLAGS(%r11)
	jnz .L\name\()_save_vec
.L\name\()_vec_saved:
.if \kind == SI_KIND_ENTRY
	/* The fast path: the hook called from here, without si_dispatch,
	 * when nothing else wants the call (see entry_abi.h). */
	cmpl $0, si_dispatch_slow(%rip)
	jne .L\name\()_dispatch	/* si_dispatch sees every call */
	mov si_in_hook@gottpoff(%rip), %rcx
	cmpl $0, %fs:(%rcx)
	jne .L\name\()_in_hook
	mov intercept_hook_point@GOTPCREL(%rip), %r11
	mov (%r11), %r11
	test %r11, %r11
	jz .L\name\()_dispatch
	movl $1, %fs:(%rcx)
	/* hook(nr, a0, a1, a2, a3, a4, a5, &result): the last two on the
	 * stack, which stays 16-aligned. rax and rdx come from the frame
	 * (a full vector save uses them). */
	movq $-SI_ENOSYS, SI_FRAME_RESULT(%rbp)
	lea SI_FRAME_RESULT(%rbp), %rcx
	push %rcx
	push %r9
	mov %r8, %r9
	mov %r10, %r8
	mov SI_FRAME_ARG2(%rbp), %rcx
	mov %rsi, %rdx
	mov %rdi, %rsi
	mov SI_FRAME_NR(%rbp), %rdi
	call *%r11
	add $16, %rsp
	mov si_in_hook@gottpoff(%rip), %rcx
	movl $0, %fs:(%rcx)
	test %eax, %eax
	jnz .L\name\()_hook_forwards
	/* Emulated, except that rt_sigreturn always runs. The two exits
	 * below are the finish path written out for one action each. */
	cmpq $SI_SYS_RT_SIGRETURN, SI_FRAME_NR(%rbp)
	je .L\name\()_forward
	mov SI_FRAME_SITE(%rbp), %r11
	testl $SI_SITE_SAVE_MASK, SI_SITE_FLAGS(%r11)
	jnz .L\name\()_emulated_vec
	mov SI_SITE_SYSCALL_ADDR(%r11), %r11
	add $2, %r11
	mov SI_FRAME_RESULT(%rbp), %rax
	LEAVE \flags, \kind
.L\name\()_emulated_vec:
	mov $SI_ACTION_EMULATED, %eax
	jmp .L\name\()_restore_vec
.L\name\()_hook_forwards:
	/* clone, fork, vfork (consecutive numbers), clone3 and rt_sigaction
	 * go to C. */
	mov SI_FRAME_NR(%rbp), %rcx
	lea -SI_SYS_CLONE(%rcx), %rdx
	cmp $2, %rdx
	jbe .L\name\()_forward_special
	cmp $SI_SYS_CLONE3, %rcx
	je .L\name\()_forward_special
	cmp $SI_SYS_RT_SIGACTION, %rcx
	je .L\name\()_forward_special
.L\name\()_forward:
	mov SI_FRAME_SITE(%rbp), %r11
	testl $SI_SITE_SAVE_MASK, SI_SITE_FLAGS(%r11)
	jnz .L\name\()_forward_vec
	mov SI_SITE_SYSCALL_ADDR(%r11), %r11
	mov SI_FRAME_NR(%rbp), %rax
	LEAVE \flags, \kind
.L\name\()_forward_vec:
	xor %eax, %eax
	jmp .L\name\()_restore_vec
.L\name\()_in_hook:
	/* A call the hook itself makes, except rt_sigreturn (it ends a
	 * signal handler that interrupted the hook). */
	cmpq $SI_SYS_RT_SIGRETURN, SI_FRAME_NR(%rbp)
	jne .L\name\()_forward
	jmp .L\name\()_dispatch
.L\name\()_forward_special:
	mov %rbp, %rdi
	call si_dispatch_forward_special
	jmp .L\name\()_dispatched
.L\name\()_dispatch:
	mov %rbp, %rdi
	call si_dispatch
.L\name\()_dispatched:
	cmp $SI_ACTION_FORWARD_POST, %eax
	jae .L\name\()_slow
.else
	mov %rbp, %rdi
	call si_dispatch_clone_done
	mov $SI_ACTION_EMULATED, %eax
.endif
	/* eax = SI_ACTION_FORWARD (0) or SI_ACTION_EMULATED (1). */
.L\name\()_finish:
	mov SI_FRAME_SITE(%rbp), %r11
	testl $SI_SITE_SAVE_MASK, SI_SITE_FLAGS(%r11)
	jnz .L\name\()_restore_vec
.L\name\()_vec_restored:
	/* Branch-free choice: FORWARD -> rax = nr, jump to sys_N;
	 * EMULATED -> rax = result, jump to sys_N + 2 = resume_N. */
	mov %eax, %ecx
	mov SI_SITE_SYSCALL_ADDR(%r11), %r11
	lea (%r11, %rcx, 2), %r11
	mov SI_FRAME_NR(%rbp), %rax
	test %ecx, %ecx
	cmovnz SI_FRAME_RESULT(%rbp), %rax
	LEAVE \flags, \kind

.if \kind == SI_KIND_ENTRY
	/* eax >= SI_ACTION_FORWARD_POST, flags still from the cmp. */
.L\name\()_slow:
	jne .L\name\()_clone

	/* SI_ACTION_FORWARD_POST: the kernel runs the call here, on this
	 * stack (never for clone and the like, see entry_abi.h). */
	mov SI_FRAME_NR(%rbp), %rax
	RESTORE_ARGS 0
	syscall
	mov %rax, SI_FRAME_RESULT(%rbp)
	mov %rbp, %rdi
	mov %rax, %rsi
	call si_dispatch_post
	mov $SI_ACTION_EMULATED, %eax
	jmp .L\name\()_finish

	/* SI_ACTION_CLONE_*: see entry_abi.h. */
.L\name\()_clone:
	mov SI_FRAME_SITE(%rbp), %r11
	testl $SI_SITE_SAVE_MASK, SI_SITE_FLAGS(%r11)
	jnz .L\name\()_clone_restore_vec
.L\name\()_clone_vec_restored:
	/* eax = action, r11 = site. */
	cmp $SI_ACTION_CLONE_SHARED, %eax
	jne 1f
	/* Push the site for the parent: depth first, so a signal handler
	 * that clones in between uses the next slot. */
	mov si_clone_tls@gottpoff(%rip), %rcx
	mov %fs:SI_CLONE_TLS_DEPTH(%rcx), %rdx
	cmp $SI_CLONE_TLS_SLOTS, %rdx
	jae .L\name\()_clone_forward
	lea 1(%rdx), %rdx
	mov %rdx, %fs:SI_CLONE_TLS_DEPTH(%rcx)
	mov %r11, %fs:SI_CLONE_TLS_SITES - 8(%rcx, %rdx, 8)
1:
	mov SI_FRAME_APP_RSP(%rbp), %rcx
	mov %r11, -(SI_RED_ZONE + SI_CLONE_GAP)(%rcx)
	cmp $SI_ACTION_CLONE_SHARED, %eax
	je .L\name\()_clone_shared
	cmp $SI_ACTION_CLONE_NEWSTACK, %eax
	je .L\name\()_clone_newstack

	/* SI_ACTION_CLONE_COPY: each side has its own copy of the gap. */
	.cfi_remember_state
	CLONE_SYSCALL \flags
	mov (%rsp), %r11
	lea SI_RED_ZONE + SI_CLONE_GAP(%rsp), %rsp
	.cfi_def_cfa %rsp, 0
	CFI_RA_FROM_SITE DW_REG_R11
	jmp \ret
	.cfi_restore_state

	/* SI_ACTION_CLONE_NEWSTACK: the parent's gap is its own; the child
	 * finds the site below its stack's top. */
.L\name\()_clone_newstack:
	.cfi_remember_state
	CLONE_SYSCALL \flags
	mov %rax, %rcx
	jrcxz 2f	/* rax == 0: the child (jrcxz leaves rflags alone) */
	mov (%rsp), %r11
	lea SI_RED_ZONE + SI_CLONE_GAP(%rsp), %rsp
	.cfi_def_cfa %rsp, 0
	CFI_RA_FROM_SITE DW_REG_R11
	jmp \ret
2:
	.cfi_def_cfa %rsp, 0
	.cfi_undefined DW_REG_RA
	mov -SI_CLONE_CHILD_RECORD(%rsp), %r11
	jmp \thread
	.cfi_restore_state

	/* SI_ACTION_CLONE_SHARED: the child reads the gap before it runs
	 * anything else; by the time the parent runs again the child may
	 * have overwritten it, so the parent pops the site from TLS. */
.L\name\()_clone_shared:
	.cfi_remember_state
	CLONE_SYSCALL \flags
	.cfi_undefined DW_REG_RA
	mov %rax, %rcx
	jrcxz 3f
	mov si_clone_tls@gottpoff(%rip), %rcx
	mov %fs:SI_CLONE_TLS_DEPTH(%rcx), %r11
	lea SI_CLONE_TLS_SITES - 8(%rcx, %r11, 8), %r11
	mov %fs:(%r11), %r11
	mov %r11, (%rsp)
	CFI_RA_FROM_GAP
	/* Pop only after the read; lea leaves rflags alone. */
	mov %fs:SI_CLONE_TLS_DEPTH(%rcx), %r11
	lea -1(%r11), %r11
	mov %r11, %fs:SI_CLONE_TLS_DEPTH(%rcx)
	mov (%rsp), %r11
	lea SI_RED_ZONE + SI_CLONE_GAP(%rsp), %rsp
	.cfi_def_cfa %rsp, 0
	CFI_RA_FROM_SITE DW_REG_R11
	jmp \ret
3:
	.cfi_def_cfa %rsp, SI_RED_ZONE + SI_CLONE_GAP
	CFI_RA_FROM_GAP
	mov (%rsp), %r11
	lea SI_RED_ZONE + SI_CLONE_GAP(%rsp), %rsp
	.cfi_def_cfa %rsp, 0
	CFI_RA_FROM_SITE DW_REG_R11
	jmp \ret
	.cfi_restore_state

	/* The TLS stack is full: run the call at the site without clone
	 * hooks. Vectors are restored already; r11 = site. */
.L\name\()_clone_forward:
	xor %eax, %eax
	jmp .L\name\()_vec_restored

.L\name\()_clone_restore_vec:
	RESTORE_VEC .L\name\()_clone_rv, .L\name\()_clone_vec_restored
.endif

	/* r11 = site; rax, rdx are already in the frame. */
.L\name\()_save_vec:
	testl $SI_SITE_SAVE_FULL, SI_SITE_FLAGS(%r11)
	jnz .L\name\()_save_full
	sub $SI_SSE_AREA_SIZE, %rsp
	movaps %xmm0, 0x00(%rsp)
	movaps %xmm1, 0x10(%rsp)
	movaps %xmm2, 0x20(%rsp)
	movaps %xmm3, 0x30(%rsp)
	movaps %xmm4, 0x40(%rsp)
	movaps %xmm5, 0x50(%rsp)
	movaps %xmm6, 0x60(%rsp)
	movaps %xmm7, 0x70(%rsp)
	movaps %xmm8, 0x80(%rsp)
	movaps %xmm9, 0x90(%rsp)
	movaps %xmm10, 0xa0(%rsp)
	movaps %xmm11, 0xb0(%rsp)
	movaps %xmm12, 0xc0(%rsp)
	movaps %xmm13, 0xd0(%rsp)
	movaps %xmm14, 0xe0(%rsp)
	movaps %xmm15, 0xf0(%rsp)
	jmp .L\name\()_vec_saved
.L\name\()_save_full:
	cmpl $0, si_xsave_config + SI_XSAVE_USE_FXSAVE(%rip)
	jne .L\name\()_save_fx
	sub si_xsave_config + SI_XSAVE_AREA_SIZE(%rip), %rsp
	and $-64, %rsp
	/* XSAVE writes only the XSTATE_BV bits it saves; XRSTOR faults
	 * unless the other XSTATE_BV bits, XCOMP_BV and the reserved bytes
	 * of the header are zero. */
	movq $0, SI_XSAVE_HEADER + 0x00(%rsp)
	movq $0, SI_XSAVE_HEADER + 0x08(%rsp)
	movq $0, SI_XSAVE_HEADER + 0x10(%rsp)
	movq $0, SI_XSAVE_HEADER + 0x18(%rsp)
	movq $0, SI_XSAVE_HEADER + 0x20(%rsp)
	movq $0, SI_XSAVE_HEADER + 0x28(%rsp)
	movq $0, SI_XSAVE_HEADER + 0x30(%rsp)
	movq $0, SI_XSAVE_HEADER + 0x38(%rsp)
	mov si_xsave_config + SI_XSAVE_MASK_LO(%rip), %eax
	mov si_xsave_config + SI_XSAVE_MASK_HI(%rip), %edx
	xsave64 (%rsp)
	jmp .L\name\()_vec_saved
.L\name\()_save_fx:
	sub $512, %rsp
	and $-64, %rsp
	fxsave64 (%rsp)
	jmp .L\name\()_vec_saved

	/* eax = action, r11 = site; both preserved. */
.L\name\()_restore_vec:
	RESTORE_VEC .L\name\()_rv, .L\name\()_vec_restored
	.cfi_endproc
	.size \name, . - \name
.endm

	SI_ENTRY si_entry, 0, SI_KIND_ENTRY, si_clone_return, si_clone_thread_start
	SI_ENTRY si_entry_flags, 1, SI_KIND_ENTRY, si_clone_return_flags, si_clone_thread_start_flags
	SI_ENTRY si_clone_return, 0, SI_KIND_RETURN
	SI_ENTRY si_clone_return_flags, 1, SI_KIND_RETURN
	SI_ENTRY si_clone_thread_start, 0, SI_KIND_THREAD
	SI_ENTRY si_clone_thread_start_flags, 1, SI_KIND_THREAD

	.section .note.GNU-stack, "", @progbits
