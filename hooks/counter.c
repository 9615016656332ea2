/*
 * The counter hook: counts every intercepted syscall by number and, when
 * the process exits, prints a table (calls and errors per syscall, most
 * frequent first) to stderr, or to the file INTERCEPT_COUNTER_OUTPUT names.
 * It answers nothing itself: every call still goes to the kernel.
 *
 *   LD_PRELOAD=bazel-bin/hooks/libsyscall_counter.so ls -la /usr
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libsyscall_intercept_hook_point.h"
#include "syscalls/syscalls.h"

/* One slot per syscall number, and a last one for numbers we don't know. */
#define N_SLOTS (SYSCALLS_LIMIT + 1)

static unsigned long calls[N_SLOTS];
static int out_fd = -1; /* a private, close-on-exec copy of the output */

static int counter_hook(long nr, long a0, long a1, long a2, long a3, long a4,
			long a5, long *result)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	(void)result;
	long slot = nr >= 0 && nr < SYSCALLS_LIMIT ? nr : SYSCALLS_LIMIT;
	__atomic_fetch_add(&calls[slot], 1, __ATOMIC_RELAXED);
	return 1; /* let the kernel run it */
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
	unsigned long snap[N_SLOTS], total = 0;
	for (int i = 0; i < N_SLOTS; i++) {
		snap[i] = __atomic_load_n(&calls[i], __ATOMIC_RELAXED);
		total += snap[i];
	}
	char buf[65536];
	size_t len = 0, cap = sizeof(buf);
	put(buf, &len, cap, "     calls syscall\n");
	for (;;) { /* most frequent first; a few hundred entries at most */
		int best = -1;
		for (int i = 0; i < N_SLOTS; i++)
			if (snap[i] && (best < 0 || snap[i] > snap[best]))
				best = i;
		if (best < 0)
			break;
		put_num(buf, &len, cap, snap[best], 10);
		put(buf, &len, cap, " ");
		const char *name = syscalls_name(best);
		put(buf, &len, cap, name ? name : "(unknown)");
		put(buf, &len, cap, "\n");
		snap[best] = 0;
	}
	put_num(buf, &len, cap, total, 10);
	put(buf, &len, cap, " total\n");
	for (size_t off = 0; off < len;) {
		long n = syscall_no_intercept(SYS_write, out_fd, buf + off,
					      len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}
