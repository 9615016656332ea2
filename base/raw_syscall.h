/*
 * Raw system calls for the hot path and the patching path: inline `syscall`
 * instructions that no hook and no libc wrapper can see, returning -errno.
 */
#ifndef SYSCALL_INTERCEPT_BASE_RAW_SYSCALL_H
#define SYSCALL_INTERCEPT_BASE_RAW_SYSCALL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>

#ifdef __cplusplus
extern "C" {
#endif

static inline long raw_syscall6(long nr, long a1, long a2, long a3, long a4,
				long a5, long a6)
{
	long ret;
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10),
			   "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory", "cc");
	return ret;
}

static inline long raw_syscall0(long nr)
{
	return raw_syscall6(nr, 0, 0, 0, 0, 0, 0);
}

static inline long raw_syscall1(long nr, long a1)
{
	return raw_syscall6(nr, a1, 0, 0, 0, 0, 0);
}

static inline long raw_syscall2(long nr, long a1, long a2)
{
	return raw_syscall6(nr, a1, a2, 0, 0, 0, 0);
}

static inline long raw_syscall3(long nr, long a1, long a2, long a3)
{
	return raw_syscall6(nr, a1, a2, a3, 0, 0, 0);
}

static inline long raw_syscall4(long nr, long a1, long a2, long a3, long a4)
{
	return raw_syscall6(nr, a1, a2, a3, a4, 0, 0);
}

/* True if a raw result is an error (-4095..-1). */
static inline int raw_is_error(long ret)
{
	return (unsigned long)ret > (unsigned long)-4096L;
}

/* process_vm_readv (nr = SYS_process_vm_readv: from `remote` in process
 * `pid` to `local`) or process_vm_writev (from `local` to `remote`) of one
 * stretch: the bytes copied (fewer at an unmapped page), or -errno, and
 * never a fault. */
static inline long raw_vm_copy(long nr, long pid, void *local, uint64_t remote,
			       unsigned long len)
{
	struct {
		void *base;
		unsigned long len;
	} liov = {local, len}, riov = {(void *)(uintptr_t)remote, len};
	return raw_syscall6(nr, pid, (long)&liov, 1, (long)&riov, 1, 0);
}

/* Copies len bytes between two addresses of this process with
 * process_vm_readv (nr = SYS_process_vm_readv: from `remote` to `local`)
 * or process_vm_writev (from `local` to `remote`), which return -EFAULT
 * where a plain copy would fault. Where those calls are refused (a seccomp
 * filter: -EPERM, -EACCES or -ENOSYS) the bytes are copied directly, the
 * pointer then trusted. Returns 1 if all len bytes were copied. */
static inline int raw_copy_self(long nr, void *local, uint64_t remote,
				unsigned long len)
{
	long n = raw_vm_copy(nr, raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0),
			     local, remote, len);
	if (n == (long)len)
		return 1;
	if (n != -EPERM && n != -EACCES && n != -ENOSYS)
		return 0;
	volatile unsigned char *to =
	    (volatile unsigned char *)(nr == SYS_process_vm_readv
					   ? local
					   : (void *)(uintptr_t)remote);
	const volatile unsigned char *from =
	    (const volatile unsigned char *)(nr == SYS_process_vm_readv
						 ? (void *)(uintptr_t)remote
						 : local);
	for (unsigned long i = 0; i < len; i++)
		to[i] = from[i];
	return 1;
}

/* Reads the file at `path` from its start into buf, at most cap - 1 bytes
 * (cap > 0), and NUL-terminates what it read. Returns the bytes read, or
 * -errno if the file cannot be opened or read. For the small files of
 * /proc and /sys the library reads without libc. */
static inline long raw_read_file(const char *path, char *buf, unsigned long cap)
{
	long fd = raw_syscall6(SYS_openat, AT_FDCWD, (long)path,
			       O_RDONLY | O_CLOEXEC, 0, 0, 0);
	unsigned long len = 0;
	long n = 0;
	if (raw_is_error(fd))
		return fd;
	while (len + 1 < cap) {
		n = raw_syscall6(SYS_read, fd, (long)(buf + len),
				 (long)(cap - 1 - len), 0, 0, 0);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		len += (unsigned long)n;
	}
	raw_syscall6(SYS_close, fd, 0, 0, 0, 0, 0);
	buf[len] = 0;
	return n < 0 ? n : (long)len;
}

#ifdef __cplusplus
}
#endif

#endif
