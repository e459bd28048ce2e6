/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names others control — command names, file paths, exec filenames, what a
 * trace file says — escaped for the output they go to, so that none of
 * their bytes can move a terminal's cursor, forge a line or break a JSON
 * parser. Valid printable UTF-8 passes as is; every other byte is escaped,
 * and what goes out is always valid UTF-8. One function for every output.
 */
#ifndef MEMSNOOP_ESCAPE_H
#define MEMSNOOP_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

enum esc_style {
	/* as strace: \n \t \r \\, \xNN for other control bytes and bytes that are not UTF-8 */
	ESC_TEXT,
	/* as /proc/PID/maps: \012 for a newline (seq_file_path), octal for any other such byte */
	ESC_PROC,
	/* a JSON string's body: \" \\ \n \t \r, \u00XX for control and stray bytes */
	ESC_JSON,
	/* HTML text or a quoted attribute: &amp; &lt; &gt; &quot; &#39;, else as ESC_TEXT */
	ESC_HTML,
};

struct sbuf;

/*
 * Appends s escaped (n bytes at most, ending at a NUL) to b while it fits in
 * b and, unless max_cols is 0, in max_cols display columns; never cuts an
 * escape or a character. Returns the bytes of s consumed; *cols (if not
 * NULL) gets the columns written.
 */
size_t esc_put(struct sbuf *b, const char *s, size_t n, enum esc_style style, size_t max_cols,
	       size_t *cols);
/* Text in a cell of max_cols columns: cut with a '+' if it is wider. Returns the columns. */
size_t esc_cell(struct sbuf *b, const char *s, size_t n, size_t max_cols);
/* The whole of s, escaped, to f. */
void esc_fput(FILE *f, const char *s, size_t n, enum esc_style style);
/* s escaped into buf (NUL-terminated; what does not fit is left out). Returns buf. */
char *esc_str(char *buf, size_t len, const char *s, enum esc_style style);

/* The valid UTF-8 character at s (n bytes left): its length, 0 if none; *cp its code point. */
size_t utf8_char(const char *s, size_t n, unsigned *cp);
/* Bytes of s (printable UTF-8, as escaped) that fill at most cols display columns. */
size_t utf8_fit(const char *s, size_t n, size_t cols);

#endif
