/*
 * prog_handlers spawn|vfork|seccomp: the program's signal handlers keep
 * working after something the library could get wrong. Handlers for
 * SIGUSR1, SIGTRAP and SIGSYS count their runs; then
 *   spawn    posix_spawn /bin/true and wait (glibc's child shares our
 *            memory and resets every handler to SIG_DFL before exec)
 *   vfork    a vfork child sets all three to SIG_DFL and _exits
 *   seccomp  a seccomp filter makes process_vm_readv/writev fail with
 *            EPERM (as some container policies do), then the handlers
 *            are installed again
 * and each signal is raised once. Prints, identical with and without an
 * interception library:
 *   usr1 1 trap 1 sys 1 query 1
 * (query: sigaction reports each handler as installed). Exit status 0, or
 * 1 if a call failed.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t runs[65];

static void on_signal(int sig)
{
	runs[sig]++;
}

static const int sigs[] = {SIGUSR1, SIGTRAP, SIGSYS};

static int install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return 1;
	return 0;
}

static int installed(void)
{
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;
		if (sigaction(sigs[i], NULL, &old) != 0 ||
		    old.sa_handler != on_signal)
			return 0;
	}
	return 1;
}

static int deny_process_vm(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_readv, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_writev, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1 /* EPERM */),
	};
	struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	       prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	if (install() != 0)
		return 1;
	if (!strcmp(m, "spawn")) {
		char *args[] = {"true", NULL};
		pid_t pid;
		int status;
		if (posix_spawn(&pid, "/bin/true", NULL, NULL, args, NULL) !=
			0 ||
		    waitpid(pid, &status, 0) != pid || status != 0)
			return 1;
	} else if (!strcmp(m, "vfork")) {
		pid_t pid = vfork();
		if (pid == 0) {
			for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]);
			     i++)
				signal(sigs[i], SIG_DFL);
			_exit(0);
		}
		int status;
		if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
			return 1;
	} else if (!strcmp(m, "seccomp")) {
		if (deny_process_vm() != 0 || install() != 0)
			return 1;
	} else {
		fprintf(stderr, "usage: prog_handlers spawn|vfork|seccomp\n");
		return 2;
	}
	int query = installed();
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		raise(sigs[i]);
	printf("usr1 %d trap %d sys %d query %d\n", (int)runs[SIGUSR1],
	       (int)runs[SIGTRAP], (int)runs[SIGSYS], query);
	return 0;
}
