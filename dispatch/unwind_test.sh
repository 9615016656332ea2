#!/usr/bin/env bash
# gdb's backtrace from inside a hook runs from the hook through the
# dispatcher and the entry stub to the function that made the syscall
# (harness_run, which holds the "original" site), then to its caller and main.
set -uo pipefail
probe="$1"
if ! command -v gdb >/dev/null 2>&1; then
  echo "unwind_test: gdb is not installed (tools/setup.sh installs it)" >&2
  exit 1
fi
"$probe" || { echo "probe failed outside gdb" >&2; exit 1; }
out=$(gdb -nx -batch -ex 'handle SIGTRAP stop' -ex run -ex bt "$probe" 2>&1)
echo "$out"
bt=$(printf '%s\n' "$out" | grep -E '^#[0-9]+ ')
rc=0
prev=-1
for fn in probe_hook si_dispatch si_entry harness_run probe_site_caller main; do
  line=$(printf '%s\n' "$bt" | grep -m1 -E "[ ]$fn[ (]")
  if [ -z "$line" ]; then
    echo "FAIL: $fn missing from the backtrace" >&2
    rc=1
    continue
  fi
  n=$(printf '%s\n' "$line" | sed -E 's/^#([0-9]+).*/\1/')
  if [ "$n" -le "$prev" ]; then
    echo "FAIL: $fn (frame $n) out of order" >&2
    rc=1
  fi
  prev=$n
done
exit $rc
