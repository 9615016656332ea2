#!/usr/bin/env bash
# The trap path of exhaustive mode against the fast path, in one run:
# jit_bench (a getppid from run-time generated code, and one through libc)
# unhooked, and under INTERCEPT_EXHAUSTIVE=1 with the library alone (the
# hook is absent: every call is forwarded) and with the test hook answering
# getppid, each with the code trapped on every call (a writable mapping,
# never patched) and lazily patched (dispatch/lazy.h); medians of 9 rounds
# each, ratios to the unhooked run.
#
#   tools/jit_bench.sh [CALLS]
#   BAZEL_BIN=bazel-bin tools/jit_bench.sh     (no build)
set -uo pipefail
cd "$(dirname "$0")/.."
# BAZEL_BIN=dir uses what is built there already.
bin="${BAZEL_BIN:-}"
if [ -z "$bin" ]; then
  bazel build //tools:jit_bench //:libsyscall_intercept.so \
    //testing/process:libsi_hook_static.so >/dev/null 2>&1 || {
    echo "jit_bench: build failed" >&2
    exit 1
  }
  bin=$(bazel info bazel-bin 2>/dev/null)
fi
n="${1:-20000}"
run() { # mapping, then environment
  local map=$1
  shift
  env "$@" "$bin/tools/jit_bench" "$n" "$map"
}
lib="$bin/libsyscall_intercept.so"
hook="$bin/testing/process/libsi_hook_static.so"
plain=$(run rx)
echo "jit_bench: getppid, ns/call (median of 9 rounds x $n calls)"
printf "%-44s %10s %8s %10s %8s\n" "mode" "jit code" "ratio" "libc" "ratio"
read -r _ pj _ pl <<<"$plain"
row() { # label, output of run
  read -r _ j _ l <<<"$2"
  awk -v L="$1" -v j="$j" -v l="$l" -v pj="$pj" -v pl="$pl" \
    'BEGIN {printf "%-44s %10.1f %7.1fx %10.1f %7.2fx\n", L, j, j / pj, l, l / pl}'
}
row "unhooked" "$plain"
row "exhaustive, forwarded, trapped (rwx)" \
  "$(run rwx INTERCEPT_EXHAUSTIVE=1 LD_PRELOAD="$lib")"
row "exhaustive, forwarded, lazily patched" \
  "$(run rx INTERCEPT_EXHAUSTIVE=1 LD_PRELOAD="$lib")"
row "exhaustive, hook answers, trapped (rwx)" \
  "$(run rwx SI_REC_GETPPID=7 INTERCEPT_EXHAUSTIVE=1 LD_PRELOAD="$hook")"
row "exhaustive, hook answers, lazily patched" \
  "$(run rx SI_REC_GETPPID=7 INTERCEPT_EXHAUSTIVE=1 LD_PRELOAD="$hook")"
