#!/usr/bin/env bash
# Command 1 of README.md: installs what is missing, builds the library, and
# runs the main job on a real program: `ls -la /usr` with every libc
# syscall it makes routed through the library to the counter hook, which
# prints what it saw. (The tracer, sitrace, will take this place.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
bazel build //:syscall_intercept //hooks:libsyscall_counter.so
bin=$(bazel info bazel-bin 2>/dev/null)
echo "== ls -la /usr, every libc syscall through $bin/libsyscall_intercept.so" >&2
LD_PRELOAD="$bin/hooks/libsyscall_counter.so" ls -la /usr
