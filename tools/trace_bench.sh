#!/usr/bin/env bash
# trace_bench: what tracing costs a real program, in one run. Runs the
# command untraced, under `sitrace -o FILE` (every libc syscall logged to a
# file) and under `strace -f -o FILE`, and prints median wall times and their
# ratios to the untraced run, with the size of each log.
#
#   tools/trace_bench.sh [--rounds N] [--strace-rounds N] [-- command args...]
#   SITRACE=bazel-bin/tools/sitrace tools/trace_bench.sh    (no build)
#
# Default command: find /usr -type f (its output goes to /dev/null). Rounds
# of the untraced and sitrace runs are interleaved, so load from other
# processes spreads over both; strace, ~100x slower, runs fewer rounds.
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=5
strace_rounds=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --strace-rounds) strace_rounds="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: trace_bench.sh [--rounds N] [--strace-rounds N] [-- command args...]" >&2; exit 2 ;;
  esac
done
if [ $# -eq 0 ]; then
  set -- find /usr -type f
fi
# SITRACE=path uses an sitrace already built (its library next to it).
sitrace="${SITRACE:-}"
if [ -z "$sitrace" ]; then
  tools/setup.sh || exit 1
  bazel build //tools:sitrace >/dev/null 2>&1 || {
    echo "trace_bench: bazel build //tools:sitrace failed" >&2
    exit 1
  }
  sitrace="$(bazel info bazel-bin 2>/dev/null)/tools/sitrace"
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

now_ns() { date +%s%N; }

# run NAME command...: appends the wall time in ms to $dir/NAME.
run() {
  local name="$1"
  shift
  local t0 t1
  t0=$(now_ns)
  "$@" >/dev/null 2>"$dir/$name.err"
  t1=$(now_ns)
  echo $(((t1 - t0) / 1000)) >>"$dir/$name.us"
}

median() { sort -n "$1" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# One warm-up of each: page cache, the library's plan cache.
"$@" >/dev/null 2>&1
"$sitrace" -o "$dir/warm.log" -- "$@" >/dev/null 2>&1
for ((i = 0; i < rounds; i++)); do
  run untraced "$@"
  rm -f "$dir/sitrace.log"
  run sitrace "$sitrace" -o "$dir/sitrace.log" -- "$@"
done
if command -v strace >/dev/null 2>&1; then
  for ((i = 0; i < strace_rounds; i++)); do
    rm -f "$dir/strace.log"
    run strace strace -f -o "$dir/strace.log" -- "$@"
  done
fi

base=$(median "$dir/untraced.us")
echo "trace_bench: $* (median of $rounds rounds; strace: $strace_rounds)"
printf "%-28s %10s %8s %12s %10s\n" "mode" "wall ms" "ratio" "log lines" "log MiB"
row() {
  local name="$1" label="$2" log="$3"
  [ -f "$dir/$name.us" ] || return
  local m
  m=$(median "$dir/$name.us")
  local lines="-" mib="-"
  if [ -n "$log" ] && [ -f "$log" ]; then
    lines=$(wc -l <"$log")
    mib=$(awk -v b="$(stat -c %s "$log")" 'BEGIN {printf "%.1f", b / 1048576}')
  fi
  awk -v l="$label" -v m="$m" -v b="$base" -v n="$lines" -v s="$mib" \
    'BEGIN {printf "%-28s %10.1f %7.2fx %12s %10s\n", l, m / 1000, m / b, n, s}'
}
row untraced "untraced" ""
row sitrace "sitrace -o FILE" "$dir/sitrace.log"
row strace "strace -f -o FILE" "$dir/strace.log"
