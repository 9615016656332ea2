/* Test program: calls getppid() argv[1] times through libc. */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1;
	for (long i = 0; i < n; i++)
		(void)getppid();
	return 0;
}
