/*
 * A mock of the entry stub with its ABI (trampoline/entry_abi.h): counts the
 * call, then jumps to the trampoline's own `syscall` (desc->syscall_addr),
 * which performs it and continues in the trampoline. The _flags variant
 * preserves rflags, stepping over the red zone before pushing them.
 */
#include "trampoline/entry_abi.h"

	.text
	.globl	golden_mock_entry
	.hidden	golden_mock_entry
	.type	golden_mock_entry, @function
golden_mock_entry:
	.cfi_startproc
	lock incq golden_mock_count(%rip)
	jmp	*SI_SITE_SYSCALL_ADDR(%r11)
	.cfi_endproc
	.size	golden_mock_entry, .-golden_mock_entry

	.globl	golden_mock_entry_flags
	.hidden	golden_mock_entry_flags
	.type	golden_mock_entry_flags, @function
golden_mock_entry_flags:
	.cfi_startproc
	leaq	-SI_RED_ZONE(%rsp), %rsp
	pushfq
	lock incq golden_mock_count(%rip)
	popfq
	leaq	SI_RED_ZONE(%rsp), %rsp
	jmp	*SI_SITE_SYSCALL_ADDR(%r11)
	.cfi_endproc
	.size	golden_mock_entry_flags, .-golden_mock_entry_flags

	.bss
	.p2align 3
	.globl	golden_mock_count
	.hidden	golden_mock_count
golden_mock_count:
	.quad	0

	.section .note.GNU-stack,"",@progbits
