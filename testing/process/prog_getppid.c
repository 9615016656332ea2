/*
 * prog_getppid N [THREADS [EXIT_CODE]]: calls getppid() exactly N times on
 * the main thread (THREADS == 0, the default) or N times on each of THREADS
 * threads, prints "getppid <last value>" and exits with EXIT_CODE (0). It
 * makes no other getppid call, so a hook's count must be N * max(1, THREADS).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long n_calls;

static void *call_getppid(void *arg)
{
	long last = -1;

	for (long i = 0; i < n_calls; i++)
		last = (long)getppid();
	*(long *)arg = last;
	return NULL;
}

int main(int argc, char **argv)
{
	long threads = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	int code = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 0;
	long last = -1;

	if (argc < 2 || threads < 0 || threads > 64) {
		fprintf(stderr,
			"usage: prog_getppid N [THREADS [EXIT_CODE]]\n");
		return 64;
	}
	n_calls = strtol(argv[1], NULL, 10);
	if (threads == 0) {
		call_getppid(&last);
	} else {
		pthread_t tid[64];
		long results[64];
		for (long t = 0; t < threads; t++) {
			if (pthread_create(&tid[t], NULL, call_getppid,
					   &results[t]) != 0) {
				fprintf(stderr, "pthread_create failed\n");
				return 65;
			}
		}
		for (long t = 0; t < threads; t++)
			pthread_join(tid[t], NULL);
		last = results[0];
	}
	printf("getppid %ld\n", last);
	return code;
}
