/*
 * hook_bench: what interception costs, measured against the same machine
 * without it, in one run.
 *
 *   bazel run //tools:hook_bench [-- OPTIONS]
 *
 *   --lib PATH      libsyscall_intercept.so (default: found in runfiles)
 *   --hook PATH     libbench_hook.so (default: found in runfiles)
 *   --python PATH   the interpreter for the start-up rows (/usr/bin/python3)
 *   --rounds N      per-call rounds per mode (11)
 *   --iters N       calls per op per round (200000)
 *   --true-runs N   /bin/true runs per mode (200)
 *   --python-runs N python3 runs per mode (30)
 *   --quick         tiny counts, for the smoke test
 *
 * Trapped sites: trap-pass and trap-emul are the pass and emul workers with
 * INTERCEPT_DEBUG_TRAP=1 (every libc site hooked through int3 + SIGTRAP, as
 * sites no jump fits are), making 1/20 of the calls.
 *
 * Control: gnu_get_libc_version() is a libc call of getppid()'s shape (one
 * instruction and ret) that makes no syscall. Its row is what entering libc
 * costs without interception, and "emulated getppid() adds" is the emulated
 * getppid() minus that control, round by round in the same emul workers.
 *
 * Per-call cost: the driver re-executes itself as a worker (--worker MODE)
 * once per mode and round, rounds interleaved (none, pass, emul, none, ...),
 * so machine noise hits every mode alike; each worker times a loop of each
 * call with CLOCK_MONOTONIC and checks every result. none runs without
 * preload; pass and emul preload the bench hook (which links the whole
 * library), with BENCH_HOOK_MODE telling it to let the calls through or to
 * answer them. Start-up and memory: fork+exec+wait4 of /bin/true and of
 * python3 -c pass, with and without LD_PRELOAD of the library alone,
 * interleaved. Every figure is a median and is printed next to the unhooked
 * figure of the same run; nothing is compared with numbers from elsewhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/bench_hook.h"
#include "tools/bench_stats.h"

extern char **environ;

/* trap-pass and trap-emul: the pass and emul workers with
 * INTERCEPT_DEBUG_TRAP=1, every libc site hooked through int3 + SIGTRAP
 * instead of a jump (the path of sites no jump fits). */
enum bench_mode {
	MODE_NONE,
	MODE_PASS,
	MODE_EMUL,
	MODE_TRAP_PASS,
	MODE_TRAP_EMUL,
	N_MODES
};

static const char *const mode_names[N_MODES] = {"none", "pass", "emul",
						"trap-pass", "trap-emul"};

/* What the hook does in `mode`: MODE_NONE, MODE_PASS or MODE_EMUL. */
static int hook_bench_hook_mode(int mode)
{
	return mode == MODE_TRAP_PASS	? MODE_PASS
	       : mode == MODE_TRAP_EMUL ? MODE_EMUL
					: mode;
}

static int hook_bench_is_trap(int mode)
{
	return mode == MODE_TRAP_PASS || mode == MODE_TRAP_EMUL;
}

/* A trapped call costs a signal delivery: trap workers make this many
 * times fewer calls. */
#define TRAP_ITERS_DIVISOR 20

/* OP_NO_SYSCALL is the control: a libc call of the same shape as getppid()
 * (a few instructions and ret) that makes no syscall, so the hook never
 * sees it. Its row shows what calling into libc costs by itself, and what
 * "pass-through adds" reads when nothing is added. */
enum bench_op {
	OP_GETPPID,
	OP_SYSCALL_GETPPID,
	OP_WRITE,
	OP_CLOSE,
	OP_NO_SYSCALL,
	N_OPS
};

static const char *const op_names[N_OPS] = {
    "getppid()", "syscall(SYS_getppid)",   "write(devnull, buf, 1)",
    "close(-1)", "gnu_get_libc_version()",
};

/* Which of the hook's counters each op feeds (-1: none). */
static const int op_hook_counter[N_OPS] = {
    BENCH_HOOK_OP_GETPPID,
    BENCH_HOOK_OP_GETPPID,
    BENCH_HOOK_OP_WRITE,
    BENCH_HOOK_OP_CLOSE,
    -1,
};

#define WARMUP_CALLS 1000L
#define MAX_ROUNDS   1001
#define MAX_RUNS     100001

struct bench_config {
	const char *lib;
	const char *hook;
	const char *python;
	long rounds;
	long iters;
	long true_runs;
	long python_runs;
};

struct quartiles {
	double q1, med, q3;
};

/* The quartiles of a[r] - b[r] over n rounds: what one mode adds to another
 * (or one call to another) round by round, which follows the machine's drift
 * less than a difference of medians. a and b are left as they are. */
static struct quartiles hook_bench_diff(const double *a, const double *b,
					long n)
{
	double d[MAX_ROUNDS];
	for (long r = 0; r < n; r++)
		d[r] = a[r] - b[r];
	struct quartiles q;
	q.q1 = bench_quantile(d, n, 0.25);
	q.q3 = bench_quantile(d, n, 0.75);
	q.med = bench_median(d, n);
	return q;
}

/* ------------------------------------------------------------------ */
/* The worker: runs in a child process, hooked or not.                 */

/* The SIGTRAP handler the kernel holds, read with a raw rt_sigaction (the
 * library answers libc's sigaction with the application's own action). */
static unsigned long hook_bench_kernel_sigtrap_handler(void)
{
	unsigned long act[4] = {0, 0, 0, 0};
	long ret;
	register long r10 __asm__("r10") = 8;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)SYS_rt_sigaction), "D"((long)SIGTRAP),
			   "S"(0L), "d"(act), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret == 0 ? act[0] : 0;
}

/* The twin: libc's getppid() is `mov $SYS_getppid, %eax; syscall; ret`.
 * This is the same code in this executable, which the library does not
 * patch (it patches libc and ld.so unless INTERCEPT_ALL_OBJS is set, and the
 * workers never set it). Calling both through a pointer, in alternating
 * chunks in one worker, measures what interception adds to the same
 * instructions in the same process: the variation between processes, which
 * is larger than the cost measured, drops out. */
#define HOOK_BENCH_STR2(x) #x
#define HOOK_BENCH_STR(x)  HOOK_BENCH_STR2(x)
/* clang-format off */
__asm__(".text\n"
	".p2align 4\n"
	".globl hook_bench_twin_getppid\n"
	".hidden hook_bench_twin_getppid\n"
	".type hook_bench_twin_getppid, @function\n"
	"hook_bench_twin_getppid:\n"
	"	mov $" HOOK_BENCH_STR(SYS_getppid) ", %eax\n"
	"	syscall\n"
	"	ret\n"
	".size hook_bench_twin_getppid, . - hook_bench_twin_getppid\n");
/* clang-format on */
pid_t hook_bench_twin_getppid(void);

#define TWIN_CHUNKS 20

/* Times n calls of fn; returns ns per call; adds wrong results to *bad. */
static double hook_bench_time_fn(pid_t (*fn)(void), long n, pid_t expect,
				 long *bad)
{
	long b = 0;
	double t0 = bench_now_ns();
	for (long i = 0; i < n; i++)
		b += fn() != expect;
	double t1 = bench_now_ns();
	*bad += b;
	return (t1 - t0) / (double)n;
}

/* libc's getppid() and its twin, n calls each in TWIN_CHUNKS alternating
 * chunks; ns per call in out[0] (libc) and out[1] (twin). check_libc_code
 * (unhooked workers): libc's getppid() must be the twin's code. Returns the
 * libc calls made, or -1 (after a message) if the twin's code was changed,
 * libc's differs, or a result was wrong. */
static long hook_bench_twin(long n, pid_t expect_libc, pid_t parent,
			    int check_libc_code, double out[2])
{
	/* mov $SYS_getppid, %eax; syscall; ret */
	static const unsigned char code[] = {
	    0xb8, SYS_getppid, 0, 0, 0, 0x0f, 0x05, 0xc3,
	};
	/* Both through a pointer that the compiler cannot see through. */
	pid_t (*volatile libc_fn)(void) = getppid;
	pid_t (*volatile twin_fn)(void) = hook_bench_twin_getppid;
	if (memcmp((const void *)hook_bench_twin_getppid, code, sizeof(code)) !=
	    0) {
		fprintf(stderr, "hook_bench worker: the twin getppid's code "
				"was changed\n");
		return -1;
	}
	/* Unhooked, libc's getppid() must be the code the twin copies. */
	if (check_libc_code &&
	    memcmp((const void *)libc_fn, code, sizeof(code)) != 0) {
		fprintf(stderr, "hook_bench worker: libc's getppid() is not "
				"the code its twin copies\n");
		return -1;
	}
	long chunk = n / TWIN_CHUNKS > 0 ? n / TWIN_CHUNKS : 1;
	long bad = 0;
	(void)hook_bench_time_fn(libc_fn, WARMUP_CALLS, expect_libc, &bad);
	(void)hook_bench_time_fn(twin_fn, WARMUP_CALLS, parent, &bad);
	out[0] = out[1] = 0;
	for (int k = 0; k < TWIN_CHUNKS; k++) {
		out[0] += hook_bench_time_fn(libc_fn, chunk, expect_libc, &bad);
		out[1] += hook_bench_time_fn(twin_fn, chunk, parent, &bad);
	}
	out[0] /= TWIN_CHUNKS;
	out[1] /= TWIN_CHUNKS;
	if (bad) {
		fprintf(stderr,
			"hook_bench worker: %ld wrong results from getppid() "
			"or its twin\n",
			bad);
		return -1;
	}
	return WARMUP_CALLS + chunk * TWIN_CHUNKS;
}

/* Asks the preloaded hook; returns its answer, or -errno without a hook. */
static long hook_bench_probe(long cmd, long arg)
{
	long r = syscall(BENCH_HOOK_PROBE_NR, BENCH_HOOK_PROBE_MAGIC, cmd, arg);
	return r == -1 ? -errno : r;
}

/* Times n calls of op; returns ns per call. Adds the calls whose result was
 * not the expected one to *bad. */
static double hook_bench_time_op(enum bench_op op, long n, int fd,
				 long expect_ppid, long *bad)
{
	static const char byte = 'x';
	const char *const expect_version = gnu_get_libc_version();
	long b = 0;
	double t0 = bench_now_ns();
	switch (op) {
	case OP_GETPPID:
		for (long i = 0; i < n; i++)
			b += getppid() != expect_ppid;
		break;
	case OP_SYSCALL_GETPPID:
		for (long i = 0; i < n; i++)
			b += syscall(SYS_getppid) != expect_ppid;
		break;
	case OP_WRITE:
		for (long i = 0; i < n; i++)
			b += write(fd, &byte, 1) != 1;
		break;
	case OP_CLOSE:
		for (long i = 0; i < n; i++)
			b += close(-1) != -1 || errno != EBADF;
		break;
	case OP_NO_SYSCALL:
		for (long i = 0; i < n; i++)
			b += gnu_get_libc_version() != expect_version;
		break;
	case N_OPS:
		break;
	}
	double t1 = bench_now_ns();
	*bad += b;
	return (t1 - t0) / (double)n;
}

/* Prints "op I NS" for each op, then "ok MODE: ..."; returns 0, or 1 after
 * printing what went wrong. */
static int hook_bench_worker(const char *mode_name, long iters, long parent)
{
	int mode = -1;
	for (int m = 0; m < N_MODES; m++)
		if (strcmp(mode_name, mode_names[m]) == 0)
			mode = m;
	if (mode < 0 || iters <= 0) {
		fprintf(stderr, "hook_bench worker: bad arguments\n");
		return 1;
	}
	int hmode = hook_bench_hook_mode(mode);
	long hook_mode = hook_bench_probe(BENCH_HOOK_CMD_MODE, 0);
	long want_mode = hmode == MODE_PASS   ? BENCH_HOOK_MODE_PASS
			 : hmode == MODE_EMUL ? BENCH_HOOK_MODE_EMUL
					      : -ENOSYS;
	if (hook_mode != want_mode) {
		fprintf(stderr,
			"hook_bench worker (%s): the hook %s (probe returned "
			"%ld, expected %ld)%s\n",
			mode_name,
			hook_mode == -ENOSYS ? "is not active"
					     : "is in the wrong mode",
			hook_mode, want_mode,
			hook_mode == -ENOSYS
			    ? "; did ld.so ignore LD_PRELOAD (see above)?"
			    : "");
		return 1;
	}
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("hook_bench worker: /dev/null");
		return 1;
	}
	if (mode != MODE_NONE)
		(void)hook_bench_probe(BENCH_HOOK_CMD_SET_FD, fd);
	/* Trap workers: the library's SIGTRAP handler must be in place
	 * (SIG_DFL = 0 otherwise). */
	unsigned long trap_handler = hook_bench_kernel_sigtrap_handler();
	if (hook_bench_is_trap(mode) != (trap_handler > 1)) {
		fprintf(stderr,
			"hook_bench worker (%s): SIGTRAP handler %#lx: the "
			"sites are %s\n",
			mode_name, trap_handler,
			trap_handler > 1 ? "trapped" : "not trapped");
		return 1;
	}
	long expect_ppid = hmode == MODE_EMUL ? BENCH_HOOK_PPID : parent;

	double ns[N_OPS];
	long bad[N_OPS] = {0};
	for (int op = 0; op < N_OPS; op++) {
		(void)hook_bench_time_op(op, WARMUP_CALLS, fd, expect_ppid,
					 &bad[op]);
		ns[op] =
		    hook_bench_time_op(op, iters, fd, expect_ppid, &bad[op]);
	}
	double twin[2] = {0, 0};
	long twin_calls = hook_bench_twin(
	    iters, (pid_t)expect_ppid, (pid_t)parent, mode == MODE_NONE, twin);
	int failed = twin_calls < 0;
	for (int op = 0; op < N_OPS; op++) {
		if (bad[op]) {
			fprintf(stderr,
				"hook_bench worker (%s): %s gave an unexpected "
				"result %ld times (expected getppid = %ld)\n",
				mode_name, op_names[op], bad[op], expect_ppid);
			failed = 1;
		}
	}
	/* The hook must have seen every call: pass-through really went
	 * through it, and emulated answers came from it. */
	long seen[BENCH_HOOK_N_OPS] = {0};
	if (mode != MODE_NONE) {
		long want[BENCH_HOOK_N_OPS] = {0};
		for (int op = 0; op < N_OPS; op++)
			if (op_hook_counter[op] >= 0)
				want[op_hook_counter[op]] +=
				    WARMUP_CALLS + iters;
		want[BENCH_HOOK_OP_GETPPID] += twin_calls;
		for (int c = 0; c < BENCH_HOOK_N_OPS; c++) {
			seen[c] = hook_bench_probe(BENCH_HOOK_CMD_COUNT, c);
			if (seen[c] != want[c]) {
				fprintf(stderr,
					"hook_bench worker (%s): the hook saw "
					"%ld calls of counter %d, expected "
					"%ld\n",
					mode_name, seen[c], c, want[c]);
				failed = 1;
			}
		}
	}
	close(fd);
	if (failed)
		return 1;
	for (int op = 0; op < N_OPS; op++)
		printf("op %d %.3f\n", op, ns[op]);
	printf("twin %.3f %.3f\n", twin[0], twin[1]);
	switch (hmode) {
	case MODE_NONE:
		printf("ok none: no hook present (probe: ENOSYS), getppid() "
		       "= %ld (the real parent)\n",
		       parent);
		break;
	case MODE_PASS:
		printf("ok %s: %shook saw every call (%ld getppid, %ld write, "
		       "%ld close) and let the kernel run it; getppid() = "
		       "%ld (the real parent)\n",
		       mode_name,
		       hook_bench_is_trap(mode) ? "every site trapped, " : "",
		       seen[BENCH_HOOK_OP_GETPPID], seen[BENCH_HOOK_OP_WRITE],
		       seen[BENCH_HOOK_OP_CLOSE], parent);
		break;
	default:
		printf("ok %s: %shook answered every call (%ld getppid, %ld "
		       "write, %ld close); getppid() returned the hook's "
		       "constant %d every time\n",
		       mode_name,
		       hook_bench_is_trap(mode) ? "every site trapped, " : "",
		       seen[BENCH_HOOK_OP_GETPPID], seen[BENCH_HOOK_OP_WRITE],
		       seen[BENCH_HOOK_OP_CLOSE], BENCH_HOOK_PPID);
		break;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* Finding the files.                                                  */

static char *self_exe; /* this binary, absolute */

static int hook_bench_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Returns a malloc'ed absolute path of the first candidate that exists for
 * `rel` (a path inside the workspace), or NULL after listing where it
 * looked. bazel_bin_rel is where it sits relative to the driver in the
 * bazel-bin layout. */
static char *hook_bench_find(const char *argv0, const char *rel,
			     const char *bazel_bin_rel)
{
	char cand[8][PATH_MAX];
	int n = 0;
	const char *env_dirs[] = {getenv("RUNFILES_DIR"),
				  getenv("TEST_SRCDIR")};
	for (int i = 0; i < 2; i++)
		if (env_dirs[i] && *env_dirs[i])
			snprintf(cand[n++], PATH_MAX, "%s/syscall_intercept/%s",
				 env_dirs[i], rel);
	snprintf(cand[n++], PATH_MAX, "%s.runfiles/syscall_intercept/%s", argv0,
		 rel);
	if (strcmp(argv0, self_exe) != 0)
		snprintf(cand[n++], PATH_MAX,
			 "%s.runfiles/syscall_intercept/%s", self_exe, rel);
	/* bazel run starts us in our runfiles tree. */
	snprintf(cand[n++], PATH_MAX, "%s", rel);
	const char *slash = strrchr(self_exe, '/');
	int dir_len = slash ? (int)(slash - self_exe) : 1;
	snprintf(cand[n++], PATH_MAX, "%.*s/%s", dir_len,
		 slash ? self_exe : ".", bazel_bin_rel);
	for (int i = 0; i < n; i++) {
		if (hook_bench_is_file(cand[i])) {
			char *abs = realpath(cand[i], NULL);
			if (abs)
				return abs;
		}
	}
	fprintf(stderr, "hook_bench: cannot find %s; looked in:\n", rel);
	for (int i = 0; i < n; i++)
		fprintf(stderr, "  %s\n", cand[i]);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Child processes.                                                    */

/* Returns a malloc'ed copy of environ without LD_PRELOAD and the bench
 * variables, with room for `extra` more entries and the NULL. */
static char **hook_bench_env(int extra)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + (size_t)extra + 1, sizeof(*env));
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(environ[i], "LD_PRELOAD=", 11) == 0 ||
		    strncmp(environ[i], BENCH_HOOK_MODE_ENV "=",
			    strlen(BENCH_HOOK_MODE_ENV) + 1) == 0)
			continue;
		env[k++] = environ[i];
	}
	return env;
}

/* Appends NAME=VALUE (malloc'ed) to a NULL-terminated env with room. */
static void hook_bench_env_add(char **env, const char *name, const char *value)
{
	size_t k = 0;
	while (env[k])
		k++;
	size_t len = strlen(name) + strlen(value) + 2;
	char *s = malloc(len);
	if (!s) {
		fprintf(stderr, "hook_bench: out of memory\n");
		exit(1);
	}
	snprintf(s, len, "%s=%s", name, value);
	env[k] = s;
}

/*
 * fork + execve + wait4 of argv with envp. Returns the exit status (-1 if
 * it could not start). *ms gets the wall time, *maxrss_kib ru_maxrss. If
 * out is non-NULL, the child's stdout and stderr (where ld.so complains) go
 * into it, up to cap - 1 bytes, NUL-terminated; else they are inherited.
 */
static int hook_bench_run(char *const argv[], char *const envp[], double *ms,
			  long *maxrss_kib, char *out, size_t cap)
{
	int pipefd[2] = {-1, -1};
	if (out && pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	fflush(NULL);
	double t0 = bench_now_ns();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (out) {
			dup2(pipefd[1], 1);
			dup2(pipefd[1], 2);
		}
		execve(argv[0], argv, envp);
		fprintf(stderr, "hook_bench: cannot execute %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	size_t len = 0;
	if (out) {
		close(pipefd[1]);
		for (;;) {
			char drain[512]; /* once out is full: keep the child
					    from blocking on a full pipe */
			ssize_t r =
			    len < cap - 1
				? read(pipefd[0], out + len, cap - 1 - len)
				: read(pipefd[0], drain, sizeof(drain));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (len < cap - 1)
				len += (size_t)r;
		}
		out[len] = 0;
		close(pipefd[0]);
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	double t1 = bench_now_ns();
	if (ms)
		*ms = (t1 - t0) / 1e6;
	if (maxrss_kib)
		*maxrss_kib = ru.ru_maxrss;
	return status;
}

/* ------------------------------------------------------------------ */
/* Per-call cost.                                                      */

static double per_call_ns[N_MODES][N_OPS][MAX_ROUNDS];
static char worker_ok[N_MODES][512];
/* Per mode, libc's getppid() [0] and its twin [1] (hook_bench_twin), per
 * round. */
static double twin_ns[N_MODES][2][MAX_ROUNDS];

/* Runs one worker; fills per_call_ns[mode][*][round]. Returns 0, or 1 after
 * printing why. */
static int hook_bench_one_worker(const struct bench_config *cfg, int mode,
				 long round)
{
	char iters[32], parent[32];
	long n = cfg->iters;
	if (hook_bench_is_trap(mode))
		n = n / TRAP_ITERS_DIVISOR > 0 ? n / TRAP_ITERS_DIVISOR : 1;
	snprintf(iters, sizeof(iters), "%ld", n);
	snprintf(parent, sizeof(parent), "%ld", (long)getpid());
	char *argv[] = {self_exe, "--worker", (char *)mode_names[mode],
			iters,	  parent,     NULL};
	char **env = hook_bench_env(3);
	if (!env)
		return 1;
	if (mode != MODE_NONE) {
		hook_bench_env_add(env, "LD_PRELOAD", cfg->hook);
		hook_bench_env_add(env, BENCH_HOOK_MODE_ENV,
				   mode_names[hook_bench_hook_mode(mode)]);
	}
	if (hook_bench_is_trap(mode))
		hook_bench_env_add(env, "INTERCEPT_DEBUG_TRAP", "1");
	char out[2048];
	int status = hook_bench_run(argv, env, NULL, NULL, out, sizeof(out));
	/* The two added strings are leaked: a few bytes per worker. */
	free(env);
	if (status != 0) {
		fprintf(stderr,
			"hook_bench: the %s worker failed (status 0x%x); its "
			"output:\n%s",
			mode_names[mode], status, out);
		return 1;
	}
	int got = 0;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		int op;
		double ns;
		if (sscanf(line, "op %d %lf", &op, &ns) == 2 && op >= 0 &&
		    op < N_OPS) {
			per_call_ns[mode][op][round] = ns;
			got |= 1 << op;
		} else if (sscanf(line, "twin %lf %lf",
				  &twin_ns[mode][0][round],
				  &twin_ns[mode][1][round]) == 2) {
			got |= 1 << N_OPS;
		} else if (strncmp(line, "ok ", 3) == 0) {
			snprintf(worker_ok[mode], sizeof(worker_ok[mode]), "%s",
				 line);
		}
	}
	if (got != (1 << (N_OPS + 1)) - 1 || !worker_ok[mode][0]) {
		fprintf(stderr, "hook_bench: the %s worker printed no result\n",
			mode_names[mode]);
		return 1;
	}
	return 0;
}

static int hook_bench_per_call(const struct bench_config *cfg)
{
	for (long r = 0; r < cfg->rounds; r++)
		for (int m = 0; m < N_MODES; m++)
			if (hook_bench_one_worker(cfg, m, r))
				return 1;

	printf("\nPer-call cost, ns/call: median of %ld rounds x %ld calls, "
	       "rounds interleaved none/pass/emul/trap-pass/trap-emul; "
	       "pass-through adds: median [quartiles] of the per-round "
	       "differences pass - none\n",
	       cfg->rounds, cfg->iters);
	printf("%-24s %9s %12s %26s %10s %22s\n", "call", "unhooked",
	       "pass-through", "pass-through adds", "emulated",
	       "emulated vs unhooked");
	/* The emulated getppid() against the control in the same workers;
	 * before the quantiles below sort the rounds. */
	struct quartiles e =
	    hook_bench_diff(per_call_ns[MODE_EMUL][OP_GETPPID],
			    per_call_ns[MODE_EMUL][OP_NO_SYSCALL], cfg->rounds);
	double spread[N_MODES] = {0};
	double meds[N_OPS][N_MODES];
	for (int op = 0; op < N_OPS; op++) {
		double *med = meds[op];
		/* What the hook adds (none and pass run back to back in each
		 * round); before the quantiles below sort the rounds. */
		struct quartiles d =
		    hook_bench_diff(per_call_ns[MODE_PASS][op],
				    per_call_ns[MODE_NONE][op], cfg->rounds);
		for (int m = 0; m < N_MODES; m++) {
			double *v = per_call_ns[m][op];
			double q1 = bench_quantile(v, cfg->rounds, 0.25);
			double q3 = bench_quantile(v, cfg->rounds, 0.75);
			med[m] = bench_median(v, cfg->rounds);
			double s = med[m] > 0 ? (q3 - q1) / med[m] : 0;
			if (s > spread[m])
				spread[m] = s;
		}
		double base = med[MODE_NONE];
		char adds[64], emul[64];
		snprintf(adds, sizeof(adds), "%+.1f ns [%+.1f, %+.1f]", d.med,
			 d.q1, d.q3);
		snprintf(emul, sizeof(emul), "%.0f%% of unhooked",
			 100.0 * med[MODE_EMUL] / base);
		printf("%-24s %9.1f %12.1f %26s %10.1f %22s\n", op_names[op],
		       base, med[MODE_PASS], adds, med[MODE_EMUL], emul);
	}
	printf("emulated getppid() adds %.1f ns [%+.1f, %+.1f] to "
	       "gnu_get_libc_version(), a libc call that makes no syscall "
	       "(median [quartiles] of the per-round "
	       "differences in the emul workers)\n",
	       e.med, e.q1, e.q3);
	/* The twin comparison (hook_bench_twin): libc's getppid() minus its
	 * unintercepted copy, in the same process. */
	struct quartiles tp = hook_bench_diff(
	    twin_ns[MODE_PASS][0], twin_ns[MODE_PASS][1], cfg->rounds);
	struct quartiles tn = hook_bench_diff(
	    twin_ns[MODE_NONE][0], twin_ns[MODE_NONE][1], cfg->rounds);
	printf("pass-through adds %+.1f ns [%+.1f, %+.1f] to getppid() in one "
	       "process: libc's getppid() against a copy of its code that is "
	       "not intercepted, in %d alternating chunks per worker (unhooked "
	       "workers, same comparison: %+.1f ns [%+.1f, %+.1f])\n",
	       tp.med, tp.q1, tp.q3, TWIN_CHUNKS, tn.med, tn.q1, tn.q3);
	long trap_iters = cfg->iters / TRAP_ITERS_DIVISOR > 0
			      ? cfg->iters / TRAP_ITERS_DIVISOR
			      : 1;
	printf("\nTrapped sites (INTERCEPT_DEBUG_TRAP=1: every libc site "
	       "hooked through int3 + SIGTRAP, the path of sites no jump "
	       "fits), ns/call: median of %ld rounds x %ld calls\n",
	       cfg->rounds, trap_iters);
	printf("%-29s %9s %13s %11s %13s %11s\n", "call", "unhooked",
	       "trapped pass", "x unhooked", "trapped emul", "x unhooked");
	for (int op = 0; op < N_OPS; op++) {
		const double *med = meds[op];
		char label[64];
		snprintf(label, sizeof(label), "trap %s", op_names[op]);
		printf("%-29s %9.1f %13.1f %10.1fx %13.1f %10.1fx\n", label,
		       med[MODE_NONE], med[MODE_TRAP_PASS],
		       med[MODE_TRAP_PASS] / med[MODE_NONE],
		       med[MODE_TRAP_EMUL],
		       med[MODE_TRAP_EMUL] / med[MODE_NONE]);
	}
	printf("noise: worst interquartile range across rounds, as %% of the "
	       "median: none %.1f%%, pass %.1f%%, emul %.1f%%, trap-pass "
	       "%.1f%%, trap-emul %.1f%%\n",
	       100 * spread[MODE_NONE], 100 * spread[MODE_PASS],
	       100 * spread[MODE_EMUL], 100 * spread[MODE_TRAP_PASS],
	       100 * spread[MODE_TRAP_EMUL]);
	for (int m = 0; m < N_MODES; m++)
		printf("%s\n", worker_ok[m]);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Start-up and memory.                                                */

struct startup_row {
	const char *label;
	long runs;
	double ms_med[2];
	double rss_med[2];
};

static double startup_ms[2][MAX_RUNS];
static double startup_rss[2][MAX_RUNS];

/* Runs argv row->runs times without and with LD_PRELOAD=lib, interleaved,
 * after one unmeasured run of each. Children inherit stderr, so a "cannot be
 * preloaded" warning from ld.so shows. Returns 0, or 1 if a run failed. */
static int hook_bench_startup_row(const struct bench_config *cfg,
				  char *const argv[], struct startup_row *row)
{
	char **env[2] = {hook_bench_env(0), hook_bench_env(1)};
	if (!env[0] || !env[1])
		return 1;
	hook_bench_env_add(env[1], "LD_PRELOAD", cfg->lib);
	int rc = 0;
	/* One unmeasured run each: it warms the page cache, and must succeed
	 * silently; ld.so only warns when it cannot preload the library, and
	 * would go on to measure nothing. */
	for (int p = 0; p < 2 && !rc; p++) {
		char out[1024];
		int status =
		    hook_bench_run(argv, env[p], NULL, NULL, out, sizeof(out));
		if (status != 0 || out[0]) {
			fprintf(stderr,
				"hook_bench: %s%s%s%s must exit 0 and print "
				"nothing; "
				"it exited with status 0x%x and printed:\n%s\n",
				p ? "LD_PRELOAD=" : "", p ? cfg->lib : "",
				p ? " " : "", row->label, status, out);
			rc = 1;
		}
	}
	for (long i = 0; i < row->runs && !rc; i++) {
		for (int p = 0; p < 2; p++) {
			long rss = 0;
			int status = hook_bench_run(
			    argv, env[p], &startup_ms[p][i], &rss, NULL, 0);
			if (status != 0) {
				fprintf(stderr,
					"hook_bench: %s failed (status "
					"0x%x)\n",
					row->label, status);
				rc = 1;
				break;
			}
			startup_rss[p][i] = (double)rss;
		}
	}
	if (!rc) {
		for (int p = 0; p < 2; p++) {
			row->ms_med[p] = bench_median(startup_ms[p], row->runs);
			row->rss_med[p] =
			    bench_median(startup_rss[p], row->runs);
		}
	}
	free(env[0]);
	free(env[1]);
	return rc;
}

/* Returns this process's RssAnon from /proc/self/status, or -1. */
static long hook_bench_rss_anon_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256];
	long kib = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "RssAnon: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int hook_bench_startup(const struct bench_config *cfg)
{
	char *true_argv[] = {"/bin/true", NULL};
	char *py_argv[] = {(char *)cfg->python, "-c", "pass", NULL};
	struct startup_row rows[2] = {
	    {"/bin/true", cfg->true_runs, {0, 0}, {0, 0}},
	    {"python3 -c pass", cfg->python_runs, {0, 0}, {0, 0}},
	};
	if (hook_bench_startup_row(cfg, true_argv, &rows[0]) ||
	    hook_bench_startup_row(cfg, py_argv, &rows[1]))
		return 1;

	printf("\nStart-up: fork+exec+wait4 wall time, ms: median of %ld "
	       "(/bin/true) / %ld (python3) runs per column, interleaved\n",
	       cfg->true_runs, cfg->python_runs);
	printf("%-24s %11s %16s %12s %8s\n", "program", "no preload",
	       "LD_PRELOAD=lib", "difference", "ratio");
	for (int i = 0; i < 2; i++) {
		char diff[32];
		snprintf(diff, sizeof(diff), "%+.3f ms",
			 rows[i].ms_med[1] - rows[i].ms_med[0]);
		printf("%-24s %11.3f %16.3f %12s %7.2fx\n", rows[i].label,
		       rows[i].ms_med[0], rows[i].ms_med[1], diff,
		       rows[i].ms_med[1] / rows[i].ms_med[0]);
	}
	printf("\nMemory: max RSS (wait4 ru_maxrss), KiB: median of the same "
	       "runs\n");
	printf("%-24s %11s %16s %12s\n", "program", "no preload",
	       "LD_PRELOAD=lib", "difference");
	for (int i = 0; i < 2; i++) {
		char diff[32];
		snprintf(diff, sizeof(diff), "%+.0f KiB",
			 rows[i].rss_med[1] - rows[i].rss_med[0]);
		printf("%-24s %11.0f %16.0f %12s\n", rows[i].label,
		       rows[i].rss_med[0], rows[i].rss_med[1], diff);
	}
	/* A forked child's max RSS counts the anonymous memory it inherited
	 * until execve, so the driver's own is a floor on these figures. */
	printf("(floor: a forked child starts with the driver's anonymous "
	       "memory, %ld KiB)\n",
	       hook_bench_rss_anon_kib());
	return 0;
}

/* ------------------------------------------------------------------ */

static void hook_bench_usage(void)
{
	fprintf(stderr,
		"usage: hook_bench [--quick] [--lib PATH] [--hook PATH] "
		"[--python PATH]\n"
		"                  [--rounds N] [--iters N] [--true-runs N] "
		"[--python-runs N]\n");
}

/* Parses a count in [lo, hi]; returns 0, or 1 after printing why. */
static int hook_bench_count(const char *opt, const char *s, long lo, long hi,
			    long *out)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : 0;
	if (!s || errno || *end || v < lo || v > hi) {
		fprintf(stderr, "hook_bench: %s wants a number in [%ld, %ld]\n",
			opt, lo, hi);
		return 1;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--worker") == 0)
		return hook_bench_worker(argv[2], atol(argv[3]), atol(argv[4]));

	self_exe = realpath("/proc/self/exe", NULL);
	if (!self_exe) {
		perror("hook_bench: /proc/self/exe");
		return 2;
	}

	struct bench_config cfg = {NULL, NULL, "/usr/bin/python3", 11, 200000,
				   200,	 30};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
		if (strcmp(a, "--quick") == 0) {
			cfg.rounds = 3;
			cfg.iters = 2000;
			cfg.true_runs = 5;
			cfg.python_runs = 3;
			continue;
		} else if (strcmp(a, "--lib") == 0 && v) {
			cfg.lib = v;
		} else if (strcmp(a, "--hook") == 0 && v) {
			cfg.hook = v;
		} else if (strcmp(a, "--python") == 0 && v) {
			cfg.python = v;
		} else if (strcmp(a, "--rounds") == 0) {
			bad =
			    hook_bench_count(a, v, 1, MAX_ROUNDS, &cfg.rounds);
		} else if (strcmp(a, "--iters") == 0) {
			bad =
			    hook_bench_count(a, v, 1, 1000000000L, &cfg.iters);
		} else if (strcmp(a, "--true-runs") == 0) {
			bad = hook_bench_count(a, v, 1, MAX_RUNS - 1,
					       &cfg.true_runs);
		} else if (strcmp(a, "--python-runs") == 0) {
			bad = hook_bench_count(a, v, 1, MAX_RUNS - 1,
					       &cfg.python_runs);
		} else {
			hook_bench_usage();
			return 2;
		}
		if (bad)
			return 2;
		i++;
	}

	char *lib = cfg.lib
			? realpath(cfg.lib, NULL)
			: hook_bench_find(argv[0], "libsyscall_intercept.so",
					  "../libsyscall_intercept.so");
	if (!lib || !hook_bench_is_file(lib)) {
		fprintf(stderr,
			"hook_bench: no library %s%s; build it with `bazel "
			"build //:syscall_intercept` or pass --lib PATH\n",
			cfg.lib ? "at " : "found", cfg.lib ? cfg.lib : "");
		return 2;
	}
	char *hook = cfg.hook
			 ? realpath(cfg.hook, NULL)
			 : hook_bench_find(argv[0], "tools/libbench_hook.so",
					   "libbench_hook.so");
	if (!hook || !hook_bench_is_file(hook)) {
		fprintf(stderr,
			"hook_bench: no bench hook %s%s; build it with `bazel "
			"build //tools:libbench_hook.so` or pass --hook PATH\n",
			cfg.hook ? "at " : "found", cfg.hook ? cfg.hook : "");
		return 2;
	}
	if (access(cfg.python, X_OK) != 0) {
		fprintf(stderr,
			"hook_bench: cannot execute %s; pass --python PATH\n",
			cfg.python);
		return 2;
	}
	cfg.lib = lib;
	cfg.hook = hook;

	printf("hook_bench: driver  %s\n", self_exe);
	printf("hook_bench: library %s (preloaded alone for start-up and "
	       "memory)\n",
	       lib);
	printf("hook_bench: hook    %s (links the library; preloaded into "
	       "the pass and emul workers)\n",
	       hook);
	printf("hook_bench: python  %s\n", cfg.python);
	fflush(stdout);

	int rc = hook_bench_per_call(&cfg) || hook_bench_startup(&cfg);
	free(lib);
	free(hook);
	free(self_exe);
	return rc ? 1 : 0;
}
