/*
 * What the C benchmarks in tools/ share: a monotonic clock in ns, and
 * quantiles of a set of timings (median of rounds, quartiles of per-round
 * differences).
 */
#ifndef SYSCALL_INTERCEPT_TOOLS_BENCH_STATS_H
#define SYSCALL_INTERCEPT_TOOLS_BENCH_STATS_H

/* CLOCK_MONOTONIC, in ns. */
double bench_now_ns(void);

/* The q-quantile (0..1) of v[0..n), interpolated between neighbours;
 * sorts v. n > 0. */
double bench_quantile(double *v, long n, double q);

/* bench_quantile(v, n, 0.5). */
double bench_median(double *v, long n);

#endif
