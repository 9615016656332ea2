/*
 * The counter hook: counts every intercepted syscall by number and writes a
 * table (calls, errors, total and mean time per syscall, most frequent
 * first) to stderr, or appends it to the file INTERCEPT_COUNTER_OUTPUT
 * names. To see each call's result and time it makes the call itself
 * (syscall_no_intercept, between two vDSO clock reads) and hands the
 * kernel's result back unchanged; the calls that must run where they were
 * made (clone, fork, exec, exit, rt_sigreturn, arch_prctl) are only counted.
 *
 * One table per process image, complete like strace -f -c counts it:
 *   - written just before exit_group runs (so exit() and _exit() alike,
 *     exit_group itself included) and before each execve/execveat (the
 *     calls up to the exec; a failed exec goes on counting from zero);
 *   - a forked child starts from zero; a child sharing our memory (vfork,
 *     posix_spawn) shares the counters, and each count is taken out by the
 *     one flush that writes it (atomic exchange), so summing every table a
 *     program's processes wrote counts every call once.
 * Not written: a process killed by a signal, or one whose last thread ends
 * with the bare exit syscall instead of exit_group.
 *
 * INTERCEPT_COUNTER_FORMAT=raw writes machine-readable tables instead
 * (sitrace -c sums them over all processes):
 *   #si-counter pid=PID
 *   NR CALLS ERRORS NANOSECONDS      (one line per syscall seen)
 *   #end
 *
 *   LD_PRELOAD=bazel-bin/hooks/libsyscall_counter.so ls -la /usr
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
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

static int out_fd = -1; /* a private, close-on-exec copy of the output */
static bool raw_format;
static long owner_pid; /* the process the counts belong to */
/* Set by this thread just before a clone-family call whose child shares
 * our memory (and so our counters); read in the child, which runs on this
 * thread's TLS (vfork) or a copy of it (fork). */
static __thread int clone_shares_vm;

static void counter_flush(void);

static unsigned long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no syscall */
	return (unsigned long)ts.tv_sec * 1000000000ul +
	       (unsigned long)ts.tv_nsec;
}
static int counter_hook(long nr, long a0, long a1, long a2, long a3, long a4,
			long a5, long *result)
{
	long slot = nr >= 0 && nr < SYSCALLS_LIMIT ? nr : SYSCALLS_LIMIT;
	__atomic_fetch_add(&calls[slot], 1, __ATOMIC_RELAXED);
	if (runs_at_site(nr)) {
		switch (nr) {
		case SYS_vfork:
			clone_shares_vm = 1;
			break;
		case SYS_fork:
			clone_shares_vm = 0;
			break;
		case SYS_clone:
			clone_shares_vm = (a0 & CLONE_VM) != 0;
			break;
		case SYS_clone3: {
			/* flags is the first field; an unreadable argument
			 * fails in the kernel, with no child. */
			uint64_t flags = 0;
			struct iovec local = {&flags, sizeof(flags)};
			struct iovec remote = {(void *)a0, sizeof(flags)};
			if (a0 && syscall_no_intercept(
				      SYS_process_vm_readv, owner_pid, &local,
				      1, &remote, 1, 0) == (long)sizeof(flags))
				clone_shares_vm = (flags & CLONE_VM) != 0;
			break;
		}
		case SYS_execve:
		case SYS_execveat:
		case SYS_exit_group:
			counter_flush();
			break;
		default:
			break;
		}
		return 1; /* let the kernel run it where it was made */
	}
	unsigned long t0 = now_ns();
	*result = syscall_no_intercept(nr, a0, a1, a2, a3, a4, a5);
	__atomic_fetch_add(&nanos[slot], now_ns() - t0, __ATOMIC_RELAXED);
	if (syscall_error_code(*result))
		__atomic_fetch_add(&errors[slot], 1, __ATOMIC_RELAXED);
	return 0; /* the kernel's own result */
}

/* In every new thread and process: a new process with its own copy of the
 * counters starts from zero (the parent reports its own calls). */
static void counter_clone_child(void)
{
	long pid = syscall_no_intercept(SYS_getpid);
	if (pid == owner_pid)
		return; /* a thread */
	if (!clone_shares_vm) {
		for (int i = 0; i < N_SLOTS; i++)
			calls[i] = errors[i] = nanos[i] = 0;
		owner_pid = pid;
	}
	clone_shares_vm = 0;
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
	const char *format = getenv("INTERCEPT_COUNTER_FORMAT");
	raw_format = format && strcmp(format, "raw") == 0;
	long fd =
	    path && *path
		? syscall_no_intercept(
		      SYS_openat, AT_FDCWD, path,
		      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)
		: syscall_no_intercept(SYS_fcntl, 2, F_DUPFD_CLOEXEC, 100);
	out_fd = syscall_error_code(fd) ? -1 : (int)fd;
	owner_pid = syscall_no_intercept(SYS_getpid);
	intercept_hook_point_clone_child = counter_clone_child;
	intercept_hook_point = counter_hook;
}

/* Takes every count out (so each is reported once) and writes this
 * process's table in one write: tables from concurrent processes appending
 * to one file never mix. noinline: tools tell its own output apart from the
 * calls it counts by this frame. */
static __attribute__((noinline)) void counter_flush(void)
{
	unsigned long snap[N_SLOTS], err[N_SLOTS], ns[N_SLOTS];
	unsigned long total = 0, total_err = 0, total_ns = 0;
	for (int i = 0; i < N_SLOTS; i++) {
		snap[i] = __atomic_exchange_n(&calls[i], 0, __ATOMIC_RELAXED);
		err[i] = __atomic_exchange_n(&errors[i], 0, __ATOMIC_RELAXED);
		ns[i] = __atomic_exchange_n(&nanos[i], 0, __ATOMIC_RELAXED);
		total += snap[i];
		total_err += err[i];
		total_ns += ns[i];
	}
	if (out_fd < 0)
		return;
	static char buf[65536]; /* one flush at a time: exec and exit only */
	size_t len = 0, cap = sizeof(buf);
	if (raw_format) {
		put(buf, &len, cap, "#si-counter pid=");
		put_num(buf, &len, cap,
			(unsigned long)syscall_no_intercept(SYS_getpid), 0);
		put(buf, &len, cap, "\n");
		for (int i = 0; i < N_SLOTS; i++) {
			if (!snap[i])
				continue;
			put_num(buf, &len, cap,
				i < SYSCALLS_LIMIT ? (unsigned long)i : 99999,
				0);
			put(buf, &len, cap, " ");
			put_num(buf, &len, cap, snap[i], 0);
			put(buf, &len, cap, " ");
			put_num(buf, &len, cap, err[i], 0);
			put(buf, &len, cap, " ");
			put_num(buf, &len, cap, ns[i], 0);
			put(buf, &len, cap, "\n");
		}
		put(buf, &len, cap, "#end\n");
	} else {
		put(buf, &len, cap,
		    "     calls   errors   total_us   mean_ns syscall\n");
		for (;;) { /* most frequent first */
			int best = -1;
			for (int i = 0; i < N_SLOTS; i++)
				if (snap[i] &&
				    (best < 0 || snap[i] > snap[best]))
					best = i;
			if (best < 0)
				break;
			put_num(buf, &len, cap, snap[best], 10);
			put_num(buf, &len, cap, err[best], 9);
			put_num(buf, &len, cap, ns[best] / 1000, 11);
			put_num(buf, &len, cap, ns[best] / snap[best], 10);
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
	}
	for (size_t off = 0; off < len;) {
		long n = syscall_no_intercept(SYS_write, out_fd, buf + off,
					      len - off);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}
