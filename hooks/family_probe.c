/* Test program for the counter: a known number of getppid calls spread over
 * the process, a forked child, a thread, a vforked child that execs and a
 * posix_spawned one:
 *   1000 (main) + 200 (fork child) + 300 (thread) + 50 (main) = 1550. */
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void calls(int n)
{
	for (int i = 0; i < n; i++)
		getppid();
}

static void *thread_main(void *arg)
{
	calls(300);
	return arg;
}

int main(void)
{
	calls(1000);
	pid_t pid = fork();
	if (pid == 0) {
		calls(200);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		return 1;
	pid = vfork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		return 1;
	char *argv[] = {"true", NULL};
	if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, NULL, 0) != pid)
		return 1;
	pthread_t t;
	if (pthread_create(&t, NULL, thread_main, NULL) != 0 ||
	    pthread_join(t, NULL) != 0)
		return 1;
	calls(50);
	return 0;
}
