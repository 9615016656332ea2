/*
 * prog_lazy: run-time generated code with its own `syscall`, called many
 * times, for lazy patching in exhaustive mode (dispatch/lazy.h). Each mode
 * prints what it saw:
 *   once     one marker call: "first hooked 1 rewritten yes" (patched at
 *            its first trap); 10 more: "hooked 10 rewritten yes"; then a
 *            forked child makes 3 more: "child hooked 3"
 *   rwx      the code in a writable and executable mapping, 10 calls:
 *            "hooked 10 rewritten no"
 *   tight    f1's syscall is a branch target followed by `ret` and then
 *            f2, another function: f1 has no room for a jump, and a jump
 *            must not overwrite f2. 10 calls of each: "f1 hooked 10
 *            rewritten no", "f2 hooked 10"
 *   fork     code making fork (57) itself, called 3 times; each child
 *            _exits at once: "forks 3"
 *   vfork    a vfork child (its parent's memory) makes 5 calls: "child
 *            hooked 5"; the parent then finds the code "rewritten yes"
 *            (the child's patch is in the memory they share) and makes 10
 *            calls: "hooked 10"
 *   mt       called once while a second thread lives: "first hooked 1
 *            rewritten yes"; then by 4 threads 2000 times each: "threads
 *            hooked 8000"; then a fresh copy, first called by the 4
 *            threads at once: "contended hooked 8000"
 *   fork_noroom  fork from code with no room for a jump (trapped each
 *            time), 3 times; each child makes a marker call from code with
 *            no room either: "child 1" three times (the child was armed),
 *            then "forks 3 rewritten no"
 *   desync   the function one byte into its page after a 00 byte, 10
 *            calls: "hooked 10 rewritten yes entry intact"
 * "hooked N": N calls came back with the hook's marker answer
 * (SI_REC_MARK_RESULT); "rewritten": the code bytes are no longer the ones
 * written.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record_abi.h"

typedef long (*jit_fn)(long arg);

/* mov $110, %eax (getppid); syscall; cmp $-4095, %rax; ret -- rdi is the
 * marker; room for a jump that begins at the syscall. */
static const unsigned char cmp_code[] = {0xb8, 0x6e, 0x00, 0x00, 0x00,
					 0x0f, 0x05, 0x48, 0x3d, 0x01,
					 0xf0, 0xff, 0xff, 0xc3};

static unsigned char *make_code(const unsigned char *code, size_t len,
				int final_prot)
{
	unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, code, len);
	if (mprotect(p, 4096, final_prot) != 0)
		return NULL;
	return p;
}

static int hooked(jit_fn f, int calls)
{
	int n = 0;
	for (int i = 0; i < calls; i++)
		n += f(SI_REC_MARK_ARG0) == SI_REC_MARK_RESULT;
	return n;
}

static const char *rewritten(const unsigned char *p, const unsigned char *code,
			     size_t len)
{
	return memcmp(p, code, len) != 0 ? "yes" : "no";
}

static int mode_once(void)
{
	unsigned char *p =
	    make_code(cmp_code, sizeof(cmp_code), PROT_READ | PROT_EXEC);
	if (!p)
		return 1;
	jit_fn f = (jit_fn)(void *)p;
	int n = hooked(f, 1);
	printf("first hooked %d rewritten %s\n", n,
	       rewritten(p, cmp_code, sizeof(cmp_code)));
	n = hooked(f, 10);
	printf("hooked %d rewritten %s\n", n,
	       rewritten(p, cmp_code, sizeof(cmp_code)));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child hooked %d\n", hooked(f, 3));
		fflush(stdout);
		_exit(0);
	}
	int status;
	return pid < 0 || waitpid(pid, &status, 0) != pid || status != 0;
}

static int pipe_fds[2];

static int waiter_done;

static void *waiter(void *arg)
{
	char c;
	if (read(pipe_fds[0], &c, 1) != 1)
		return NULL;
	waiter_done = 1;
	return arg;
}

static int mode_rwx(void)
{
	unsigned char *p = make_code(cmp_code, sizeof(cmp_code),
				     PROT_READ | PROT_WRITE | PROT_EXEC);
	if (!p)
		return 1;
	int n = hooked((jit_fn)(void *)p, 10);
	printf("hooked %d rewritten %s\n", n,
	       rewritten(p, cmp_code, sizeof(cmp_code)));
	return 0;
}

static int mode_tight(void)
{
	static const unsigned char code[] = {
	    /* f1 */
	    0xb8, 0x6e, 0x00, 0x00, 0x00, /* mov $110, %eax */
	    0xeb, 0x00,			  /* jmp 1f (the syscall) */
	    0x0f, 0x05,			  /* 1: syscall */
	    0xc3,			  /* ret */
	    /* f2, right after */
	    0xb8, 0x6e, 0x00, 0x00, 0x00, /* mov $110, %eax */
	    0x0f, 0x05,			  /* syscall */
	    0x48, 0x85, 0xc0,		  /* test %rax, %rax */
	    0xc3,			  /* ret */
	};
	unsigned char *p = make_code(code, sizeof(code), PROT_READ | PROT_EXEC);
	if (!p)
		return 1;
	int n1 = hooked((jit_fn)(void *)p, 10);
	printf("f1 hooked %d rewritten %s\n", n1, rewritten(p, code, 10));
	printf("f2 hooked %d\n", hooked((jit_fn)(void *)(p + 10), 10));
	return 0;
}

static int mode_fork(void)
{
	/* mov $57, %eax (fork); syscall; cmp $-4095, %rax; ret */
	static const unsigned char code[] = {0xb8, 0x39, 0x00, 0x00, 0x00,
					     0x0f, 0x05, 0x48, 0x3d, 0x01,
					     0xf0, 0xff, 0xff, 0xc3};
	unsigned char *p = make_code(code, sizeof(code), PROT_READ | PROT_EXEC);
	if (!p)
		return 1;
	int forks = 0;
	for (int i = 0; i < 3; i++) {
		fflush(stdout);
		long pid = ((jit_fn)(void *)p)(0);
		if (pid == 0)
			_exit(0);
		int status;
		if (pid > 0 && waitpid((pid_t)pid, &status, 0) == pid &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			forks++;
	}
	printf("forks %d\n", forks);
	return 0;
}

static int mode_vfork(void)
{
	unsigned char *p =
	    make_code(cmp_code, sizeof(cmp_code), PROT_READ | PROT_EXEC);
	if (!p)
		return 1;
	jit_fn f = (jit_fn)(void *)p;
	pid_t pid = vfork();
	if (pid == 0) {
		/* Only write and _exit: the parent's stdio is not ours. */
		char line[] = "child hooked ?\n";
		line[sizeof(line) - 3] = (char)('0' + hooked(f, 5));
		_exit(write(1, line, sizeof(line) - 1) ==
			      (ssize_t)sizeof(line) - 1
			  ? 0
			  : 1);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 1;
	printf("rewritten %s\n", rewritten(p, cmp_code, sizeof(cmp_code)));
	printf("hooked %d\n", hooked(f, 10));
	return 0;
}

#define MT_THREADS 4
#define MT_CALLS   2000

static jit_fn mt_fn;
static pthread_barrier_t mt_start;
static int mt_hooked[MT_THREADS];

static void *mt_worker(void *arg)
{
	int i = (int)(long)arg;
	pthread_barrier_wait(&mt_start);
	mt_hooked[i] = hooked(mt_fn, MT_CALLS);
	return NULL;
}

/* MT_THREADS threads call f MT_CALLS times each, all started at once;
 * returns how many calls were hooked, or -1. */
static int hammer(jit_fn f)
{
	pthread_t t[MT_THREADS];
	mt_fn = f;
	if (pthread_barrier_init(&mt_start, NULL, MT_THREADS) != 0)
		return -1;
	for (long i = 0; i < MT_THREADS; i++)
		if (pthread_create(&t[i], NULL, mt_worker, (void *)i) != 0)
			return -1;
	int n = 0;
	for (int i = 0; i < MT_THREADS; i++) {
		if (pthread_join(t[i], NULL) != 0)
			return -1;
		n += mt_hooked[i];
	}
	pthread_barrier_destroy(&mt_start);
	return n;
}

static int mode_mt(void)
{
	unsigned char *p1 =
	    make_code(cmp_code, sizeof(cmp_code), PROT_READ | PROT_EXEC);
	unsigned char *p2 =
	    make_code(cmp_code, sizeof(cmp_code), PROT_READ | PROT_EXEC);
	pthread_t t;
	if (!p1 || !p2 || pipe(pipe_fds) != 0 ||
	    pthread_create(&t, NULL, waiter, NULL) != 0)
		return 1;
	/* One call while another thread lives: patched at once. */
	int n = hooked((jit_fn)(void *)p1, 1);
	printf("first hooked %d rewritten %s\n", n,
	       rewritten(p1, cmp_code, sizeof(cmp_code)));
	printf("threads hooked %d\n", hammer((jit_fn)(void *)p1));
	/* A fresh site whose first calls come from all threads at once. */
	printf("contended hooked %d\n", hammer((jit_fn)(void *)p2));
	if (write(pipe_fds[1], "x", 1) != 1 || pthread_join(t, NULL) != 0 ||
	    !waiter_done)
		return 1;
	return 0;
}

/* fork from code with no room for a jump (it stays trapped): each child
 * makes a marker call from code with no room either, which only a child
 * armed for Syscall User Dispatch traps, and reports it with write. */
static int mode_fork_noroom(void)
{
	/* mov $57, %eax (fork); syscall; ret */
	static const unsigned char fork_code[] = {0xb8, 0x39, 0x00, 0x00,
						  0x00, 0x0f, 0x05, 0xc3};
	/* mov $110, %eax (getppid); syscall; ret */
	static const unsigned char mark_code[] = {0xb8, 0x6e, 0x00, 0x00,
						  0x00, 0x0f, 0x05, 0xc3};
	unsigned char *fk =
	    make_code(fork_code, sizeof(fork_code), PROT_READ | PROT_EXEC);
	unsigned char *mk =
	    make_code(mark_code, sizeof(mark_code), PROT_READ | PROT_EXEC);
	if (!fk || !mk)
		return 1;
	int forks = 0;
	for (int i = 0; i < 3; i++) {
		fflush(stdout);
		long pid = ((jit_fn)(void *)fk)(0);
		if (pid == 0) {
			char line[] = "child ?\n";
			line[6] = (char)('0' + hooked((jit_fn)(void *)mk, 1));
			_exit(write(1, line, sizeof(line) - 1) ==
				      (ssize_t)sizeof(line) - 1
				  ? 0
				  : 1);
		}
		int status;
		if (pid > 0 && waitpid((pid_t)pid, &status, 0) == pid &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			forks++;
	}
	printf("forks %d rewritten %s\n", forks,
	       rewritten(fk, fork_code, sizeof(fork_code)));
	return 0;
}

/* The function one byte into its page, after a 00 byte: decoded from the
 * page's start, `00 b8 6e 00 00 00` reads as one instruction that swallows
 * the function's first one. */
static int mode_desync(void)
{
	unsigned char code[1 + sizeof(cmp_code)];
	code[0] = 0x00;
	memcpy(code + 1, cmp_code, sizeof(cmp_code));
	unsigned char *p = make_code(code, sizeof(code), PROT_READ | PROT_EXEC);
	if (!p)
		return 1;
	int n = hooked((jit_fn)(void *)(p + 1), 10);
	printf("hooked %d rewritten %s entry %s\n", n,
	       rewritten(p, code, sizeof(code)),
	       memcmp(p, code, 6) == 0 ? "intact" : "overwritten");
	return 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	if (!strcmp(m, "once"))
		return mode_once();
	if (!strcmp(m, "rwx"))
		return mode_rwx();
	if (!strcmp(m, "tight"))
		return mode_tight();
	if (!strcmp(m, "fork"))
		return mode_fork();
	if (!strcmp(m, "vfork"))
		return mode_vfork();
	if (!strcmp(m, "mt"))
		return mode_mt();
	if (!strcmp(m, "desync"))
		return mode_desync();
	if (!strcmp(m, "fork_noroom"))
		return mode_fork_noroom();
	fprintf(stderr, "usage: prog_lazy "
			"once|rwx|tight|fork|vfork|mt|desync|fork_noroom\n");
	return 2;
}
