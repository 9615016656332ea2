#!/usr/bin/env bash
# sitrace -c against strace -f on three real workloads (issue 6): the counts
# agree, syscall by syscall, on every call strace attributes to intercepted
# code, and nothing libc makes after the library started is missed; the
# calls only strace saw are printed by who made them (strace_compare.sh).
set -uo pipefail
compare="$1"
sitrace="$2"
rc=0
for cmd in "ls -la /usr" "/usr/bin/python3 -c 'import json'" "sh -c 'echo hi | cat'"; do
  eval "\"\$compare\" \"\$sitrace\" -- $cmd" || rc=1
  echo
done
exit $rc
