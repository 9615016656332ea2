/*
 * Test drivers for trampolines: see harness.h.
 */
#include "trampoline/testing/harness.h"

#include <sys/syscall.h>

	.text

/* ------------------------------------------------------------------------
 * void harness_run(struct harness *h)
 *
 * Stack at the jump (J = rsp):  J+0 h, J+8 rsp to restore, J+16 trampoline,
 * J+24 scratch, J+32 the caller's mxcsr; J-128..J-8 the red-zone pattern.
 */
	.globl harness_run
	.hidden harness_run
	.type harness_run, @function
	.globl harness_site
	.hidden harness_site
	.globl harness_resume
	.hidden harness_resume
	.globl harness_run_end
	.hidden harness_run_end
	.p2align 4
harness_run:
	.cfi_startproc
	mov (%rsp), %rax
	mov %rax, H_RET_ADDR(%rdi)
	push %rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	push %rbx
	.cfi_def_cfa_offset 24
	.cfi_offset %rbx, -24
	push %r12
	.cfi_def_cfa_offset 32
	.cfi_offset %r12, -32
	push %r13
	.cfi_def_cfa_offset 40
	.cfi_offset %r13, -40
	push %r14
	.cfi_def_cfa_offset 48
	.cfi_offset %r14, -48
	push %r15
	.cfi_def_cfa_offset 56
	.cfi_offset %r15, -56
	mov %rsp, %rax
	lea -512(%rsp), %rcx
	and $-16, %rcx
	sub H_STACK_ADJ(%rdi), %rcx
	mov %rcx, H_RSP_AT_JUMP(%rdi)
	mov %rcx, %rsp
	/* CFA = *(rsp + 8) + 56 */
	.cfi_escape 0x0f, 5, 0x77, 8, 0x06, 0x23, 56
	mov %rdi, 0(%rsp)
	mov %rax, 8(%rsp)
	mov H_TRAMP(%rdi), %rax
	mov %rax, 16(%rsp)
	stmxcsr 32(%rsp)
	ldmxcsr H_MXCSR_IN(%rdi)
	cmpl $0, H_DIRTY_STACK(%rdi)
	je 3f
	mov %rdi, %rdx
	lea -(128 + 16384)(%rsp), %rdi
	mov $16384, %ecx
	mov $0xff, %eax
	cld
	rep stosb
	mov %rdx, %rdi
3:
	cmpl $0, H_USE_AVX(%rdi)
	jne 1f
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu H_VEC_IN + 32 * \i(%rdi), %xmm\i
	.endr
	jmp 2f
1:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqu H_VEC_IN + 32 * \i(%rdi), %ymm\i
	.endr
2:
	pushq H_RFLAGS_IN(%rdi)
	popfq
	/* Only mov from here to the jump: the flags stay as loaded. */
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	mov H_REDZONE_IN + 8 * \i(%rdi), %rax
	mov %rax, -8 * (\i + 1)(%rsp)
	.endr
	mov H_GPR_IN + 8 * H_RAX(%rdi), %rax
	mov H_GPR_IN + 8 * H_RBX(%rdi), %rbx
	mov H_GPR_IN + 8 * H_RCX(%rdi), %rcx
	mov H_GPR_IN + 8 * H_RDX(%rdi), %rdx
	mov H_GPR_IN + 8 * H_RSI(%rdi), %rsi
	mov H_GPR_IN + 8 * H_RBP(%rdi), %rbp
	mov H_GPR_IN + 8 * H_R8(%rdi), %r8
	mov H_GPR_IN + 8 * H_R9(%rdi), %r9
	mov H_GPR_IN + 8 * H_R10(%rdi), %r10
	mov H_GPR_IN + 8 * H_R11(%rdi), %r11
	mov H_GPR_IN + 8 * H_R12(%rdi), %r12
	mov H_GPR_IN + 8 * H_R13(%rdi), %r13
	mov H_GPR_IN + 8 * H_R14(%rdi), %r14
	mov H_GPR_IN + 8 * H_R15(%rdi), %r15
	mov H_GPR_IN + 8 * H_RDI(%rdi), %rdi
harness_site:
	jmp *16(%rsp)
harness_resume:
	mov %rax, 24(%rsp)
	mov 0(%rsp), %rax
	mov %rbx, H_GPR_OUT + 8 * H_RBX(%rax)
	mov %rcx, H_GPR_OUT + 8 * H_RCX(%rax)
	mov %rdx, H_GPR_OUT + 8 * H_RDX(%rax)
	mov %rsi, H_GPR_OUT + 8 * H_RSI(%rax)
	mov %rdi, H_GPR_OUT + 8 * H_RDI(%rax)
	mov %rbp, H_GPR_OUT + 8 * H_RBP(%rax)
	mov %r8, H_GPR_OUT + 8 * H_R8(%rax)
	mov %r9, H_GPR_OUT + 8 * H_R9(%rax)
	mov %r10, H_GPR_OUT + 8 * H_R10(%rax)
	mov %r11, H_GPR_OUT + 8 * H_R11(%rax)
	mov %r12, H_GPR_OUT + 8 * H_R12(%rax)
	mov %r13, H_GPR_OUT + 8 * H_R13(%rax)
	mov %r14, H_GPR_OUT + 8 * H_R14(%rax)
	mov %r15, H_GPR_OUT + 8 * H_R15(%rax)
	mov 24(%rsp), %rbx
	mov %rbx, H_GPR_OUT + 8 * H_RAX(%rax)
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	mov -8 * (\i + 1)(%rsp), %rbx
	mov %rbx, H_REDZONE_OUT + 8 * \i(%rax)
	.endr
	mov %rsp, H_RSP_AFTER(%rax)
	pushfq
	popq H_RFLAGS_OUT(%rax)
	stmxcsr H_MXCSR_OUT(%rax)
	cmpl $0, H_USE_AVX(%rax)
	jne 1f
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu %xmm\i, H_VEC_OUT + 32 * \i(%rax)
	.endr
	jmp 2f
1:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqu %ymm\i, H_VEC_OUT + 32 * \i(%rax)
	.endr
	vzeroupper
2:
	ldmxcsr 32(%rsp)
	mov 8(%rsp), %rsp
	.cfi_def_cfa %rsp, 56
	pop %r15
	.cfi_def_cfa_offset 48
	pop %r14
	.cfi_def_cfa_offset 40
	pop %r13
	.cfi_def_cfa_offset 32
	pop %r12
	.cfi_def_cfa_offset 24
	pop %rbx
	.cfi_def_cfa_offset 16
	pop %rbp
	.cfi_def_cfa_offset 8
	ret
	.cfi_endproc
harness_run_end:
	.size harness_run, . - harness_run

/* ------------------------------------------------------------------------
 * long clone_run(void *tramp, long flags, void *new_stack, int *ptid,
 *                int *ctid, long tls, struct clone_result *child_out)
 *
 * r12 = child_out, rbx rbp r13 r14 r15 = sentinels; the trampoline is
 * reached with a memory-indirect jump from 0(%rsp).
 */
	.globl clone_run
	.hidden clone_run
	.type clone_run, @function
	.globl clone_resume
	.hidden clone_resume
	.p2align 4
clone_run:
	.cfi_startproc
	push %rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	push %rbx
	.cfi_def_cfa_offset 24
	.cfi_offset %rbx, -24
	push %r12
	.cfi_def_cfa_offset 32
	.cfi_offset %r12, -32
	push %r13
	.cfi_def_cfa_offset 40
	.cfi_offset %r13, -40
	push %r14
	.cfi_def_cfa_offset 48
	.cfi_offset %r14, -48
	push %r15
	.cfi_def_cfa_offset 56
	.cfi_offset %r15, -56
	push %rdi
	.cfi_def_cfa_offset 64
	mov 64(%rsp), %r12 /* 7th argument: child_out */
	movabs $CLONE_SENTINEL_RBX, %rbx
	movabs $CLONE_SENTINEL_RBP, %rbp
	movabs $CLONE_SENTINEL_R13, %r13
	movabs $CLONE_SENTINEL_R14, %r14
	movabs $CLONE_SENTINEL_R15, %r15
	mov %rsi, %rdi /* flags */
	mov %rdx, %rsi /* new stack */
	mov %rcx, %rdx /* ptid */
	mov %r8, %r10  /* ctid */
	mov %r9, %r8   /* tls */
	mov $SYS_clone, %eax
	jmp *(%rsp)
clone_resume:
	test %rax, %rax
	jnz 1f
	/* a child (thread- or fork-style): record its registers */
	mov %rsp, C_RSP(%r12)
	mov %rax, C_RAX(%r12)
	mov %rbx, C_RBX(%r12)
	mov %rbp, C_RBP(%r12)
	mov %r12, C_R12(%r12)
	mov %r13, C_R13(%r12)
	mov %r14, C_R14(%r12)
	mov %r15, C_R15(%r12)
	mov %rdi, C_RDI(%r12)
	mov %rsi, C_RSI(%r12)
	mov %rdx, C_RDX(%r12)
	mov %r8, C_R8(%r12)
	mov %r9, C_R9(%r12)
	mov %r10, C_R10(%r12)
	cmp $0, %rsi
	jne 2f
1:	/* parent, or fork-style child: return rax */
	pop %rdi
	.cfi_def_cfa_offset 56
	pop %r15
	.cfi_def_cfa_offset 48
	pop %r14
	.cfi_def_cfa_offset 40
	pop %r13
	.cfi_def_cfa_offset 32
	pop %r12
	.cfi_def_cfa_offset 24
	pop %rbx
	.cfi_def_cfa_offset 16
	pop %rbp
	.cfi_def_cfa_offset 8
	ret
2:	/* thread-style child on its new stack: exit the thread */
	movq $1, C_DONE(%r12)
	mov $SYS_exit, %eax
	xor %edi, %edi
	syscall
	ud2
	.cfi_endproc
	.size clone_run, . - clone_run

/* ------------------------------------------------------------------------
 * long clone_drive_run(struct clone_drive *d)
 *
 * Stack at the jump (J = rsp): J+0 rsp to restore, J+8 rax, J+16 flags,
 * J+24 rbx (scratch for each side), J+32 trampoline; J-128..J-8 the red-zone
 * pattern. A new-stack child has its own J = its stack top.
 */
	.globl clone_drive_run
	.hidden clone_drive_run
	.type clone_drive_run, @function
	.globl clone_drive_site
	.hidden clone_drive_site
	.globl clone_drive_resume
	.hidden clone_drive_resume
	.globl clone_drive_child_fail
	.hidden clone_drive_child_fail
	.p2align 4
clone_drive_run:
	.cfi_startproc
	push %rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	push %rbx
	.cfi_def_cfa_offset 24
	.cfi_offset %rbx, -24
	push %r12
	.cfi_def_cfa_offset 32
	.cfi_offset %r12, -32
	push %r13
	.cfi_def_cfa_offset 40
	.cfi_offset %r13, -40
	push %r14
	.cfi_def_cfa_offset 48
	.cfi_offset %r14, -48
	push %r15
	.cfi_def_cfa_offset 56
	.cfi_offset %r15, -56
	mov %rdi, clone_drive_cur(%rip)
	mov %rsp, %rax
	lea -512(%rsp), %rcx
	and $-16, %rcx
	mov %rcx, CD_RSP_AT_JUMP(%rdi)
	mov %rcx, %rsp
	/* CFA = *(rsp + 0) + 56 */
	.cfi_escape 0x0f, 5, 0x77, 0, 0x06, 0x23, 56
	mov %rax, 0(%rsp)
	mov CD_TRAMP(%rdi), %rax
	mov %rax, 32(%rsp)
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu CD_XMM_IN + 16 * \i(%rdi), %xmm\i
	.endr
	pushq CD_RFLAGS_IN(%rdi)
	popfq
	/* Only mov from here to the jump. */
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	mov CD_REDZONE_IN + 8 * \i(%rdi), %rax
	mov %rax, -8 * (\i + 1)(%rsp)
	.endr
	mov CD_GPR_IN + 8 * H_RAX(%rdi), %rax
	mov CD_GPR_IN + 8 * H_RBX(%rdi), %rbx
	mov CD_GPR_IN + 8 * H_RCX(%rdi), %rcx
	mov CD_GPR_IN + 8 * H_RDX(%rdi), %rdx
	mov CD_GPR_IN + 8 * H_RSI(%rdi), %rsi
	mov CD_GPR_IN + 8 * H_RBP(%rdi), %rbp
	mov CD_GPR_IN + 8 * H_R8(%rdi), %r8
	mov CD_GPR_IN + 8 * H_R9(%rdi), %r9
	mov CD_GPR_IN + 8 * H_R10(%rdi), %r10
	mov CD_GPR_IN + 8 * H_R11(%rdi), %r11
	mov CD_GPR_IN + 8 * H_R12(%rdi), %r12
	mov CD_GPR_IN + 8 * H_R13(%rdi), %r13
	mov CD_GPR_IN + 8 * H_R14(%rdi), %r14
	mov CD_GPR_IN + 8 * H_R15(%rdi), %r15
	mov CD_GPR_IN + 8 * H_RDI(%rdi), %rdi
clone_drive_site:
	jmp *32(%rsp)
clone_drive_resume:
	/* Nothing below rsp is written: it is the red zone under test. */
	mov %rax, 8(%rsp)
	lahf
	seto %al
	mov %ax, 16(%rsp)
	mov %rbx, 24(%rsp)
	mov clone_drive_cur(%rip), %rbx
	lea CD_PARENT(%rbx), %rax
	cmpq $0, 8(%rsp)
	jne 1f
	lea CD_CHILD(%rbx), %rax
1:
	mov %rcx, CS_GPR + 8 * H_RCX(%rax)
	mov %rdx, CS_GPR + 8 * H_RDX(%rax)
	mov %rsi, CS_GPR + 8 * H_RSI(%rax)
	mov %rdi, CS_GPR + 8 * H_RDI(%rax)
	mov %rbp, CS_GPR + 8 * H_RBP(%rax)
	mov %r8, CS_GPR + 8 * H_R8(%rax)
	mov %r9, CS_GPR + 8 * H_R9(%rax)
	mov %r10, CS_GPR + 8 * H_R10(%rax)
	mov %r11, CS_GPR + 8 * H_R11(%rax)
	mov %r12, CS_GPR + 8 * H_R12(%rax)
	mov %r13, CS_GPR + 8 * H_R13(%rax)
	mov %r14, CS_GPR + 8 * H_R14(%rax)
	mov %r15, CS_GPR + 8 * H_R15(%rax)
	mov 8(%rsp), %rcx
	mov %rcx, CS_GPR + 8 * H_RAX(%rax)
	mov 24(%rsp), %rcx
	mov %rcx, CS_GPR + 8 * H_RBX(%rax)
	mov %rsp, CS_RSP(%rax)
	movzwl 16(%rsp), %ecx
	mov %rcx, CS_FLAGS(%rax)
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	mov -8 * (\i + 1)(%rsp), %rcx
	mov %rcx, CS_REDZONE + 8 * \i(%rax)
	.endr
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu %xmm\i, CS_XMM + 16 * \i(%rax)
	.endr
	cmpq $0, 8(%rsp)
	jne 2f
	/* the child: never returns */
	movq $1, CD_CHILD_RECORDED(%rbx)
	mov CD_CHILD_NR(%rbx), %rax
	mov CD_CHILD_ARGS + 0(%rbx), %rdi
	mov CD_CHILD_ARGS + 8(%rbx), %rsi
	mov CD_CHILD_ARGS + 16(%rbx), %rdx
	cmpq $0, CD_CHILD_TRAMP(%rbx)
	je 3f
	jmp *CD_CHILD_TRAMP(%rbx)
3:
	syscall
	ud2
2:	/* the parent */
	mov 8(%rsp), %rax
	mov 0(%rsp), %rsp
	.cfi_def_cfa %rsp, 56
	pop %r15
	.cfi_def_cfa_offset 48
	pop %r14
	.cfi_def_cfa_offset 40
	pop %r13
	.cfi_def_cfa_offset 32
	pop %r12
	.cfi_def_cfa_offset 24
	pop %rbx
	.cfi_def_cfa_offset 16
	pop %rbp
	.cfi_def_cfa_offset 8
	ret
clone_drive_child_fail:
	mov $SYS_exit_group, %eax
	mov $127, %edi
	syscall
	ud2
	.cfi_endproc
	.size clone_drive_run, . - clone_drive_run

	.bss
	.p2align 3
	.hidden clone_drive_cur
clone_drive_cur:
	.quad 0
	.globl sigreturn_tramp
	.hidden sigreturn_tramp
	.type sigreturn_tramp, @object
sigreturn_tramp:
	.quad 0
	.size sigreturn_tramp, 8
	.text

/* ------------------------------------------------------------------------
 * The restorer a signal handler returns to (SA_RESTORER), as glibc's
 * __restore_rt but through a trampoline. No CFI: like __restore_rt it runs
 * on the signal frame, not in a call.
 */
	.globl sigreturn_restorer
	.hidden sigreturn_restorer
	.type sigreturn_restorer, @function
	.p2align 4
sigreturn_restorer:
	mov $SYS_rt_sigreturn, %eax
	jmp *sigreturn_tramp(%rip)
	.size sigreturn_restorer, . - sigreturn_restorer

/* harness_run target: the syscall in rax (e.g. tgkill to self) runs here;
 * the signal is delivered on its way out; then back to harness_resume. */
	.globl signal_site
	.hidden signal_site
	.type signal_site, @function
	.globl signal_site_syscall
	.hidden signal_site_syscall
	.p2align 4
signal_site:
signal_site_syscall:
	syscall
	jmp harness_resume
	.size signal_site, . - signal_site

/* ------------------------------------------------------------------------
 * long bench_tramp_loop(void *tramp, long nr, long n)
 */
	.globl bench_tramp_loop
	.hidden bench_tramp_loop
	.type bench_tramp_loop, @function
	.globl bench_resume
	.hidden bench_resume
	.p2align 4
bench_tramp_loop:
	.cfi_startproc
	push %rbx
	.cfi_def_cfa_offset 16
	.cfi_offset %rbx, -16
	push %r12
	.cfi_def_cfa_offset 24
	.cfi_offset %r12, -24
	push %r13
	.cfi_def_cfa_offset 32
	.cfi_offset %r13, -32
	mov %rdi, %rbx /* trampoline */
	mov %rsi, %r12 /* nr */
	mov %rdx, %r13 /* count */
	xor %eax, %eax
	test %r13, %r13
	jz 2f
1:
	mov %r12, %rax
	jmp *%rbx
bench_resume:
	dec %r13
	jnz 1b
2:
	pop %r13
	.cfi_def_cfa_offset 24
	pop %r12
	.cfi_def_cfa_offset 16
	pop %rbx
	.cfi_def_cfa_offset 8
	ret
	.cfi_endproc
	.size bench_tramp_loop, . - bench_tramp_loop

/* long bench_raw_loop(long nr, long n) */
	.globl bench_raw_loop
	.hidden bench_raw_loop
	.type bench_raw_loop, @function
	.p2align 4
bench_raw_loop:
	.cfi_startproc
	mov %rsi, %rdx
	xor %eax, %eax
	test %rdx, %rdx
	jz 2f
1:
	mov %rdi, %rax
	syscall
	dec %rdx
	jnz 1b
2:
	ret
	.cfi_endproc
	.size bench_raw_loop, . - bench_raw_loop

/* ------------------------------------------------------------------------
 * long bench_floor_loop(void *hook, long nr, long n)
 *
 * The least any entry stub with this ABI does, `n` times: from a jump out
 * of the caller, step over the red zone, align the stack, save what the
 * kernel would preserve and the hook may clobber (rdi, rsi, rdx, r10, r8,
 * r9, plus rsp and rbp), call hook(nr, a0..a5, &result) with the last two
 * on the stack, restore, and jump back with the result in rax. No site
 * descriptor, no vector-save test, no guard, no fast/slow choice: a floor
 * for tools/entry_bench, not a stub.
 */
	.globl bench_floor_loop
	.hidden bench_floor_loop
	.type bench_floor_loop, @function
	.p2align 4
bench_floor_loop:
	/* bench_tramp_loop(bench_floor_stub, nr, n), the hook in memory */
	mov %rdi, bench_floor_hook(%rip)
	lea bench_floor_stub(%rip), %rdi
	jmp bench_tramp_loop
	.size bench_floor_loop, . - bench_floor_loop

	.data
	.p2align 3
bench_floor_hook:
	.quad 0
	.text

	.p2align 4
bench_floor_stub:
	.cfi_startproc simple
	.cfi_def_cfa %rsp, 0
	mov %rsp, %rcx
	lea -128(%rsp), %rsp
	and $-16, %rsp
	sub $80, %rsp
	mov %rcx, 0(%rsp)
	mov %rbp, 8(%rsp)
	mov %rsp, %rbp
	mov %rax, 16(%rbp)
	mov %rdi, 24(%rbp)
	mov %rsi, 32(%rbp)
	mov %rdx, 40(%rbp)
	mov %r10, 48(%rbp)
	mov %r8, 56(%rbp)
	mov %r9, 64(%rbp)
	lea 72(%rbp), %rcx
	push %rcx
	push %r9
	mov %r8, %r9
	mov %r10, %r8
	mov %rdx, %rcx
	mov %rsi, %rdx
	mov %rdi, %rsi
	mov %rax, %rdi
	call *bench_floor_hook(%rip)
	add $16, %rsp
	mov 72(%rbp), %rax
	mov 24(%rbp), %rdi
	mov 32(%rbp), %rsi
	mov 40(%rbp), %rdx
	mov 48(%rbp), %r10
	mov 56(%rbp), %r8
	mov 64(%rbp), %r9
	mov %rbp, %rcx
	mov 8(%rcx), %rbp
	mov 0(%rcx), %rsp
	jmp bench_resume
	.cfi_endproc
	.size bench_floor_stub, . - bench_floor_stub

	.section .note.GNU-stack, "", @progbits
