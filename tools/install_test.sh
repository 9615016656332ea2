#!/usr/bin/env bash
# Installs into a temporary prefix from the test's runfiles, then builds a
# hook exactly as users do, with pkg-config, and checks it intercepts.
set -euo pipefail
root="$TEST_SRCDIR/syscall_intercept"
prefix="$TEST_TMPDIR/prefix"
bash "$root/tools/install.sh" --prefix "$prefix" --from "$root"
for f in lib/libsyscall_intercept.so include/libsyscall_intercept_hook_point.h \
         lib/pkgconfig/libsyscall_intercept.pc share/man/man3/libsyscall_intercept.3 \
         lib/syscall_intercept/libsyscall_counter.so \
         lib/syscall_intercept/libpath_redirect.so bin/sitrace; do
  [ -f "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs libsyscall_intercept)
echo "pkg-config: $flags"
cat > "$TEST_TMPDIR/hook.c" <<'C'
#include <sys/syscall.h>
#include <libsyscall_intercept_hook_point.h>
static int hook(long nr, long a0, long a1, long a2, long a3, long a4,
		long a5, long *result)
{
	(void)a0; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	if (nr == SYS_getppid) {
		*result = 4242;
		return 0;
	}
	return 1;
}
static __attribute__((constructor)) void init(void)
{
	intercept_hook_point = hook;
}
C
cc "$TEST_TMPDIR/hook.c" $flags -fpic -shared -o "$TEST_TMPDIR/hook.so"
out=$(LD_LIBRARY_PATH="$prefix/lib" LD_PRELOAD="$TEST_TMPDIR/hook.so" \
  /bin/sh -c 'echo $PPID')
[ "$out" = 4242 ] || { echo "FAIL: expected the hook's 4242, got '$out'"; exit 1; }
# sitrace runs from the prefix and finds the installed library
"$prefix/bin/sitrace" -o "$TEST_TMPDIR/trace" -- /bin/true
grep -q -- '-- exit_group(0) = ?' "$TEST_TMPDIR/trace" ||
  { echo "FAIL: the installed sitrace logged nothing"; exit 1; }
for page in man3/libsyscall_intercept.3 man1/sitrace.1; do
  man -l "$prefix/share/man/$page" >/dev/null 2>&1 ||
    { echo "FAIL: the man page $page does not render"; exit 1; }
done
echo PASS
