/*
 * prog_ctor N: linked with libctor_probe.so, whose constructor calls getppid
 * once before main; main calls it N more times. Prints
 *   ctor <what the constructor's getppid returned>
 *   main <what main's last getppid returned>
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern long ctor_probe_ppid;

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
	long last = -1;
	for (long i = 0; i < n; i++)
		last = (long)getppid();
	printf("ctor %ld\nmain %ld\n", ctor_probe_ppid, last);
	return 0;
}
