#!/usr/bin/env bash
# Installs the library, its header, a pkg-config file, sitrace, the
# ready-made hooks and the man pages under a prefix:
#
#   tools/install.sh [--prefix DIR] [--from DIR]
#
#   --prefix DIR  where to install (default /usr/local)
#   --from DIR    take the built files from DIR (a bazel-bin or runfiles
#                 tree) instead of building them with Bazel first
#
# Afterwards a hook builds with
#   cc hook.c $(pkg-config --cflags --libs libsyscall_intercept) -fpic -shared -o hook.so
# (PKG_CONFIG_PATH=DIR/lib/pkgconfig if DIR is not searched by default).
set -euo pipefail
prefix=/usr/local
from=
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --from) from="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "install: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$prefix" in
  /*) ;;
  *) echo "install: --prefix must be an absolute path: $prefix" >&2; exit 2 ;;
esac
src=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$from" ]; then
  (cd "$src" && tools/setup.sh && bazel build //:syscall_intercept \
    //tools:sitrace //hooks:libsyscall_counter.so //hooks:libfork_ban.so \
    //hooks:libno_getdents.so //hooks:libpath_redirect.so)
  from=$(cd "$src" && bazel info bazel-bin 2>/dev/null)
  header="$src/dispatch/include/libsyscall_intercept_hook_point.h"
  man3="$src/doc/libsyscall_intercept.3"
  man1="$src/doc/sitrace.1"
else
  header="$from/dispatch/include/libsyscall_intercept_hook_point.h"
  man3="$from/doc/libsyscall_intercept.3"
  man1="$from/doc/sitrace.1"
fi
for f in "$from/libsyscall_intercept.so" "$header" "$man3" "$man1"; do
  [ -f "$f" ] || { echo "install: missing $f" >&2; exit 1; }
done

libdir="$prefix/lib"
install -d "$libdir/pkgconfig" "$libdir/syscall_intercept" "$prefix/include" \
  "$prefix/share/man/man3" "$prefix/share/man/man1" "$prefix/bin"
install -m 0755 "$from/libsyscall_intercept.so" "$libdir/"
install -m 0644 "$header" "$prefix/include/"
install -m 0644 "$man3" "$prefix/share/man/man3/"
install -m 0644 "$man1" "$prefix/share/man/man1/"
if [ -f "$from/tools/sitrace" ]; then
  install -m 0755 "$from/tools/sitrace" "$prefix/bin/"
fi
for h in libsyscall_counter.so libfork_ban.so libno_getdents.so libpath_redirect.so; do
  if [ -f "$from/hooks/$h" ]; then
    install -m 0755 "$from/hooks/$h" "$libdir/syscall_intercept/"
  fi
done
cat > "$libdir/pkgconfig/libsyscall_intercept.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: libsyscall_intercept
Description: User-space system call interception (drop-in for pmem's libsyscall_intercept)
Version: 0.2.0
Cflags: -I\${includedir}
Libs: -L\${libdir} -lsyscall_intercept
PC
echo "installed under $prefix: bin/sitrace, lib/libsyscall_intercept.so, include/libsyscall_intercept_hook_point.h, lib/pkgconfig/libsyscall_intercept.pc, lib/syscall_intercept/ (hooks), share/man/man3/libsyscall_intercept.3, share/man/man1/sitrace.1"
