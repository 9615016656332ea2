#!/usr/bin/env bash
# Command 1 of README.md: installs what is missing, builds, and runs the main
# job on a real program: sitrace logs every libc and loader syscall of
# `ls -la /usr` through the library, then counts them by syscall.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
bazel build //:syscall_intercept //tools:sitrace
bin=$(bazel info bazel-bin 2>/dev/null)
log=$(mktemp /tmp/sitrace_demo.XXXXXX)
trap 'rm -f "$log"' EXIT
echo "== sitrace -o LOG -- ls -la /usr" >&2
"$bin/tools/sitrace" -o "$log" -- ls -la /usr
echo "== the first lines of the log, of $(wc -l <"$log")" >&2
head -n 24 "$log" >&2
echo "== sitrace -c -- ls -la /usr (calls per syscall)" >&2
"$bin/tools/sitrace" -c -- ls -la /usr >/dev/null
