// Cost of the entry path (trampoline -> si_entry -> si_dispatch -> hook ->
// back), against a raw getppid syscall and against the floor (the least
// stub with the hook's ABI, trampoline/testing/harness.S), in one run. Prints
// the median ns per call over several rounds, and ratios within the run (the
// machine is noisy; compare within one run only).
#include <sys/syscall.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dispatch/dispatch.h"
#include "libsyscall_intercept_hook_point.h"
#include "trampoline/entry_abi.h"
#include "trampoline/testing/harness.h"
#include "trampoline/testing/test_tramp.h"

namespace
{

int ForwardHook(long, long, long, long, long, long, long, long *)
{
	return 1;
}

int EmulateHook(long, long, long, long, long, long, long, long *result)
{
	*result = 1;
	return 0;
}

void PostHook(long, const long *, long)
{
}

double NowNs()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

// One measured configuration: hooks to install, then a loop of n calls.
struct Case {
	std::string name;
	int (*hook)(long, long, long, long, long, long, long, long *);
	si_post_hook_fn post;
	void *tramp; // nullptr: raw syscall
	long calls;
	std::vector<double> ns;
	bool floor = false; // bench_floor_loop with `hook`
};

double RunOnce(Case &c)
{
	intercept_hook_point = c.hook;
	si_dispatch_set_post_hook(c.post);
	double t0 = NowNs();
	if (c.floor)
		bench_floor_loop(reinterpret_cast<void *>(c.hook), SYS_getppid,
				 c.calls);
	else if (c.tramp == nullptr)
		bench_raw_loop(SYS_getppid, c.calls);
	else
		bench_tramp_loop(c.tramp, SYS_getppid, c.calls);
	double ns = (NowNs() - t0) / c.calls;
	intercept_hook_point = nullptr;
	si_dispatch_set_post_hook(nullptr);
	return ns;
}

double Median(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
	long calls = argc > 1 ? std::atol(argv[1]) : 200000;
	const int rounds = 15;

	struct Site {
		const char *label;
		uint32_t flags;
		bool preserve_flags;
		test_tramp t;
	} sites[] = {
	    {"si_entry, SAVE_NONE", SI_SITE_SAVE_NONE, false, {}},
	    {"si_entry_flags, SAVE_NONE", SI_SITE_SAVE_NONE, true, {}},
	    {"si_entry, SAVE_SSE", SI_SITE_SAVE_SSE, false, {}},
	    {"si_entry, SAVE_FULL", SI_SITE_SAVE_FULL, false, {}},
	};
	for (auto &s : sites) {
		test_tramp_options o = {};
		o.site_flags = s.flags;
		o.preserve_flags = s.preserve_flags;
		o.resume_to = reinterpret_cast<void *>(&bench_resume);
		if (test_tramp_build(&s.t, &o) != 0) {
			std::fprintf(stderr, "cannot build a trampoline\n");
			return 1;
		}
	}
	void *plain = sites[0].t.entry;

	// Rounds interleave the cases, so load from other processes spreads
	// over all of them instead of skewing one.
	std::vector<Case> cases = {
	    {"raw getppid syscall", nullptr, nullptr, nullptr, calls, {}},
	    {"trampoline, no hook (forwarded)",
	     nullptr,
	     nullptr,
	     plain,
	     calls,
	     {}},
	    {"trampoline, hook returns 1 (forwarded)",
	     ForwardHook,
	     nullptr,
	     plain,
	     calls,
	     {}},
	    {"trampoline, hook returns 1, post hook (FORWARD_POST)",
	     ForwardHook,
	     PostHook,
	     plain,
	     calls,
	     {}},
	};
	for (auto &s : sites)
		cases.push_back({std::string("trampoline, hook returns 0 "
					     "(emulated), ") +
				     s.label,
				 EmulateHook,
				 nullptr,
				 s.t.entry,
				 calls * 5,
				 {}});
	Case floor = {"floor: least stub with the hook ABI, hook returns 0",
		      EmulateHook,
		      nullptr,
		      nullptr,
		      calls * 5,
		      {}};
	floor.floor = true;
	cases.push_back(floor);
	for (auto &c : cases) {
		long n = c.calls;
		c.calls = n / 10;
		RunOnce(c); // warm up
		c.calls = n;
	}
	for (int r = 0; r < rounds; r++)
		for (auto &c : cases)
			c.ns.push_back(RunOnce(c));

	double raw_ns = Median(cases[0].ns);
	double fwd_ns = Median(cases[2].ns);
	double emu_ns = Median(cases[4].ns);
	std::printf("%-66s %9s %9s\n", "path", "ns/call", "vs raw");
	for (const Case &c : cases) {
		double ns = Median(c.ns);
		std::printf("%-66s %9.1f %9.2f\n", c.name.c_str(), ns,
			    ns / raw_ns);
	}
	std::printf("\nforwarding overhead (hook returns 1 - raw): %+.1f ns "
		    "(%+.1f%%)\n",
		    fwd_ns - raw_ns, 100.0 * (fwd_ns - raw_ns) / raw_ns);
	std::printf("emulated getppid (si_entry, SAVE_NONE): %.1f ns, %.1fx "
		    "cheaper than the raw call\n",
		    emu_ns, raw_ns / emu_ns);
	std::printf("floor under it (no descriptor, guard or checks): %.1f "
		    "ns\n",
		    Median(cases.back().ns));
	std::printf("(%ld calls per round for syscalls, %ld for emulated; "
		    "median of %d interleaved rounds; FULL uses a %llu-byte "
		    "XSAVE area%s)\n",
		    calls, calls * 5, rounds,
		    static_cast<unsigned long long>(si_xsave_config.area_size),
		    si_xsave_config.use_fxsave ? ", fxsave" : "");
	for (auto &s : sites)
		test_tramp_free(&s.t);
	return 0;
}
