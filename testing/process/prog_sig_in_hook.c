/*
 * prog_sig_in_hook: signal handlers that run while the thread is inside the
 * test hook (the hook sends the signal to its own thread on the in-hook
 * signal call, record_abi.h). Each handler calls getsid(0); the test checks
 * the hook saw those calls. Also checks that sigaction reports the handlers
 * the program installed, and SA_RESETHAND's reset. Prints:
 *   info <runs> signo_ok <0|1> query_ok <0|1>
 *   plain <runs> reset_ok <0|1>
 * Syscalls the hook must see: getsid 2 (one per handler), rt_sigreturn 2.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "record_abi.h"

static volatile sig_atomic_t info_runs, info_signo_ok, plain_runs;

static void on_info(int sig, siginfo_t *info, void *uc)
{
	info_signo_ok = sig == SIGUSR1 && info != NULL &&
			info->si_signo == SIGUSR1 && uc != NULL;
	getsid(0);
	info_runs++;
}

static void on_plain(int sig)
{
	(void)sig;
	getsid(0);
	plain_runs++;
}

int main(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) != 0 ||
	    sigaction(SIGUSR1, NULL, &old) != 0)
		return 1;
	int query_ok = old.sa_sigaction == on_info &&
		       (old.sa_flags & SA_SIGINFO) &&
		       (old.sa_flags & SA_RESTART);
	syscall(SYS_getppid, SI_REC_SIGNAL_ARG0, SIGUSR1);
	printf("info %d signo_ok %d query_ok %d\n", (int)info_runs,
	       (int)info_signo_ok, query_ok);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_plain;
	sa.sa_flags = SA_RESETHAND;
	if (sigaction(SIGUSR2, &sa, &old) != 0)
		return 1;
	syscall(SYS_getppid, SI_REC_SIGNAL_ARG0, SIGUSR2);
	if (sigaction(SIGUSR2, NULL, &old) != 0)
		return 1;
	printf("plain %d reset_ok %d\n", (int)plain_runs,
	       old.sa_handler == SIG_DFL);
	return 0;
}
