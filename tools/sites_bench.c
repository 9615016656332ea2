/*
 * sites_bench: the start-up analysis of the live libc, timed in one run:
 * locating the object, the fast site analysis, planning every site, and
 * the reference full capstone sweep. Reports medians over several
 * repetitions and the ratio, so the figures compare within one run.
 *
 *   sites_bench [REPS] [--no-sweep]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "disasm/disasm.h"
#include "patcher/locator.h"
#include "patcher/object_input.h"
#include "patcher/planner.h"
#include "patcher/sites.h"
#include "tools/bench_stats.h"

static double now_ms(void)
{
	return bench_now_ns() / 1e6;
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 21;
	int no_sweep = argc > 2 && !strcmp(argv[2], "--no-sweep");
	if (reps < 1 || reps > 1000)
		reps = 21;
	double *t_loc = calloc((size_t)reps, sizeof(double));
	double *t_fast = calloc((size_t)reps, sizeof(double));
	double *t_sweep = calloc((size_t)reps, sizeof(double));
	double *t_plan = calloc((size_t)reps, sizeof(double));
	struct arena arena;
	if (!t_loc || !t_fast || !t_sweep || !t_plan ||
	    arena_init_mmap(&arena, 256u << 20) != 0) {
		fprintf(stderr, "sites_bench: out of memory\n");
		return 1;
	}
	void *cs_mem = arena_alloc(&arena, DISASM_ARENA_MIN * 4, 16);
	struct disasm_ctx *ctx = disasm_open(cs_mem, DISASM_ARENA_MIN * 4);
	if (!ctx) {
		fprintf(stderr, "sites_bench: cannot open capstone\n");
		return 1;
	}
	size_t keep = arena_mark(&arena);
	size_t n_sites = 0, n_sweep_sites = 0, n_fallback = 0;
	const char *path = "?";
	for (int r = 0; r < reps; r++) {
		arena_rewind(&arena, keep);
		struct locator_object obj;
		double t0 = now_ms();
		/* As at start-up: no .symtab from disk (libc has none). */
		if (locator_open_loaded((const void *)&getpid, NULL,
					LOCATOR_NO_FILE_SYMTAB, &arena,
					&obj) != 0) {
			fprintf(stderr, "sites_bench: cannot locate libc\n");
			return 1;
		}
		double t1 = now_ms();
		struct sites_input in;
		struct sites_result res;
		if (object_sites_input(&obj, &arena, &in) != 0 ||
		    sites_find(&in, ctx, &arena, &res) != 0) {
			fprintf(stderr, "sites_bench: analysis failed\n");
			return 1;
		}
		double t2 = now_ms();
		struct plan_result plan;
		if (planner_plan(&obj, &res, ctx, &arena, &plan) != 0) {
			fprintf(stderr, "sites_bench: planning failed\n");
			return 1;
		}
		t_plan[r] = now_ms() - t2;
		n_fallback = plan.n_fallback;
		n_sites = res.n_sites;
		path = obj.path;
		t_loc[r] = t1 - t0;
		t_fast[r] = t2 - t1;
		if (!no_sweep && (r < 5 || r % 4 == 0)) { /* slow: fewer */
			double t3 = now_ms();
			if (sites_find_sweep(&in, ctx, &arena, &res) != 0) {
				fprintf(stderr, "sites_bench: sweep failed\n");
				return 1;
			}
			t_sweep[r] = now_ms() - t3;
			n_sweep_sites = res.n_sites;
		} else {
			t_sweep[r] = -1;
		}
	}
	int ns = 0;
	for (int r = 0; r < reps; r++)
		if (t_sweep[r] >= 0)
			t_sweep[ns++] = t_sweep[r];
	double loc = bench_median(t_loc, reps),
	       fast = bench_median(t_fast, reps);
	double plan = bench_median(t_plan, reps);
	if (ns == 0) {
		printf("locate %.3f ms, fast analysis %.3f ms (%zu sites), "
		       "plan %.3f ms (%zu fallbacks)\n",
		       loc, fast, n_sites, plan, n_fallback);
		return 0;
	}
	double sweep = bench_median(t_sweep, ns);
	printf("libc: %s\n", path);
	printf("  locate (FDEs, symbols, padding)  %8.3f ms\n", loc);
	printf("  fast site analysis               %8.3f ms  (%zu sites)\n",
	       fast, n_sites);
	printf("  locate + fast analysis           %8.3f ms\n", loc + fast);
	printf("  planning every site              %8.3f ms  (%zu fallbacks)\n",
	       plan, n_fallback);
	printf("  full capstone sweep (reference)  %8.3f ms  (%zu sites)\n",
	       sweep, n_sweep_sites);
	printf("  sweep / (locate + fast)          %8.1fx\n",
	       sweep / (loc + fast));
	printf("medians of %d runs (%d for the sweep)\n", reps, ns);
	return n_sites == n_sweep_sites ? 0 : 1;
}
