/*
 * Golden patterns for the patch planner: one tricky shape per function.
 * //testing/golden:golden_test loads this object, plans and patches it with
 * a mock entry, checks each site's plan and bytes against its table, and
 * runs every function before and after patching.
 *
 * Functions whose first instruction is the syscall expect the number in
 * rax: the test calls them through golden_call(fn, nr, a0, a1, a2).
 * Every symbol is protected: exported for the test's dlsym, bound locally so
 * the rip-relative and direct references need no relocation.
 * FILLER(n) is an FDE-covered block of n nops ending in ret: it keeps other
 * functions' padding out of rel8 reach and is never called.
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

	.text
	.p2align 6

/* golden_call(fn, nr, a0, a1, a2): rax = nr, then tail-jump to fn. */
FUNC(golden_call)
	movq	%rdi, %r11
	movq	%rsi, %rax
	movq	%rdx, %rdi
	movq	%rcx, %rsi
	movq	%r8, %rdx
	jmp	*%r11
END(golden_call)

FUNC(g_ret39)
	movl	$39, %eax
	ret
END(g_ret39)

FILLER(g_fill_0, 140)

/* The syscall is the function's first instruction, then ret, then 13
 * bytes of alignment nops: no room inline, a padding slot right after. */
FUNC(g_first)
	syscall
	ret
END(g_first)
	.p2align 4

FILLER(g_fill_1, 140)

/* The syscall is the last instruction; the next function follows at once
 * (this one falls through into it). */
FUNC(g_last)
	movl	$39, %eax
	syscall
END(g_last)
FUNC(g_last_tail)
	ret
END(g_last_tail)

/* A branch target right after the syscall: the range must end with it. */
FUNC(g_target_after)
	movl	$39, %eax
	testl	%edi, %edi
	jz	1f
	syscall
1:	ret
END(g_target_after)

/* A tight loop: edi iterations of getpid; returns the last result. */
FUNC(g_loop)
	movl	%edi, %r8d
1:	movl	$39, %eax
	syscall
	decl	%r8d
	jnz	1b
	ret
END(g_loop)

/* rip-relative loads and stores next to the syscall. */
FUNC(g_riprel)
	movl	g_nr(%rip), %eax
	syscall
	movq	%rax, g_out(%rip)
	ret
END(g_riprel)

/* A rip-relative store right after a syscall that starts the function. */
FUNC(g_riprel_after)
	syscall
	movq	%rax, g_out(%rip)
	ret
END(g_riprel_after)

FILLER(g_fill_2, 140)

/* Each nop padding length 1..15 after `syscall; ret`, each isolated by
 * fillers: 5 bytes or more give a padding slot, fewer leave no room. */
#define PAD_CASE(k)                                                           \
	FUNC(g_pad##k);                                                       \
	syscall;                                                              \
	ret;                                                                  \
	END(g_pad##k);                                                        \
	.nops k;                                                              \
	FILLER(g_fill_pad##k, 130)
PAD_CASE(1)
PAD_CASE(2)
PAD_CASE(3)
PAD_CASE(4)
PAD_CASE(5)
PAD_CASE(6)
PAD_CASE(7)
PAD_CASE(8)
PAD_CASE(9)
PAD_CASE(10)
PAD_CASE(11)
PAD_CASE(12)
PAD_CASE(13)
PAD_CASE(14)
PAD_CASE(15)

/* Two syscalls back to back: close(-1) = -EBADF, then syscall -9, which
 * the kernel answers -ENOSYS. */
FUNC(g_double)
	movl	$3, %eax
	movl	$-1, %edi
	syscall
	syscall
	ret
END(g_double)
	.nops 8

FILLER(g_fill_3, 140)

/* A syscall followed by a jmp (and dead nops). */
FUNC(g_then_jmp)
	syscall
	jmp	1f
	nop
	nop
1:	ret
END(g_then_jmp)

/* Hot path whose split-off cold part jumps back in right after the
 * syscall: the range must end at the syscall. edi != 0 takes the cold
 * path, which returns getppid's number's result instead. */
FUNC(g_hot)
	movl	$39, %eax
	testl	%edi, %edi
	jnz	g_hot_cold
	syscall
.Lg_hot_back:
	ret
END(g_hot)

/* The cold part of g_hot2 jumps back onto the syscall itself. */
FUNC(g_hot2)
	movl	$39, %eax
	testl	%edi, %edi
	jnz	g_hot2_cold
.Lg_hot2_sys:
	syscall
	ret
END(g_hot2)
	.nops 8

FILLER(g_fill_4, 140)

/* No room at all: `syscall; ret` with no padding within rel8 reach. */
FUNC(g_noroom)
	syscall
	ret
END(g_noroom)

FILLER(g_fill_5, 140)

/* A CET-style function start. */
FUNC(g_endbr)
	endbr64
	movl	$39, %eax
	syscall
	ret
END(g_endbr)

/* A call before the syscall cannot move (it would push a trampoline
 * address); the range goes forward instead. */
FUNC(g_call_near)
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	call	g_ret39
	syscall
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	ret
END(g_call_near)

/* Flags set before the syscall and read after it (the kernel preserves
 * rflags): returns edi < esi. */
FUNC(g_flags)
	cmpl	%esi, %edi
	movl	$39, %eax
	syscall
	movl	$0, %eax
	setl	%al
	ret
END(g_flags)

/* A switch through a jump table whose case 1 begins right after the
 * syscall of case 0: only the jump table says so. edi selects the case;
 * returns getpid() + 1000 for case 0 and 39 + 1000 for case 1. */
FUNC(g_switch)
	movl	$39, %eax
	movslq	%edi, %rdi
	leaq	.Lg_switch_table(%rip), %rdx
	movslq	(%rdx,%rdi,4), %rcx
	addq	%rdx, %rcx
	jmp	*%rcx
.Lg_case0:
	syscall
.Lg_case1:
	addq	$1000, %rax
	ret
END(g_switch)
	.nops 8
	.section .rodata
	.p2align 2
.Lg_switch_table:
	.long	.Lg_case0 - .Lg_switch_table
	.long	.Lg_case1 - .Lg_switch_table
/* Data that reads as code: nops to bring any decoder in step, then
 * mov $39, %eax; syscall; ret. With gold, .rodata shares the executable
 * segment; it is not an executable section, so it is never a site and
 * never written. */
	.globl	g_rodata_code
	.protected g_rodata_code
	.type	g_rodata_code, @object
g_rodata_code:
	.fill	16, 1, 0x90
	.byte	0xb8, 0x27, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3
	.size	g_rodata_code, .-g_rodata_code
	.text

FILLER(g_fill_8, 140)

/* A syscall straddling a page boundary: bytes 0xfff and 0x1000. */
	.p2align 12
FUNC(g_page_fill)
	.fill 4089, 1, 0x90
	ret
END(g_page_fill)
FUNC(g_straddle)
	movl	$39, %eax
	syscall
	ret
END(g_straddle)

FILLER(g_fill_6, 140)

/* The cold parts, far from their hot functions, as gcc places them. */
FUNC(g_hot_cold)
	movl	$110, %eax
	syscall
	jmp	.Lg_hot_back
END(g_hot_cold)

FUNC(g_hot2_cold)
	movl	$110, %eax
	jmp	.Lg_hot2_sys
END(g_hot2_cold)

FILLER(g_fill_7, 140)

	.data
	.p2align 3
	.globl g_nr
	.protected g_nr
g_nr:	.long	39
	.long	0
	.globl g_out
	.protected g_out
g_out:	.quad	0

	.section .note.GNU-stack,"",@progbits
