/* Test program: starts a thread (must work) and then tries fork() and
 * posix_spawn of /bin/true; prints what each gave. */
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void *thread_main(void *arg)
{
	return arg;
}

int main(void)
{
	pthread_t t;
	int terr = pthread_create(&t, NULL, thread_main, NULL);
	if (terr == 0)
		pthread_join(t, NULL);
	printf("thread %s\n", terr ? strerror(terr) : "ok");
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	printf("fork %s\n", pid < 0 ? strerror(errno) : "ok");
	char *argv[] = {"true", NULL};
	int serr = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	if (serr == 0)
		waitpid(pid, NULL, 0);
	printf("posix_spawn %s\n", serr ? strerror(serr) : "ok");
	return 0;
}
