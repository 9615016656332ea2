/*
 * x86_64 system calls from the one list in syscalls.def: names, argument
 * types, and an strace-like formatter of calls and results.
 *
 * The formatter is async-signal-safe and calls nothing in libc: it writes
 * into the caller's buffer, never past `size`, and reads the traced memory
 * only through syscalls_mem, so a bad pointer is shown as its address.
 *
 *   openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC)   format_call
 *   = 3                                                   format_result
 *   = -1 ENOENT (No such file or directory)
 *   read(3, 0x7ffd5e0c1a20, 832)
 *   = 6 "hello\n"                       buffers filled by the call follow it
 */
#ifndef SYSCALL_INTERCEPT_SYSCALLS_SYSCALLS_H
#define SYSCALL_INTERCEPT_SYSCALLS_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One past the highest syscall number in the table. */
#define SYSCALLS_LIMIT 470

/* Bytes of a path or string shown before "..." (strace shows whole paths). */
#define SYSCALLS_STR_LIMIT 256

/* Bytes of a data buffer (read, write, ...) shown before "...". */
#define SYSCALLS_BUF_LIMIT 32

/* Elements of an argv array shown before "...". */
#define SYSCALLS_ARGV_LIMIT 16

/* How the formatter reads the memory the arguments point to. */
struct syscalls_mem {
	/* Copies len bytes at addr to dst; false if any of them is unreadable.
	 */
	bool (*read_mem)(void *ctx, uintptr_t addr, void *dst, size_t len);
	void *ctx;
};

/* The name of syscall `nr` ("openat"), or NULL if no syscall has it. */
const char *syscalls_name(long nr);

/* The number of the syscall called `name`, or -1 if there is none. */
long syscalls_number(const char *name);

/* The number of arguments syscall `nr` takes (0-6), or -1 if it is unknown. */
int syscalls_arg_count(long nr);

/*
 * Which arguments of syscall `nr` are file paths the kernel resolves (A_PATH
 * in syscalls.def): bit i set for argument i (0-5); 0 for unknown numbers.
 * Includes the target text of symlink/symlinkat (argument 0), which is
 * stored, not resolved.
 */
unsigned syscalls_path_args(long nr);

/*
 * Writes `name(args...)` for a call about to be made, NUL-terminated, cut
 * with "..." to fit `size`; returns its length (0 if size is 0). Unknown
 * numbers print as `syscall_1000(0x1, ...)`. `mem` may be NULL: pointers are
 * then shown as addresses.
 */
size_t syscalls_format_call(char *buf, size_t size, long nr, const long args[6],
			    const struct syscalls_mem *mem);

/*
 * Writes `= result` for a call that returned `result` (the raw -errno
 * convention), followed by what the call wrote to memory (read's buffer,
 * pipe's fds, ...); `= ?` for calls that never return. Same buffer contract
 * as syscalls_format_call.
 */
size_t syscalls_format_result(char *buf, size_t size, long nr,
			      const long args[6], long result,
			      const struct syscalls_mem *mem);

/* The symbolic name of errno `e` ("ENOENT"), or NULL if Linux has none. */
const char *syscalls_errno_name(int e);

/* The message of errno `e` as glibc words it, or NULL if Linux has none. */
const char *syscalls_errno_text(int e);

#ifdef __cplusplus
}
#endif

#endif
