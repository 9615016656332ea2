/* A library the test program links (DT_NEEDED): its constructor makes one
 * getppid call through libc, and records what it got. Under LD_PRELOAD its
 * constructor runs before a hook library's would in the usual order. */
#include <unistd.h>

__attribute__((visibility("default"))) long ctor_probe_ppid = -1;

__attribute__((constructor)) static void ctor_probe_init(void)
{
	ctor_probe_ppid = (long)getppid();
}
