#!/usr/bin/env bash
# Command 1 of README.md: installs what is missing, builds, and runs the main
# job on a real program.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
bazel build //...
# The tracer (sitrace) is not built yet; until it is, the main job shown here
# is the analysis it rests on: every syscall site of this machine's libc.
echo "demo: sitrace does not exist yet; showing the syscall-site analysis of the live libc instead" >&2
bazel run //tools:si_sites -- --summary
