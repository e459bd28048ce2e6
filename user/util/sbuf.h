/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building a line without printf: the event view formats hundreds of
 * thousands of lines a second, and printf's format parsing dominated.
 */
#ifndef MEMSNOOP_SBUF_H
#define MEMSNOOP_SBUF_H

#include <stddef.h>
#include <string.h>
#include <linux/types.h>

struct sbuf {
	char *buf;
	size_t len, cap; /* buf[len] is always NUL; len < cap */
};

static inline void sb_init(struct sbuf *b, char *buf, size_t cap)
{
	b->buf = buf;
	b->len = 0;
	b->cap = cap;
	buf[0] = 0;
}

static inline void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (n > b->cap - 1 - b->len)
		n = b->cap - 1 - b->len;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = 0;
}

static inline void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static inline void sb_putc(struct sbuf *b, char c)
{
	sb_putn(b, &c, 1);
}

/* Spaces up to column col (nothing if already there). */
static inline void sb_pad(struct sbuf *b, size_t col)
{
	while (b->len < col && b->len < b->cap - 1)
		b->buf[b->len++] = ' ';
	b->buf[b->len] = 0;
}

/* Lower-case hex, at least width digits, zero-padded. */
static inline void sb_hex(struct sbuf *b, __u64 v, int width)
{
	char d[16];
	int n = 0;

	do {
		d[15 - n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n < width && n < 16)
		d[15 - n++] = '0';
	sb_putn(b, d + 16 - n, n);
}

/* Decimal, zero-padded to width digits. */
static inline void sb_dec0(struct sbuf *b, __u64 v, int width)
{
	char d[20];
	int n = 0;

	do {
		d[19 - n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n < width && n < 20)
		d[19 - n++] = '0';
	sb_putn(b, d + 20 - n, n);
}

static inline void sb_dec(struct sbuf *b, __u64 v)
{
	sb_dec0(b, v, 1);
}

/* The next column starts width after *col, and at least one space after the text. */
static inline void sb_column(struct sbuf *b, size_t *col, size_t width)
{
	*col += width;
	if (b->len + 1 > *col)
		*col = b->len + 1;
	sb_pad(b, *col);
}

static inline void sb_sdec(struct sbuf *b, __s64 v)
{
	if (v < 0) {
		sb_putc(b, '-');
		sb_dec(b, -(__u64)v);
	} else {
		sb_dec(b, v);
	}
}

#endif
