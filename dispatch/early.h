/*
 * Early start: syscalls made by other libraries' constructors reach the hook.
 *
 * Under LD_PRELOAD, glibc runs constructors dependencies first, and a
 * preloaded library comes after the libraries the program itself needs: a
 * hook library's constructor (where it sets intercept_hook_point) would run
 * after, say, libselinux's, whose syscalls then go unseen. So the library is
 * linked with -z initfirst (DF_1_INITFIRST; the static variant passes the
 * flag on to the hook library that links it): the loader runs its
 * constructors before any other object's, libc's included. Its constructor
 * then, on a glibc whose libc initializers are known (2.36):
 *
 *   1. runs libc's initializers itself (they record argc, argv and environ
 *      and set up stdio's vtable check), after making the loader's own later
 *      call of them a no-op (their dynamic entries, in read-only-after-
 *      relocation memory, are changed for a moment with mprotect), so that
 *      getenv, setenv and the rest of libc work in what follows;
 *   2. patches (preload.c);
 *   3. runs the initializers of every hook library that needs
 *      libsyscall_intercept.so and nothing but libc and its former parts
 *      (the same way), so that their hooks are in place before any other
 *      constructor runs. A hook library that links the library statically
 *      is itself the initfirst object: its own constructors run right after
 *      ours.
 *
 * On another glibc it only sets environ from the loader's envp (so getenv
 * works) and hooks are installed in the usual order.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_EARLY_H
#define SYSCALL_INTERCEPT_DISPATCH_EARLY_H

#include <stdbool.h>

/* Step 1, with the constructor's arguments. Returns false if libc was
 * already initialized (not an early start: nothing done). */
bool si_early_libc_init(int argc, char **argv, char **envp);

/* Step 3. Returns the number of hook libraries initialized. */
int si_early_init_hooks(void);

#endif
