/*
 * What hook_bench and its preloaded hook (bench_hook.c) agree on: the mode
 * variable, the emulated answers, and the probe syscall the worker uses to ask
 * the hook what it saw.
 */
#ifndef TOOLS_BENCH_HOOK_H
#define TOOLS_BENCH_HOOK_H

/* Environment variable naming the hook's mode: "pass" or "emul". */
#define BENCH_HOOK_MODE_ENV "BENCH_HOOK_MODE"

#define BENCH_HOOK_MODE_OFF  0
#define BENCH_HOOK_MODE_PASS 1
#define BENCH_HOOK_MODE_EMUL 2

/* What an emulated getppid returns: no real parent has this pid here. */
#define BENCH_HOOK_PPID 31337

/*
 * The probe: syscall(BENCH_HOOK_PROBE_NR, BENCH_HOOK_PROBE_MAGIC, cmd, arg).
 * No kernel has this number, so without the hook it fails with ENOSYS.
 */
#define BENCH_HOOK_PROBE_NR    16962L
#define BENCH_HOOK_PROBE_MAGIC 0x6265BE7CL

/* Returns the hook's mode (BENCH_HOOK_MODE_*). */
#define BENCH_HOOK_CMD_MODE 1
/* Names the fd whose writes the hook counts (and answers in emul); returns 0.
 */
#define BENCH_HOOK_CMD_SET_FD 2
/* Returns how many calls of op arg (BENCH_HOOK_OP_*) the hook has seen. */
#define BENCH_HOOK_CMD_COUNT 3

/* The calls the hook counts. getppid() and syscall(SYS_getppid) share one. */
#define BENCH_HOOK_OP_GETPPID 0
#define BENCH_HOOK_OP_WRITE   1
#define BENCH_HOOK_OP_CLOSE   2
#define BENCH_HOOK_N_OPS      3

#endif
