#!/usr/bin/env bash
# Command 1 of README.md: installs what is missing, builds the library, and
# runs the main job on a real program: `ls -la /usr` with every libc syscall
# routed through the library, logged (INTERCEPT_LOG) and counted by the
# counter hook. (The tracer, sitrace, will take this place.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
bazel build //:syscall_intercept //hooks:libsyscall_counter.so
bin=$(bazel info bazel-bin 2>/dev/null)
log=$(mktemp /tmp/syscall_intercept_demo.XXXXXX)
trap 'rm -f "$log"' EXIT
echo "== ls -la /usr, every libc syscall through $bin/libsyscall_intercept.so" >&2
INTERCEPT_LOG="$log" LD_PRELOAD="$bin/hooks/libsyscall_counter.so" ls -la /usr
echo "== the first lines of its syscall log (INTERCEPT_LOG), of $(wc -l <"$log")" >&2
head -n 24 "$log" >&2
