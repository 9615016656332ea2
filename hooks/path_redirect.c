/*
 * path_redirect: maps one directory onto another for every syscall that takes
 * a path, as an example of a hook that rewrites arguments.
 *
 *   REDIRECT_FROM=/data REDIRECT_TO=/tmp/data \
 *   LD_PRELOAD=bazel-bin/hooks/libpath_redirect.so cat /data/x   # /tmp/data/x
 *
 * Both variables must be absolute paths without a trailing slash; otherwise
 * a one-line message goes to stderr and nothing is redirected.
 *
 * The path arguments are those syscalls.def marks A_PATH (open, openat,
 * openat2, stat, statx, execve, rename*, link*, mkdir*, unlink*, the xattr
 * calls, inotify_add_watch, ...), except the target text of symlink and
 * symlinkat, which is stored, not resolved. A path is redirected when it is
 * exactly REDIRECT_FROM or starts with REDIRECT_FROM "/": that prefix is
 * replaced by REDIRECT_TO and the hook makes the call itself with the new
 * argument(s). Matching is textual: relative paths (including ones relative
 * to a *at() directory fd) are left alone, as are "//from", "/./from" and
 * symlinks leading into REDIRECT_FROM; ".." after the prefix is not
 * resolved. Results are not mapped back (getcwd after chdir("/from") shows
 * REDIRECT_TO; readlink returns what the link says).
 *
 * The application's path is read with process_vm_readv, so a bad pointer is
 * left for the kernel to report (EFAULT). A rewritten path longer than
 * PATH_MAX fails with ENAMETOOLONG. No malloc: the new paths live in
 * per-thread buffers.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "libsyscall_intercept_hook_point.h"
#include "syscalls/syscalls.h"

#define PAGE	  4096u
#define MAX_PATHS 2 /* rename, link, ...: no syscall resolves more */

static char from[PATH_MAX], to[PATH_MAX];
static size_t from_len, to_len;

/* Bit i: argument i of the syscall is a path to redirect. */
static unsigned char path_args[SYSCALLS_LIMIT];

static __thread char new_path[MAX_PATHS][PATH_MAX];

/* Copies len bytes of this process at addr to dst; false if unreadable. */
static int read_mem(long pid, uintptr_t addr, char *dst, size_t len)
{
	struct iovec local = {dst, len};
	struct iovec remote = {(void *)addr, len};
	return syscall_no_intercept(SYS_process_vm_readv, pid, &local, 1,
				    &remote, 1, 0) == (long)len;
}

/* Reads the C string at addr into dst (cap bytes) a page at a time, so that
 * it never reads past the page holding its NUL. Returns its length, -1 if it
 * is unreadable, -2 if it has no NUL within cap bytes. */
static long read_str(long pid, uintptr_t addr, char *dst, size_t cap)
{
	size_t done = 0;
	while (done < cap) {
		uintptr_t a = addr + done;
		size_t chunk = PAGE - (a % PAGE);
		if (chunk > cap - done)
			chunk = cap - done;
		if (!read_mem(pid, a, dst + done, chunk))
			return -1;
		char *nul = memchr(dst + done, '\0', chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	return -2;
}

enum rewrite { KEEP, REWRITTEN, TOO_LONG };

/* Writes the redirected form of the path at addr into out, if it has one. */
static enum rewrite rewrite(long pid, long addr, char *out)
{
	/* A matching path has from_len bytes and then '/' or NUL, all of them
	 * readable: read just those first, into the tail of out. */
	char *head = out + PATH_MAX - (from_len + 1);
	if (!read_mem(pid, (uintptr_t)addr, head, from_len + 1) ||
	    memcmp(head, from, from_len) != 0 ||
	    (head[from_len] != '/' && head[from_len] != '\0'))
		return KEEP;
	/* Then the rest, from the '/' or NUL on, right after REDIRECT_TO. */
	long rest = read_str(pid, (uintptr_t)addr + from_len, out + to_len,
			     PATH_MAX - to_len);
	if (rest == -1)
		return KEEP; /* let the kernel report it */
	if (rest == -2)
		return TOO_LONG;
	memcpy(out, to, to_len);
	return REWRITTEN;
}

static int path_redirect_hook(long nr, long a0, long a1, long a2, long a3,
			      long a4, long a5, long *result)
{
	if (nr < 0 || nr >= SYSCALLS_LIMIT || !path_args[nr])
		return 1;
	long args[6] = {a0, a1, a2, a3, a4, a5};
	long pid = syscall_no_intercept(SYS_getpid);
	int n = 0;
	for (int i = 0; i < 6 && n < MAX_PATHS; i++) {
		if (!(path_args[nr] & (1u << i)))
			continue;
		switch (rewrite(pid, args[i], new_path[n])) {
		case KEEP:
			break;
		case TOO_LONG:
			*result = -ENAMETOOLONG;
			return 0;
		case REWRITTEN:
			args[i] = (long)new_path[n++];
			break;
		}
	}
	if (n == 0)
		return 1; /* nothing matched: the kernel runs it unchanged */
	*result = syscall_no_intercept(nr, args[0], args[1], args[2], args[3],
				       args[4], args[5]);
	return 0;
}

static void say(const char *s)
{
	syscall_no_intercept(SYS_write, 2, s, strlen(s));
}

/* Copies the directory named by variable `name` into dst; on a bad value
 * says why on stderr and returns 0. */
static int get_dir(const char *name, char *dst, size_t *len)
{
	const char *v = getenv(name);
	const char *why = NULL;
	size_t n = v ? strlen(v) : 0;
	if (n == 0)
		why = " is not set";
	else if (v[0] != '/')
		why = " is not an absolute path";
	else if (v[n - 1] == '/')
		why = " ends in '/'";
	else if (n >= PATH_MAX)
		why = " is too long";
	if (why) {
		say("path_redirect: ");
		say(name);
		say(why);
		say(" (want an absolute directory without a trailing '/');"
		    " paths are not redirected\n");
		return 0;
	}
	memcpy(dst, v, n + 1);
	*len = n;
	return 1;
}

__attribute__((constructor)) static void path_redirect_init(void)
{
	if (!get_dir("REDIRECT_FROM", from, &from_len) ||
	    !get_dir("REDIRECT_TO", to, &to_len))
		return;
	for (long nr = 0; nr < SYSCALLS_LIMIT; nr++)
		path_args[nr] = (unsigned char)syscalls_path_args(nr);
	/* the link's text is not a path the kernel resolves */
	path_args[SYS_symlink] &= (unsigned char)~1u;
	path_args[SYS_symlinkat] &= (unsigned char)~1u;
	intercept_hook_point = path_redirect_hook;
}
