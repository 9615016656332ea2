/*
 * The README's example done right: getdents64 is refused with ENOTSUP, so
 * directory listings fail ("ls: reading directory '.': Operation not
 * supported") while everything else works.
 *
 *   LD_PRELOAD=bazel-bin/hooks/libno_getdents.so ls
 */
#include <errno.h>
#include <sys/syscall.h>

#include "libsyscall_intercept_hook_point.h"

static int no_getdents_hook(long nr, long a0, long a1, long a2, long a3,
			    long a4, long a5, long *result)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (nr != SYS_getdents64)
		return 1;
	*result = -ENOTSUP;
	return 0;
}

__attribute__((constructor)) static void no_getdents_init(void)
{
	intercept_hook_point = no_getdents_hook;
}
