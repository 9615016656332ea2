#!/usr/bin/env bash
# Installs, only when missing, the Debian 12 packages that the build and the
# tests need. Idempotent; prints nothing when everything is present.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap   # Bazel 4.2.3, the build system
  default-jdk-headless
  gcc g++ binutils make
  libcapstone-dev   # the disassembler, linked statically
  libgtest-dev      # googletest, for the unit tests
  libabsl-dev       # abseil, for tests and tools
  clang-format      # the format check in .ci/run
  strace            # tests compare our traces with strace's
  gdb               # the unwind test reads gdb's backtrace from a hook
  python3 perl bash coreutils tar findutils
  pkg-config        # the install test builds a hook with pkg-config
  man-db            # the install test renders the man page
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing missing packages: ${missing[*]}" >&2
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "setup: error: packages missing (${missing[*]}) and not root (no sudo)" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! "${SUDO[@]}" apt-get install -y -q "${missing[@]}" >"$log" 2>&1; then
  # The package lists may be stale or absent on a fresh machine.
  if ! { "${SUDO[@]}" apt-get update -q && "${SUDO[@]}" apt-get install -y -q "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup: error: could not install: ${missing[*]} (see apt output above)" >&2
    rm -f "$log"
    exit 1
  fi
fi
rm -f "$log"
for p in "${missing[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    echo "setup: error: package $p is still not installed" >&2
    exit 1
  fi
done
echo "setup: installed ${missing[*]}" >&2
