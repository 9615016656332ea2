/*
 * The counter hook: counts every intercepted syscall by number and, when
 * the process exits, prints a table (calls, errors, total and mean time
 * per syscall, most frequent first) to stderr, or to the file
 * INTERCEPT_COUNTER_OUTPUT names. To see each call's result and time it
 * makes the call itself (syscall_no_intercept, between two vDSO clock
 * reads) and hands the kernel's result back unchanged; the calls that
 * must run where they were made (clone, fork, exec, exit, rt_sigreturn,
 * arch_prctl) are only counted.
 *
 *   LD_PRELOAD=bazel-bin/hooks/libsyscall_counter.so ls -la /usr
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "libsyscall_intercept_hook_point.h"
#include "syscalls/syscalls.h"

/* One slot per syscall number, and a last one for numbers we don't know. */
#define N_SLOTS (SYSCALLS_LIMIT + 1)

static unsigned long calls[N_SLOTS];
static unsigned long errors[N_SLOTS];
static unsigned long nanos[N_SLOTS]; /* time in the kernel, summed */

static bool runs_at_site(long nr)
{
	switch (nr) {
	case SYS_clone:
	case SYS_clone3:
	case SYS_fork:
	case SYS_vfork:
	case SYS_execve:
	case SYS_execveat:
	case SYS_exit:
	case SYS_exit_group:
	case SYS_rt_sigreturn:
	case SYS_arch_prctl: /* may move this thread's TLS under the hook */
		return true;
	default:
		return false;
	}
}

static unsigned long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no syscall */
	return (unsigned long)ts.tv_sec * 1000000000ul +
	       (unsigned long)ts.tv_nsec;
}
static int out_fd = -1; /* a private, close-on-exec copy of the output */

static int counter_hook(long nr, long a0, long a1, long a2, long a3, long a4,
			long a5, long *result)
{
	long slot = nr >= 0 && nr < SYSCALLS_LIMIT ? nr : SYSCALLS_LIMIT;
	__atomic_fetch_add(&calls[slot], 1, __ATOMIC_RELAXED);
	if (runs_at_site(nr))
		return 1; /* let the kernel run it where it was made */
	unsigned long t0 = now_ns();
	*result = syscall_no_intercept(nr, a0, a1, a2, a3, a4, a5);
	__atomic_fetch_add(&nanos[slot], now_ns() - t0, __ATOMIC_RELAXED);
	if (syscall_error_code(*result))
		__atomic_fetch_add(&errors[slot], 1, __ATOMIC_RELAXED);
	return 0; /* the kernel's own result */
}

static void put(char *buf, size_t *len, size_t cap, const char *s)
{
	while (*s && *len < cap)
		buf[(*len)++] = *s++;
}

static void put_num(char *buf, size_t *len, size_t cap, unsigned long v,
		    int width)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int pad = width - n; pad > 0; pad--)
		put(buf, len, cap, " ");
	while (n && *len < cap)
		buf[(*len)++] = tmp[--n];
}

__attribute__((constructor)) static void counter_init(void)
{
	const char *path = getenv("INTERCEPT_COUNTER_OUTPUT");
	long fd =
	    path && *path
		? syscall_no_intercept(SYS_openat, AT_FDCWD, path,
				       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				       0600)
		: syscall_no_intercept(SYS_fcntl, 2, F_DUPFD_CLOEXEC, 100);
	out_fd = syscall_error_code(fd) ? -1 : (int)fd;
	intercept_hook_point = counter_hook;
}

__attribute__((destructor)) static void counter_report(void)
{
	intercept_hook_point = NULL;
	if (out_fd < 0)
		return;
	unsigned long snap[N_SLOTS], total = 0, total_err = 0, total_ns = 0;
	for (int i = 0; i < N_SLOTS; i++) {
		snap[i] = __atomic_load_n(&calls[i], __ATOMIC_RELAXED);
		total += snap[i];
		total_err += __atomic_load_n(&errors[i], __ATOMIC_RELAXED);
		total_ns += __atomic_load_n(&nanos[i], __ATOMIC_RELAXED);
	}
	char buf[65536];
	size_t len = 0, cap = sizeof(buf);
	put(buf, &len, cap,
	    "     calls   errors   total_us   mean_ns syscall\n");
	for (;;) { /* most frequent first; a few hundred entries at most */
		int best = -1;
		for (int i = 0; i < N_SLOTS; i++)
			if (snap[i] && (best < 0 || snap[i] > snap[best]))
				best = i;
		if (best < 0)
			break;
		unsigned long ns =
		    __atomic_load_n(&nanos[best], __ATOMIC_RELAXED);
		put_num(buf, &len, cap, snap[best], 10);
		put_num(buf, &len, cap,
			__atomic_load_n(&errors[best], __ATOMIC_RELAXED), 9);
		put_num(buf, &len, cap, ns / 1000, 11);
		put_num(buf, &len, cap, ns / snap[best], 10);
		put(buf, &len, cap, " ");
		const char *name = syscalls_name(best);
		put(buf, &len, cap, name ? name : "(unknown)");
		put(buf, &len, cap, "\n");
		snap[best] = 0;
	}
	put_num(buf, &len, cap, total, 10);
	put_num(buf, &len, cap, total_err, 9);
	put_num(buf, &len, cap, total_ns / 1000, 11);
	put_num(buf, &len, cap, total ? total_ns / total : 0, 10);
	put(buf, &len, cap, " total\n");
	for (size_t off = 0; off < len;) {
		long n = syscall_no_intercept(SYS_write, out_fd, buf + off,
					      len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}
