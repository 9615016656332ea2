/*
 * prog_jit: code generated at run time (an mmap'ed page written, then made
 * executable) makes the test hook's marker call with its own `syscall`
 * instruction, from the main thread, a new thread and a forked child.
 * Prints one line each, "hooked" if the hook answered the call
 * (SI_REC_MARK_RESULT), else "kernel":
 *   main <...>
 *   thread <...>
 *   child <...>
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record_abi.h"

typedef long (*jit_fn)(long marker);
static jit_fn jit;

static const char *verdict(void)
{
	return jit(SI_REC_MARK_ARG0) == SI_REC_MARK_RESULT ? "hooked"
							   : "kernel";
}

static void *thread_main(void *arg)
{
	printf("thread %s\n", verdict());
	return arg;
}

int main(void)
{
	/* mov $110, %eax (getppid); syscall; ret -- rdi is the marker. */
	static const unsigned char code[] = {0xb8, 0x6e, 0x00, 0x00,
					     0x00, 0x0f, 0x05, 0xc3};
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	memcpy(p, code, sizeof(code));
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0)
		return 1;
	jit = (jit_fn)p;
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
