/*
 * The strace-like formatter: one generic loop over the argument types that
 * syscalls.def gives each call, a printer per type, and tables of symbolic
 * names. It runs inside signal handlers and inside hooked syscalls, so it
 * calls nothing in libc, allocates nothing, keeps its stack small, and reads
 * the traced memory only through the caller's syscalls_mem.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syscalls/syscalls.h"
#include "syscalls/syscalls_internal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Results in [-4095, -1] are -errno, as in the kernel's IS_ERR_VALUE. */
#define MAX_ERRNO 4095UL

/* The output: writes past the end set `full` instead of overflowing. */
struct out {
	char *buf;
	size_t size;
	size_t len;
	bool full;
};

static void put_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len++] = c;
	else
		o->full = true;
}

static void put_str(struct out *o, const char *s)
{
	while (*s)
		put_char(o, *s++);
}

static void put_udec(struct out *o, unsigned long v)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put_char(o, digits[--n]);
}

static void put_dec(struct out *o, long v)
{
	if (v < 0) {
		put_char(o, '-');
		put_udec(o, -(unsigned long)v);
	} else {
		put_udec(o, (unsigned long)v);
	}
}

/* 0 as "0", anything else as 0x... */
static void put_hex(struct out *o, unsigned long v)
{
	static const char xdigits[] = "0123456789abcdef";
	char digits[16];
	int n = 0;
	if (v == 0) {
		put_char(o, '0');
		return;
	}
	while (v) {
		digits[n++] = xdigits[v & 0xf];
		v >>= 4;
	}
	put_str(o, "0x");
	while (n)
		put_char(o, digits[--n]);
}

/* A mode as strace prints it ("%#03o"): 0644, 022, 000. */
static void put_oct(struct out *o, unsigned long v)
{
	char digits[24];
	int n = 0;
	while (v) {
		digits[n++] = (char)('0' + (v & 7));
		v >>= 3;
	}
	digits[n++] = '0';
	while (n < 3)
		digits[n++] = '0';
	while (n)
		put_char(o, digits[--n]);
}

static void put_ptr(struct out *o, unsigned long v)
{
	if (v == 0)
		put_str(o, "NULL");
	else
		put_hex(o, v);
}

/* NUL-terminates, marks a cut line with "...", returns the length. */
static size_t finish(struct out *o)
{
	if (o->size == 0)
		return 0;
	if (o->full && o->size > 3) {
		o->len = o->size - 1;
		o->buf[o->len - 3] = '.';
		o->buf[o->len - 2] = '.';
		o->buf[o->len - 1] = '.';
	}
	o->buf[o->len] = '\0';
	return o->len;
}

/* ---- symbolic names ---- */

struct flag {
	unsigned long mask;
	const char *name;
};

struct name {
	long value;
	const char *name;
};

/*
 * Names every mask fully set in v, first match first (so put composite masks
 * before their parts), then the unknown bits in hex; `zero` names 0.
 */
static void put_flags(struct out *o, const struct flag *t, size_t n,
		      unsigned long v, const char *zero)
{
	bool any = false;
	if (v == 0) {
		put_str(o, zero ? zero : "0");
		return;
	}
	for (size_t i = 0; i < n && v; i++) {
		if ((v & t[i].mask) != t[i].mask)
			continue;
		if (any)
			put_char(o, '|');
		put_str(o, t[i].name);
		v &= ~t[i].mask;
		any = true;
	}
	if (v) {
		if (any)
			put_char(o, '|');
		put_hex(o, v);
	}
}

static const char *lookup(const struct name *t, size_t n, long v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	return NULL;
}

/* The name of v, or v in decimal (hex if `hex`). */
static void put_enum(struct out *o, const struct name *t, size_t n, long v,
		     bool hex)
{
	const char *s = lookup(t, n, v);
	if (s)
		put_str(o, s);
	else if (hex)
		put_hex(o, (unsigned long)v);
	else
		put_dec(o, v);
}

#define PUT_FLAGS(o, table, v, zero)                                           \
	put_flags(o, table, ARRAY_LEN(table), (unsigned long)(v), zero)
#define PUT_ENUM(o, table, v, hex) put_enum(o, table, ARRAY_LEN(table), v, hex)

#define O_ACCMODE_ 03
#define O_CREAT_   0100
#define O_TMPFILE_ 020200000

static const struct flag open_flags[] = {
    {020200000, "O_TMPFILE"}, {04010000, "O_SYNC"},    {0100, "O_CREAT"},
    {0200, "O_EXCL"},	      {0400, "O_NOCTTY"},      {01000, "O_TRUNC"},
    {02000, "O_APPEND"},      {04000, "O_NONBLOCK"},   {010000, "O_DSYNC"},
    {020000, "O_ASYNC"},      {040000, "O_DIRECT"},    {0100000, "O_LARGEFILE"},
    {0200000, "O_DIRECTORY"}, {0400000, "O_NOFOLLOW"}, {01000000, "O_NOATIME"},
    {02000000, "O_CLOEXEC"},  {010000000, "O_PATH"},
};

/* Whether open flags create a file, so that the mode matters. */
static bool creates(unsigned long flags)
{
	return (flags & O_CREAT_) || (flags & O_TMPFILE_) == O_TMPFILE_;
}

static void put_open_flags(struct out *o, unsigned long v)
{
	static const char *const modes[] = {"O_RDONLY", "O_WRONLY", "O_RDWR",
					    "O_ACCMODE"};
	put_str(o, modes[v & O_ACCMODE_]);
	v &= ~(unsigned long)O_ACCMODE_;
	if (v) {
		put_char(o, '|');
		PUT_FLAGS(o, open_flags, v, NULL);
	}
}

static const struct flag fd_flags[] = {
    {02000000, "O_CLOEXEC"},
    {04000, "O_NONBLOCK"},
    {040000, "O_DIRECT"},
};

static const struct flag sock_flags[] = {
    {02000000, "SOCK_CLOEXEC"},
    {04000, "SOCK_NONBLOCK"},
};

static const struct flag at_flags[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"},  {0x400, "AT_SYMLINK_FOLLOW"},
    {0x800, "AT_NO_AUTOMOUNT"},	     {0x1000, "AT_EMPTY_PATH"},
    {0x2000, "AT_STATX_FORCE_SYNC"}, {0x4000, "AT_STATX_DONT_SYNC"},
    {0x8000, "AT_RECURSIVE"},
};

static const struct flag unlinkat_flags[] = {{0x200, "AT_REMOVEDIR"}};

static const struct flag access_at_flags[] = {
    {0x200, "AT_EACCESS"},
    {0x100, "AT_SYMLINK_NOFOLLOW"},
    {0x1000, "AT_EMPTY_PATH"},
};

static const struct flag statx_mask[] = {
    {0xfff, "STATX_ALL"},     {0x7ff, "STATX_BASIC_STATS"},
    {0x1, "STATX_TYPE"},      {0x2, "STATX_MODE"},
    {0x4, "STATX_NLINK"},     {0x8, "STATX_UID"},
    {0x10, "STATX_GID"},      {0x20, "STATX_ATIME"},
    {0x40, "STATX_MTIME"},    {0x80, "STATX_CTIME"},
    {0x100, "STATX_INO"},     {0x200, "STATX_SIZE"},
    {0x400, "STATX_BLOCKS"},  {0x800, "STATX_BTIME"},
    {0x1000, "STATX_MNT_ID"}, {0x2000, "STATX_DIOALIGN"},
};

static const struct flag access_modes[] = {
    {4, "R_OK"},
    {2, "W_OK"},
    {1, "X_OK"},
};

static const struct flag prot_flags[] = {
    {0x1, "PROT_READ"},
    {0x2, "PROT_WRITE"},
    {0x4, "PROT_EXEC"},
    {0x8, "PROT_SEM"},
    {0x01000000, "PROT_GROWSDOWN"},
    {0x02000000, "PROT_GROWSUP"},
};

static const struct flag mmap_flags[] = {
    {0x10, "MAP_FIXED"},
    {0x20, "MAP_ANONYMOUS"},
    {0x40, "MAP_32BIT"},
    {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},
    {0x1000, "MAP_EXECUTABLE"},
    {0x2000, "MAP_LOCKED"},
    {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},
    {0x20000, "MAP_STACK"},
    {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},
    {0x100000, "MAP_FIXED_NOREPLACE"},
    {0x4000000, "MAP_UNINITIALIZED"},
};

static void put_mmap_flags(struct out *o, unsigned long v)
{
	static const char *const types[] = {"0", "MAP_SHARED", "MAP_PRIVATE",
					    "MAP_SHARED_VALIDATE"};
	unsigned long type = v & 0xf;
	v &= ~0xfUL;
	if (type < ARRAY_LEN(types))
		put_str(o, types[type]);
	else
		put_hex(o, type);
	if (v) {
		put_char(o, '|');
		PUT_FLAGS(o, mmap_flags, v, NULL);
	}
}

static const struct flag mremap_flags[] = {
    {1, "MREMAP_MAYMOVE"},
    {2, "MREMAP_FIXED"},
    {4, "MREMAP_DONTUNMAP"},
};

static const struct flag msync_flags[] = {
    {1, "MS_ASYNC"},
    {2, "MS_INVALIDATE"},
    {4, "MS_SYNC"},
};

static const struct name madvise_advice[] = {
    {0, "MADV_NORMAL"},		 {1, "MADV_RANDOM"},
    {2, "MADV_SEQUENTIAL"},	 {3, "MADV_WILLNEED"},
    {4, "MADV_DONTNEED"},	 {8, "MADV_FREE"},
    {9, "MADV_REMOVE"},		 {10, "MADV_DONTFORK"},
    {11, "MADV_DOFORK"},	 {12, "MADV_MERGEABLE"},
    {13, "MADV_UNMERGEABLE"},	 {14, "MADV_HUGEPAGE"},
    {15, "MADV_NOHUGEPAGE"},	 {16, "MADV_DONTDUMP"},
    {17, "MADV_DODUMP"},	 {18, "MADV_WIPEONFORK"},
    {19, "MADV_KEEPONFORK"},	 {20, "MADV_COLD"},
    {21, "MADV_PAGEOUT"},	 {22, "MADV_POPULATE_READ"},
    {23, "MADV_POPULATE_WRITE"}, {24, "MADV_DONTNEED_LOCKED"},
    {25, "MADV_COLLAPSE"},	 {100, "MADV_HWPOISON"},
    {101, "MADV_SOFT_OFFLINE"},
};

static const struct flag mfd_flags[] = {
    {1, "MFD_CLOEXEC"},	    {2, "MFD_ALLOW_SEALING"}, {4, "MFD_HUGETLB"},
    {8, "MFD_NOEXEC_SEAL"}, {0x10, "MFD_EXEC"},
};

/* CLONE_NEWTIME and the 64-bit flags exist only in clone3's flags. */
static const struct flag clone_flags[] = {
    {0x100, "CLONE_VM"},
    {0x200, "CLONE_FS"},
    {0x400, "CLONE_FILES"},
    {0x800, "CLONE_SIGHAND"},
    {0x1000, "CLONE_PIDFD"},
    {0x2000, "CLONE_PTRACE"},
    {0x4000, "CLONE_VFORK"},
    {0x8000, "CLONE_PARENT"},
    {0x10000, "CLONE_THREAD"},
    {0x20000, "CLONE_NEWNS"},
    {0x40000, "CLONE_SYSVSEM"},
    {0x80000, "CLONE_SETTLS"},
    {0x100000, "CLONE_PARENT_SETTID"},
    {0x200000, "CLONE_CHILD_CLEARTID"},
    {0x400000, "CLONE_DETACHED"},
    {0x800000, "CLONE_UNTRACED"},
    {0x1000000, "CLONE_CHILD_SETTID"},
    {0x2000000, "CLONE_NEWCGROUP"},
    {0x4000000, "CLONE_NEWUTS"},
    {0x8000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},
    {0x80000000UL, "CLONE_IO"},
    {0x100000000UL, "CLONE_CLEAR_SIGHAND"},
    {0x200000000UL, "CLONE_INTO_CGROUP"},
    {0x80, "CLONE_NEWTIME"},
};

static const char *const families[] = {
    "AF_UNSPEC",    "AF_UNIX",	     "AF_INET",	   "AF_AX25",	 "AF_IPX",
    "AF_APPLETALK", "AF_NETROM",     "AF_BRIDGE",  "AF_ATMPVC",	 "AF_X25",
    "AF_INET6",	    "AF_ROSE",	     "AF_DECnet",  "AF_NETBEUI", "AF_SECURITY",
    "AF_KEY",	    "AF_NETLINK",    "AF_PACKET",  "AF_ASH",	 "AF_ECONET",
    "AF_ATMSVC",    "AF_RDS",	     "AF_SNA",	   "AF_IRDA",	 "AF_PPPOX",
    "AF_WANPIPE",   "AF_LLC",	     "AF_IB",	   "AF_MPLS",	 "AF_CAN",
    "AF_TIPC",	    "AF_BLUETOOTH",  "AF_IUCV",	   "AF_RXRPC",	 "AF_ISDN",
    "AF_PHONET",    "AF_IEEE802154", "AF_CAIF",	   "AF_ALG",	 "AF_NFC",
    "AF_VSOCK",	    "AF_KCM",	     "AF_QIPCRTR", "AF_SMC",	 "AF_XDP",
    "AF_MCTP",
};

static void put_family(struct out *o, unsigned long v)
{
	if (v < ARRAY_LEN(families))
		put_str(o, families[v]);
	else
		put_udec(o, v);
}

static const struct name sock_types[] = {
    {1, "SOCK_STREAM"},	 {2, "SOCK_DGRAM"},	{3, "SOCK_RAW"},
    {4, "SOCK_RDM"},	 {5, "SOCK_SEQPACKET"}, {6, "SOCK_DCCP"},
    {10, "SOCK_PACKET"},
};

static void put_sock_type(struct out *o, unsigned long v)
{
	PUT_ENUM(o, sock_types, (long)(v & 0xf), false);
	v &= ~0xfUL;
	if (v) {
		put_char(o, '|');
		PUT_FLAGS(o, sock_flags, v, NULL);
	}
}

static const char *const signals[32] = {
    NULL,      "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP",
    "SIGABRT", "SIGBUS",  "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV",
    "SIGUSR2", "SIGPIPE", "SIGALRM",   "SIGTERM", "SIGSTKFLT", "SIGCHLD",
    "SIGCONT", "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU",   "SIGURG",
    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGIO",
    "SIGPWR",  "SIGSYS",
};

/* SIGRT_n counts from the kernel's first real-time signal, 32, as strace. */
static void put_signal(struct out *o, long v)
{
	if (v > 0 && v < 32) {
		put_str(o, signals[v]);
	} else if (v >= 32 && v <= 64) {
		put_str(o, "SIGRT_");
		put_dec(o, v - 32);
	} else {
		put_dec(o, v);
	}
}

/* A signal set as strace shows it: [INT TERM], or ~[...] when mostly full. */
static void put_sigset_bits(struct out *o, unsigned long set)
{
	int count = 0;
	for (int i = 0; i < 64; i++)
		count += (int)((set >> i) & 1);
	if (count > 32) {
		put_char(o, '~');
		set = ~set;
	}
	put_char(o, '[');
	bool any = false;
	for (int i = 0; i < 64; i++) {
		if (!((set >> i) & 1))
			continue;
		if (any)
			put_char(o, ' ');
		any = true;
		if (i + 1 < 32) {
			put_str(o, signals[i + 1] + 3);
		} else {
			put_str(o, "RT_");
			put_dec(o, i + 1 - 32);
		}
	}
	put_char(o, ']');
}

static const struct flag sa_flags[] = {
    {0x1, "SA_NOCLDSTOP"},	{0x2, "SA_NOCLDWAIT"},
    {0x4, "SA_SIGINFO"},	{0x04000000, "SA_RESTORER"},
    {0x08000000, "SA_ONSTACK"}, {0x10000000, "SA_RESTART"},
    {0x40000000, "SA_NODEFER"}, {0x80000000UL, "SA_RESETHAND"},
};

static const struct name sig_how[] = {
    {0, "SIG_BLOCK"},
    {1, "SIG_UNBLOCK"},
    {2, "SIG_SETMASK"},
};

static const struct flag wait_options[] = {
    {1, "WNOHANG"},	    {2, "WSTOPPED"},
    {4, "WEXITED"},	    {8, "WCONTINUED"},
    {0x1000000, "WNOWAIT"}, {0x20000000, "__WNOTHREAD"},
    {0x40000000, "__WALL"}, {0x80000000UL, "__WCLONE"},
};

enum {
	F_DUPFD_ = 0,
	F_GETFD_ = 1,
	F_SETFD_ = 2,
	F_GETFL_ = 3,
	F_SETFL_ = 4,
	F_GETOWN_ = 9,
	F_GETSIG_ = 11,
	F_GETLEASE_ = 1025,
	F_DUPFD_CLOEXEC_ = 1030,
	F_GETPIPE_SZ_ = 1032,
	F_GET_SEALS_ = 1034,
};

static const struct name fcntl_cmds[] = {
    {0, "F_DUPFD"},	    {1, "F_GETFD"},	    {2, "F_SETFD"},
    {3, "F_GETFL"},	    {4, "F_SETFL"},	    {5, "F_GETLK"},
    {6, "F_SETLK"},	    {7, "F_SETLKW"},	    {8, "F_SETOWN"},
    {9, "F_GETOWN"},	    {10, "F_SETSIG"},	    {11, "F_GETSIG"},
    {15, "F_SETOWN_EX"},    {16, "F_GETOWN_EX"},    {36, "F_OFD_GETLK"},
    {37, "F_OFD_SETLK"},    {38, "F_OFD_SETLKW"},   {1024, "F_SETLEASE"},
    {1025, "F_GETLEASE"},   {1026, "F_NOTIFY"},	    {1030, "F_DUPFD_CLOEXEC"},
    {1031, "F_SETPIPE_SZ"}, {1032, "F_GETPIPE_SZ"}, {1033, "F_ADD_SEALS"},
    {1034, "F_GET_SEALS"},
};

/* fcntl's third argument: omitted for the F_GET* commands, as strace does. */
static bool fcntl_arg_shown(long cmd)
{
	return cmd != F_GETFD_ && cmd != F_GETFL_ && cmd != F_GETOWN_ &&
	       cmd != F_GETSIG_ && cmd != F_GETLEASE_ && cmd != F_GETPIPE_SZ_ &&
	       cmd != F_GET_SEALS_;
}

static void put_fcntl_arg(struct out *o, long cmd, long v)
{
	if (cmd == F_SETFD_ && v == 1)
		put_str(o, "FD_CLOEXEC");
	else if (cmd == F_SETFL_)
		put_open_flags(o, (unsigned long)v);
	else if (cmd >= 5 && cmd <= 7)
		put_ptr(o, (unsigned long)v);
	else if (cmd == F_DUPFD_ || cmd == F_DUPFD_CLOEXEC_)
		put_dec(o, (int)v);
	else
		put_hex(o, (unsigned long)v);
}

static const struct name ioctl_cmds[] = {
    {0x5401, "TCGETS"},	    {0x5402, "TCSETS"},	    {0x5403, "TCSETSW"},
    {0x5404, "TCSETSF"},    {0x540f, "TIOCGPGRP"},  {0x5410, "TIOCSPGRP"},
    {0x5413, "TIOCGWINSZ"}, {0x5414, "TIOCSWINSZ"}, {0x541b, "FIONREAD"},
    {0x5421, "FIONBIO"},    {0x5450, "FIONCLEX"},   {0x5451, "FIOCLEX"},
    {0x5452, "FIOASYNC"},
};

static const struct flag flock_ops[] = {
    {1, "LOCK_SH"},
    {2, "LOCK_EX"},
    {4, "LOCK_NB"},
    {8, "LOCK_UN"},
};

static const struct name whences[] = {
    {0, "SEEK_SET"},  {1, "SEEK_CUR"},	{2, "SEEK_END"},
    {3, "SEEK_DATA"}, {4, "SEEK_HOLE"},
};

static const struct name clocks[] = {
    {0, "CLOCK_REALTIME"},
    {1, "CLOCK_MONOTONIC"},
    {2, "CLOCK_PROCESS_CPUTIME_ID"},
    {3, "CLOCK_THREAD_CPUTIME_ID"},
    {4, "CLOCK_MONOTONIC_RAW"},
    {5, "CLOCK_REALTIME_COARSE"},
    {6, "CLOCK_MONOTONIC_COARSE"},
    {7, "CLOCK_BOOTTIME"},
    {8, "CLOCK_REALTIME_ALARM"},
    {9, "CLOCK_BOOTTIME_ALARM"},
    {11, "CLOCK_TAI"},
};

static const struct name futex_cmds[] = {
    {0, "FUTEX_WAIT"},
    {1, "FUTEX_WAKE"},
    {2, "FUTEX_FD"},
    {3, "FUTEX_REQUEUE"},
    {4, "FUTEX_CMP_REQUEUE"},
    {5, "FUTEX_WAKE_OP"},
    {6, "FUTEX_LOCK_PI"},
    {7, "FUTEX_UNLOCK_PI"},
    {8, "FUTEX_TRYLOCK_PI"},
    {9, "FUTEX_WAIT_BITSET"},
    {10, "FUTEX_WAKE_BITSET"},
    {11, "FUTEX_WAIT_REQUEUE_PI"},
    {12, "FUTEX_CMP_REQUEUE_PI"},
    {13, "FUTEX_LOCK_PI2"},
};

#define FUTEX_PRIVATE_FLAG_   128
#define FUTEX_CLOCK_REALTIME_ 256

static void put_futex_op(struct out *o, unsigned long v)
{
	const char *cmd =
	    lookup(futex_cmds, ARRAY_LEN(futex_cmds), (long)(v & 127));
	if (!cmd) {
		put_hex(o, v);
		return;
	}
	put_str(o, cmd);
	if (v & FUTEX_PRIVATE_FLAG_)
		put_str(o, "_PRIVATE");
	if (v & FUTEX_CLOCK_REALTIME_)
		put_str(o, "|FUTEX_CLOCK_REALTIME");
	v &= ~(127UL | FUTEX_PRIVATE_FLAG_ | FUTEX_CLOCK_REALTIME_);
	if (v) {
		put_char(o, '|');
		put_hex(o, v);
	}
}

static const struct name prctl_ops[] = {
    {1, "PR_SET_PDEATHSIG"},
    {2, "PR_GET_PDEATHSIG"},
    {3, "PR_GET_DUMPABLE"},
    {4, "PR_SET_DUMPABLE"},
    {7, "PR_GET_KEEPCAPS"},
    {8, "PR_SET_KEEPCAPS"},
    {15, "PR_SET_NAME"},
    {16, "PR_GET_NAME"},
    {21, "PR_GET_SECCOMP"},
    {22, "PR_SET_SECCOMP"},
    {23, "PR_CAPBSET_READ"},
    {24, "PR_CAPBSET_DROP"},
    {29, "PR_SET_TIMERSLACK"},
    {30, "PR_GET_TIMERSLACK"},
    {35, "PR_SET_MM"},
    {36, "PR_SET_CHILD_SUBREAPER"},
    {37, "PR_GET_CHILD_SUBREAPER"},
    {38, "PR_SET_NO_NEW_PRIVS"},
    {39, "PR_GET_NO_NEW_PRIVS"},
    {40, "PR_GET_TID_ADDRESS"},
    {41, "PR_SET_THP_DISABLE"},
    {42, "PR_GET_THP_DISABLE"},
    {47, "PR_CAP_AMBIENT"},
    {52, "PR_GET_SPECULATION_CTRL"},
    {53, "PR_SET_SPECULATION_CTRL"},
    {0x53564d41, "PR_SET_VMA"},
};

static const struct name arch_prctl_codes[] = {
    {0x1001, "ARCH_SET_GS"},
    {0x1002, "ARCH_SET_FS"},
    {0x1003, "ARCH_GET_FS"},
    {0x1004, "ARCH_GET_GS"},
    {0x1011, "ARCH_GET_CPUID"},
    {0x1012, "ARCH_SET_CPUID"},
    {0x1021, "ARCH_GET_XCOMP_SUPP"},
    {0x1022, "ARCH_GET_XCOMP_PERM"},
    {0x1023, "ARCH_REQ_XCOMP_PERM"},
    {0x1024, "ARCH_GET_XCOMP_GUEST_PERM"},
    {0x1025, "ARCH_REQ_XCOMP_GUEST_PERM"},
    {0x2001, "ARCH_MAP_VDSO_X32"},
    {0x2002, "ARCH_MAP_VDSO_32"},
    {0x2003, "ARCH_MAP_VDSO_64"},
    {0x5001, "ARCH_SHSTK_ENABLE"},
    {0x5002, "ARCH_SHSTK_DISABLE"},
};

static const struct name rlimits[] = {
    {0, "RLIMIT_CPU"},	     {1, "RLIMIT_FSIZE"},  {2, "RLIMIT_DATA"},
    {3, "RLIMIT_STACK"},     {4, "RLIMIT_CORE"},   {5, "RLIMIT_RSS"},
    {6, "RLIMIT_NPROC"},     {7, "RLIMIT_NOFILE"}, {8, "RLIMIT_MEMLOCK"},
    {9, "RLIMIT_AS"},	     {10, "RLIMIT_LOCKS"}, {11, "RLIMIT_SIGPENDING"},
    {12, "RLIMIT_MSGQUEUE"}, {13, "RLIMIT_NICE"},  {14, "RLIMIT_RTPRIO"},
    {15, "RLIMIT_RTTIME"},
};

static const struct name epoll_ops[] = {
    {1, "EPOLL_CTL_ADD"},
    {2, "EPOLL_CTL_DEL"},
    {3, "EPOLL_CTL_MOD"},
};

static const struct flag resolve_flags[] = {
    {0x01, "RESOLVE_NO_XDEV"},	   {0x02, "RESOLVE_NO_MAGICLINKS"},
    {0x04, "RESOLVE_NO_SYMLINKS"}, {0x08, "RESOLVE_BENEATH"},
    {0x10, "RESOLVE_IN_ROOT"},	   {0x20, "RESOLVE_CACHED"},
};

/* ---- memory ---- */

static bool mem_read(const struct syscalls_mem *m, unsigned long addr,
		     void *dst, size_t len)
{
	if (!m || !m->read_mem || addr == 0 || addr + len < addr)
		return false;
	return m->read_mem(m->ctx, (uintptr_t)addr, dst, len);
}

static bool mem_word(const struct syscalls_mem *m, unsigned long addr,
		     unsigned long *v)
{
	return mem_read(m, addr, v, sizeof *v);
}

/*
 * Reads the NUL-terminated string at addr into dst (limit + 1 bytes), in
 * chunks that never cross a page, so a string ending just before an unmapped
 * page still reads. Returns the bytes read before the NUL, at most limit, and
 * sets *cut if the NUL was not reached; -1 if the first byte is unreadable.
 */
static long read_cstr(const struct syscalls_mem *m, unsigned long addr,
		      unsigned char *dst, size_t limit, bool *cut)
{
	size_t got = 0;
	*cut = true;
	while (got < limit + 1) {
		unsigned long a = addr + got;
		size_t chunk = 64 - (a & 63);
		if (chunk > limit + 1 - got)
			chunk = limit + 1 - got;
		/*
		 * A reader may map less than whole pages: on a refused chunk,
		 * go on byte by byte up to the first unreadable one.
		 */
		if (!mem_read(m, a, dst + got, chunk)) {
			chunk = 1;
			if (!mem_read(m, a, dst + got, chunk))
				return got ? (long)got : -1;
		}
		for (size_t i = 0; i < chunk; i++) {
			if (dst[got + i] == '\0') {
				*cut = false;
				return (long)(got + i);
			}
		}
		got += chunk;
	}
	return (long)limit;
}

/*
 * Printable ASCII as is, the usual C escapes, anything else in octal: the
 * shortest form unless an octal digit follows, as strace does.
 */
static void put_escaped(struct out *o, const unsigned char *s, size_t n)
{
	put_char(o, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		switch (c) {
		case '"':
			put_str(o, "\\\"");
			continue;
		case '\\':
			put_str(o, "\\\\");
			continue;
		case '\n':
			put_str(o, "\\n");
			continue;
		case '\t':
			put_str(o, "\\t");
			continue;
		case '\r':
			put_str(o, "\\r");
			continue;
		case '\v':
			put_str(o, "\\v");
			continue;
		case '\f':
			put_str(o, "\\f");
			continue;
		default:
			break;
		}
		if (c >= 0x20 && c < 0x7f) {
			put_char(o, (char)c);
			continue;
		}
		bool digit_next =
		    i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7';
		put_char(o, '\\');
		if (c >= 0100 || digit_next)
			put_char(o, (char)('0' + (c >> 6)));
		if (c >= 010 || digit_next)
			put_char(o, (char)('0' + ((c >> 3) & 7)));
		put_char(o, (char)('0' + (c & 7)));
	}
	put_char(o, '"');
}

/* A string argument: "text", "text"... when longer, or the bare address. */
static void put_cstr(struct out *o, const struct syscalls_mem *m,
		     unsigned long addr)
{
	unsigned char s[SYSCALLS_STR_LIMIT + 1];
	if (addr == 0) {
		put_str(o, "NULL");
		return;
	}
	bool cut;
	long n = read_cstr(m, addr, s, SYSCALLS_STR_LIMIT, &cut);
	if (n < 0) {
		put_hex(o, addr);
		return;
	}
	put_escaped(o, s, (size_t)n);
	if (cut)
		put_str(o, "...");
}

/* `len` bytes of data at addr, the first SYSCALLS_BUF_LIMIT of them shown. */
static void put_buffer(struct out *o, const struct syscalls_mem *m,
		       unsigned long addr, unsigned long len)
{
	unsigned char s[SYSCALLS_BUF_LIMIT];
	size_t n = len < sizeof s ? (size_t)len : sizeof s;
	if (addr == 0) {
		put_str(o, "NULL");
		return;
	}
	if (n == 0) {
		put_str(o, "\"\"");
		return;
	}
	if (!mem_read(m, addr, s, n)) {
		put_hex(o, addr);
		return;
	}
	put_escaped(o, s, n);
	if (len > n)
		put_str(o, "...");
}

/* struct iovec[count], the first four shown. */
static void put_iov(struct out *o, const struct syscalls_mem *m,
		    unsigned long addr, long count)
{
	unsigned long iov[2];
	if (count <= 0 || !mem_read(m, addr, iov, sizeof iov)) {
		put_ptr(o, addr);
		return;
	}
	put_char(o, '[');
	for (long i = 0; i < count; i++) {
		if (i)
			put_str(o, ", ");
		if (i == 4) {
			put_str(o, "...");
			break;
		}
		if (i && !mem_read(m, addr + (unsigned long)i * sizeof iov, iov,
				   sizeof iov)) {
			put_str(o, "...");
			break;
		}
		put_str(o, "{iov_base=");
		put_buffer(o, m, iov[0], iov[1]);
		put_str(o, ", iov_len=");
		put_udec(o, iov[1]);
		put_char(o, '}');
	}
	put_char(o, ']');
}

/* A NULL-terminated array of strings: ["ls", "-l"]. */
static void put_argv(struct out *o, const struct syscalls_mem *m,
		     unsigned long addr)
{
	unsigned long p;
	if (!mem_word(m, addr, &p)) {
		put_ptr(o, addr);
		return;
	}
	put_char(o, '[');
	for (int i = 0; p; i++) {
		if (i)
			put_str(o, ", ");
		if (i == SYSCALLS_ARGV_LIMIT) {
			put_str(o, "...");
			break;
		}
		put_cstr(o, m, p);
		if (!mem_word(m, addr + (unsigned long)(i + 1) * sizeof p,
			      &p)) {
			put_str(o, ", ...");
			break;
		}
	}
	put_char(o, ']');
}

/* The environment as strace shows it: its address and how many entries. */
static void put_envp(struct out *o, const struct syscalls_mem *m,
		     unsigned long addr)
{
	long n = 0;
	put_ptr(o, addr);
	for (;;) {
		unsigned long p;
		if (n == 100000 ||
		    !mem_word(m, addr + (unsigned long)n * sizeof p, &p))
			return;
		if (p == 0)
			break;
		n++;
	}
	put_str(o, " /* ");
	put_dec(o, n);
	put_str(o, n == 1 ? " var */" : " vars */");
}

/* struct kernel_sigaction: handler, flags, restorer, mask. */
static void put_sigaction(struct out *o, const struct syscalls_mem *m,
			  unsigned long addr)
{
	unsigned long sa[4];
	if (!mem_read(m, addr, sa, sizeof sa)) {
		put_ptr(o, addr);
		return;
	}
	put_str(o, "{sa_handler=");
	if (sa[0] == 0)
		put_str(o, "SIG_DFL");
	else if (sa[0] == 1)
		put_str(o, "SIG_IGN");
	else
		put_hex(o, sa[0]);
	put_str(o, ", sa_mask=");
	put_sigset_bits(o, sa[3]);
	put_str(o, ", sa_flags=");
	PUT_FLAGS(o, sa_flags, sa[1], NULL);
	if (sa[1] & 0x04000000) {
		put_str(o, ", sa_restorer=");
		put_ptr(o, sa[2]);
	}
	put_char(o, '}');
}

static void put_sigset(struct out *o, const struct syscalls_mem *m,
		       unsigned long addr)
{
	unsigned long set;
	if (!mem_word(m, addr, &set))
		put_ptr(o, addr);
	else
		put_sigset_bits(o, set);
}

static void put_timespec(struct out *o, const struct syscalls_mem *m,
			 unsigned long addr)
{
	long ts[2];
	if (!mem_read(m, addr, ts, sizeof ts)) {
		put_ptr(o, addr);
		return;
	}
	put_str(o, "{tv_sec=");
	put_dec(o, ts[0]);
	put_str(o, ", tv_nsec=");
	put_dec(o, ts[1]);
	put_char(o, '}');
}

static void put_ipv4(struct out *o, const unsigned char *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			put_char(o, '.');
		put_udec(o, a[i]);
	}
}

/* AF_UNIX paths, AF_INET and AF_INET6 ports and addresses, others' family. */
static void put_sockaddr(struct out *o, const struct syscalls_mem *m,
			 unsigned long addr, long len)
{
	unsigned char sa[110]; /* sizeof(struct sockaddr_un) */
	size_t n =
	    len > 0 && (unsigned long)len < sizeof sa ? (size_t)len : sizeof sa;
	if (len < 2 || !mem_read(m, addr, sa, n)) {
		put_ptr(o, addr);
		return;
	}
	unsigned family = sa[0] | (unsigned)sa[1] << 8;
	unsigned port = (unsigned)sa[2] << 8 | sa[3];
	put_str(o, "{sa_family=");
	put_family(o, family);
	if (family == 1) {
		size_t end = 2;
		while (end < n && sa[end])
			end++;
		put_str(o, ", sun_path=");
		if (n > 2 && sa[2] == '\0') {
			/* abstract: the name is every byte after the NUL */
			put_char(o, '@');
			put_escaped(o, sa + 3, n - 3);
		} else {
			put_escaped(o, sa + 2, end - 2);
		}
	} else if (family == 2 && n >= 8) {
		put_str(o, ", sin_port=htons(");
		put_udec(o, port);
		put_str(o, "), sin_addr=inet_addr(\"");
		put_ipv4(o, sa + 4);
		put_str(o, "\")");
	} else if (family == 10 && n >= 24) {
		static const char xdigits[] = "0123456789abcdef";
		put_str(o, ", sin6_port=htons(");
		put_udec(o, port);
		put_str(o, "), sin6_addr=\"");
		for (int i = 0; i < 8; i++) {
			unsigned g =
			    (unsigned)sa[8 + 2 * i] << 8 | sa[9 + 2 * i];
			bool lead = true;
			if (i)
				put_char(o, ':');
			for (int sh = 12; sh >= 0; sh -= 4) {
				unsigned d = (g >> sh) & 0xf;
				if (lead && d == 0 && sh)
					continue;
				lead = false;
				put_char(o, xdigits[d]);
			}
		}
		put_char(o, '"');
	} else {
		put_str(o, ", ...");
	}
	put_char(o, '}');
}

/* struct clone_args: the fields that say what the child gets. */
static void put_clone_args(struct out *o, const struct syscalls_mem *m,
			   unsigned long addr, unsigned long size)
{
	unsigned long ca[8]; /* flags pidfd child_tid parent_tid exit_signal
				stack stack_size tls */
	if (size < sizeof ca || !mem_read(m, addr, ca, sizeof ca)) {
		put_ptr(o, addr);
		return;
	}
	put_str(o, "{flags=");
	PUT_FLAGS(o, clone_flags, ca[0], NULL);
	put_str(o, ", exit_signal=");
	put_signal(o, (long)ca[4]);
	put_str(o, ", stack=");
	put_ptr(o, ca[5]);
	put_str(o, ", stack_size=");
	put_hex(o, ca[6]);
	if (ca[0] & 0x80000) {
		put_str(o, ", tls=");
		put_ptr(o, ca[7]);
	}
	put_char(o, '}');
}

static void put_open_how(struct out *o, const struct syscalls_mem *m,
			 unsigned long addr, unsigned long size)
{
	unsigned long how[3]; /* flags mode resolve */
	if (size < sizeof how || !mem_read(m, addr, how, sizeof how)) {
		put_ptr(o, addr);
		return;
	}
	put_str(o, "{flags=");
	put_open_flags(o, how[0]);
	if (creates(how[0]) || how[1]) {
		put_str(o, ", mode=");
		put_oct(o, how[1]);
	}
	put_str(o, ", resolve=");
	PUT_FLAGS(o, resolve_flags, how[2], NULL);
	put_char(o, '}');
}

/*
 * Entries in a getdents buffer: d_reclen is at offset 16 in both layouts.
 * The buffer is read in windows, not one read per entry: a directory
 * listing holds hundreds of entries.
 */
static void put_dirents(struct out *o, const struct syscalls_mem *m,
			unsigned long addr, long len)
{
	unsigned char win[512];
	unsigned long win_off = 0, win_len = 0;
	unsigned long off = 0, end = len > 0 ? (unsigned long)len : 0;
	long count = 0;
	while (off + 18 <= end) {
		if (off + 18 > win_off + win_len) {
			win_off = off;
			win_len =
			    end - off < sizeof win ? end - off : sizeof win;
			if (!mem_read(m, addr + off, win, win_len)) {
				put_hex(o, addr);
				return;
			}
		}
		unsigned reclen = win[off - win_off + 16] |
				  (unsigned)win[off - win_off + 17] << 8;
		if (reclen == 0)
			break;
		count++;
		off += reclen;
	}
	put_str(o, "/* ");
	put_dec(o, count);
	put_str(o, count == 1 ? " entry */" : " entries */");
}

static void put_fds(struct out *o, const struct syscalls_mem *m,
		    unsigned long addr)
{
	int fds[2];
	if (!mem_read(m, addr, fds, sizeof fds)) {
		put_ptr(o, addr);
		return;
	}
	put_char(o, '[');
	put_dec(o, fds[0]);
	put_str(o, ", ");
	put_dec(o, fds[1]);
	put_char(o, ']');
}

static void put_wstatus(struct out *o, const struct syscalls_mem *m,
			unsigned long addr)
{
	int s;
	if (!mem_read(m, addr, &s, sizeof s)) {
		put_ptr(o, addr);
		return;
	}
	int sig = s & 0x7f;
	if (sig == 0) {
		put_str(o, "[{WIFEXITED(s) && WEXITSTATUS(s) == ");
		put_dec(o, (s >> 8) & 0xff);
		put_str(o, "}]");
	} else if (s == 0xffff) {
		put_str(o, "[{WIFCONTINUED(s)}]");
	} else if (sig == 0x7f) {
		put_str(o, "[{WIFSTOPPED(s) && WSTOPSIG(s) == ");
		put_signal(o, (s >> 8) & 0xff);
		put_str(o, "}]");
	} else {
		put_str(o, "[{WIFSIGNALED(s) && WTERMSIG(s) == ");
		put_signal(o, sig);
		put_str(o, s & 0x80 ? " && WCOREDUMP(s)}]" : "}]");
	}
}

/* ---- the generic loop ---- */

static bool is_out_type(unsigned char type)
{
	return type == A_BUF_OUT || type == A_STR_OUT || type == A_DIRENTS ||
	       type == A_FDS_OUT || type == A_WSTATUS;
}

/* Whether argument i of a call is shown at all (strace drops some). */
static bool arg_shown(unsigned char type, const long *args, int i)
{
	if (type == A_IGNORED)
		return false;
	if (type == A_OPEN_MODE)
		return i > 0 && creates((unsigned long)args[i - 1]);
	if (type == A_FCNTL_ARG)
		return i > 0 && fcntl_arg_shown(args[i - 1]);
	return true;
}

static void put_arg(struct out *o, unsigned char type, const long *args, int i,
		    const struct syscalls_mem *m)
{
	long v = args[i];
	unsigned long u = (unsigned long)v;
	long next = i + 1 < 6 ? args[i + 1] : 0;
	long prev = i > 0 ? args[i - 1] : 0;
	switch ((enum syscalls_type)type) {
	case A_INT:
	case A_FD:
	case A_PID:
		put_dec(o, (int)v);
		break;
	case A_UINT:
		put_udec(o, (unsigned int)u);
		break;
	case A_LONG:
	case A_OFF:
		put_dec(o, v);
		break;
	case A_ULONG:
	case A_SIZE:
		put_udec(o, u);
		break;
	case A_UID:
		if ((unsigned int)u == (unsigned int)-1)
			put_str(o, "-1");
		else
			put_udec(o, (unsigned int)u);
		break;
	case A_DIRFD:
		if ((int)v == -100)
			put_str(o, "AT_FDCWD");
		else
			put_dec(o, (int)v);
		break;
	case A_MODE:
	case A_OPEN_MODE:
		put_oct(o, u);
		break;
	case A_PATH:
	case A_STR:
		put_cstr(o, m, u);
		break;
	case A_BUF_IN:
		put_buffer(o, m, u, (unsigned long)next);
		break;
	case A_IOV_IN:
		put_iov(o, m, u, next);
		break;
	case A_ARGV:
		put_argv(o, m, u);
		break;
	case A_ENVP:
		put_envp(o, m, u);
		break;
	case A_SIGACTION:
		put_sigaction(o, m, u);
		break;
	case A_SIGSET:
		put_sigset(o, m, u);
		break;
	case A_TIMESPEC:
		put_timespec(o, m, u);
		break;
	case A_SOCKADDR:
		put_sockaddr(o, m, u, next);
		break;
	case A_CLONE_ARGS:
		put_clone_args(o, m, u, (unsigned long)next);
		break;
	case A_OPEN_HOW:
		put_open_how(o, m, u, (unsigned long)next);
		break;
	case A_OFLAGS:
		put_open_flags(o, u);
		break;
	case A_FD_FLAGS:
		PUT_FLAGS(o, fd_flags, u, NULL);
		break;
	case A_SOCK_FLAGS:
		PUT_FLAGS(o, sock_flags, u, NULL);
		break;
	case A_AT_FLAGS:
		PUT_FLAGS(o, at_flags, u, NULL);
		break;
	case A_UNLINKAT_FLAGS:
		PUT_FLAGS(o, unlinkat_flags, u, NULL);
		break;
	case A_ACCESS_FLAGS:
		PUT_FLAGS(o, access_at_flags, u, NULL);
		break;
	case A_STATX_FLAGS:
		PUT_FLAGS(o, at_flags, u, "AT_STATX_SYNC_AS_STAT");
		break;
	case A_STATX_MASK:
		PUT_FLAGS(o, statx_mask, u, NULL);
		break;
	case A_ACCESS:
		PUT_FLAGS(o, access_modes, u, "F_OK");
		break;
	case A_PROT:
		PUT_FLAGS(o, prot_flags, u, "PROT_NONE");
		break;
	case A_MMAP_FLAGS:
		put_mmap_flags(o, u);
		break;
	case A_MREMAP_FLAGS:
		PUT_FLAGS(o, mremap_flags, u, NULL);
		break;
	case A_MSYNC_FLAGS:
		PUT_FLAGS(o, msync_flags, u, NULL);
		break;
	case A_MADVISE:
		PUT_ENUM(o, madvise_advice, v, false);
		break;
	case A_MFD_FLAGS:
		PUT_FLAGS(o, mfd_flags, u, NULL);
		break;
	case A_CLONE_FLAGS:
		/* clone's low byte is the exit signal, not a flag */
		PUT_FLAGS(o, clone_flags, u & ~0xffUL, NULL);
		if (u & 0xff) {
			if (u & ~0xffUL)
				put_char(o, '|');
			put_signal(o, (long)(u & 0xff));
		}
		break;
	case A_FAMILY:
		put_family(o, u);
		break;
	case A_SOCKTYPE:
		put_sock_type(o, u);
		break;
	case A_SIGNAL:
		put_signal(o, (int)v);
		break;
	case A_SIGHOW:
		PUT_ENUM(o, sig_how, v, false);
		break;
	case A_WAIT_OPTIONS:
		PUT_FLAGS(o, wait_options, u, NULL);
		break;
	case A_FCNTL_CMD:
		PUT_ENUM(o, fcntl_cmds, (int)v, false);
		break;
	case A_FCNTL_ARG:
		put_fcntl_arg(o, prev, v);
		break;
	case A_IOCTL_CMD:
		PUT_ENUM(o, ioctl_cmds, (long)(unsigned int)u, true);
		break;
	case A_FLOCK:
		PUT_FLAGS(o, flock_ops, u, NULL);
		break;
	case A_WHENCE:
		PUT_ENUM(o, whences, (int)v, false);
		break;
	case A_CLOCK:
		PUT_ENUM(o, clocks, (int)v, false);
		break;
	case A_FUTEX_OP:
		put_futex_op(o, (unsigned int)u);
		break;
	case A_PRCTL_OP:
		PUT_ENUM(o, prctl_ops, (int)v, false);
		break;
	case A_ARCH_PRCTL:
		PUT_ENUM(o, arch_prctl_codes, (int)v, true);
		break;
	case A_RLIMIT:
		PUT_ENUM(o, rlimits, (int)v, false);
		break;
	case A_EPOLL_OP:
		PUT_ENUM(o, epoll_ops, (int)v, false);
		break;
	case A_PTR:
	case A_BUF_OUT:
	case A_STR_OUT:
	case A_DIRENTS:
	case A_FDS_OUT:
	case A_WSTATUS:
		put_ptr(o, u);
		break;
	case A_HEX:
	case A_IGNORED:
	case A_NORET:
	case A_TYPE_COUNT:
		put_hex(o, u);
		break;
	}
}

size_t syscalls_format_call(char *buf, size_t size, long nr, const long args[6],
			    const struct syscalls_mem *mem)
{
	struct out o = {buf, size, 0, false};
	const struct syscalls_sig *sig = syscalls_sig(nr);
	if (!sig) {
		put_str(&o, "syscall_");
		put_dec(&o, nr);
		put_char(&o, '(');
		for (int i = 0; i < 6; i++) {
			if (i)
				put_str(&o, ", ");
			put_hex(&o, (unsigned long)args[i]);
		}
		put_char(&o, ')');
		return finish(&o);
	}
	put_str(&o, sig->name);
	put_char(&o, '(');
	bool any = false;
	for (int i = 0; i < sig->nargs; i++) {
		unsigned char type = sig->types[i + 1];
		if (!arg_shown(type, args, i))
			continue;
		if (any)
			put_str(&o, ", ");
		any = true;
		put_arg(&o, type, args, i, mem);
	}
	put_char(&o, ')');
	return finish(&o);
}

static void put_out_arg(struct out *o, unsigned char type, unsigned long addr,
			long result, const struct syscalls_mem *m)
{
	switch (type) {
	case A_BUF_OUT:
		put_buffer(o, m, addr, (unsigned long)result);
		break;
	case A_STR_OUT:
		put_cstr(o, m, addr);
		break;
	case A_DIRENTS:
		put_dirents(o, m, addr, result);
		break;
	case A_FDS_OUT:
		put_fds(o, m, addr);
		break;
	case A_WSTATUS:
		put_wstatus(o, m, addr);
		break;
	default:
		break;
	}
}

size_t syscalls_format_result(char *buf, size_t size, long nr,
			      const long args[6], long result,
			      const struct syscalls_mem *mem)
{
	struct out o = {buf, size, 0, false};
	const struct syscalls_sig *sig = syscalls_sig(nr);
	unsigned char type = sig ? sig->types[0] : A_LONG;
	put_str(&o, "= ");
	if (type == A_NORET) {
		put_char(&o, '?');
		return finish(&o);
	}
	if ((unsigned long)result > -MAX_ERRNO - 1) {
		int e = (int)-result;
		const char *name = syscalls_errno_name(e);
		put_str(&o, "-1 ");
		if (name) {
			put_str(&o, name);
			put_str(&o, " (");
			put_str(&o, syscalls_errno_text(e));
		} else {
			put_str(&o, "ERRNO_");
			put_dec(&o, e);
			put_str(&o, " (Unknown error ");
			put_dec(&o, e);
		}
		put_char(&o, ')');
		return finish(&o);
	}
	switch (type) {
	case A_PTR:
	case A_HEX:
		put_hex(&o, (unsigned long)result);
		break;
	case A_MODE:
		put_oct(&o, (unsigned long)result);
		break;
	case A_INT:
	case A_FD:
	case A_PID:
		put_dec(&o, (int)result);
		break;
	case A_UINT:
	case A_UID:
		put_udec(&o, (unsigned int)result);
		break;
	default:
		put_dec(&o, result);
		break;
	}
	for (int i = 0; sig && i < sig->nargs; i++) {
		unsigned char t = sig->types[i + 1];
		if (!is_out_type(t) || args[i] == 0)
			continue;
		/* a pipe's fds and a wait status are written only on success */
		if (t == A_WSTATUS && result == 0)
			continue;
		put_char(&o, ' ');
		put_out_arg(&o, t, (unsigned long)args[i], result, mem);
	}
	return finish(&o);
}
