// Makes one intercepted call whose hook raises SIGTRAP, from a function with
// a known name, so a debugger's backtrace can be checked (unwind_test.sh).
#include <signal.h>
#include <sys/syscall.h>

#include <cstdio>
#include <cstring>

#include "dispatch/dispatch.h"

#include "libsyscall_intercept_hook_point.h"
#include "trampoline/entry_abi.h"
#include "trampoline/testing/harness.h"
#include "trampoline/testing/test_tramp.h"

extern "C" {

__attribute__((noinline)) int probe_hook(long, long, long, long, long, long,
					 long, long *result)
{
	raise(SIGTRAP);
	*result = 0;
	return 0;
}

__attribute__((noinline)) long probe_site_caller(void *tramp)
{
	harness h = {};
	h.gpr_in[H_RAX] = SYS_getppid;
	h.mxcsr_in = 0x1f80;
	h.tramp = reinterpret_cast<uint64_t>(tramp);
	harness_run(&h);
	return static_cast<long>(h.gpr_out[H_RAX]);
}
}

void probe_post_hook(long, const long *, long)
{
}

// With "dispatcher", a post hook makes the stub go through si_dispatch;
// without, the stub calls the hook itself (its fast path).
int main(int argc, char **argv)
{
	test_tramp t;
	test_tramp_options o = {};
	o.site_flags = SI_SITE_SAVE_FULL;
	o.resume_to = reinterpret_cast<void *>(&harness_resume);
	o.orig_addr = reinterpret_cast<uint64_t>(&harness_site);
	if (test_tramp_build(&t, &o) != 0)
		return 2;
	intercept_hook_point = probe_hook;
	if (argc > 1 && std::strcmp(argv[1], "dispatcher") == 0)
		si_dispatch_set_post_hook(probe_post_hook);
	// SIGTRAP would kill the process outside a debugger.
	signal(SIGTRAP, SIG_IGN);
	long r = probe_site_caller(t.entry);
	test_tramp_free(&t);
	std::printf("result %ld\n", r);
	return r == 0 ? 0 : 1;
}
