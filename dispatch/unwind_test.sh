#!/usr/bin/env bash
# gdb's backtrace from inside a hook runs from the hook through the
# entry stub (and the dispatcher, when it is on the path) to the function that made the syscall
# (harness_run, which holds the "original" site), then to its caller and main.
set -uo pipefail
probe="$1"
if ! command -v gdb >/dev/null 2>&1; then
  echo "unwind_test: gdb is not installed (tools/setup.sh installs it)" >&2
  exit 1
fi
rc=0
# The fast path (the stub calls the hook) and the dispatcher's path.
for mode in fast dispatcher; do
  "$probe" "$mode" || { echo "probe ($mode) failed outside gdb" >&2; exit 1; }
  out=$(gdb -nx -batch -ex 'handle SIGTRAP stop' -ex run -ex bt --args "$probe" "$mode" 2>&1)
  echo "$out"
  bt=$(printf '%s\n' "$out" | grep -E '^#[0-9]+ ')
  frames="probe_hook si_entry harness_run probe_site_caller main"
  if [ "$mode" = dispatcher ]; then
    frames="probe_hook si_dispatch si_entry harness_run probe_site_caller main"
  fi
  prev=-1
  for fn in $frames; do
    line=$(printf '%s\n' "$bt" | grep -m1 -E "[ ]$fn[ (]")
    if [ -z "$line" ]; then
      echo "FAIL ($mode): $fn missing from the backtrace" >&2
      rc=1
      continue
    fi
    n=$(printf '%s\n' "$line" | sed -E 's/^#([0-9]+).*/\1/')
    if [ "$n" -le "$prev" ]; then
      echo "FAIL ($mode): $fn (frame $n) out of order" >&2
      rc=1
    fi
    prev=$n
  done
  # Nothing but the hook's own frames between the hook and the stub.
  if [ "$mode" = fast ] && printf '%s\n' "$bt" | grep -qE "[ ]si_dispatch[ (]"; then
    echo "FAIL (fast): si_dispatch in the backtrace" >&2
    rc=1
  fi
done
exit $rc
