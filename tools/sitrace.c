/*
 * sitrace: runs a program with every libc syscall it makes logged (or
 * counted) through libsyscall_intercept, strace-style but without stopping
 * the process.
 *
 *   sitrace [-o FILE] [-f] [-e LIST] [-c] [--all-objs] [--] command [args...]
 *
 *   -o FILE     write the log to FILE (default: stderr); FILE ending in '-'
 *               gives one file per process (FILE<pid>)
 *   -f          one stream for every process and thread, each line
 *               starting with "[pid N]"
 *   -e LIST     log only these syscalls: names and classes (%file,
 *               %process, %network, %memory, %signal), comma-separated
 *   -c          instead of the log, a table of calls, errors and time per
 *               syscall, summed over every process the command starts,
 *               printed when it ends (to FILE with -o)
 *   --all-objs  patch every loaded object, not only libc
 *
 * The library and hooks are found next to sitrace: in its Bazel runfiles,
 * in the same directory, or in ../lib (after tools/install.sh). Under
 * `bazel run` the command runs in the caller's working directory.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "syscalls/syscalls.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sitrace [-o FILE] [-f] [-e LIST] [-c] [--all-objs] "
		"[--] command [args...]\n");
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* out = a + b + c, or "" if that does not fit. */
static void join(char *out, size_t size, const char *a, const char *b,
		 const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	if (la + lb + lc + 1 > size) {
		out[0] = 0;
		return;
	}
	memcpy(out, a, la);
	memcpy(out + la, b, lb);
	memcpy(out + la + lb, c, lc + 1);
}

/* Finds `rel` (e.g. "libsyscall_intercept.so" or
 * "hooks/libsyscall_counter.so") next to the sitrace binary at `self`.
 * Writes the path to out; returns 0, or -1 listing where it looked. */
static int find_near(const char *self, const char *rel, char *out, size_t size)
{
	char dir[PATH_MAX];
	join(dir, sizeof(dir), self, "", "");
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		join(dir, sizeof(dir), ".", "", "");
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	const char *runfiles = getenv("RUNFILES_DIR");
	char cand[6][PATH_MAX];
	int n = 0;
	if (runfiles)
		join(cand[n++], PATH_MAX, runfiles, "/syscall_intercept/", rel);
	join(cand[n++], PATH_MAX, self, ".runfiles/syscall_intercept/", rel);
	join(cand[n++], PATH_MAX, dir, "/../", rel); /* bazel-bin */
	join(cand[n++], PATH_MAX, dir, "/", base);
	join(cand[n++], PATH_MAX, dir, "/../lib/", base);
	join(cand[n++], PATH_MAX, dir, "/../lib/syscall_intercept/", base);
	for (int i = 0; i < n; i++) {
		if (cand[i][0] && is_file(cand[i]) && size >= PATH_MAX &&
		    realpath(cand[i], out))
			return 0;
	}
	fprintf(stderr, "sitrace: cannot find %s; looked in:\n", base);
	for (int i = 0; i < n; i++)
		fprintf(stderr, "  %s\n", cand[i]);
	return -1;
}

/* Checks every element of an -e list names a syscall or a class. */
static int valid_filter(const char *list)
{
	static const char *const classes[] = {"%file", "%process", "%network",
					      "%memory", "%signal"};
	char item[64];
	while (*list) {
		size_t n = strcspn(list, ",");
		if (n == 0 || n >= sizeof(item)) {
			fprintf(stderr, "sitrace: -e: bad list\n");
			return 0;
		}
		memcpy(item, list, n);
		item[n] = 0;
		int ok = syscalls_number(item) >= 0;
		for (size_t c = 0;
		     !ok && c < sizeof(classes) / sizeof(*classes); c++)
			ok = !strcmp(item, classes[c]);
		if (!ok) {
			fprintf(stderr,
				"sitrace: -e: no syscall or class '%s'\n",
				item);
			return 0;
		}
		list += n;
		if (*list == ',')
			list++;
	}
	return 1;
}

/* An absolute path for a file the user named relative to where they ran
 * sitrace (under bazel run, that is BUILD_WORKING_DIRECTORY). */
static void absolute(const char *path, char *out, size_t size)
{
	const char *cwd = getenv("BUILD_WORKING_DIRECTORY");
	char here[PATH_MAX];
	if (path[0] == '/' || (!cwd && !getcwd(here, sizeof(here))))
		join(out, size, path, "", "");
	else
		join(out, size, cwd ? cwd : here, "/", path);
}

/* ---- -c: run the command, then sum the counter's per-process tables ---- */

struct count_row {
	unsigned long calls, errors, ns;
};

/* Sums the raw tables (hooks/counter.c) in `path` into rows[0..limit];
 * returns the number of tables, or -1 if the file cannot be read. */
static long sum_tables(const char *path, struct count_row *rows, long limit)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[256];
	long tables = 0;
	while (fgets(line, sizeof(line), f)) {
		long nr;
		unsigned long n, err, ns;
		if (!strncmp(line, "#si-counter ", 12)) {
			tables++;
			continue;
		}
		if (sscanf(line, "%ld %lu %lu %lu", &nr, &n, &err, &ns) != 4)
			continue;
		if (nr < 0 || nr >= limit)
			nr = limit; /* numbers the table has no name for */
		rows[nr].calls += n;
		rows[nr].errors += err;
		rows[nr].ns += ns;
	}
	fclose(f);
	return tables;
}

/* The table, most frequent first, in the counter's columns. */
static void print_table(FILE *out, struct count_row *rows, long limit,
			long processes)
{
	struct count_row total = {0, 0, 0};
	fprintf(out, "     calls   errors   total_us   mean_ns syscall\n");
	for (;;) {
		long best = -1;
		for (long i = 0; i <= limit; i++)
			if (rows[i].calls &&
			    (best < 0 || rows[i].calls > rows[best].calls))
				best = i;
		if (best < 0)
			break;
		struct count_row *r = &rows[best];
		const char *name = best < limit ? syscalls_name(best) : NULL;
		fprintf(out, "%10lu %8lu %10lu %9lu %s\n", r->calls, r->errors,
			r->ns / 1000, r->ns / r->calls,
			name ? name : "(unknown)");
		total.calls += r->calls;
		total.errors += r->errors;
		total.ns += r->ns;
		r->calls = 0;
	}
	fprintf(out, "%10lu %8lu %10lu %9lu total (%ld process%s)\n",
		total.calls, total.errors, total.ns / 1000,
		total.calls ? total.ns / total.calls : 0, processes,
		processes == 1 ? "" : "es");
}

/* Runs argv in a child with the environment already set, waits for it, and
 * prints the summed table. Returns the exit status sitrace should have: the
 * command's, or 128 + signal (after re-raising the signal). */
static int run_counted(char **argv, const char *tables, const char *out_file)
{
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "sitrace: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "sitrace: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	/* Like time(1): the terminal's ^C and ^\ are for the command. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "sitrace: waitpid: %s\n",
				strerror(errno));
			return 1;
		}
	}
	static struct count_row rows[SYSCALLS_LIMIT + 1];
	long processes = sum_tables(tables, rows, SYSCALLS_LIMIT);
	unlink(tables);
	FILE *out = stderr;
	if (out_file && !(out = fopen(out_file, "w"))) {
		fprintf(stderr, "sitrace: cannot write %s: %s\n", out_file,
			strerror(errno));
		out = stderr;
	}
	if (processes < 0)
		fprintf(stderr, "sitrace: no counts were written\n");
	else
		print_table(out, rows, SYSCALLS_LIMIT, processes);
	if (out != stderr)
		fclose(out);
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		fprintf(stderr, "sitrace: %s killed by signal %d (%s)\n",
			argv[0], sig, strsignal(sig));
		signal(sig, SIG_DFL);
		raise(sig);
		return 128 + sig;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	const char *out_file = NULL, *filter = NULL;
	int count = 0, all_objs = 0, pids = 0, i = 1;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out_file = argv[++i];
		} else if (!strcmp(argv[i], "-c")) {
			count = 1;
		} else if (!strcmp(argv[i], "-f")) {
			pids = 1;
		} else if (!strcmp(argv[i], "-e") && i + 1 < argc) {
			filter = argv[++i];
			if (!valid_filter(filter))
				return 2;
		} else if (!strcmp(argv[i], "--all-objs")) {
			all_objs = 1;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "sitrace: unknown option %s\n",
				argv[i]);
			usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "sitrace: cannot find itself: %s\n",
			strerror(errno));
		return 1;
	}
	self[n] = 0;
	/* argv[0] keeps the runfiles layout that /proc/self/exe resolves. */
	char self_argv[PATH_MAX];
	absolute(argv[0], self_argv, sizeof(self_argv));
	char lib[PATH_MAX], counter[PATH_MAX];
	if ((find_near(self_argv, "libsyscall_intercept.so", lib,
		       sizeof(lib)) &&
	     find_near(self, "libsyscall_intercept.so", lib, sizeof(lib))) ||
	    (count &&
	     find_near(self_argv, "hooks/libsyscall_counter.so", counter,
		       sizeof(counter)) &&
	     find_near(self, "hooks/libsyscall_counter.so", counter,
		       sizeof(counter))))
		return 1;

	char out[PATH_MAX];
	if (out_file)
		absolute(out_file, out, sizeof(out));
	char tables[PATH_MAX];
	if (count) {
		const char *tmp = getenv("TMPDIR");
		join(tables, sizeof(tables), tmp && *tmp ? tmp : "/tmp",
		     "/sitrace-counts-XXXXXX", "");
		int fd = tables[0] ? mkstemp(tables) : -1;
		if (fd < 0) {
			fprintf(stderr,
				"sitrace: cannot create a file in %s: %s\n",
				tmp && *tmp ? tmp : "/tmp", strerror(errno));
			return 1;
		}
		close(fd);
		setenv("LD_PRELOAD", counter, 1);
		setenv("INTERCEPT_COUNTER_OUTPUT", tables, 1);
		setenv("INTERCEPT_COUNTER_FORMAT", "raw", 1);
	} else {
		setenv("LD_PRELOAD", lib, 1);
		setenv("INTERCEPT_LOG", out_file ? out : "/dev/stderr", 1);
		setenv("INTERCEPT_LOG_TRUNC", out_file ? "1" : "0", 1);
		if (pids)
			setenv("INTERCEPT_LOG_PID", "1", 1);
		if (filter)
			setenv("INTERCEPT_LOG_FILTER", filter, 1);
	}
	if (all_objs)
		setenv("INTERCEPT_ALL_OBJS", "1", 1);
	const char *cwd = getenv("BUILD_WORKING_DIRECTORY");
	if (cwd && chdir(cwd) != 0) {
		fprintf(stderr, "sitrace: cannot enter %s: %s\n", cwd,
			strerror(errno));
		return 1;
	}
	if (count)
		return run_counted(argv + i, tables, out_file ? out : NULL);
	execvp(argv[i], argv + i);
	fprintf(stderr, "sitrace: cannot run %s: %s\n", argv[i],
		strerror(errno));
	return 127;
}
