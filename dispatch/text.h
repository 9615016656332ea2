/*
 * Building one line of text in a caller's buffer and writing it with raw
 * syscalls: for the library's messages and its log, where no libc
 * formatting may run. Appends stop silently at the buffer's end, always
 * leaving room for the newline text_write_line adds.
 */
#ifndef SYSCALL_INTERCEPT_DISPATCH_TEXT_H
#define SYSCALL_INTERCEPT_DISPATCH_TEXT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

#include "base/raw_syscall.h"

struct text {
	char *buf;
	size_t cap; /* bytes of buf; at least 2 */
	size_t len;
};

/* A text over the array `arr`. */
#define TEXT_ON(arr)                                                           \
	{                                                                      \
		(arr), sizeof(arr), 0                                          \
	}

static inline void text_str(struct text *t, const char *s)
{
	size_t room = t->cap - 1 - t->len;
	size_t n = strnlen(s, room);
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

/* Appends the digits of v (base 10 or 16) most significant first. */
static inline void text_digits(struct text *t, uint64_t v, unsigned base)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n && t->len < t->cap - 1)
		t->buf[t->len++] = tmp[--n];
}

static inline void text_dec(struct text *t, long v)
{
	if (v < 0)
		text_str(t, "-");
	text_digits(t, v < 0 ? 0ul - (unsigned long)v : (unsigned long)v, 10);
}

static inline void text_hex(struct text *t, uint64_t v)
{
	text_str(t, "0x");
	text_digits(t, v, 16);
}

/* Adds a newline, writes the whole line to fd (one write unless the
 * kernel takes less), and empties the text. */
static inline void text_write_line(struct text *t, int fd)
{
	if (t->len > t->cap - 1)
		t->len = t->cap - 1;
	t->buf[t->len++] = '\n';
	for (size_t off = 0; off < t->len;) {
		long n = raw_syscall3(SYS_write, fd, (long)(t->buf + off),
				      (long)(t->len - off));
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	t->len = 0;
}

#endif
