/*
 * The kernel's side of signal actions and masks on x86_64, for the raw
 * rt_sigaction and rt_sigprocmask calls of signals.c, trap.c and
 * exhaustive.c (libc's struct sigaction has a 128-byte mask and a
 * different layout).
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_KSIG_H
#define SYSCALL_INTERCEPT_DISPATCH_KSIG_H

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "base/raw_syscall.h"

struct ksigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

#define KSIGSET_SIZE 8 /* bytes of the kernel's sigset_t */
#define K_SIG_DFL    0
#define K_SIG_IGN    1
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

static inline uint64_t ksig_bit(int sig)
{
	return 1ULL << (sig - 1);
}

static inline long k_sigaction(int sig, const struct ksigaction *act,
			       struct ksigaction *old)
{
	return raw_syscall4(SYS_rt_sigaction, sig, (long)act, (long)old,
			    KSIGSET_SIZE);
}

static inline long k_sigprocmask(int how, const uint64_t *set, uint64_t *old)
{
	return raw_syscall4(SYS_rt_sigprocmask, how, (long)set, (long)old,
			    KSIGSET_SIZE);
}

#endif
