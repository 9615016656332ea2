#!/usr/bin/env bash
# Under gdb, whose breakpoint sits on ld.so's _dl_debug_state (r_brk) from
# the start, INTERCEPT_ALL_OBJS=1 cannot put its jump there: the library
# says so once, leaves dlopened objects unpatched, and the program runs as
# without it; gdb still sees the library loaded later (its breakpoint
# works). Outside gdb the same run patches the object.
set -uo pipefail
prog="$1"
hook="$2"
lib="$3"
if ! command -v gdb >/dev/null 2>&1; then
  echo "debugger_test: gdb is not installed (tools/setup.sh installs it)" >&2
  exit 1
fi
mark=0x6d61726b # SI_REC_MARK_RESULT
rc=0

out=$(LD_PRELOAD="$hook" INTERCEPT_ALL_OBJS=1 "$prog" once "$lib" 2>&1)
if [ "$out" != "ctor $mark mark $mark" ]; then
  echo "FAIL: outside gdb the object was not patched: $out" >&2
  rc=1
fi

out=$(gdb -nx -batch -ex 'set startup-with-shell off' \
  -ex "set environment LD_PRELOAD=$hook" \
  -ex 'set environment INTERCEPT_ALL_OBJS=1' \
  -ex 'set breakpoint pending on' -ex 'break si_dl_mark' -ex run \
  -ex continue \
  --args "$prog" once "$lib" 2>&1)
echo "$out"
msg="syscall_intercept: _dl_debug_state cannot be redirected (not the expected code): objects loaded after start-up are not patched"
if [ "$(printf '%s\n' "$out" | grep -cF "$msg")" != 1 ]; then
  echo "FAIL: the message is not there exactly once" >&2
  rc=1
fi
if ! printf '%s\n' "$out" | grep -qE "^ctor 0x[0-9a-f]+ mark 0x[0-9a-f]+$" ||
  printf '%s\n' "$out" | grep -q "mark $mark"; then
  echo "FAIL: the program did not run unpatched" >&2
  rc=1
fi
if ! printf '%s\n' "$out" | grep -qE "Breakpoint 1, .*si_dl_mark"; then
  echo "FAIL: gdb did not stop in the dlopened library" >&2
  rc=1
fi
if ! printf '%s\n' "$out" | grep -q "exited normally"; then
  echo "FAIL: the program did not exit normally" >&2
  rc=1
fi
[ $rc = 0 ] && echo "debugger_test: ok"
exit $rc
