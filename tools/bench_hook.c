/*
 * The hook hook_bench preloads into its workers. BENCH_HOOK_MODE picks what
 * it does with the four benchmarked calls:
 *
 *   pass  counts them and lets the kernel run them (returns 1);
 *   emul  counts them and answers them itself (returns 0): getppid ->
 *         BENCH_HOOK_PPID, write to the worker's /dev/null fd -> 1,
 *         close(-1) -> -EBADF.
 *
 * Every other syscall goes to the kernel. The worker talks to the hook through
 * a syscall number no kernel has (BENCH_HOOK_PROBE_NR), so it can check that
 * the hook is loaded, in the mode it expects, and saw every call it made.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "libsyscall_intercept_hook_point.h"
#include "tools/bench_hook.h"

static long mode = BENCH_HOOK_MODE_OFF;
static long bench_fd = -1;
/* The worker is single-threaded: plain counters, no atomics on the path. */
static unsigned long counts[BENCH_HOOK_N_OPS];

static int bench_hook_probe(long cmd, long arg, long *result)
{
	switch (cmd) {
	case BENCH_HOOK_CMD_MODE:
		*result = mode;
		return 0;
	case BENCH_HOOK_CMD_SET_FD:
		bench_fd = arg;
		*result = 0;
		return 0;
	case BENCH_HOOK_CMD_COUNT:
		*result = arg >= 0 && arg < BENCH_HOOK_N_OPS ? (long)counts[arg]
							     : -EINVAL;
		return 0;
	default:
		*result = -EINVAL;
		return 0;
	}
}

static int bench_hook(long nr, long a0, long a1, long a2, long a3, long a4,
		      long a5, long *result)
{
	(void)a3, (void)a4, (void)a5;
	switch (nr) {
	case SYS_getppid:
		counts[BENCH_HOOK_OP_GETPPID]++;
		if (mode != BENCH_HOOK_MODE_EMUL)
			return 1;
		*result = BENCH_HOOK_PPID;
		return 0;
	case SYS_write:
		if (a0 != bench_fd)
			return 1;
		counts[BENCH_HOOK_OP_WRITE]++;
		if (mode != BENCH_HOOK_MODE_EMUL)
			return 1;
		*result = a2; /* /dev/null takes everything */
		return 0;
	case SYS_close:
		if ((int)a0 != -1)
			return 1;
		counts[BENCH_HOOK_OP_CLOSE]++;
		if (mode != BENCH_HOOK_MODE_EMUL)
			return 1;
		*result = -EBADF;
		return 0;
	case BENCH_HOOK_PROBE_NR:
		if (a0 != BENCH_HOOK_PROBE_MAGIC)
			return 1;
		return bench_hook_probe(a1, a2, result);
	default:
		return 1;
	}
}

__attribute__((constructor)) static void bench_hook_init(void)
{
	const char *m = getenv(BENCH_HOOK_MODE_ENV);
	if (m && strcmp(m, "pass") == 0)
		mode = BENCH_HOOK_MODE_PASS;
	else if (m && strcmp(m, "emul") == 0)
		mode = BENCH_HOOK_MODE_EMUL;
	else
		return; /* loaded without a mode: stay out of the way */
	intercept_hook_point = bench_hook;
}
