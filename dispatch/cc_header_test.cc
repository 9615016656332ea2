// Uses every declaration of the public header from C++; returns non-zero on
// the first failed check.
#include <libsyscall_intercept_hook_point.h>

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace
{

int hook_calls = 0;

int Hook(long, long, long, long, long, long, long, long *)
{
	hook_calls++;
	return 1;
}

void CloneChild()
{
}

void CloneParent(long)
{
}

} // namespace

int main()
{
	intercept_hook_point = Hook;
	intercept_hook_point_clone_child = CloneChild;
	intercept_hook_point_clone_parent = CloneParent;
	if (syscall_hook_in_process_allowed() != 1)
		return 1;
	long pid = syscall_no_intercept(SYS_getpid);
	if (pid != static_cast<long>(getpid()))
		return 2;
	if (syscall_no_intercept(SYS_close, -1L) != -EBADF)
		return 3;
	if (syscall_error_code(-EBADF) != EBADF)
		return 4;
	if (syscall_error_code(-4095L) != 4095 ||
	    syscall_error_code(-4096L) != 0 || syscall_error_code(0) != 0 ||
	    syscall_error_code(pid) != 0)
		return 5;
	if (hook_calls != 0)
		return 6;
	intercept_hook_point = nullptr;
	intercept_hook_point_clone_child = nullptr;
	intercept_hook_point_clone_parent = nullptr;
	return 0;
}
