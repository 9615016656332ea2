/*
 * A shared object whose one `syscall` cannot be given a jump: it is the
 * first instruction of a 3-byte function (`syscall; ret`) between fillers,
 * with no padding within rel8 reach (the golden fixture's "no room"
 * pattern). trap_test loads it with INTERCEPT_ALL_OBJS=1, so the library
 * hooks that site through the trap; every call below goes through it.
 *
 * FILLER(n) is an FDE-covered block of n nops ending in ret, never called:
 * it keeps any padding out of the site's rel8 reach.
 */
#define FUNC(name)                                                            \
	.globl name;                                                          \
	.protected name;                                                      \
	.type name, @function;                                                \
	name:                                                                 \
	.cfi_startproc
#define END(name)                                                             \
	.cfi_endproc;                                                         \
	.size name, .-name
#define FILLER(name, n)                                                       \
	FUNC(name);                                                           \
	.fill n, 1, 0x90;                                                     \
	ret;                                                                  \
	END(name)

#define NR_clone 56
#define NR_exit	 60

	.text
	.p2align 6

FILLER(si_tfx_fill_0, 140)

/* The trapped site: rax = number, rdi rsi rdx r10 r8 r9 = arguments. */
FUNC(si_tfx_site)
	syscall
	ret
END(si_tfx_site)

FILLER(si_tfx_fill_1, 140)

/* long si_tfx_syscall(long nr, long a0, long a1, long a2, long a3,
 *                     long a4): a raw syscall made at si_tfx_site. */
FUNC(si_tfx_syscall)
	movq	%rdi, %rax
	movq	%rsi, %rdi
	movq	%rdx, %rsi
	movq	%rcx, %rdx
	movq	%r8, %r10
	movq	%r9, %r8
	jmp	si_tfx_site
END(si_tfx_syscall)

FILLER(si_tfx_fill_2, 140)

/* long si_tfx_clone(unsigned long flags, void *stack_top,
 *                   void (*fn)(void *), void *arg, int *ptid, int *ctid):
 * clone(flags, ...) made at si_tfx_site. The child starts on stack_top
 * (16-aligned) and returns from si_tfx_site into si_tfx_child_start, which
 * calls fn(arg) and ends the thread with exit(0). Returns the child's id
 * (or -errno) in the parent. */
FUNC(si_tfx_clone)
	leaq	-24(%rsi), %rsi		/* the child's stack: */
	movq	%rcx, 16(%rsi)		/*   arg */
	movq	%rdx, 8(%rsi)		/*   fn */
	leaq	si_tfx_child_start(%rip), %rax
	movq	%rax, 0(%rsi)		/*   return address of si_tfx_site */
	movq	%r8, %rdx		/* parent_tid */
	movq	%r9, %r10		/* child_tid */
	xorl	%r8d, %r8d		/* tls */
	movl	$NR_clone, %eax
	call	si_tfx_site
	ret
END(si_tfx_clone)

FILLER(si_tfx_fill_3, 140)

FUNC(si_tfx_child_start)
	.cfi_undefined rip
	popq	%rax			/* fn */
	popq	%rdi			/* arg; rsp = stack_top again */
	call	*%rax
	movl	$NR_exit, %eax
	xorl	%edi, %edi
	syscall
	hlt
END(si_tfx_child_start)

FILLER(si_tfx_fill_4, 140)

	.section .note.GNU-stack,"",@progbits
