/*
 * A shared object whose raw `syscall` instructions sit between code that
 * keeps values in vector registers or in rflags across them (the kernel
 * preserves every register but rax, rcx and r11, so such code is correct).
 * vector_test loads it with INTERCEPT_ALL_OBJS=1, so these sites are patched
 * and a hook that clobbers everything runs in the middle of each.
 *
 * Every syscall here is the marker call of record_abi.h: getppid with
 * rdi = SI_REC_MARK_ARG0; the test hook answers SI_REC_MARK_RESULT, so the
 * value in rax tells the caller whether the site was intercepted.
 */
#include "testing/process/record_abi.h"

#define NR_getppid 110

	.text

/* long si_fix_sse(const void *in, void *out): xmm0-15 <- in[0..256),
 * syscall, out[0..256) <- xmm0-15. Returns the syscall's rax (so do the
 * other two). */
	.globl	si_fix_sse
	.type	si_fix_sse, @function
	.p2align 4
si_fix_sse:
	.cfi_startproc
	movdqu	0x00(%rdi), %xmm0
	movdqu	0x10(%rdi), %xmm1
	movdqu	0x20(%rdi), %xmm2
	movdqu	0x30(%rdi), %xmm3
	movdqu	0x40(%rdi), %xmm4
	movdqu	0x50(%rdi), %xmm5
	movdqu	0x60(%rdi), %xmm6
	movdqu	0x70(%rdi), %xmm7
	movdqu	0x80(%rdi), %xmm8
	movdqu	0x90(%rdi), %xmm9
	movdqu	0xa0(%rdi), %xmm10
	movdqu	0xb0(%rdi), %xmm11
	movdqu	0xc0(%rdi), %xmm12
	movdqu	0xd0(%rdi), %xmm13
	movdqu	0xe0(%rdi), %xmm14
	movdqu	0xf0(%rdi), %xmm15
	movabsq	$SI_REC_MARK_ARG0, %rdi
	movl	$NR_getppid, %eax
	syscall
	movdqu	%xmm0, 0x00(%rsi)
	movdqu	%xmm1, 0x10(%rsi)
	movdqu	%xmm2, 0x20(%rsi)
	movdqu	%xmm3, 0x30(%rsi)
	movdqu	%xmm4, 0x40(%rsi)
	movdqu	%xmm5, 0x50(%rsi)
	movdqu	%xmm6, 0x60(%rsi)
	movdqu	%xmm7, 0x70(%rsi)
	movdqu	%xmm8, 0x80(%rsi)
	movdqu	%xmm9, 0x90(%rsi)
	movdqu	%xmm10, 0xa0(%rsi)
	movdqu	%xmm11, 0xb0(%rsi)
	movdqu	%xmm12, 0xc0(%rsi)
	movdqu	%xmm13, 0xd0(%rsi)
	movdqu	%xmm14, 0xe0(%rsi)
	movdqu	%xmm15, 0xf0(%rsi)
	ret
	.cfi_endproc
	.size	si_fix_sse, .-si_fix_sse

/* The ymm body of si_fix_avx and si_fix_avx_nofde: ymm0-15 <- in[0..512),
 * syscall, out[0..512) <- ymm0-15. */
.macro AVX_BODY
	vmovdqu	0x000(%rdi), %ymm0
	vmovdqu	0x020(%rdi), %ymm1
	vmovdqu	0x040(%rdi), %ymm2
	vmovdqu	0x060(%rdi), %ymm3
	vmovdqu	0x080(%rdi), %ymm4
	vmovdqu	0x0a0(%rdi), %ymm5
	vmovdqu	0x0c0(%rdi), %ymm6
	vmovdqu	0x0e0(%rdi), %ymm7
	vmovdqu	0x100(%rdi), %ymm8
	vmovdqu	0x120(%rdi), %ymm9
	vmovdqu	0x140(%rdi), %ymm10
	vmovdqu	0x160(%rdi), %ymm11
	vmovdqu	0x180(%rdi), %ymm12
	vmovdqu	0x1a0(%rdi), %ymm13
	vmovdqu	0x1c0(%rdi), %ymm14
	vmovdqu	0x1e0(%rdi), %ymm15
	movabsq	$SI_REC_MARK_ARG0, %rdi
	movl	$NR_getppid, %eax
	syscall
	vmovdqu	%ymm0, 0x000(%rsi)
	vmovdqu	%ymm1, 0x020(%rsi)
	vmovdqu	%ymm2, 0x040(%rsi)
	vmovdqu	%ymm3, 0x060(%rsi)
	vmovdqu	%ymm4, 0x080(%rsi)
	vmovdqu	%ymm5, 0x0a0(%rsi)
	vmovdqu	%ymm6, 0x0c0(%rsi)
	vmovdqu	%ymm7, 0x0e0(%rsi)
	vmovdqu	%ymm8, 0x100(%rsi)
	vmovdqu	%ymm9, 0x120(%rsi)
	vmovdqu	%ymm10, 0x140(%rsi)
	vmovdqu	%ymm11, 0x160(%rsi)
	vmovdqu	%ymm12, 0x180(%rsi)
	vmovdqu	%ymm13, 0x1a0(%rsi)
	vmovdqu	%ymm14, 0x1c0(%rsi)
	vmovdqu	%ymm15, 0x1e0(%rsi)
	vzeroupper
.endm

/* long si_fix_avx(const void *in, void *out); needs AVX. */
	.globl	si_fix_avx
	.type	si_fix_avx, @function
	.p2align 4
si_fix_avx:
	.cfi_startproc
	AVX_BODY
	ret
	.cfi_endproc
	.size	si_fix_avx, .-si_fix_avx

/* The same with no CFI: no FDE covers this site, so the library cannot
 * know the function's extent. */
	.globl	si_fix_avx_nofde
	.type	si_fix_avx_nofde, @function
	.p2align 4
si_fix_avx_nofde:
	AVX_BODY
	ret
	.size	si_fix_avx_nofde, .-si_fix_avx_nofde

/* void si_fix_flags_pushf(unsigned long flags, unsigned long out[2]):
 * rflags <- flags, syscall, out[0] <- rax, out[1] <- rflags as pushfq
 * reads them right after the syscall. Leaves DF clear. */
	.globl	si_fix_flags_pushf
	.type	si_fix_flags_pushf, @function
	.p2align 4
si_fix_flags_pushf:
	.cfi_startproc
	pushq	%rdi
	.cfi_adjust_cfa_offset 8
	movabsq	$SI_REC_MARK_ARG0, %rdi
	movl	$NR_getppid, %eax
	popfq
	.cfi_adjust_cfa_offset -8
	syscall
	pushfq
	.cfi_adjust_cfa_offset 8
	popq	%rdx
	.cfi_adjust_cfa_offset -8
	cld
	movq	%rax, 0(%rsi)
	movq	%rdx, 8(%rsi)
	ret
	.cfi_endproc
	.size	si_fix_flags_pushf, .-si_fix_flags_pushf

/* void si_fix_flags_branch(unsigned long flags, unsigned long out[2]):
 * rflags <- flags, syscall, then conditional branches read CF, ZF, SF and
 * OF; out[0] <- rax, out[1] <- those four flags as rflags bits (CF 0x1,
 * ZF 0x40, SF 0x80, OF 0x800). */
	.globl	si_fix_flags_branch
	.type	si_fix_flags_branch, @function
	.p2align 4
si_fix_flags_branch:
	.cfi_startproc
	pushq	%rdi
	.cfi_adjust_cfa_offset 8
	movabsq	$SI_REC_MARK_ARG0, %rdi
	movl	$NR_getppid, %eax
	popfq
	.cfi_adjust_cfa_offset -8
	syscall
	/* mov and lea leave the flags alone, so each branch reads the
	 * flags the syscall returned with. */
	movl	$0, %edx
	jnc	1f
	leal	0x1(%rdx), %edx
1:	jnz	2f
	leal	0x40(%rdx), %edx
2:	jns	3f
	leal	0x80(%rdx), %edx
3:	jno	4f
	leal	0x800(%rdx), %edx
4:	cld
	movq	%rax, 0(%rsi)
	movq	%rdx, 8(%rsi)
	ret
	.cfi_endproc
	.size	si_fix_flags_branch, .-si_fix_flags_branch

	.section .note.GNU-stack, "", @progbits
