/*
 * The tests' seccomp filter: getppid(arg) raises SIGSYS (SECCOMP_RET_TRAP,
 * si_code SYS_SECCOMP), every other call is allowed. Fills *f and returns
 * the program to install (after PR_SET_NO_NEW_PRIVS) with
 * seccomp(SECCOMP_SET_MODE_FILTER, 0, prog). C and C++.
 */
#ifndef SYSCALL_INTERCEPT_TESTING_PROCESS_SECCOMP_FILTER_H
#define SYSCALL_INTERCEPT_TESTING_PROCESS_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>

struct si_test_filter {
	struct sock_filter insns[6];
	struct sock_fprog prog;
};

static inline const struct sock_fprog *
si_test_trap_getppid(struct si_test_filter *f, long arg)
{
	const struct sock_filter insns[6] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 3),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, args[0])),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)arg, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	for (int i = 0; i < 6; i++)
		f->insns[i] = insns[i];
	f->prog.len = 6;
	f->prog.filter = f->insns;
	return &f->prog;
}

#endif
