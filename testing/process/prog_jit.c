/*
 * prog_jit [MODE]: code generated at run time (an mmap'ed page written,
 * then made executable) makes syscalls with its own `syscall` instruction.
 * A verdict is the test hook's marker call (record_abi.h) made that way:
 * "hooked" if the hook answered it (SI_REC_MARK_RESULT), else "kernel".
 * Every line but the verdicts is the same with and without the library.
 *
 *   (none)    one verdict each from the main thread, a new thread and a
 *             forked child: main <v>, thread <v>, child <v>
 *   blockall  a thread blocks every signal (sigfillset, pthread_sigmask
 *             SIG_SETMASK), then: blockall <v>; the mask read back,
 *             blocked sys <0|1> trap <0|1>; SIGSYS unblocked and the mask
 *             read back, unblocked sys <0|1> trap <0|1>; unblocked <v>
 *   handler   a SIGUSR1 handler installed with every signal in sa_mask
 *             makes the call while it runs: in_handler <v>
 *   sigsys    a SIGSYS handler with SA_SIGINFO | SA_RESETHAND and every
 *             signal in sa_mask; sigaction reads it back:
 *             query handler <0|1> flags <hex> mask <hex>; then <v>; the
 *             mask the run-time code reads, jit_mask usr1 <0|1>; then
 *             a seccomp filter makes getppid(0x5ecc) trap
 *             (SECCOMP_RET_TRAP), and the run-time code makes that call:
 *             seccomp <result> handler <count> code <si_code>, and
 *             reset <0|1> (the action read back is SIG_DFL); the same call
 *             again then kills the process with SIGSYS (no core file)
 *   sigmask   signal masks changed by run-time code, each by a site's
 *             first (in exhaustive mode trapped) run: SIGUSR1 blocked,
 *             block <r> usr1 <0|1> old_usr1 <0|1>; SIGSYS blocked,
 *             block_sys <r> sys <0|1>; the mask read back by run-time
 *             code, query <r> usr1 <0|1> sys <0|1>; then <v>
 *   sigreturn a SIGUSR1 handler puts SIGSYS into the mask its return
 *             restores and returns through a restorer generated at run
 *             time: sys <0|1> (SIGSYS read back blocked), then <v>
 *   async     a timer's SIGALRM interrupts a loop with no syscall, and
 *             the first call after its handler returns is run-time
 *             code's: after_handler <v>
 * Exit status 0 (sigsys: killed by SIGSYS), or 1 if a call failed that
 * must not.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "record_abi.h"
#include "testing/process/seccomp_filter.h"

/* The raw result of syscall nr(a0, a1, a2, a3). */
typedef long (*jit_fn)(long nr, long a0, long a1, long a2, long a3);
static jit_fn jit;

static const char *verdict(void)
{
	return jit(SYS_getppid, SI_REC_MARK_ARG0, 0, 0, 0) == SI_REC_MARK_RESULT
		   ? "hooked"
		   : "kernel";
}

/* A new copy of the code on a page of its own: a site never run yet. */
static jit_fn new_jit(void)
{
	static const unsigned char code[] = {
	    0x48, 0x89, 0xf8, /* mov %rdi, %rax */
	    0x48, 0x89, 0xf7, /* mov %rsi, %rdi */
	    0x48, 0x89, 0xd6, /* mov %rdx, %rsi */
	    0x48, 0x89, 0xca, /* mov %rcx, %rdx */
	    0x4d, 0x89, 0xc2, /* mov %r8, %r10 */
	    0x0f, 0x05,	      /* syscall */
	    0xc3,	      /* ret */
	};
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, code, sizeof(code));
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0)
		return NULL;
	return (jit_fn)p;
}

static int make_jit(void)
{
	jit = new_jit();
	return jit ? 0 : -1;
}

/* ---- (none) ------------------------------------------------------------- */

static void *thread_main(void *arg)
{
	printf("thread %s\n", verdict());
	return arg;
}

static int run_basic(void)
{
	printf("main %s\n", verdict());
	fflush(stdout);
	pthread_t t;
	if (pthread_create(&t, NULL, thread_main, NULL) != 0 ||
	    pthread_join(t, NULL) != 0)
		return 1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child %s\n", verdict());
		fflush(stdout);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		return 1;
	return 0;
}

/* ---- blockall ----------------------------------------------------------- */

static void *blockall_main(void *arg)
{
	sigset_t all, now, sys;

	(void)arg;
	sigfillset(&all);
	if (pthread_sigmask(SIG_SETMASK, &all, NULL) != 0)
		return (void *)1;
	printf("blockall %s\n", verdict());
	if (pthread_sigmask(SIG_BLOCK, NULL, &now) != 0)
		return (void *)1;
	printf("blocked sys %d trap %d\n", sigismember(&now, SIGSYS),
	       sigismember(&now, SIGTRAP));
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	if (pthread_sigmask(SIG_UNBLOCK, &sys, NULL) != 0 ||
	    pthread_sigmask(SIG_BLOCK, NULL, &now) != 0)
		return (void *)1;
	printf("unblocked sys %d trap %d\n", sigismember(&now, SIGSYS),
	       sigismember(&now, SIGTRAP));
	printf("unblocked %s\n", verdict());
	return NULL;
}

static int run_blockall(void)
{
	pthread_t t;
	void *rc = (void *)1;

	if (pthread_create(&t, NULL, blockall_main, NULL) != 0 ||
	    pthread_join(t, &rc) != 0)
		return 1;
	return rc != NULL;
}

/* ---- handler ------------------------------------------------------------ */

static const char *volatile in_handler = "none";

static void on_usr1(int sig)
{
	(void)sig;
	in_handler = verdict();
}

static int run_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) != 0 || raise(SIGUSR1) != 0)
		return 1;
	printf("in_handler %s\n", in_handler);
	return 0;
}

/* ---- sigsys ------------------------------------------------------------- */

#define SECCOMP_ARG   0x5eccL
#define SIGSYS_ANSWER 5555

static volatile sig_atomic_t sys_count;
static volatile int sys_code;

static void on_sys(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = (ucontext_t *)ucv;

	(void)sig;
	if (info->si_syscall == SYS_getppid)
		uc->uc_mcontext.gregs[REG_RAX] = SIGSYS_ANSWER;
	sys_code = info->si_code;
	sys_count++;
}

/* The first 64 signals of a mask, as the kernel holds them. */
static unsigned long long mask_bits(const sigset_t *s)
{
	unsigned long long m = 0;
	for (int i = 1; i <= 64; i++)
		if (sigismember(s, i) == 1)
			m |= 1ULL << (i - 1);
	return m;
}

static int run_sigsys(void)
{
	struct sigaction sa, back;
	struct si_test_filter filter;
	struct rlimit no_core = {0, 0};

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sys;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigfillset(&sa.sa_mask);
	memset(&back, 0, sizeof(back));
	if (sigaction(SIGSYS, &sa, NULL) != 0 ||
	    sigaction(SIGSYS, NULL, &back) != 0)
		return perror("sigaction"), 1;
	printf("query handler %d flags %#x mask %#llx\n",
	       back.sa_sigaction == on_sys, (unsigned)back.sa_flags,
	       mask_bits(&back.sa_mask));
	printf("installed %s\n", verdict());
	/* Trapped calls run under the thread's mask, not the handler's. */
	unsigned long long kmask = 0;
	if (jit(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&kmask, 8) != 0)
		return 1;
	printf("jit_mask usr1 %d\n", (int)((kmask >> (SIGUSR1 - 1)) & 1));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
		    si_test_trap_getppid(&filter, SECCOMP_ARG)) != 0)
		return perror("seccomp"), 1;
	long r = jit(SYS_getppid, SECCOMP_ARG, 0, 0, 0);
	printf("seccomp %ld handler %d code %d\n", r, (int)sys_count, sys_code);
	if (sigaction(SIGSYS, NULL, &back) != 0)
		return perror("sigaction"), 1;
	printf("reset %d\n", back.sa_handler == SIG_DFL);
	fflush(stdout);
	setrlimit(RLIMIT_CORE, &no_core);
	r = jit(SYS_getppid, SECCOMP_ARG, 0, 0, 0);
	printf("survived %ld\n", r);
	return 0;
}

/* ---- sigmask ------------------------------------------------------------- */

static int blocked_now(int sig)
{
	sigset_t now;
	return pthread_sigmask(SIG_BLOCK, NULL, &now) == 0 &&
	       sigismember(&now, sig);
}

/* Each change made by a site's first run (trapped, in exhaustive mode). */
static int run_sigmask(void)
{
	jit_fn f1 = new_jit(), f2 = new_jit(), f3 = new_jit();
	if (!f1 || !f2 || !f3)
		return 1;
	uint64_t set = 1ull << (SIGUSR1 - 1), old = ~0ull;
	long r = f1(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, (long)&old, 8);
	printf("block %ld usr1 %d old_usr1 %d\n", r, blocked_now(SIGUSR1),
	       (int)((old >> (SIGUSR1 - 1)) & 1));
	set = 1ull << (SIGSYS - 1);
	r = f2(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 8);
	printf("block_sys %ld sys %d\n", r, blocked_now(SIGSYS));
	r = f3(SYS_rt_sigprocmask, SIG_SETMASK, 0, (long)&old, 8);
	printf("query %ld usr1 %d sys %d\n", r,
	       (int)((old >> (SIGUSR1 - 1)) & 1),
	       (int)((old >> (SIGSYS - 1)) & 1));
	printf("then %s\n", verdict());
	return 0;
}

/* ---- async -----------------------------------------------------------------
 */

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* A timer's signal interrupts a loop that makes no syscall; its handler
 * makes none either and returns through libc's restorer; the very next
 * syscall the thread makes is run-time code's. */
static int run_async(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	struct itimerval it = {{0, 0}, {0, 20000}};
	if (sigaction(SIGALRM, &sa, NULL) != 0 ||
	    setitimer(ITIMER_REAL, &it, NULL) != 0)
		return 1;
	while (!alarmed)
		;
	const char *v = verdict();
	printf("after_handler %s\n", v);
	return 0;
}

/* ---- sigreturn ----------------------------------------------------------- */

static void on_usr1_block_sys(int sig, siginfo_t *si, void *ucv)
{
	(void)sig, (void)si;
	sigaddset(&((ucontext_t *)ucv)->uc_sigmask, SIGSYS);
}

/* A handler returns through a restorer generated at run time (its
 * rt_sigreturn trapped in exhaustive mode) after putting SIGSYS into the
 * mask its return restores. */
static int run_sigreturn(void)
{
	/* mov $15, %eax (rt_sigreturn); syscall */
	static const unsigned char code[] = {0xb8, 0x0f, 0x00, 0x00,
					     0x00, 0x0f, 0x05};
	void *rest = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rest == MAP_FAILED)
		return 1;
	memcpy(rest, code, sizeof(code));
	if (mprotect(rest, 4096, PROT_READ | PROT_EXEC) != 0)
		return 1;
	struct {
		void (*handler)(int, siginfo_t *, void *);
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} ka = {on_usr1_block_sys, SA_SIGINFO | 0x04000000 /* SA_RESTORER */,
		rest, 0};
	if (syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8) != 0 ||
	    raise(SIGUSR1) != 0)
		return 1;
	printf("sys %d\n", blocked_now(SIGSYS));
	printf("then %s\n", verdict());
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int rc;

	if (make_jit() != 0)
		return 1;
	if (strcmp(mode, "") == 0)
		rc = run_basic();
	else if (strcmp(mode, "blockall") == 0)
		rc = run_blockall();
	else if (strcmp(mode, "handler") == 0)
		rc = run_handler();
	else if (strcmp(mode, "sigsys") == 0)
		rc = run_sigsys();
	else if (strcmp(mode, "sigmask") == 0)
		rc = run_sigmask();
	else if (strcmp(mode, "sigreturn") == 0)
		rc = run_sigreturn();
	else if (strcmp(mode, "async") == 0)
		rc = run_async();
	else {
		fprintf(stderr,
			"usage: prog_jit "
			"[blockall|handler|sigsys|sigmask|sigreturn|async]\n");
		return 64;
	}
	fflush(stdout);
	return rc;
}
