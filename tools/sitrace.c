/*
 * sitrace: runs a program with every syscall its libc and loader make
 * logged (or counted) through libsyscall_intercept, strace-style but
 * without stopping the process.
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
 *   --all-objs  patch every loaded object, not only libc and the loader
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
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dispatch/log_ring.h"
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

/* Starts argv in a child (the environment already set); the child does
 * not keep fd `close_fd` (if > 2). Returns its pid, or -1. */
static pid_t start_command(char **argv, int close_fd)
{
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "sitrace: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (close_fd > 2)
			close(close_fd);
		execvp(argv[0], argv);
		fprintf(stderr, "sitrace: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	/* Like time(1): the terminal's ^C and ^\\ are for the command. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	return pid;
}

/* sitrace's exit status for the command's wait status: the same exit
 * code, or the same signal (sitrace kills itself with it; 128 + signal if
 * it survives that). */
static int command_status(int status, const char *argv0)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		fprintf(stderr, "sitrace: %s killed by signal %d (%s)\n", argv0,
			sig, strsignal(sig));
		signal(sig, SIG_DFL);
		raise(sig);
		return 128 + sig;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* Runs argv in a child with the environment already set, waits for it, and
 * prints the summed table. Returns the exit status sitrace should have: the
 * command's, or 128 + signal (after re-raising the signal). */
static int run_counted(char **argv, const char *tables, const char *out_file)
{
	pid_t pid = start_command(argv, -1);
	if (pid < 0)
		return 1;
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
	return command_status(status, argv[0]);
}

/* ---- the log: collected from the traced processes' ring (log_ring.h) ---- */

struct ring_reader {
	struct si_ring_header *h;
	uint8_t *base;
	size_t file_size;
	uint64_t *tails; /* what we consumed, per region */
	size_t *pending; /* scratch: regions with lines */
	uint64_t *heads; /* scratch: their heads */
	int out;
	char buf[1 << 20];
	size_t len;
};

static void out_flush(struct ring_reader *r)
{
	for (size_t off = 0; off < r->len;) {
		ssize_t n = write(r->out, r->buf + off, r->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the output is gone: keep draining */
		off += (size_t)n;
	}
	r->len = 0;
}

static void out_put(struct ring_reader *r, const uint8_t *p, size_t n)
{
	if (r->len + n > sizeof(r->buf))
		out_flush(r);
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

static struct si_ring_region *ring_region(struct ring_reader *r, uint64_t i)
{
	return (struct si_ring_region *)(r->base + SI_RING_PAGE +
					 i * si_ring_stride(r->h->region_size));
}

/* Creates and maps the ring file; writes its path to `path`. */
static int ring_create(struct ring_reader *r, uint64_t region_size,
		       uint64_t n_regions, char *path, size_t path_size)
{
	const char *dirs[] = {"/dev/shm", getenv("TMPDIR"), "/tmp"};
	int fd = -1;
	for (size_t d = 0; d < 3 && fd < 0; d++) {
		if (!dirs[d] || !dirs[d][0])
			continue;
		join(path, path_size, dirs[d], "/sitrace-ring-XXXXXX", "");
		if (path[0])
			fd = mkstemp(path);
	}
	if (fd < 0)
		return -1;
	r->file_size = SI_RING_PAGE + n_regions * si_ring_stride(region_size);
	void *m = MAP_FAILED;
	if (ftruncate(fd, (off_t)r->file_size) == 0)
		m = mmap(NULL, r->file_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
	close(fd);
	r->tails = calloc(n_regions, sizeof(*r->tails));
	r->pending = calloc(n_regions, sizeof(*r->pending));
	r->heads = calloc(n_regions, sizeof(*r->heads));
	if (m == MAP_FAILED || !r->tails || !r->pending || !r->heads) {
		unlink(path);
		return -1;
	}
	r->base = m;
	r->h = m;
	r->h->region_size = region_size;
	r->h->n_regions = n_regions;
	r->h->consumer_pid = (uint64_t)getpid();
	__atomic_store_n(&r->h->magic, SI_RING_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

/* Moves every published line to the output, oldest first across regions.
 * Returns 1 if there was any. */
static int ring_drain(struct ring_reader *r)
{
	uint64_t size = r->h->region_size;
	uint64_t n = __atomic_load_n(&r->h->next_region, __ATOMIC_ACQUIRE);
	if (n > r->h->n_regions)
		n = r->h->n_regions;
	size_t k = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t head =
		    __atomic_load_n(&ring_region(r, i)->head, __ATOMIC_ACQUIRE);
		if (head != r->tails[i]) {
			r->pending[k] = i;
			r->heads[k] = head;
			k++;
		}
	}
	if (k == 0)
		return 0;
	while (k > 0) {
		size_t best = 0;
		uint64_t best_seq = UINT64_MAX;
		struct si_ring_record rec, best_rec = {0, 0, 0};
		for (size_t j = 0; j < k; j++) {
			uint64_t i = r->pending[j];
			si_ring_get_bytes((uint8_t *)ring_region(r, i) +
					      SI_RING_PAGE,
					  size, r->tails[i], &rec, sizeof(rec));
			if (rec.seq < best_seq) {
				best_seq = rec.seq;
				best = j;
				best_rec = rec;
			}
		}
		uint64_t i = r->pending[best];
		struct si_ring_region *reg = ring_region(r, i);
		const uint8_t *data = (const uint8_t *)reg + SI_RING_PAGE;
		uint64_t at = (r->tails[i] + sizeof(rec)) % size;
		uint64_t step = si_ring_record_size(best_rec.len);
		if (best_rec.len == 0 || step > size ||
		    step > r->heads[best] - r->tails[i]) {
			r->tails[i] = r->heads[best]; /* corrupt: skip it all */
		} else {
			uint64_t first =
			    size - at < best_rec.len ? size - at : best_rec.len;
			out_put(r, data + at, first);
			out_put(r, data, best_rec.len - first);
			r->tails[i] += step;
		}
		__atomic_store_n(&reg->tail, r->tails[i], __ATOMIC_RELEASE);
		if (r->tails[i] == r->heads[best])
			r->pending[best] = r->pending[--k],
			r->heads[best] = r->heads[k];
	}
	out_flush(r);
	return 1;
}

/* Runs argv in a child (environment already set, INTERCEPT_LOG_RING still
 * to be added), copies the log lines from the ring to out_fd until every
 * process the command started has ended (sitrace is their subreaper), and
 * returns the status sitrace should exit with, as run_counted does. */
static int run_logged(char **argv, int out_fd)
{
	const char *kb = getenv("SITRACE_RING_REGION_KB"); /* tests */
	uint64_t region = kb ? (uint64_t)strtoul(kb, NULL, 10) * 1024 : 0;
	if (region < SI_RING_PAGE || region % SI_RING_PAGE)
		region = 256 * 1024;
	static struct ring_reader r;
	char path[PATH_MAX];
	r.out = out_fd;
	if (ring_create(&r, region, 4096, path, sizeof(path)) != 0) {
		/* No shared memory: the processes write the file themselves. */
		fprintf(stderr, "sitrace: no log ring (%s); logging directly\n",
			strerror(errno));
		execvp(argv[0], argv);
		fprintf(stderr, "sitrace: cannot run %s: %s\n", argv[0],
			strerror(errno));
		return 127;
	}
	setenv("INTERCEPT_LOG_RING", path, 1);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t pid = start_command(argv, out_fd);
	if (pid < 0) {
		unlink(path);
		return 1;
	}
	int status = 0;
	for (;;) {
		int progressed = ring_drain(&r);
		int st;
		pid_t p;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0)
			if (p == pid)
				status = st;
		if (p < 0 && errno == ECHILD) {
			while (ring_drain(&r))
				;
			break;
		}
		if (!progressed) {
			struct timespec ts = {0, 500000};
			nanosleep(&ts, NULL);
		}
	}
	__atomic_store_n(&r.h->consumer_pid, 0, __ATOMIC_RELEASE);
	unlink(path);
	return command_status(status, argv[0]);
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
	/* One stream (stderr or one file): collected through the log ring.
	 * One file per process: each process writes its own. */
	size_t out_len = out_file ? strlen(out) : 0;
	if (!(out_len && out[out_len - 1] == '-')) {
		int out_fd = 2;
		if (out_file) {
			out_fd = open(out,
				      O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
					  O_CLOEXEC,
				      0600);
			if (out_fd < 0) {
				fprintf(stderr,
					"sitrace: cannot write %s: %s\n", out,
					strerror(errno));
				return 1;
			}
			setenv("INTERCEPT_LOG_TRUNC", "0", 1);
		}
		return run_logged(argv + i, out_fd);
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "sitrace: cannot run %s: %s\n", argv[i],
		strerror(errno));
	return 127;
}
