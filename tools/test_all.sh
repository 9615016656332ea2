#!/usr/bin/env bash
# Command 2 of README.md: installs what is missing, then runs every test, in the
# default (optimized) configuration and under AddressSanitizer+UBSan.
set -uo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh || exit 1
rc=0
bazel test //... || rc=1
bazel test --config=asan //... || rc=1
exit $rc
