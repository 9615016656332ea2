/* Uses every declaration of the public header from C (built as C99 and as
 * C89); returns non-zero on the first failed check. */
#include <libsyscall_intercept_hook_point.h>

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

static int hook_calls;

static int hook(long syscall_number, long arg0, long arg1, long arg2, long arg3,
		long arg4, long arg5, long *result)
{
	(void)syscall_number;
	(void)arg0;
	(void)arg1;
	(void)arg2;
	(void)arg3;
	(void)arg4;
	(void)arg5;
	(void)result;
	hook_calls++;
	return 1;
}

static void clone_child(void)
{
}

static void clone_parent(long pid)
{
	(void)pid;
}

int main(void)
{
	long pid;

	intercept_hook_point = hook;
	intercept_hook_point_clone_child = clone_child;
	intercept_hook_point_clone_parent = clone_parent;
	if (syscall_hook_in_process_allowed() != 1)
		return 1;
	pid = syscall_no_intercept(SYS_getpid);
	if (pid != (long)getpid())
		return 2;
	if (syscall_no_intercept(SYS_close, -1L) != -EBADF)
		return 3;
	if (syscall_error_code(-EBADF) != EBADF)
		return 4;
	if (syscall_error_code(-4095L) != 4095 ||
	    syscall_error_code(-4096L) != 0 || syscall_error_code(0) != 0 ||
	    syscall_error_code(pid) != 0)
		return 5;
	if (hook_calls != 0) /* syscall_no_intercept never reaches the hook */
		return 6;
	intercept_hook_point = 0;
	intercept_hook_point_clone_child = 0;
	intercept_hook_point_clone_parent = 0;
	return 0;
}
