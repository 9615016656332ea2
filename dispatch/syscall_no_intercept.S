/*
 * long syscall_no_intercept(long syscall_number, ...)
 *
 * Shifts the C arguments into the syscall registers and runs the call here,
 * in this library, where nothing is ever patched. The sixth syscall argument
 * is the seventh C argument, on the caller's stack at 8(%rsp); it is read
 * even if the caller passed fewer (that slot is always mapped: it is in the
 * caller's frame or above it).
 *
 * While trapped sites exist (dispatch/trap.h) the call goes to
 * si_trap_no_intercept instead, with the same arguments in the same
 * places, so that the signal-mask calls a hook makes this way (the usual
 * way to emulate a call) cannot block SIGTRAP (or SIGSYS, in exhaustive
 * mode) either.
 */
	.hidden si_trap_active
	.hidden si_trap_no_intercept

	.text
	.globl syscall_no_intercept
	.type syscall_no_intercept, @function
	.p2align 4
syscall_no_intercept:
	.cfi_startproc
	cmpl $0, si_trap_active(%rip)
	jne si_trap_no_intercept	/* tail call: 8(%rsp) is its 7th argument */
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	mov %r8, %r10
	mov %r9, %r8
	mov 8(%rsp), %r9
	syscall
	ret
	.cfi_endproc
	.size syscall_no_intercept, . - syscall_no_intercept

	.section .note.GNU-stack, "", @progbits
