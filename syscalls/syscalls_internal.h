/*
 * The typed syscall table shared by syscalls.c and format.c; not part of the
 * package's interface.
 */
#ifndef SYSCALL_INTERCEPT_SYSCALLS_SYSCALLS_INTERNAL_H
#define SYSCALL_INTERCEPT_SYSCALLS_SYSCALLS_INTERNAL_H

/* How a syscall argument or result is shown. */
enum syscalls_type {
	/* numbers */
	A_INT,	 /* int, decimal */
	A_UINT,	 /* unsigned int, decimal */
	A_LONG,	 /* long, decimal */
	A_ULONG, /* unsigned long, decimal */
	A_HEX,	 /* unsigned long, hex */
	A_SIZE,	 /* size_t, decimal */
	A_OFF,	 /* off_t, decimal */
	A_PTR,	 /* address: NULL or hex */
	A_MODE,	 /* file mode, octal */
	A_FD,
	A_DIRFD, /* AT_FDCWD or an fd */
	A_PID,
	A_UID, /* uid_t/gid_t: -1 shown as -1 */
	A_IGNORED,
	A_NORET, /* result only: the call does not return (exit) */
	/* memory read before the call */
	A_PATH,
	A_STR,
	A_BUF_IN, /* length in the next argument */
	A_IOV_IN, /* count in the next argument */
	A_ARGV,
	A_ENVP,
	A_SIGACTION,
	A_SIGSET,
	A_TIMESPEC,
	A_SOCKADDR,   /* length in the next argument */
	A_CLONE_ARGS, /* size in the next argument */
	A_OPEN_HOW,   /* size in the next argument */
	/* memory shown after the call */
	A_BUF_OUT, /* length from the result */
	A_STR_OUT,
	A_DIRENTS,
	A_FDS_OUT,
	A_WSTATUS,
	/* symbolic constants */
	A_OFLAGS,
	A_OPEN_MODE,  /* shown only if the flags before it create a file */
	A_FD_FLAGS,   /* O_CLOEXEC|O_NONBLOCK of pipe2, dup3, accept4, ... */
	A_SOCK_FLAGS, /* SOCK_CLOEXEC|SOCK_NONBLOCK of accept4 */
	A_AT_FLAGS,
	A_UNLINKAT_FLAGS,
	A_ACCESS_FLAGS,
	A_STATX_FLAGS,
	A_STATX_MASK,
	A_ACCESS,
	A_PROT,
	A_MMAP_FLAGS,
	A_MREMAP_FLAGS,
	A_MSYNC_FLAGS,
	A_MADVISE,
	A_MFD_FLAGS,
	A_CLONE_FLAGS,
	A_FAMILY,
	A_SOCKTYPE,
	A_SIGNAL,
	A_SIGHOW,
	A_WAIT_OPTIONS,
	A_FCNTL_CMD,
	A_FCNTL_ARG, /* decoded by the command before it */
	A_IOCTL_CMD,
	A_FLOCK,
	A_WHENCE,
	A_CLOCK,
	A_FUTEX_OP,
	A_PRCTL_OP,
	A_ARCH_PRCTL,
	A_RLIMIT,
	A_EPOLL_OP,
	A_TYPE_COUNT
};

/* One line of syscalls.def. */
struct syscalls_sig {
	const char *name;
	unsigned char nargs;
	unsigned char types[7]; /* [0] the result, [1..nargs] the arguments */
};

/* The signature of syscall `nr`, or NULL if no syscall has that number. */
const struct syscalls_sig *syscalls_sig(long nr);

#endif
