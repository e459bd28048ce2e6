// SPDX-License-Identifier: GPL-2.0
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>
#include "util/escape.h"
#include "util/sbuf.h"

size_t utf8_char(const char *str, size_t n, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned lo = 0x80, hi = 0xbf, c = s[0];
	size_t len, i;

	/* the well-formed sequences of Unicode's table 3-7 */
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		lo = c == 0xe0 ? 0xa0 : lo; /* no overlongs */
		hi = c == 0xed ? 0x9f : hi; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		lo = c == 0xf0 ? 0x90 : lo; /* no overlongs */
		hi = c == 0xf4 ? 0x8f : hi; /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	*cp = c & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	return len;
}

/* Marks that reorder the text around them on terminals that do bidi. */
static bool bidi_control(unsigned cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Widths from glibc's C.UTF-8, whatever the user's locale: the same output everywhere. */
static locale_t utf8_locale(void)
{
	static locale_t loc;
	static bool tried;

	if (!tried) {
		tried = true;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	return loc;
}

/* Display columns of a character above ASCII; -1 if it is not printable (escape it). */
static int char_width(unsigned cp)
{
	locale_t loc, old;
	int w;

	if (cp < 0xa0 || cp == 0x2028 || cp == 0x2029 || bidi_control(cp))
		return -1; /* C1 controls; line breaks and bidi marks that move the text */
	loc = utf8_locale();
	if (!loc)
		return 1;
	old = uselocale(loc);
	w = wcwidth(cp);
	uselocale(old);
	return w;
}

/* Printable ASCII that goes out as it is: all but the backslash, and the quote in JSON. */
static const unsigned char plain[][256] = {
	[ESC_TEXT] = { [0x20 ... 0x5b] = 1, [0x5d ... 0x7e] = 1 },
	[ESC_PROC] = { [0x20 ... 0x7e] = 1 }, /* as the kernel, which leaves '\\' alone */
	[ESC_JSON] = { [0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1 },
	[ESC_HTML] = { [0x20 ... 0x21] = 1,
		       [0x23 ... 0x25] = 1,
		       [0x28 ... 0x3b] = 1,
		       [0x3d] = 1,
		       [0x3f ... 0x5b] = 1,
		       [0x5d ... 0x7e] = 1 },
};

static size_t plain_run(const unsigned char *s, size_t n, enum esc_style style)
{
	const unsigned char *ok = plain[style];
	size_t i = 0;

	while (i < n && ok[s[i]])
		i++;
	return i;
}

static const char hex[] = "0123456789abcdef";

static size_t json_unit(unsigned cp, char *u)
{
	static const char shortcut[] = { ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f',
					 ['\r'] = 'r', ['"'] = '"',  ['\\'] = '\\' };
	size_t k = 0;

	if (cp < sizeof(shortcut) && shortcut[cp]) {
		u[0] = '\\';
		u[1] = shortcut[cp];
		return 2;
	}
	if (cp > 0xffff) { /* a surrogate pair */
		k = json_unit(0xd800 + ((cp - 0x10000) >> 10), u);
		cp = 0xdc00 + ((cp - 0x10000) & 0x3ff);
	}
	u[k] = '\\';
	u[k + 1] = 'u';
	u[k + 2] = hex[cp >> 12 & 15];
	u[k + 3] = hex[cp >> 8 & 15];
	u[k + 4] = hex[cp >> 4 & 15];
	u[k + 5] = hex[cp & 15];
	return k + 6;
}

/* HTML's five characters as entities; 0 for any other. */
static size_t html_entity(unsigned char c, char *u)
{
	static const char *const entity[] = {
		['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;"
	};
	size_t len;

	if (c >= sizeof(entity) / sizeof(entity[0]) || !entity[c])
		return 0;
	len = strlen(entity[c]);
	memcpy(u, entity[c], len);
	return len;
}

/* Text, HTML and /proc forms escape byte by byte: \xNN or octal \ooo. */
static size_t byte_units(const unsigned char *s, size_t len, enum esc_style style, char *u)
{
	size_t i, k = 0;

	if (len == 1 && style == ESC_HTML && (k = html_entity(s[0], u)))
		return k;
	if (style == ESC_HTML)
		style = ESC_TEXT; /* the rest as text: \\, \n, \xNN */
	if (len == 1 && style == ESC_TEXT && strchr("\n\t\r\\", s[0]) && s[0]) {
		u[0] = '\\';
		u[1] = s[0] == '\n' ? 'n' : s[0] == '\t' ? 't' : s[0] == '\r' ? 'r' : '\\';
		return 2;
	}
	for (i = 0; i < len; i++) {
		u[k++] = '\\';
		if (style == ESC_TEXT) {
			u[k++] = 'x';
			u[k++] = hex[s[i] >> 4];
			u[k++] = hex[s[i] & 15];
		} else {
			u[k++] = '0' + (s[i] >> 6);
			u[k++] = '0' + (s[i] >> 3 & 7);
			u[k++] = '0' + (s[i] & 7);
		}
	}
	return k;
}

/*
 * The character or stray byte at s, into u: as it is if it is printable,
 * escaped if not. Returns the bytes of s it takes; *ulen and *cols: what it
 * became.
 */
static size_t one_unit(const unsigned char *s, size_t n, enum esc_style style, char *u,
		       size_t *ulen, size_t *cols)
{
	unsigned cp;
	size_t len = utf8_char((const char *)s, n, &cp);
	int w = len > 1 ? char_width(cp) : -1;

	if (w >= 0) {
		memcpy(u, s, len);
		*ulen = len;
		*cols = w;
		return len;
	}
	if (!len) { /* not UTF-8: this byte alone */
		len = 1;
		cp = s[0];
	}
	*ulen = style == ESC_JSON ? json_unit(cp, u) : byte_units(s, len, style, u);
	*cols = *ulen;
	return len;
}

size_t esc_put(struct sbuf *b, const char *str, size_t n, enum esc_style style, size_t max_cols,
	       size_t *cols)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, used = 0, limit = max_cols ? max_cols : SIZE_MAX;
	char u[24];

	n = strnlen(str, n);
	while (i < n) {
		size_t room = b->cap - 1 - b->len, run = plain_run(s + i, n - i, style), len, w;

		if (run) {
			if (run > room)
				run = room;
			if (run > limit - used)
				run = limit - used;
			if (!run)
				break;
			sb_putn(b, str + i, run);
			i += run;
			used += run;
			continue;
		}
		i += len = one_unit(s + i, n - i, style, u, &run, &w);
		if (run > room || w > limit - used) {
			i -= len;
			break;
		}
		sb_putn(b, u, run);
		used += w;
	}
	if (cols)
		*cols = used;
	return i;
}

size_t esc_cell(struct sbuf *b, const char *s, size_t n, size_t max_cols)
{
	size_t start = b->len, cols;

	n = strnlen(s, n);
	if (n <= max_cols && plain_run((const unsigned char *)s, n, ESC_TEXT) == n) {
		sb_putn(b, s, n); /* the common case */
		return b->len - start;
	}
	if (esc_put(b, s, n, ESC_TEXT, max_cols, &cols) == n || max_cols < 1)
		return cols;
	b->len = start;
	b->buf[start] = 0;
	esc_put(b, s, n, ESC_TEXT, max_cols - 1, &cols);
	sb_putc(b, '+');
	return cols + 1;
}

void esc_fput(FILE *f, const char *s, size_t n, enum esc_style style)
{
	char buf[512];
	struct sbuf b;
	size_t used;

	n = strnlen(s, n);
	if (plain_run((const unsigned char *)s, n, style) == n) {
		fwrite(s, 1, n, f); /* the common case */
		return;
	}
	while (n) {
		sb_init(&b, buf, sizeof(buf));
		used = esc_put(&b, s, n, style, 0, NULL);
		fwrite(buf, 1, b.len, f);
		s += used;
		n -= used;
	}
}

char *esc_str(char *buf, size_t len, const char *s, enum esc_style style)
{
	struct sbuf b;

	sb_init(&b, buf, len);
	esc_put(&b, s, strlen(s), style, 0, NULL);
	return buf;
}

size_t utf8_fit(const char *s, size_t n, size_t cols)
{
	size_t i = 0, used = 0;

	while (i < n && s[i]) {
		unsigned cp;
		size_t len = utf8_char(s + i, n - i, &cp);
		int w = len > 1 ? char_width(cp) : 1;

		if (!len)
			len = 1;
		if (w < 0)
			w = 1;
		if (used + w > cols)
			break;
		used += w;
		i += len;
	}
	return i;
}
