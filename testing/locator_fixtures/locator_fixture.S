/*
 * Fixture for //patcher:locator_test. Every fx_* symbol is exported on
 * purpose (the test finds the expected boundaries with dlsym), except
 * fx_local, which must exist only in .symtab. Labels named *_end or *_at are
 * STT_NOTYPE markers, never function starts.
 *
 * Expected (the test asserts exactly this):
 *   FDE ranges:   [fx_a, fx_a_end) [fx_c, fx_c_end) [fx_d, fx_d_end)
 *                 [fx_e, fx_e_end) [fx_f, fx_f_end)
 *   padding runs: [fx_a_end, fx_b)           gas nops after an FDE
 *                 [fx_b_end, fx_local_at)    gas nops after a sized symbol
 *                 [fx_local_end, fx_c)       int3 fill
 *                 [fx_c_end, fx_c_filler_end) every nop form, then ud2
 *                 [fx_d_end, fx_nosize)      stops at an unsized symbol
 *                 [fx_e_end, fx_f)           a long run of gas nops
 *   no run after fx_nosize (it has no size, so nothing marks its end).
 */
	.text

	.p2align 6
	.globl	fx_a
	.type	fx_a, @function
fx_a:
	.cfi_startproc
	xorl	%eax, %eax
	ret
	.cfi_endproc
	.size	fx_a, .-fx_a
	.globl	fx_a_end
fx_a_end:

	.p2align 4
	.globl	fx_b
	.type	fx_b, @function
fx_b:					/* no CFI, global: .dynsym + .symtab */
	movl	$1, %eax
	ret
	.size	fx_b, .-fx_b
	.globl	fx_b_end
fx_b_end:

	.p2align 4
	.globl	fx_local_at
fx_local_at:
	.type	fx_local, @function
fx_local:				/* no CFI, local: .symtab only */
	movl	$2, %eax
	ret
	.size	fx_local, .-fx_local
	.globl	fx_local_end
fx_local_end:

	.p2align 4, 0xcc
	.globl	fx_c
	.type	fx_c, @function
fx_c:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movl	$3, %eax
	popq	%rbp
	.cfi_def_cfa_offset 8
	ret
	.cfi_endproc
	.size	fx_c, .-fx_c
	.globl	fx_c_end
fx_c_end:
	.byte	0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0	/* nopw %cs:0x0(%rax,%rax,1) */
	.byte	0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0 /* data16 nopw %cs:0x0(%rax,%rax,1) */
	.byte	0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0	/* nopw 0x0(%rax,%rax,1) */
	.byte	0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0		/* nopl 0x0(%rax,%rax,1) */
	.byte	0x0f, 0x1f, 0x80, 0, 0, 0, 0		/* nopl 0x0(%rax) */
	.byte	0x66, 0x0f, 0x1f, 0x44, 0, 0		/* nopw 0x0(%rax,%rax,1) */
	.byte	0x0f, 0x1f, 0x44, 0, 0			/* nopl 0x0(%rax,%rax,1) */
	.byte	0x0f, 0x1f, 0x40, 0			/* nopl 0x0(%rax) */
	.byte	0x0f, 0x1f, 0x00			/* nopl (%rax) */
	.byte	0x66, 0x90				/* xchg %ax,%ax */
	.byte	0x90					/* nop */
	.byte	0xcc					/* int3 */
	.globl	fx_c_filler_end
fx_c_filler_end:
	.byte	0x0f, 0x1f, 0x40, 0x08			/* nopl 0x8(%rax): not filler */
	ud2

	.p2align 4
	.globl	fx_d
	.type	fx_d, @function
fx_d:
	.cfi_startproc
	jmp	fx_a
	.cfi_endproc
	.size	fx_d, .-fx_d
	.globl	fx_d_end
fx_d_end:
	nop
	nop
	.globl	fx_nosize
	.type	fx_nosize, @function
fx_nosize:				/* no CFI, no .size */
	nop
	nop
	ret

	.p2align 4
	.globl	fx_e
	.type	fx_e, @function
fx_e:
	.cfi_startproc
	movl	$39, %eax
	syscall
	ret
	.cfi_endproc
	.size	fx_e, .-fx_e
	.globl	fx_e_end
fx_e_end:

	.p2align 6
	.globl	fx_f
	.type	fx_f, @function
fx_f:
	.cfi_startproc
	xorl	%eax, %eax
	ret
	.cfi_endproc
	.size	fx_f, .-fx_f
	.globl	fx_f_end
fx_f_end:

	.section .note.GNU-stack, "", @progbits
