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
	.hidden si_dispatch_post
	.hidden si_xsave_config

	.text

/* One entry point; `flags` = 1 wraps everything in pushfq/popfq. */
.macro SI_ENTRY name, flags
	.globl \name
	.hidden \name
	.type \name, @function
	.p2align 5
\name:
	.cfi_startproc simple
	.cfi_def_cfa %rsp, 0
	CFI_RA_FROM_SITE DW_REG_R11
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
	CFI_RA_FROM_FRAME DW_REG_RBP
	mov %rax, SI_FRAME_NR(%rbp)
	mov %rdi, SI_FRAME_ARG0(%rbp)
	mov %rsi, SI_FRAME_ARG1(%rbp)
	mov %rdx, SI_FRAME_ARG2(%rbp)
	mov %r10, SI_FRAME_ARG3(%rbp)
	mov %r8, SI_FRAME_ARG4(%rbp)
	mov %r9, SI_FRAME_ARG5(%rbp)
	testl $SI_SITE_SAVE_MASK, SI_SITE_FLAGS(%r11)
	jnz .L\name\()_save_vec
.L\name\()_vec_saved:
	mov %rbp, %rdi
	call si_dispatch
	cmp $SI_ACTION_FORWARD_POST, %eax
	je .L\name\()_post
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
	mov SI_FRAME_ARG0(%rbp), %rdi
	mov SI_FRAME_ARG1(%rbp), %rsi
	mov SI_FRAME_ARG2(%rbp), %rdx
	mov SI_FRAME_ARG3(%rbp), %r10
	mov SI_FRAME_ARG4(%rbp), %r8
	mov SI_FRAME_ARG5(%rbp), %r9
.if \flags
	/* From here on only mov and jmp, which leave rflags alone. */
	mov SI_FRAME_APP_RSP(%rbp), %rcx
	pushq -(SI_RED_ZONE + 8)(%rcx)
	popfq
.endif
	.cfi_remember_state
	mov %rbp, %rcx
	CFI_CFA_FROM_FRAME DW_REG_RCX
	CFI_RBP_IN_FRAME DW_REG_RCX
	CFI_RA_FROM_FRAME DW_REG_RCX
	mov SI_FRAME_APP_RBP(%rcx), %rbp
	.cfi_same_value %rbp
	/* The frame is above rsp until this last load. */
	mov SI_FRAME_APP_RSP(%rcx), %rsp
	.cfi_def_cfa %rsp, 0
	jmp *%r11
	.cfi_restore_state

	/* SI_ACTION_FORWARD_POST: the kernel runs the call here, on this
	 * stack (never for clone and the like, see entry_abi.h). */
.L\name\()_post:
	mov SI_FRAME_NR(%rbp), %rax
	mov SI_FRAME_ARG0(%rbp), %rdi
	mov SI_FRAME_ARG1(%rbp), %rsi
	mov SI_FRAME_ARG2(%rbp), %rdx
	mov SI_FRAME_ARG3(%rbp), %r10
	mov SI_FRAME_ARG4(%rbp), %r8
	mov SI_FRAME_ARG5(%rbp), %r9
	syscall
	mov %rax, SI_FRAME_RESULT(%rbp)
	mov %rbp, %rdi
	mov %rax, %rsi
	call si_dispatch_post
	mov $SI_ACTION_EMULATED, %eax
	jmp .L\name\()_finish

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
	mov %eax, %ecx
	testl $SI_SITE_SAVE_FULL, SI_SITE_FLAGS(%r11)
	jnz .L\name\()_restore_full
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
	jmp .L\name\()_restored
.L\name\()_restore_full:
	cmpl $0, si_xsave_config + SI_XSAVE_USE_FXSAVE(%rip)
	jne .L\name\()_restore_fx
	mov si_xsave_config + SI_XSAVE_MASK_LO(%rip), %eax
	mov si_xsave_config + SI_XSAVE_MASK_HI(%rip), %edx
	xrstor64 (%rsp)
	jmp .L\name\()_restored
.L\name\()_restore_fx:
	fxrstor64 (%rsp)
.L\name\()_restored:
	mov %ecx, %eax
	jmp .L\name\()_vec_restored
	.cfi_endproc
	.size \name, . - \name
.endm

	SI_ENTRY si_entry, 0
	SI_ENTRY si_entry_flags, 1

	.section .note.GNU-stack, "", @progbits
