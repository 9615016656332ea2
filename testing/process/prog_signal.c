/*
 * prog_signal restart|norestart: blocks in read() on an empty pipe until
 * SIGALRM (setitimer, 100 ms) interrupts it. The handler makes syscalls of
 * its own: getppid() and a write() of one byte into that same pipe. With
 * SA_RESTART the read is restarted and returns the handler's byte; without
 * it the read fails with EINTR and a second read returns the byte. Prints
 * the outcome, identical with and without an interception library:
 *   read1 <ret> <errno name or 0> <byte or ->
 *   read2 <ret> <byte>             (only after EINTR)
 *   handler <runs> getppid_ok <0|1> write <ret>
 * Exit status 0, or 1 if a call failed that must not.
 *
 * Syscalls it makes after main starts (the test counts them): getppid 2
 * (main, handler), read 1 (restart) or 2 (norestart), rt_sigreturn 1.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static int fds[2];
static pid_t parent;
static volatile sig_atomic_t handler_runs;
static volatile sig_atomic_t handler_getppid_ok;
static volatile long handler_write;

static void on_alarm(int sig)
{
	int saved = errno;

	(void)sig;
	handler_getppid_ok = getppid() == parent;
	handler_write = (long)write(fds[1], "x", 1);
	handler_runs++;
	errno = saved;
}

int main(int argc, char **argv)
{
	int restart = argc > 1 && strcmp(argv[1], "restart") == 0;
	struct sigaction sa;
	struct itimerval it;
	char byte = '-';
	ssize_t r;
	int err;

	if (argc < 2 || (!restart && strcmp(argv[1], "norestart") != 0)) {
		fprintf(stderr, "usage: prog_signal restart|norestart\n");
		return 64;
	}
	parent = getppid();
	if (pipe(fds) != 0) {
		perror("pipe");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) != 0) {
		perror("sigaction");
		return 1;
	}
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 100 * 1000;
	if (setitimer(ITIMER_REAL, &it, NULL) != 0) {
		perror("setitimer");
		return 1;
	}
	r = read(fds[0], &byte, 1);
	err = r < 0 ? errno : 0;
	printf("read1 %ld %s %c\n", (long)r,
	       err == EINTR ? "EINTR" : (err ? strerror(err) : "0"),
	       r == 1 ? byte : '-');
	if (r < 0 && err == EINTR) {
		byte = '-';
		r = read(fds[0], &byte, 1);
		printf("read2 %ld %c\n", (long)r, r == 1 ? byte : '-');
	}
	printf("handler %d getppid_ok %d write %ld\n", (int)handler_runs,
	       (int)handler_getppid_ok, handler_write);
	return 0;
}
