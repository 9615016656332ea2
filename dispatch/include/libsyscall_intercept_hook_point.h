/*
 * The public interface of the syscall interception library, source
 * compatible with pmem's libsyscall_intercept.
 *
 * A hook library sets intercept_hook_point (usually from a constructor). Every
 * syscall made by the patched libraries then calls it first, on the calling
 * thread, with the syscall number and its six raw arguments. Calls the hook
 * makes itself (through libc or otherwise) are not intercepted again.
 *
 * Valid C89, C99 and C++.
 */
#ifndef LIBSYSCALL_INTERCEPT_HOOK_POINT_H
#define LIBSYSCALL_INTERCEPT_HOOK_POINT_H

#ifdef __cplusplus
extern "C" {
#endif

/* Called for each intercepted syscall. Returns non-zero to let the kernel
 * run the call; returns zero to skip the kernel, in which case *result is
 * what the application sees (a raw result: -errno on failure). */
extern int (*intercept_hook_point)(long syscall_number, long arg0, long arg1,
				   long arg2, long arg3, long arg4, long arg5,
				   long *result);

/* Called once for each thread or process created through an intercepted
 * clone, clone3, fork or vfork that intercept_hook_point let through:
 * intercept_hook_point_clone_child in the child, right after creation and
 * before it returns into libc (on the child's own stack for a new thread);
 * intercept_hook_point_clone_parent in the parent with the child's id, only
 * if the call succeeded. Calls they make are not intercepted. */
extern void (*intercept_hook_point_clone_child)(void);
extern void (*intercept_hook_point_clone_parent)(long pid);

/* Returns 1 if hooks should be active in this process: always, unless the
 * environment variable INTERCEPT_HOOK_CMDLINE_FILTER is set and is not
 * exactly the last path component of this program's argv[0] (so "cat"
 * matches "/bin/cat", while "ca", "cats" and "bin/cat" do not), in which
 * case it returns 0. */
int syscall_hook_in_process_allowed(void);

/* Runs a syscall that is never intercepted. Reads six arguments after the
 * number whether or not they are passed. Returns the raw result: -errno on
 * failure; errno is not touched. In a process with trapped sites the
 * signal-mask calls never block SIGTRAP, nor SIGSYS in exhaustive mode
 * (see the README). */
long syscall_no_intercept(long syscall_number, ...);

#if defined(__cplusplus) ||                                                    \
    (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#define SYSCALL_INTERCEPT_INLINE_ inline
#else
#define SYSCALL_INTERCEPT_INLINE_ __inline__
#endif

/* Returns the errno a raw result carries (results -4095..-1), else 0. */
static SYSCALL_INTERCEPT_INLINE_ int syscall_error_code(long result)
{
	if (result < 0 && result >= -4095)
		return (int)-result;
	return 0;
}

#undef SYSCALL_INTERCEPT_INLINE_

#ifdef __cplusplus
}
#endif

#endif
