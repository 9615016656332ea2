/*
 * A shared object for the dlopen tests: its constructor and its one
 * function each make the marker call of record_abi.h (getppid with
 * rdi = SI_REC_MARK_ARG0) with their own `syscall` instruction. The test
 * hook answers it with SI_REC_MARK_RESULT, so what these return tells
 * whether the object was patched before its code ran.
 * Built twice under two names (BUILD.bazel), so a test can load two
 * distinct objects with the same code, and once with SI_DL_UNRESOLVED: a
 * reference to a function nothing defines, so that dlopen(RTLD_NOW) maps
 * the object, then fails to relocate it and unloads it.
 */
#include "testing/process/record_abi.h"

#define NR_getppid 110

	.text

/* long si_dl_mark(void): the marker call's result. */
	.globl	si_dl_mark
	.type	si_dl_mark, @function
	.p2align 4
si_dl_mark:
	.cfi_startproc
	movabsq	$SI_REC_MARK_ARG0, %rdi
	movl	$NR_getppid, %eax
	syscall
	ret
	.cfi_endproc
	.size	si_dl_mark, .-si_dl_mark

/* long si_dl_ctor_result(void): what the constructor's marker call
 * returned (0 if the constructor did not run). */
	.globl	si_dl_ctor_result
	.type	si_dl_ctor_result, @function
	.p2align 4
si_dl_ctor_result:
	.cfi_startproc
	movq	.Lctor_result(%rip), %rax
	ret
	.cfi_endproc
	.size	si_dl_ctor_result, .-si_dl_ctor_result

/* The constructor (.init_array): runs the marker call once at load. */
	.type	si_dl_init, @function
	.p2align 4
si_dl_init:
	.cfi_startproc
	movabsq	$SI_REC_MARK_ARG0, %rdi
	movl	$NR_getppid, %eax
	syscall
	movq	%rax, .Lctor_result(%rip)
	ret
	.cfi_endproc
	.size	si_dl_init, .-si_dl_init

#ifdef SI_DL_UNRESOLVED
	.globl	si_dl_unresolved
	.type	si_dl_unresolved, @function
	.p2align 4
si_dl_unresolved:
	.cfi_startproc
	jmp	si_dl_no_such_function@PLT
	.cfi_endproc
	.size	si_dl_unresolved, .-si_dl_unresolved
#endif

	.section .init_array, "aw"
	.p2align 3
	.quad	si_dl_init

	.data
	.p2align 3
.Lctor_result:
	.quad	0

	.section .note.GNU-stack, "", @progbits
