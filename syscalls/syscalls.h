/*
 * The names of x86_64 system calls, from the one list in syscalls.def.
 */
#ifndef SYSCALL_INTERCEPT_SYSCALLS_SYSCALLS_H
#define SYSCALL_INTERCEPT_SYSCALLS_SYSCALLS_H

#ifdef __cplusplus
extern "C" {
#endif

/* One past the highest syscall number in the table. */
#define SYSCALLS_LIMIT 470

/* The name of syscall `nr` ("openat"), or NULL if no syscall has it. */
const char *syscalls_name(long nr);

/* The number of the syscall called `name`, or -1 if there is none. */
long syscalls_number(const char *name);

#ifdef __cplusplus
}
#endif

#endif
