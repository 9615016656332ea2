/*
 * prog_spawn MODE HELPER: creates one child (process or thread) the way MODE
 * says, lets it call getppid() and end with a known status, waits for it and
 * prints
 *   parent <pid>
 *   child <id> status <n>
 * where id is the child's pid (processes) or tid (threads), or -1 where the
 * creator does not learn it (system()). HELPER is prog_getppid, run by the
 * modes that exec. Exit status: 0 if it could create and wait for the child,
 * else 1 (with a message on stderr).
 *
 * Modes and the status each child ends with:
 *   fork          fork(); child: getppid, _exit(7)
 *   vfork_exec    vfork(); child: execv(HELPER 1 0 8)
 *   vfork_exit    vfork(); child: getppid, _exit(9)
 *   posix_spawn   posix_spawn(HELPER 1 0 5)
 *   system        system("exec HELPER 1 0 6")
 *   pthread       pthread_create; thread: getppid, returns 4
 *   clone3_fork   clone3(exit_signal = SIGCHLD); child: getppid, _exit(11)
 *   clone3_thread clone3(CLONE_VM|CLONE_THREAD|..., a new stack); child:
 *                 getppid, stores 12, exits the thread
 */
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int fail(const char *what)
{
	perror(what);
	return 1;
}

static int wait_status(pid_t pid, int *status)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

static int report(long id, int status)
{
	printf("child %ld status %d\n", id, status);
	return 0;
}

static int run_fork(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		getppid();
		_exit(7);
	}
	if (wait_status(pid, &status) != 0)
		return fail("waitpid");
	return report(pid, status);
}

static int run_vfork(const char *helper, int do_exec)
{
	int status;
	pid_t pid = vfork();

	if (pid < 0)
		return fail("vfork");
	if (pid == 0) {
		if (do_exec) {
			char *argv[] = {(char *)"prog_getppid", (char *)"1",
					(char *)"0", (char *)"8", NULL};
			execv(helper, argv);
			_exit(127);
		}
		getppid();
		_exit(9);
	}
	if (wait_status(pid, &status) != 0)
		return fail("waitpid");
	return report(pid, status);
}

static int run_posix_spawn(const char *helper)
{
	char *argv[] = {(char *)"prog_getppid", (char *)"1", (char *)"0",
			(char *)"5", NULL};
	int status;
	pid_t pid;
	int err = posix_spawn(&pid, helper, NULL, NULL, argv, environ);

	if (err != 0) {
		fprintf(stderr, "posix_spawn: %s\n", strerror(err));
		return 1;
	}
	if (wait_status(pid, &status) != 0)
		return fail("waitpid");
	return report(pid, status);
}

static int run_system(const char *helper)
{
	char cmd[4096];
	int st;

	snprintf(cmd, sizeof(cmd), "exec %s 1 0 6", helper);
	st = system(cmd);
	if (st == -1)
		return fail("system");
	return report(-1, WIFEXITED(st) ? WEXITSTATUS(st) : 128);
}

static long thread_tid;

static void *thread_main(void *arg)
{
	(void)arg;
	thread_tid = syscall(SYS_gettid);
	getppid();
	return (void *)4;
}

static int run_pthread(void)
{
	pthread_t t;
	void *ret;

	if (pthread_create(&t, NULL, thread_main, NULL) != 0)
		return fail("pthread_create");
	pthread_join(t, &ret);
	return report(thread_tid, (int)(intptr_t)ret);
}

static int run_clone3_fork(void)
{
	struct clone_args ca;
	int status;
	long pid;

	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0)
		return fail("clone3");
	if (pid == 0) {
		getppid();
		_exit(11);
	}
	if (wait_status((pid_t)pid, &status) != 0)
		return fail("waitpid");
	return report(pid, status);
}

/*
 * The thread-like child starts on its own stack at the instruction after
 * libc's syscall() made the call, whose next step is `ret`: the word at the
 * top of the new stack is where it goes, clone3_thread_entry. The child runs
 * with the parent's TLS (no CLONE_SETTLS), so until the parent is done with
 * the clone3 call (its hooks included) it waits without making a syscall,
 * and then uses nothing but syscall().
 */
static volatile int clone3_go;
static volatile long clone3_result;
static volatile long clone3_tid;
static pid_t clone3_child_tid;
static pid_t clone3_parent_tid;

__attribute__((noreturn, used)) static void clone3_thread_entry(void)
{
	while (!__atomic_load_n(&clone3_go, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	clone3_tid = syscall(SYS_gettid);
	syscall(SYS_getppid);
	clone3_result = 12;
	for (;;)
		syscall(SYS_exit, 0);
}

static int run_clone3_thread(void)
{
	const size_t size = 256 * 1024;
	struct clone_args ca;
	uint8_t *stack;
	long tid;

	stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return fail("mmap");
	/* rsp = stack + stack_size, 16-aligned; `ret` pops the entry and
	 * leaves rsp at 8 mod 16, as after a call. */
	*(void (**)(void))(stack + size - 64) = clone3_thread_entry;
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		   CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
		   CLONE_CHILD_CLEARTID;
	ca.parent_tid = (uint64_t)(uintptr_t)&clone3_parent_tid;
	ca.child_tid = (uint64_t)(uintptr_t)&clone3_child_tid;
	ca.stack = (uint64_t)(uintptr_t)stack;
	ca.stack_size = size - 64;
	clone3_child_tid = -1;
	tid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (tid < 0)
		return fail("clone3");
	__atomic_store_n(&clone3_go, 1, __ATOMIC_RELEASE);
	/* The kernel clears child_tid when the thread is gone; spin rather
	 * than futex-wait so this thread makes no syscall (and runs no hook)
	 * while the child shares its TLS. */
	while (__atomic_load_n(&clone3_child_tid, __ATOMIC_ACQUIRE) != 0)
		__builtin_ia32_pause();
	if (clone3_parent_tid != tid || clone3_tid != tid) {
		fprintf(stderr,
			"clone3: tid %ld, parent_tid %d, child saw %ld\n", tid,
			(int)clone3_parent_tid, (long)clone3_tid);
		return 1;
	}
	munmap(stack, size);
	return report(tid, (int)clone3_result);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const char *helper = argc > 2 ? argv[2] : "";
	int r;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("parent %ld\n", (long)getpid());
	if (strcmp(mode, "fork") == 0)
		r = run_fork();
	else if (strcmp(mode, "vfork_exec") == 0)
		r = run_vfork(helper, 1);
	else if (strcmp(mode, "vfork_exit") == 0)
		r = run_vfork(helper, 0);
	else if (strcmp(mode, "posix_spawn") == 0)
		r = run_posix_spawn(helper);
	else if (strcmp(mode, "system") == 0)
		r = run_system(helper);
	else if (strcmp(mode, "pthread") == 0)
		r = run_pthread();
	else if (strcmp(mode, "clone3_fork") == 0)
		r = run_clone3_fork();
	else if (strcmp(mode, "clone3_thread") == 0)
		r = run_clone3_thread();
	else {
		fprintf(stderr, "prog_spawn: unknown mode '%s'\n", mode);
		r = 64;
	}
	return r;
}
