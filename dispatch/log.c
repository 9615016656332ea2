#include "dispatch/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "base/raw_syscall.h"
#include "dispatch/preload.h"
#include "syscalls/syscalls.h"

int si_log_active;

static int log_fd = -1;
static bool log_per_pid; /* INTERCEPT_LOG ends in '-' */
static bool log_truncate = true;
static char log_base[SI_MAX_PATH]; /* the name without the pid */
static long log_owner;		   /* the process whose file log_fd is */
static bool log_pids; /* INTERCEPT_LOG_PID=1: "[pid N] " before each line */
/* INTERCEPT_LOG_FILTER: bit nr set = log syscall nr (all when unset). */
static uint8_t log_filter[(SYSCALLS_LIMIT + 7) / 8];
static bool log_filtered;
static void parse_filter(const char *spec);

#define LINE_MAX_BYTES 2048

struct line {
	char buf[LINE_MAX_BYTES];
	size_t len;
};

static void put(struct line *l, const char *s)
{
	while (*s && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = *s++;
}

static void put_hex(struct line *l, uint64_t v)
{
	char tmp[17];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v && n < 16);
	put(l, "0x");
	while (n && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = tmp[--n];
}

static void put_dec(struct line *l, long v)
{
	char tmp[24];
	int n = 0;
	unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		put(l, "-");
	while (n && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = tmp[--n];
}

/* Reads the application's memory without trusting the pointer: a bad
 * address makes process_vm_readv fail, never a fault. */
static bool read_mem(void *ctx, uintptr_t addr, void *dst, size_t len)
{
	(void)ctx;
	struct iovec local = {dst, len};
	struct iovec remote = {(void *)addr, len};
	/* getpid each time: a forked child must read its own memory. */
	long n = raw_syscall6(SYS_process_vm_readv, raw_syscall0(SYS_getpid),
			      (long)&local, 1, (long)&remote, 1, 0);
	return n == (long)len;
}

/* "[pid N] " (with INTERCEPT_LOG_PID=1), then "<object path> 0x<offset>
 * -- " for the site of this call. */
static void put_site(struct line *l, const struct si_frame *f)
{
	if (log_pids) {
		put(l, "[pid ");
		put_dec(l, raw_syscall0(SYS_gettid));
		put(l, "] ");
	}
	const struct si_site *site = f->site;
	const struct si_object *obj = (const struct si_object *)site->object;
	put(l, obj ? obj->path : "?");
	put(l, " ");
	put_hex(l, site->orig_addr - (obj ? obj->base : 0));
	put(l, " -- ");
}

static void emit(struct line *l)
{
	if (l->len >= sizeof(l->buf) - 1)
		l->len = sizeof(l->buf) - 2; /* keep room for the newline */
	l->buf[l->len++] = '\n';
	for (size_t off = 0; off < l->len;) {
		long n = raw_syscall3(SYS_write, log_fd, (long)(l->buf + off),
				      (long)(l->len - off));
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return;
		off += (size_t)n;
	}
}

static void put_call(struct line *l, const struct si_frame *f)
{
	struct syscalls_mem mem = {read_mem, 0};
	l->len += syscalls_format_call(l->buf + l->len, sizeof(l->buf) - l->len,
				       f->nr, f->args, &mem);
}

void si_log_call(const struct si_frame *f)
{
	struct line l;
	l.len = 0;
	put_site(&l, f);
	put_call(&l, f);
	put(&l, " = ?");
	emit(&l);
}

void si_log_result(const struct si_frame *f, long result)
{
	struct line l;
	struct syscalls_mem mem = {read_mem, 0};
	l.len = 0;
	put_site(&l, f);
	put_call(&l, f);
	put(&l, " ");
	l.len += syscalls_format_result(l.buf + l.len, sizeof(l.buf) - l.len,
					f->nr, f->args, result, &mem);
	emit(&l);
}

/* Opens the log file for this process; returns the fd or -errno. */
static long open_log(void)
{
	char path[SI_MAX_PATH + 24];
	struct line name;
	name.len = 0;
	put(&name, log_base);
	if (log_per_pid)
		put_dec(&name, raw_syscall0(SYS_getpid));
	if (name.len >= sizeof(path))
		return -ENAMETOOLONG;
	for (size_t i = 0; i < name.len; i++)
		path[i] = name.buf[i];
	path[name.len] = 0;
	int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
	if (log_truncate)
		flags |= O_TRUNC;
	return raw_syscall4(SYS_openat, AT_FDCWD, (long)path, flags, 0600);
}

bool si_log_init(void)
{
	const char *path = getenv("INTERCEPT_LOG");
	if (path == NULL || path[0] == 0)
		return true;
	const char *trunc = getenv("INTERCEPT_LOG_TRUNC");
	log_truncate = !(trunc && trunc[0] == '0' && trunc[1] == 0);
	size_t n = 0;
	while (path[n] && n < sizeof(log_base) - 1) {
		log_base[n] = path[n];
		n++;
	}
	log_base[n] = 0;
	log_per_pid = n > 0 && log_base[n - 1] == '-';
	const char *pids = getenv("INTERCEPT_LOG_PID");
	log_pids = pids && pids[0] == '1' && pids[1] == 0;
	const char *filter = getenv("INTERCEPT_LOG_FILTER");
	if (filter && filter[0])
		parse_filter(filter);
	long fd = open_log();
	if (raw_is_error(fd)) {
		struct line l;
		l.len = 0;
		put(&l, "syscall_intercept: INTERCEPT_LOG: cannot open ");
		put(&l, path);
		put(&l, " (error ");
		put_dec(&l, -fd);
		put(&l, "); not logging");
		l.buf[l.len++] = '\n';
		raw_syscall3(SYS_write, 2, (long)l.buf, (long)l.len);
		return false;
	}
	log_fd = (int)fd;
	log_owner = raw_syscall0(SYS_getpid);
	/* A program this process execs (or its forked children exec) has its
	 * own copy of the library: it must add to the log, not truncate what
	 * was written before the exec. */
	setenv("INTERCEPT_LOG_TRUNC", "0", 1);
	__atomic_store_n(&si_log_active, 1, __ATOMIC_RELEASE);
	return true;
}

bool si_log_wants(long nr)
{
	if (!log_filtered)
		return true;
	return nr >= 0 && nr < SYSCALLS_LIMIT &&
	       ((log_filter[nr >> 3] >> (nr & 7)) & 1);
}

static void filter_add(long nr)
{
	if (nr >= 0 && nr < SYSCALLS_LIMIT)
		log_filter[nr >> 3] =
		    (uint8_t)(log_filter[nr >> 3] | 1u << (nr & 7));
}

static bool same(const char *a, size_t n, const char *b)
{
	size_t i = 0;
	for (; i < n && b[i] && a[i] == b[i]; i++)
		;
	return i == n && b[i] == 0;
}

/* One element of INTERCEPT_LOG_FILTER: a syscall name or a class
 * (%file: takes a path; %process, %network, %memory, %signal). Returns
 * false if it names nothing. */
static bool filter_item(const char *w, size_t n)
{
	static const char *const classes[][24] = {
	    {"%process", "clone", "clone3", "fork", "vfork", "execve",
	     "execveat", "exit", "exit_group", "wait4", "waitid", "kill",
	     "tkill", "tgkill", 0},
	    {"%network", "socket",   "socketpair", "bind",	  "listen",
	     "accept",	 "accept4",  "connect",	   "getsockname", "getpeername",
	     "sendto",	 "recvfrom", "sendmsg",	   "recvmsg",	  "sendmmsg",
	     "recvmmsg", "shutdown", "setsockopt", "getsockopt",  0},
	    {"%memory", "mmap", "munmap", "mprotect", "mremap", "brk",
	     "madvise", "msync", "mlock", "munlock", "mlock2", "mlockall",
	     "munlockall", "mincore", "pkey_mprotect", "mseal", 0},
	    {"%signal", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
	     "rt_sigsuspend", "rt_sigpending", "rt_sigtimedwait",
	     "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "kill",
	     "tkill", "tgkill", "signalfd", "signalfd4", "pause", 0},
	};
	if (same(w, n, "%file")) {
		for (long nr = 0; nr < SYSCALLS_LIMIT; nr++)
			if (syscalls_path_args(nr))
				filter_add(nr);
		return true;
	}
	for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
		if (!same(w, n, classes[c][0]))
			continue;
		for (size_t k = 1; classes[c][k]; k++)
			filter_add(syscalls_number(classes[c][k]));
		return true;
	}
	char name[64];
	if (n >= sizeof(name))
		return false;
	for (size_t i = 0; i < n; i++)
		name[i] = w[i];
	name[n] = 0;
	long nr = syscalls_number(name);
	filter_add(nr);
	return nr >= 0;
}

/* Parses "a,b,%class"; reports the first element that names nothing. */
static void parse_filter(const char *spec)
{
	log_filtered = true;
	const char *w = spec;
	while (*w) {
		size_t n = 0;
		while (w[n] && w[n] != ',')
			n++;
		if (n && !filter_item(w, n)) {
			struct line l;
			l.len = 0;
			put(&l, "syscall_intercept: INTERCEPT_LOG_FILTER: no "
				"syscall or class '");
			for (size_t i = 0; i < n && l.len < 200; i++)
				l.buf[l.len++] = w[i];
			put(&l, "'; ignored\n");
			raw_syscall3(SYS_write, 2, (long)l.buf, (long)l.len);
		}
		w += n;
		if (*w == ',')
			w++;
	}
}

bool si_log_per_process(void)
{
	return si_log_active && log_per_pid;
}

void si_log_forked(void)
{
	long pid = raw_syscall0(SYS_getpid);
	if (!log_per_pid || log_fd < 0 || pid == log_owner)
		return; /* not per process, or a thread of the same process */
	log_owner = pid;
	long fd = open_log();
	if (raw_is_error(fd)) {
		si_log_active = 0; /* the child runs unlogged */
		return;
	}
	raw_syscall3(SYS_dup3, fd, log_fd, O_CLOEXEC);
	raw_syscall1(SYS_close, fd);
}
