/*
 * Edge cases for path_redirect, one line each:
 *   fault: open of a bad pointer
 *   null: open(NULL)
 *   long: open of `dir`/a/a/.../a, 4090 bytes long
 *   edge: open of `dir`/x whose NUL is the last byte before an unmapped page
 *   short: open of "/" + the same page edge
 * Each line is the error's text or "ok".
 *
 *   path_probe dir
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *what, long fd)
{
	printf("%s %s\n", what, fd < 0 ? strerror(errno) : "ok");
	if (fd >= 0)
		close((int)fd);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: path_probe dir\n");
		return 2;
	}
	const char *dir = argv[1];
	report("fault", syscall(SYS_open, (char *)8, O_RDONLY));
	report("null", syscall(SYS_open, NULL, O_RDONLY));

	static char path[4096];
	size_t n = (size_t)snprintf(path, sizeof path, "%s", dir);
	while (n + 2 < 4090) {
		path[n++] = '/';
		path[n++] = 'a';
	}
	path[n] = '\0';
	report("long", open(path, O_RDONLY));

	long page = sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, (size_t)(2 * page), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || mprotect(mem + page, (size_t)page, PROT_NONE))
		return 1;
	size_t len = strlen(dir) + 2;
	char *edge = mem + page - (len + 1);
	snprintf(edge, len + 1, "%s/x", dir);
	report("edge", open(edge, O_RDONLY));
	char *slash = mem + page - 2;
	strcpy(slash, "/");
	report("short", open(slash, O_RDONLY));
	return 0;
}
