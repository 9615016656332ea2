/*
 * void si_trap_sigaction_restorer(void)
 *
 * The sa_restorer of the library's handlers of SIGTRAP and SIGSYS (trap.c
 * installs them with a raw rt_sigaction, so libc's __restore_rt is not there
 * to use). The handler returns here with rsp at the signal frame's ucontext.
 *
 * No FDE, on purpose: unwinders then recognise a Linux x86_64 signal
 * trampoline by its bytes (libgcc's does so for any code without an FDE;
 * gdb only for __restore_rt or a name holding "sigaction", hence the name)
 * and continue into the interrupted frame. The nop keeps return address - 1
 * out of any other function's FDE.
 */
	.text
	.globl si_trap_sigaction_restorer
	.hidden si_trap_sigaction_restorer
	.type si_trap_sigaction_restorer, @function
	.p2align 4
	nop	/* unwinders look up the FDE at the return address - 1 */
si_trap_sigaction_restorer:
	movq $15, %rax	/* 48 c7 c0 0f 00 00 00  mov $SYS_rt_sigreturn, %rax */
	syscall		/* 0f 05                 syscall (never returns) */
	hlt		/* f4                    not reached */
	.size si_trap_sigaction_restorer, . - si_trap_sigaction_restorer

	.section .note.GNU-stack, "", @progbits
