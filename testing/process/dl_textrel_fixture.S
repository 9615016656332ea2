/*
 * A shared object with a text relocation (an absolute address inside its
 * code, linked with -z notext) next to a marker call (see dl_fixture.S).
 * ld.so writes the relocation into the code after mapping it, so the
 * library must leave this object alone when it is dlopened: the call then
 * runs unhooked and returns the real parent pid.
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
	movabsq	$.Lanchor, %rcx /* R_X86_64_64 in .text */
	movabsq	$SI_REC_MARK_ARG0, %rdi
	movl	$NR_getppid, %eax
	syscall
	ret
	.cfi_endproc
	.size	si_dl_mark, .-si_dl_mark

	.data
	.p2align 3
.Lanchor:
	.quad	0

	.section .note.GNU-stack, "", @progbits
