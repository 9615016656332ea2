/*
 * prog_dlopen MODE ...: loads dl_fixture.S's objects with dlopen and prints
 * what their marker calls returned (SI_REC_MARK_RESULT when the hook saw
 * them), one line per fact:
 *
 *   once LIB              dlopen, "ctor X mark Y", dlclose
 *   reopen LIB N          N rounds of dlopen, dlclose, "round I base B ctor
 *                         X mark Y maps M" (B: the object's load address,
 *                         M: the process's mappings after dlclose)
 *   dlmopen LIB           as once, in a new link-map namespace
 *   failed BAD GOOD N     N rounds of: dlopen(BAD) (which must fail),
 *                         "failed", then as once with GOOD
 *   trapsite LIB N        N rounds of dlopen(LIB) (trap_fixture.S: a site
 *                         no jump fits), its site called with the marker
 *                         call, "round I mark Y", dlclose
 *   stale LIB             dlopen(LIB) (trap_fixture.S), its site called,
 *                         dlclose; then an int3 of the program's own at
 *                         the old site's address (a fresh mapping there)
 *                         must reach the program's SIGTRAP handler:
 *                         "mark Y app_traps K" (or "skip" if the address
 *                         cannot be mapped again)
 *   threads A B T N R V   keeps A open; T threads each make N rounds of
 *                         getppid through libc (the hook answers V) and A's
 * marker call, while the main thread makes R rounds of dlopen(B), B's marker
 * call, dlclose(B); prints "thread I libc C mark M" (calls that got the hooked
 * answer), "rounds K" (rounds where B's constructor and function were both
 * hooked) and "calls G" (every getppid this program made).
 *
 * Exit status 0, or 1 with a message when dlopen or dlsym fails.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "testing/process/record_abi.h"

typedef long (*fix_fn)(void);

struct fixture {
	void *handle;
	fix_fn mark;
	fix_fn ctor_result;
};

static int load(const char *path, int newns, struct fixture *f)
{
	f->handle = newns ? dlmopen(LM_ID_NEWLM, path, RTLD_NOW)
			  : dlopen(path, RTLD_NOW);
	if (!f->handle) {
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
		return -1;
	}
	f->mark = (fix_fn)dlsym(f->handle, "si_dl_mark");
	f->ctor_result = (fix_fn)dlsym(f->handle, "si_dl_ctor_result");
	if (!f->mark) {
		fprintf(stderr, "dlsym: %s\n", dlerror());
		return -1;
	}
	return 0;
}

/* Lines of /proc/self/maps: how many mappings the process has. */
static long count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static long ctor_of(const struct fixture *f)
{
	return f->ctor_result ? f->ctor_result() : 0;
}

static fix_fn thread_mark;
static long thread_rounds;
static long getppid_value;
static volatile int go;

struct thread_result {
	long libc, mark;
};

static void *thread_main(void *arg)
{
	struct thread_result *r = arg;

	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		;
	for (long i = 0; i < thread_rounds; i++) {
		/* libc's syscall(), rdi = 0: getppid() would leave rdi as
		 * the marker call set it, and look like one. */
		r->libc += syscall(SYS_getppid, 0L) == getppid_value;
		r->mark += thread_mark() == SI_REC_MARK_RESULT;
	}
	return NULL;
}

static int run_threads(char **argv)
{
	struct fixture a, b;
	long threads = strtol(argv[4], NULL, 10);
	long rounds = strtol(argv[6], NULL, 10);
	long ok = 0, calls = 1; /* A's constructor */
	pthread_t tid[64];
	struct thread_result res[64];

	if (threads < 1 || threads > 64 || load(argv[2], 0, &a) != 0)
		return 1;
	thread_mark = a.mark;
	thread_rounds = strtol(argv[5], NULL, 10);
	getppid_value = strtol(argv[7], NULL, 10);
	memset(res, 0, sizeof(res));
	for (long t = 0; t < threads; t++)
		if (pthread_create(&tid[t], NULL, thread_main, &res[t]) != 0)
			return 1;
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	for (long i = 0; i < rounds; i++) {
		if (load(argv[3], 0, &b) != 0)
			return 1;
		long c = ctor_of(&b), m = b.mark();
		ok += c == SI_REC_MARK_RESULT && m == SI_REC_MARK_RESULT;
		calls += 2;
		dlclose(b.handle);
	}
	for (long t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	for (long t = 0; t < threads; t++) {
		printf("thread %ld libc %ld mark %ld\n", t, res[t].libc,
		       res[t].mark);
		calls += 2 * thread_rounds;
	}
	printf("rounds %ld\ncalls %ld\n", ok, calls);
	return 0;
}

/* Calls trap_fixture.S's si_tfx_site (rax = number, rdi = first
 * argument), stepping over the red zone the call's push would clobber. */
static long call_site(void *fn, long nr, long a0)
{
	long r;
	register long rdi __asm__("rdi") = a0;
	__asm__ volatile("sub $128, %%rsp\n\t"
			 "call *%[f]\n\t"
			 "add $128, %%rsp"
			 : "=a"(r), "+r"(rdi)
			 : "a"(nr), [f] "r"(fn)
			 : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11",
			   "memory", "cc");
	return r;
}

static int run_trapsite(const char *lib, long n)
{
	for (long i = 0; i < n; i++) {
		void *h = dlopen(lib, RTLD_NOW);
		void *site = h ? dlsym(h, "si_tfx_site") : NULL;
		if (!site) {
			fprintf(stderr, "dlopen/dlsym %s: %s\n", lib,
				dlerror());
			return 1;
		}
		long m = call_site(site, SYS_getppid, SI_REC_MARK_ARG0);
		printf("round %ld mark %#lx\n", i, m);
		dlclose(h);
	}
	return 0;
}

static volatile sig_atomic_t app_traps;

static void on_app_trap(int sig)
{
	(void)sig;
	app_traps++;
}

static int run_stale(const char *lib)
{
	void *h = dlopen(lib, RTLD_NOW);
	void *site = h ? dlsym(h, "si_tfx_site") : NULL;
	if (!site) {
		fprintf(stderr, "dlopen/dlsym %s: %s\n", lib, dlerror());
		return 1;
	}
	long m = call_site(site, SYS_getppid, SI_REC_MARK_ARG0);
	dlclose(h);
	signal(SIGTRAP, on_app_trap);
	uintptr_t page = (uintptr_t)site & ~(uintptr_t)4095;
	void *p =
	    mmap((void *)page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)page) {
		printf("skip\n");
		return 0;
	}
	unsigned char *code = (unsigned char *)site;
	code[0] = 0xcc; /* int3 */
	code[1] = 0xc3; /* ret */
	call_site(site, SYS_getppid, 0);
	printf("mark %#lx app_traps %d\n", m, (int)app_traps);
	return 0;
}

int main(int argc, char **argv)
{
	struct fixture f;

	if (argc >= 3 &&
	    (!strcmp(argv[1], "once") || !strcmp(argv[1], "dlmopen"))) {
		if (load(argv[2], !strcmp(argv[1], "dlmopen"), &f) != 0)
			return 1;
		long c = ctor_of(&f);
		printf("ctor %#lx mark %#lx\n", c, f.mark());
		dlclose(f.handle);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "reopen")) {
		long n = strtol(argv[3], NULL, 10);
		for (long i = 0; i < n; i++) {
			Dl_info info;
			if (load(argv[2], 0, &f) != 0 ||
			    !dladdr((void *)f.mark, &info))
				return 1;
			long c = ctor_of(&f), m = f.mark();
			dlclose(f.handle);
			printf(
			    "round %ld base %p ctor %#lx mark %#lx maps %ld\n",
			    i, info.dli_fbase, c, m, count_maps());
		}
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "failed")) {
		long n = strtol(argv[4], NULL, 10);
		for (long i = 0; i < n; i++) {
			if (dlopen(argv[2], RTLD_NOW) != NULL) {
				fprintf(stderr, "dlopen %s worked\n", argv[2]);
				return 1;
			}
			printf("failed\n");
			if (load(argv[3], 0, &f) != 0)
				return 1;
			long c = ctor_of(&f);
			printf("ctor %#lx mark %#lx\n", c, f.mark());
			dlclose(f.handle);
		}
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "stale"))
		return run_stale(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "trapsite"))
		return run_trapsite(argv[2], strtol(argv[3], NULL, 10));
	if (argc >= 8 && !strcmp(argv[1], "threads"))
		return run_threads(argv);
	fprintf(stderr, "usage: see prog_dlopen.c\n");
	return 64;
}
