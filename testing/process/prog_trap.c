/*
 * prog_trap MODE: syscalls made at the one site of libsi_trap_fixture.so,
 * which the library can only hook through the trap (run it with
 * INTERCEPT_ALL_OBJS=1 and the test hook). Prints one line per check;
 * every line but those starting with "mark" is the same with and without
 * the library (trap_test compares them). Exit status 0, or 1 if a call
 * failed that must not.
 *
 *   basic    mark <r>: the marker call (record_abi.h) at the site;
 *            umask <old> x3: three forwarded umask calls (the hook counts 3)
 *   sigtrap  the program's own SIGTRAP handler: raise(SIGTRAP), then its own
 *            int3; the handler sees both (si_code SI_TKILL, then SI_KERNEL),
 *            sigaction reports the handler back; a marker call afterwards
 *            and from inside the handler
 *   blockall sigprocmask(SIG_SETMASK, everything), then marker calls; the
 *            old/current masks read back have SIGTRAP as the program set
 *            it; a SIGUSR1 handler with a full sa_mask reports it back
 *            and makes a marker call while it runs
 *   seccomp  a SIGSYS handler and a seccomp filter that traps getppid(0x5eccu)
 *            made at the site: the handler's answer comes back
 *   thread   a thread created with clone at the site (CLONE_VM|CLONE_THREAD,
 *            its own stack): it makes a marker call, and gettid at the site
 *            matches the id clone returned
 *   inherit  (run without the library) blocks SIGTRAP, then re-executes
 *            itself as "inherited" with LD_PRELOAD=$PROG_TRAP_PRELOAD if
 *            that is set; "inherited" starts with SIGTRAP blocked, reads
 *            the mask back (SIGTRAP blocked) and makes a marker call
 *   ucmask   a SIGUSR1 handler adds SIGTRAP and SIGUSR2 to uc_sigmask, so
 *            that its return blocks them: afterwards the mask reads them
 *            back blocked, and a marker call still works
 *   handler  kernel_handler <0|1>: whether the kernel holds a SIGTRAP
 *            handler (SigCgt in /proc/self/status); the program installs
 *            none
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "testing/process/record_abi.h"
#include "testing/process/seccomp_filter.h"

long si_tfx_syscall(long nr, long a0, long a1, long a2, long a3, long a4);
long si_tfx_clone(unsigned long flags, void *stack_top, void (*fn)(void *),
		  void *arg, int *ptid, int *ctid);

static long mark(void)
{
	return si_tfx_syscall(SYS_getppid, SI_REC_MARK_ARG0, 0, 0, 0, 0);
}

static int run_basic(void)
{
	printf("mark %ld\n", mark());
	for (int i = 0; i < 3; i++)
		printf("umask %ld\n",
		       si_tfx_syscall(SYS_umask, 022, 0, 0, 0, 0));
	return 0;
}

/* ---- sigtrap ------------------------------------------------------------ */

static volatile sig_atomic_t trap_count;
static volatile int trap_codes[4];
static volatile long mark_in_handler;

static void on_trap(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)uc;
	if (trap_count < 4)
		trap_codes[trap_count] = info->si_code;
	trap_count++;
	mark_in_handler = mark();
}

static int run_sigtrap(void)
{
	struct sigaction sa, back;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTRAP, &sa, NULL) != 0)
		return perror("sigaction"), 1;
	if (sigaction(SIGTRAP, NULL, &back) != 0)
		return perror("sigaction"), 1;
	printf("query %d\n", back.sa_sigaction == on_trap &&
				 (back.sa_flags & SA_SIGINFO) != 0);
	raise(SIGTRAP);
	__asm__ volatile("int3");
	printf("handler %d codes %s %s\n", (int)trap_count,
	       trap_codes[0] == SI_TKILL ? "SI_TKILL" : "?",
	       trap_codes[1] == SI_KERNEL ? "SI_KERNEL" : "?");
	printf("mark_in_handler %ld\n", mark_in_handler);
	printf("mark %ld\n", mark());
	return 0;
}

/* ---- blockall ----------------------------------------------------------- */

static volatile long mark_in_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	mark_in_usr1 = mark();
}

static int run_blockall(void)
{
	sigset_t all, old, now;
	struct sigaction sa, back;

	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) != 0)
		return perror("sigprocmask"), 1;
	printf("old_trap %d\n", sigismember(&old, SIGTRAP));
	printf("mark %ld\n", mark());
	if (sigprocmask(SIG_BLOCK, NULL, &now) != 0)
		return perror("sigprocmask"), 1;
	printf("now_trap %d now_usr1 %d\n", sigismember(&now, SIGTRAP),
	       sigismember(&now, SIGUSR1));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) != 0 ||
	    sigaction(SIGUSR1, NULL, &back) != 0)
		return perror("sigaction"), 1;
	printf("usr1_mask_trap %d\n", sigismember(&back.sa_mask, SIGTRAP));
	/* SIGUSR1 pending, delivered when unblocked: its handler runs with
	 * every signal but SIGTRAP blocked and makes a marker call. */
	raise(SIGUSR1);
	sigdelset(&all, SIGUSR1);
	if (sigprocmask(SIG_SETMASK, &all, NULL) != 0)
		return perror("sigprocmask"), 1;
	printf("mark_in_usr1 %ld\n", mark_in_usr1);
	if (sigprocmask(SIG_UNBLOCK, &all, &old) != 0 ||
	    sigprocmask(SIG_BLOCK, NULL, &now) != 0)
		return perror("sigprocmask"), 1;
	printf("old_trap %d now_trap %d\n", sigismember(&old, SIGTRAP),
	       sigismember(&now, SIGTRAP));
	printf("mark %ld\n", mark());
	return 0;
}

/* ---- seccomp ------------------------------------------------------------ */

#define SECCOMP_ARG   0x5eccL
#define SIGSYS_ANSWER 5555

static volatile sig_atomic_t sys_count;

static void on_sys(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = (ucontext_t *)ucv;

	(void)sig;
	if (info->si_syscall == SYS_getppid)
		uc->uc_mcontext.gregs[REG_RAX] = SIGSYS_ANSWER;
	sys_count++;
}

static int run_seccomp(void)
{
	struct sigaction sa;
	struct si_test_filter filter;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0)
		return perror("sigaction"), 1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
		    si_test_trap_getppid(&filter, SECCOMP_ARG)) != 0)
		return perror("seccomp"), 1;
	long r = si_tfx_syscall(SYS_getppid, SECCOMP_ARG, 0, 0, 0, 0);
	printf("seccomp %ld handler %d\n", r, (int)sys_count);
	printf("mark %ld\n", mark());
	return 0;
}

/* ---- thread ----------------------------------------------------------- */

struct child_result {
	long mark;
	long tid;
	int done;
};

static void child(void *arg)
{
	struct child_result *r = (struct child_result *)arg;

	r->mark = mark();
	r->tid = si_tfx_syscall(SYS_gettid, 0, 0, 0, 0, 0);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

static int run_thread(void)
{
	static char stack[256 * 1024] __attribute__((aligned(16)));
	static struct child_result r;
	static int ptid, ctid;
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES |
			      CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
			      CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	long id =
	    si_tfx_clone(flags, stack + sizeof(stack), child, &r, &ptid, &ctid);

	if (id <= 0) {
		fprintf(stderr, "clone: %ld\n", id);
		return 1;
	}
	/* No syscall while the thread runs: it shares our TLS (no
	 * CLONE_SETTLS), the library's recursion guard included. The kernel
	 * clears ctid when the thread has exited. */
	while (__atomic_load_n(&r.done, __ATOMIC_ACQUIRE) == 0 ||
	       __atomic_load_n(&ctid, __ATOMIC_ACQUIRE) != 0)
		__builtin_ia32_pause();
	printf("thread tid_ok %d ptid_ok %d\n", r.tid == id, ptid == id);
	printf("mark_in_thread %ld\n", r.mark);
	printf("mark %ld\n", mark());
	return 0;
}

/* ---- inherit ------------------------------------------------------------ */

static int run_inherit(const char *self)
{
	const char *preload = getenv("PROG_TRAP_PRELOAD");
	char *argv[] = {(char *)self, "inherited", NULL};
	sigset_t trap;

	sigemptyset(&trap);
	sigaddset(&trap, SIGTRAP);
	if (sigprocmask(SIG_BLOCK, &trap, NULL) != 0)
		return perror("sigprocmask"), 1;
	if (preload != NULL && setenv("LD_PRELOAD", preload, 1) != 0)
		return perror("setenv"), 1;
	fflush(stdout);
	execv("/proc/self/exe", argv);
	perror("execv");
	return 1;
}

static int run_inherited(void)
{
	sigset_t now;

	if (sigprocmask(SIG_BLOCK, NULL, &now) != 0)
		return perror("sigprocmask"), 1;
	printf("inherited_trap %d\n", sigismember(&now, SIGTRAP));
	printf("mark %ld\n", mark());
	if (sigprocmask(SIG_BLOCK, NULL, &now) != 0)
		return perror("sigprocmask"), 1;
	printf("still_trap %d\n", sigismember(&now, SIGTRAP));
	return 0;
}

/* ---- ucmask ------------------------------------------------------------- */

static void on_usr1_uc(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = (ucontext_t *)ucv;

	(void)sig;
	(void)info;
	sigaddset(&uc->uc_sigmask, SIGTRAP);
	sigaddset(&uc->uc_sigmask, SIGUSR2);
}

static int run_ucmask(void)
{
	struct sigaction sa;
	sigset_t now;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1_uc;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		return perror("sigaction"), 1;
	raise(SIGUSR1);
	if (sigprocmask(SIG_BLOCK, NULL, &now) != 0)
		return perror("sigprocmask"), 1;
	printf("after_handler trap %d usr2 %d\n", sigismember(&now, SIGTRAP),
	       sigismember(&now, SIGUSR2));
	printf("mark %ld\n", mark());
	return 0;
}

/* ---- handler ------------------------------------------------------------ */

/* SigCgt of /proc/self/status: the signals the kernel holds a handler for
 * (the library answers sigaction(SIGTRAP) itself, so only the kernel's
 * own account tells). */
static int run_handler(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long caught = 0;
	int found = 0;

	if (f == NULL)
		return perror("/proc/self/status"), 1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigCgt: %llx", &caught) == 1)
			found = 1;
	fclose(f);
	if (!found)
		return 1;
	printf("kernel_handler %d\n", (int)((caught >> (SIGTRAP - 1)) & 1));
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int rc;

	if (strcmp(mode, "basic") == 0)
		rc = run_basic();
	else if (strcmp(mode, "sigtrap") == 0)
		rc = run_sigtrap();
	else if (strcmp(mode, "blockall") == 0)
		rc = run_blockall();
	else if (strcmp(mode, "seccomp") == 0)
		rc = run_seccomp();
	else if (strcmp(mode, "thread") == 0)
		rc = run_thread();
	else if (strcmp(mode, "handler") == 0)
		rc = run_handler();
	else if (strcmp(mode, "ucmask") == 0)
		rc = run_ucmask();
	else if (strcmp(mode, "inherit") == 0)
		rc = run_inherit(argv[0]);
	else if (strcmp(mode, "inherited") == 0)
		rc = run_inherited();
	else {
		fprintf(stderr, "usage: prog_trap "
				"basic|sigtrap|blockall|seccomp|thread|handler|"
				"inherit|ucmask\n");
		return 64;
	}
	fflush(stdout);
	return rc;
}
