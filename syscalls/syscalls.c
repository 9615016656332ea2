#include "syscalls/syscalls.h"

#include <stddef.h>

static const char *const names[SYSCALLS_LIMIT] = {
#define SYSCALL(nr, name) [nr] = #name,
#include "syscalls/syscalls.def"
#undef SYSCALL
};

const char *syscalls_name(long nr)
{
	if (nr < 0 || nr >= SYSCALLS_LIMIT)
		return NULL;
	return names[nr];
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

long syscalls_number(const char *name)
{
	for (long nr = 0; nr < SYSCALLS_LIMIT; nr++)
		if (names[nr] && same(names[nr], name))
			return nr;
	return -1;
}
