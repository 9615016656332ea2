#include "dispatch/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "base/raw_syscall.h"
#include "dispatch/mm_pid.h"
#include "dispatch/dispatch.h"
#include "dispatch/log_ring_producer.h"
#include "dispatch/preload.h"
#include "dispatch/text.h"
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

#define LINE_MAX_BYTES SI_LOG_LINE_MAX

/* Reads the application's memory without trusting the pointer: a bad
 * address makes process_vm_readv fail, never a fault. */
static bool read_mem(void *ctx, uintptr_t addr, void *dst, size_t len)
{
	(void)ctx;
	return raw_vm_copy(SYS_process_vm_readv, si_mm_pid(), dst, addr, len) ==
	       (long)len;
}

/* "[pid N] " (with INTERCEPT_LOG_PID=1), then "<object path> 0x<offset>
 * -- " for the site of this call. */
static void put_site(struct text *l, const struct si_frame *f)
{
	if (log_pids) {
		text_str(l, "[pid ");
		text_dec(l, raw_syscall0(SYS_gettid));
		text_str(l, "] ");
	}
	const struct si_site *site = f->site;
	const struct si_object *obj = (const struct si_object *)site->object;
	text_str(l, obj ? obj->path : "?");
	text_str(l, " ");
	text_hex(l, site->orig_addr - (obj ? obj->base : 0));
	text_str(l, " -- ");
}

static void put_call(struct text *l, const struct si_frame *f)
{
	struct syscalls_mem mem = {read_mem, 0};
	/* cap - 1: the newline text_write_line adds stays in the buffer */
	l->len += syscalls_format_call(l->buf + l->len, l->cap - 1 - l->len,
				       f->nr, f->args, &mem);
}

/* One finished line: into the log ring when sitrace collects it, else one
 * write() to the log file. */
static void emit(struct text *l)
{
	if (si_ring_active()) {
		if (l->len > l->cap - 1)
			l->len = l->cap - 1;
		l->buf[l->len] = '\n';
		if (si_ring_put(l->buf, l->len + 1, si_mm_pid())) {
			l->len = 0;
			return;
		}
	}
	text_write_line(l, log_fd);
}

void si_log_call(const struct si_frame *f, struct si_log_line *line)
{
	struct text l = TEXT_ON(line->buf);
	put_site(&l, f);
	put_call(&l, f);
	line->call_len = l.len;
	text_str(&l, " = ?");
	emit(&l);
}

void si_log_result(const struct si_frame *f, long result,
		   struct si_log_line *line)
{
	struct si_log_line own;
	struct syscalls_mem mem = {read_mem, 0};
	if (line == NULL || line->call_len == 0) {
		line = &own;
		struct text c = TEXT_ON(own.buf);
		put_site(&c, f);
		put_call(&c, f);
		own.call_len = c.len;
	}
	struct text l = TEXT_ON(line->buf);
	l.len = line->call_len;
	text_str(&l, " ");
	l.len += syscalls_format_result(l.buf + l.len, l.cap - 1 - l.len, f->nr,
					f->args, result, &mem);
	emit(&l);
}

/* Opens the log file for this process; returns the fd or -errno. */
static long open_log(void)
{
	char path[SI_MAX_PATH + 24];
	char namebuf[LINE_MAX_BYTES];
	struct text name = TEXT_ON(namebuf);
	text_str(&name, log_base);
	if (log_per_pid)
		text_dec(&name, raw_syscall0(SYS_getpid));
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
	/* sitrace's ring: the file is then only for lines the ring cannot
	 * take, appended to what sitrace writes. */
	const char *ring_path = getenv("INTERCEPT_LOG_RING");
	if (ring_path && ring_path[0] && !log_per_pid &&
	    si_ring_open(ring_path))
		log_truncate = false;
	si_mm_pid_init();
	const char *pids = getenv("INTERCEPT_LOG_PID");
	log_pids = pids && pids[0] == '1' && pids[1] == 0;
	const char *filter = getenv("INTERCEPT_LOG_FILTER");
	if (filter && filter[0])
		parse_filter(filter);
	long fd = open_log();
	if (raw_is_error(fd)) {
		char lbuf[LINE_MAX_BYTES];
		struct text l = TEXT_ON(lbuf);
		text_str(&l, "syscall_intercept: INTERCEPT_LOG: cannot open ");
		text_str(&l, path);
		text_str(&l, " (error ");
		text_dec(&l, -fd);
		text_str(&l, "); not logging");
		text_write_line(&l, 2);
		return false;
	}
	log_fd = (int)fd;
	log_owner = raw_syscall0(SYS_getpid);
	/* A program this process execs (or its forked children exec) has its
	 * own copy of the library: it must add to the log, not truncate what
	 * was written before the exec. */
	setenv("INTERCEPT_LOG_TRUNC", "0", 1);
	__atomic_store_n(&si_log_active, 1, __ATOMIC_RELEASE);
	si_dispatch_update_slow();
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
			char lbuf[LINE_MAX_BYTES];
			struct text l = TEXT_ON(lbuf);
			text_str(&l,
				 "syscall_intercept: INTERCEPT_LOG_FILTER: no "
				 "syscall or class '");
			for (size_t i = 0; i < n && l.len < 200; i++)
				l.buf[l.len++] = w[i];
			text_str(&l, "'; ignored");
			text_write_line(&l, 2);
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
		si_dispatch_update_slow();
		return;
	}
	raw_syscall3(SYS_dup3, fd, log_fd, O_CLOEXEC);
	raw_syscall1(SYS_close, fd);
}
