#!/usr/bin/env bash
# strace_compare: runs a command under `sitrace -c` inside `strace -ff -k`,
# and checks, syscall by syscall, that the counter hook saw exactly the calls
# strace attributes to intercepted code. Every call strace saw and the hook
# did not is listed by who made it:
#
#   loader        ld.so, in a process image before its first intercepted
#                 call (loading the program before the library patched it)
#   library       syscall_intercept's own work (patching at start-up)
#   hook-output   the counter's own calls (its table, the pid it checks)
#   driver        sitrace itself (fork, exec, wait, the summary)
#   before-start  libc, in a process image before its first intercepted call
#                 (other libraries' constructors that run before ours)
#   missed        libc or ld.so, after the library started: a call that
#                 should have been intercepted
#   unknown       strace could not unwind the call in a process image that
#                 is not intercepted
#   other         any other object (the program itself, other libraries)
#
# Usage: strace_compare.sh SITRACE -- command [args...]
# Exit status: 0 if every count agrees and nothing is "missed", else 1.
set -uo pipefail

if [ $# -lt 3 ] || [ "$2" != "--" ]; then
  echo "usage: strace_compare.sh SITRACE -- command [args...]" >&2
  exit 2
fi
sitrace="$1"
shift 2
if ! command -v strace >/dev/null 2>&1; then
  echo "strace_compare: strace is not installed (tools/setup.sh installs it)" >&2
  exit 2
fi

dir=$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/strace_compare.XXXXXX")
trap 'rm -rf "$dir"' EXIT

strace -qq -ff -k -o "$dir/trace" -- "$sitrace" -c -o "$dir/counts" -- "$@" \
  >"$dir/stdout" 2>"$dir/stderr"
rc=$?
if [ ! -s "$dir/counts" ]; then
  echo "strace_compare: sitrace wrote no table (exit $rc)" >&2
  cat "$dir/stderr" >&2
  exit 1
fi

echo "strace_compare: $*"
awk -v counts="$dir/counts" '
function classify(   f0, i, any_stub, cls) {
  f0 = nframes > 0 ? frames[1] : ""
  any_stub = 0
  for (i = 1; i <= nframes; i++)
    if (frames[i] ~ /\((si_entry|si_entry_flags|si_clone_[a-z_]*)\+/)
      any_stub = 1
  if (f0 ~ /\((si_entry|si_entry_flags)\+/) {
    cls = "seen"  # run by the stub itself (clone paths, post hooks)
  } else if (f0 ~ /\(syscall_no_intercept\+/) {
    if (nframes > 1 && frames[2] ~ /\(counter_/ && frames[2] !~ /\(counter_hook\+/)
      cls = "hook-output"  # the counter: its table, its pid
    else if (any_stub)
      cls = "seen"
    else
      cls = "library"
  } else if (f0 == "" || f0 ~ /unexpected_backtracing_error/) {
    cls = image_seen ? "seen" : "unknown"
  } else if (f0 ~ /\/ld-linux[^\/]*\(/ || f0 ~ /\/ld-linux[^\/]*\)/ || f0 ~ /ld-linux-x86-64\.so\.2/) {
    cls = image_seen ? "missed" : "loader"
  } else if (f0 ~ /libsyscall_(counter|intercept)\.so/) {
    cls = "library"
  } else {
    cls = ""
    for (i = 1; i <= nframes; i++)
      if (frames[i] ~ /\/sitrace\(/)
        cls = "driver"
    if (cls == "") {
      if (f0 ~ /\/libc\.so/)
        cls = image_seen ? "missed" : "before-start"
      else
        cls = "other"
    }
  }
  return cls
}
function finish(   cls) {
  if (skip) {
    restarts++
    name = ""
    nframes = 0
    exec_ok = 0
    skip = 0
    return
  }
  if (name == "")
    return
  cls = classify()
  total[name]++
  by[name, cls]++
  if (cls == "seen")
    image_seen = 1
  if (cls == "missed" || cls == "other")
    detail[name " from " (nframes ? frames[1] : "?")]++
  if (exec_ok)
    image_seen = 0  # a new image: nothing intercepted in it yet
  name = ""
  nframes = 0
  exec_ok = 0
}
BEGIN {
  ncls = split("loader library hook-output driver before-start missed unknown other", classes, " ")
  while ((getline line < counts) > 0) {
    n = split(line, f, " ")
    if (n == 5 && f[1] ~ /^[0-9]+$/)
      hooked[f[5]] = f[1]
  }
}
FNR == 1 {
  finish()
  image_seen = 0
}
/^ > / {
  frames[++nframes] = substr($0, 4)
  next
}
/^[a-z_0-9]+\(/ {
  finish()
  name = $0
  sub(/\(.*/, "", name)
  exec_ok = (name ~ /^execve(at)?$/ && $0 ~ /= 0$/)
  # A call the kernel restarts (a signal came) shows again, or as
  # restart_syscall: the same call, which the hook saw once.
  if ($0 ~ /\(To be restarted\)$/ || name == "restart_syscall")
    skip = 1
  next
}
{
  finish()
}
END {
  finish()
  for (n in total) all[n] = 1
  for (n in hooked) all[n] = 1
  printf "%-22s %7s %7s %7s |", "syscall", "strace", "hook", "sitrace"
  for (c = 1; c <= ncls; c++)
    printf " %s", classes[c]
  printf "\n"
  bad = 0
  cmd = "sort"
  for (n in all) {
    seen = by[n, "seen"] + 0
    h = hooked[n] + 0
    mark = (seen != h) ? "  <-- MISMATCH" : ""
    if (seen != h)
      bad = 1
    line = sprintf("%-22s %7d %7d %7d |", n, total[n], seen, h)
    for (c = 1; c <= ncls; c++)
      line = line sprintf(" %d", by[n, classes[c]])
    print line mark | cmd
    grand += total[n]
    gseen += seen
    ghook += h
    for (c = 1; c <= ncls; c++)
      gcls[c] += by[n, classes[c]]
    if (by[n, "missed"] > 0)
      bad = 1
  }
  close(cmd)
  printf "%-22s %7d %7d %7d |", "total", grand, gseen, ghook
  for (c = 1; c <= ncls; c++)
    printf " %s=%d", classes[c], gcls[c]
  printf "\n"
  for (d in detail)
    printf "  not intercepted: %s (%d)\n", d, detail[d]
  if (bad) {
    print "strace_compare: FAIL: counts differ or calls were missed"
    exit 1
  }
  if (restarts)
    printf "  (%d restarted calls strace shows twice are counted once)\n", restarts
  print "strace_compare: ok: the hook saw every call strace attributes to intercepted code"
}
' "$dir"/trace.*
