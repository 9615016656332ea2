#!/usr/bin/env bash
# Checks (or with --fix, applies) .clang-format on every C, C++ and header file
# tracked in the tree, third_party/ excepted.
set -uo pipefail
cd "$(dirname "$0")/.."
CF=$(command -v clang-format-14 || command -v clang-format) || {
  echo "check_format: clang-format not found (tools/setup.sh installs it)" >&2
  exit 1
}
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.cc' '*.h' ':!third_party/**' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
[ ${#files[@]} -eq 0 ] && exit 0
if [ "${1:-}" = "--fix" ]; then
  exec "$CF" -i "${files[@]}"
fi
"$CF" --dry-run --Werror "${files[@]}"
