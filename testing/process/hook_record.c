/*
 * The test hook: records what it sees, and answers or refuses calls as the
 * environment tells it (record_abi.h lists the variables and the record
 * formats). Built three ways (BUILD.bazel): linked with the whole library,
 * linked against libsyscall_intercept.so, and by hook_build_test with the
 * system compiler from this one file, as a user would; so it includes only
 * the public header and its neighbour record_abi.h (found next to this file
 * by a quoted include, with no -I of its own).
 *
 * Everything the hook does while a syscall is intercepted goes through
 * syscall_no_intercept and fixed buffers: no allocation, no stdio, nothing
 * that is not safe in a signal handler or in a vfork child.
 */
#include <libsyscall_intercept_hook_point.h>

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "record_abi.h"

#define MAX_NR 512

static long counts[MAX_NR];
static char rec_dir[1024];
static int have_dir;
static int log_events;
static int emulate_getppid;
static long getppid_value;
static long refuse_nr = -1;
static int clobber;
static int nested;
static int have_avx;
static int have_avx512;
static int log_paths;

/* ---- small formatting into fixed buffers -------------------------------- */

struct line {
	char buf[4200]; /* a path (PATH_MAX) and a number */
	size_t len;
};

static void line_str(struct line *l, const char *s)
{
	while (*s && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = *s++;
}

static void line_num(struct line *l, long v)
{
	char tmp[24];
	size_t n = 0;
	unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;

	if (v < 0)
		line_str(l, "-");
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = tmp[--n];
}

/* Writes all of buf[0..len) to fd; gives up on an error. */
static void write_all(long fd, const char *buf, size_t len)
{
	while (len > 0) {
		long r = syscall_no_intercept(SYS_write, fd, buf, len);
		if (r == -EINTR)
			continue;
		if (r <= 0)
			return;
		buf += r;
		len -= (size_t)r;
	}
}

/* Opens rec_dir/name<pid> (pid < 0: no suffix). Returns the fd, or < 0. */
static long open_record(const char *name, long pid, int flags)
{
	struct line path = {.len = 0};

	line_str(&path, rec_dir);
	line_str(&path, "/");
	line_str(&path, name);
	if (pid >= 0)
		line_num(&path, pid);
	path.buf[path.len] = 0;
	return syscall_no_intercept(SYS_openat, AT_FDCWD, path.buf,
				    flags | O_WRONLY | O_CREAT | O_CLOEXEC,
				    0644);
}

/* Appends "<event> <pid> <tid> <ppid> <arg>" to rec_dir/events. */
static void log_event(const char *event, long arg)
{
	struct line l = {.len = 0};
	long fd;

	if (!have_dir || !log_events)
		return;
	line_str(&l, event);
	line_str(&l, " ");
	line_num(&l, syscall_no_intercept(SYS_getpid));
	line_str(&l, " ");
	line_num(&l, syscall_no_intercept(SYS_gettid));
	line_str(&l, " ");
	line_num(&l, syscall_no_intercept(SYS_getppid));
	line_str(&l, " ");
	line_num(&l, arg);
	line_str(&l, "\n");
	fd = open_record("events", -1, O_APPEND);
	if (fd < 0)
		return;
	write_all(fd, l.buf, l.len);
	syscall_no_intercept(SYS_close, fd);
}

/* Appends "<nr> <path>" to rec_dir/paths. The path is read through
 * process_vm_readv: a bad pointer ends the copy, never faults. */
static void log_path(long nr, long path_arg)
{
	struct line l = {.len = 0};
	char path[4096];
	struct iovec local = {path, sizeof(path) - 1};
	struct iovec remote = {(void *)path_arg, sizeof(path) - 1};
	long n, fd;

	if (!have_dir)
		return;
	n = syscall_no_intercept(SYS_process_vm_readv,
				 syscall_no_intercept(SYS_getpid), &local, 1,
				 &remote, 1, 0);
	path[n > 0 ? n : 0] = 0;
	line_num(&l, nr);
	line_str(&l, " ");
	line_str(&l, path);
	line_str(&l, "\n");
	fd = open_record("paths", -1, O_APPEND);
	if (fd < 0)
		return;
	write_all(fd, l.buf, l.len);
	syscall_no_intercept(SYS_close, fd);
}

/* Rewrites rec_dir/counts.<pid> with every non-zero count. */
static void write_counts(void)
{
	long fd;

	if (!have_dir)
		return;
	fd = open_record("counts.", syscall_no_intercept(SYS_getpid), O_TRUNC);
	if (fd < 0)
		return;
	for (long nr = 0; nr < MAX_NR; nr++) {
		long c = __atomic_load_n(&counts[nr], __ATOMIC_RELAXED);
		struct line l = {.len = 0};
		if (c == 0)
			continue;
		line_num(&l, nr);
		line_str(&l, " ");
		line_num(&l, c);
		line_str(&l, "\n");
		write_all(fd, l.buf, l.len);
	}
	syscall_no_intercept(SYS_close, fd);
}

/* ---- clobbering -------------------------------------------------------- */

/* Every xmm register (legacy SSE encodings: the upper ymm halves stay). */
static void clobber_xmm(void)
{
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\t"
			 "pcmpeqd %%xmm1, %%xmm1\n\t"
			 "pcmpeqd %%xmm2, %%xmm2\n\t"
			 "pcmpeqd %%xmm3, %%xmm3\n\t"
			 "pcmpeqd %%xmm4, %%xmm4\n\t"
			 "pcmpeqd %%xmm5, %%xmm5\n\t"
			 "pcmpeqd %%xmm6, %%xmm6\n\t"
			 "pcmpeqd %%xmm7, %%xmm7\n\t"
			 "pcmpeqd %%xmm8, %%xmm8\n\t"
			 "pcmpeqd %%xmm9, %%xmm9\n\t"
			 "pcmpeqd %%xmm10, %%xmm10\n\t"
			 "pcmpeqd %%xmm11, %%xmm11\n\t"
			 "pcmpeqd %%xmm12, %%xmm12\n\t"
			 "pcmpeqd %%xmm13, %%xmm13\n\t"
			 "pcmpeqd %%xmm14, %%xmm14\n\t"
			 "pcmpeqd %%xmm15, %%xmm15" ::
			     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
			       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
			       "xmm12", "xmm13", "xmm14", "xmm15");
}

/* Every ymm register, all 256 bits (VEX encodings). No vzeroupper after:
 * the point is to leave dirty upper halves behind. */
__attribute__((target("avx"))) static void clobber_ymm(void)
{
	__asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t"
			 "vpcmpeqd %%ymm1, %%ymm1, %%ymm1\n\t"
			 "vpcmpeqd %%ymm2, %%ymm2, %%ymm2\n\t"
			 "vpcmpeqd %%ymm3, %%ymm3, %%ymm3\n\t"
			 "vpcmpeqd %%ymm4, %%ymm4, %%ymm4\n\t"
			 "vpcmpeqd %%ymm5, %%ymm5, %%ymm5\n\t"
			 "vpcmpeqd %%ymm6, %%ymm6, %%ymm6\n\t"
			 "vpcmpeqd %%ymm7, %%ymm7, %%ymm7\n\t"
			 "vpcmpeqd %%ymm8, %%ymm8, %%ymm8\n\t"
			 "vpcmpeqd %%ymm9, %%ymm9, %%ymm9\n\t"
			 "vpcmpeqd %%ymm10, %%ymm10, %%ymm10\n\t"
			 "vpcmpeqd %%ymm11, %%ymm11, %%ymm11\n\t"
			 "vpcmpeqd %%ymm12, %%ymm12, %%ymm12\n\t"
			 "vpcmpeqd %%ymm13, %%ymm13, %%ymm13\n\t"
			 "vpcmpeqd %%ymm14, %%ymm14, %%ymm14\n\t"
			 "vpcmpeqd %%ymm15, %%ymm15, %%ymm15" ::
			     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
			       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
			       "xmm12", "xmm13", "xmm14", "xmm15");
}

/* zmm0-31 and the opmask registers k1-k7. */
__attribute__((target("avx512f"))) static void clobber_zmm(void)
{
	__asm__ volatile(
	    ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,"
	    "22,23,24,25,26,27,28,29,30,31\n\t"
	    "vpternlogd $0xff, %%zmm\\n, %%zmm\\n, %%zmm\\n\n\t"
	    ".endr\n\t"
	    "kxnorw %%k0, %%k0, %%k1\n\t"
	    "kxnorw %%k0, %%k0, %%k2\n\t"
	    "kxnorw %%k0, %%k0, %%k3\n\t"
	    "kxnorw %%k0, %%k0, %%k4\n\t"
	    "kxnorw %%k0, %%k0, %%k5\n\t"
	    "kxnorw %%k0, %%k0, %%k6\n\t"
	    "kxnorw %%k0, %%k0, %%k7" ::
		: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		  "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20",
		  "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27",
		  "xmm28", "xmm29", "xmm30", "xmm31", "k1", "k2", "k3", "k4",
		  "k5", "k6", "k7");
}

/* The arithmetic flags: xor leaves ZF and PF set, CF, OF and SF clear; the
 * compiler is told nothing survives in them. */
static void clobber_flags(void)
{
	__asm__ volatile("xor %%eax, %%eax" ::: "rax", "cc");
}

static void clobber_all(void)
{
	if (have_avx512)
		clobber_zmm();
	else if (have_avx)
		clobber_ymm();
	else
		clobber_xmm();
	clobber_flags();
}

/* XCR0: the state components the OS enabled. */
static uint64_t read_xcr0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static void detect_vector_isa(void)
{
	unsigned a, b, c, d;
	uint64_t xcr0;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) ||
	    !(c & bit_AVX))
		return;
	xcr0 = read_xcr0();
	if ((xcr0 & 0x6) != 0x6) /* SSE and AVX state */
		return;
	have_avx = 1;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_AVX512F) &&
	    (xcr0 & 0xe0) == 0xe0) /* opmask, ZMM_Hi256, Hi16_ZMM */
		have_avx512 = 1;
}

static long read_rflags(void)
{
	long f;

	__asm__ volatile("pushfq\n\tpop %0" : "=r"(f));
	return f;
}

/* ---- the hooks ------------------------------------------------------------
 */

static int hook(long nr, long a0, long a1, long a2, long a3, long a4, long a5,
		long *result)
{
	int forward = 1;
	/* DF as the library called the hook with: the ABI wants it clear
	 * at every call, whatever the application had at its syscall. */
	long rflags = read_rflags();

	(void)a1;
	(void)a2;
	(void)a3;
	(void)a4;
	(void)a5;
	if (nr >= 0 && nr < MAX_NR)
		__atomic_fetch_add(&counts[nr], 1, __ATOMIC_RELAXED);

	if (nr == SYS_getppid && (unsigned long)a0 == SI_REC_MARK_ARG0) {
		log_event("df", (rflags >> 10) & 1);
		*result = SI_REC_MARK_RESULT;
		forward = 0;
	} else if (nr == SYS_getppid &&
		   (unsigned long)a0 == SI_REC_SIGNAL_ARG0) {
		/* Delivered as tgkill returns: inside this hook. */
		syscall_no_intercept(SYS_tgkill,
				     syscall_no_intercept(SYS_getpid),
				     syscall_no_intercept(SYS_gettid), a1);
		*result = 0;
		forward = 0;
	} else if (nr == SYS_getppid) {
		log_event("getppid", 0);
		if (nested) {
			/* Neither call may reach this hook again: the count
			 * of getsid stays 0. */
			long direct = syscall_no_intercept(SYS_getsid, 0);
			long via_libc = (long)getsid(0);
			log_event("nested", direct == via_libc ? direct : -1);
		}
		if (emulate_getppid) {
			*result = getppid_value;
			forward = 0;
		}
	} else if (nr == SYS_openat && log_paths) {
		log_path(nr, a1);
	} else if (nr == refuse_nr) {
		*result = -ENOTSUP;
		forward = 0;
	} else if (nr == SYS_exit_group || nr == SYS_execve ||
		   nr == SYS_execveat) {
		write_counts();
	}
	if (clobber)
		clobber_all();
	return forward;
}

static void clone_child(void)
{
	log_event("clone_child", 0);
}

static void clone_parent(long pid)
{
	log_event("clone_parent", pid);
}

static int env_is_1(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && strcmp(v, "1") == 0;
}

__attribute__((constructor)) static void hook_record_init(void)
{
	const char *dir = getenv(SI_REC_ENV_DIR);
	const char *v;

	if (dir != NULL && strlen(dir) < sizeof(rec_dir)) {
		strcpy(rec_dir, dir);
		have_dir = 1;
	}
	log_events = env_is_1(SI_REC_ENV_EVENTS);
	if ((v = getenv(SI_REC_ENV_GETPPID)) != NULL) {
		emulate_getppid = 1;
		getppid_value = strtol(v, NULL, 10);
	}
	if ((v = getenv(SI_REC_ENV_REFUSE)) != NULL)
		refuse_nr = strtol(v, NULL, 10);
	clobber = env_is_1(SI_REC_ENV_CLOBBER);
	nested = env_is_1(SI_REC_ENV_NESTED);
	log_paths = env_is_1(SI_REC_ENV_PATHS);
	detect_vector_isa();
	intercept_hook_point_clone_child = clone_child;
	intercept_hook_point_clone_parent = clone_parent;
	intercept_hook_point = hook;
}
