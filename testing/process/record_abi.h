/*
 * What the test hook (hook_record.c), the test programs (prog_*.c,
 * vec_fixture.S) and the tests (*_test.cc) agree on: the environment
 * variables that configure the hook, the marker syscall and the record
 * formats. Included by C, C++ and assembly.
 *
 * Records, all under $SI_REC_DIR:
 *   counts.<pid>  one line "<nr> <count>" per syscall number the hook saw in
 *                 process <pid>; rewritten (whole) when the process calls
 *                 exit_group or execve, so the last image's counts win.
 *   paths         appended lines "<nr> <path>", one per openat the hook
 *                 saw, when SI_REC_PATHS=1.
 *   events        appended lines "<event> <pid> <tid> <ppid> <arg>", one per
 *                 getppid call (arg: 0), clone_child (arg: 0) and
 *                 clone_parent (arg: the child's id), nested (arg: what
 *                 the hook's own calls returned, see hook_record.c) and df
 *                 (arg: rflags.DF as the hook saw it on a marker call).
 */
#ifndef SYSCALL_INTERCEPT_TESTING_PROCESS_RECORD_ABI_H
#define SYSCALL_INTERCEPT_TESTING_PROCESS_RECORD_ABI_H

/* Directory for counts.<pid> and events; unset: nothing is written. */
#define SI_REC_ENV_DIR "SI_REC_DIR"
/* "1": append events (getppid, clone_child, clone_parent, nested, df). */
#define SI_REC_ENV_EVENTS "SI_REC_EVENTS"
/* A decimal number: the hook answers getppid with it. */
#define SI_REC_ENV_GETPPID "SI_REC_GETPPID"
/* A decimal syscall number the hook refuses with -ENOTSUP. */
#define SI_REC_ENV_REFUSE "SI_REC_REFUSE"
/* "1": on every call the hook overwrites every vector register and the
 * arithmetic flags before it returns. */
#define SI_REC_ENV_CLOBBER "SI_REC_CLOBBER"
/* "1": on every getppid the hook makes calls of its own (getsid through
 * syscall_no_intercept and through libc) and logs a nested event. */
#define SI_REC_ENV_NESTED "SI_REC_NESTED"

/* "1": append every openat's path to the paths record. */
#define SI_REC_ENV_PATHS "SI_REC_PATHS"

/* The in-hook signal call: getppid with this first argument and a signal
 * number as the second. The hook sends that signal to its own thread
 * (syscall_no_intercept(tgkill)), so the application's handler runs while
 * the thread is inside the hook, and answers 0. */
#define SI_REC_SIGNAL_ARG0 0x5349534947 /* "SISIG" */

/* The marker call: getppid (110) with this first argument. The hook answers
 * it with SI_REC_MARK_RESULT, so a caller that gets that value back knows its
 * syscall instruction was intercepted. */
/* No suffixes: the assembler reads these too (both fit a long). */
#define SI_REC_MARK_ARG0   0x5349524543 /* "SIREC" */
#define SI_REC_MARK_RESULT 0x6d61726b	/* "mark" */

#endif
