#include "syscalls/syscalls.h"

#include <stddef.h>

#include "syscalls/syscalls_internal.h"

#define SYSCALLS_UNPAREN(...) __VA_ARGS__

/*
 * {result, args...} always has at least one element, so a call without
 * arguments still makes a valid C99 initializer.
 */
static const struct syscalls_sig sigs[SYSCALLS_LIMIT] = {
#define SYSCALL(nr, name, ret, args)                                           \
	[nr] = {#name,                                                         \
		sizeof((const unsigned char[]){ret, SYSCALLS_UNPAREN args}) -  \
		    1,                                                         \
		{ret, SYSCALLS_UNPAREN args}},
#include "syscalls/syscalls.def"
#undef SYSCALL
};

const struct syscalls_sig *syscalls_sig(long nr)
{
	if (nr < 0 || nr >= SYSCALLS_LIMIT || !sigs[nr].name)
		return NULL;
	return &sigs[nr];
}

const char *syscalls_name(long nr)
{
	const struct syscalls_sig *s = syscalls_sig(nr);
	return s ? s->name : NULL;
}

int syscalls_arg_count(long nr)
{
	const struct syscalls_sig *s = syscalls_sig(nr);
	return s ? s->nargs : -1;
}

unsigned syscalls_path_args(long nr)
{
	const struct syscalls_sig *s = syscalls_sig(nr);
	unsigned mask = 0;
	for (int i = 0; s && i < s->nargs; i++)
		if (s->types[i + 1] == A_PATH)
			mask |= 1u << i;
	return mask;
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
		if (sigs[nr].name && same(sigs[nr].name, name))
			return nr;
	return -1;
}
