// SPDX-License-Identifier: GPL-2.0
#include <assert.h>
#include <string.h>
#include "view/json.h"
#include "view/sbuf.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

void json_write_strn(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;

	fputc('"', f);
	while (i < n && s[i]) {
		unsigned char c = s[i];
		size_t run = i;

		/* plain printable ASCII goes out in one piece */
		while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' &&
		       s[run] != '\\')
			run++;
		if (run > i) {
			fwrite(s + i, 1, run - i, f);
			i = run;
			continue;
		}

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if ((len = utf8_len(s + i, n - i)) > 0) {
			fwrite(s + i, 1, len, f);
			i += len;
			continue;
		} else {
			fprintf(f, "\\u%04x", c); /* a stray byte, as Latin-1 */
		}
		i++;
	}
	fputc('"', f);
}

void json_write_str(FILE *f, const char *s)
{
	json_write_strn(f, s, strlen(s));
}

/* Open a level: '{' or '['. Deeper than JSON_MAX_DEPTH is a bug in the caller. */
static void push(struct json_obj *o, bool array)
{
	assert(o->depth < JSON_MAX_DEPTH);
	o->depth++;
	o->used &= ~(1u << o->depth);
	if (array)
		o->arrays |= 1u << o->depth;
	else
		o->arrays &= ~(1u << o->depth);
	fputc(array ? '[' : '{', o->f);
}

static void pop(struct json_obj *o, bool array)
{
	assert(o->depth > 0 && !!(o->arrays & (1u << o->depth)) == array);
	if (o->depth == o->break_depth && o->used & (1u << o->depth))
		fputc('\n', o->f);
	o->depth--;
	fputc(array ? ']' : '}', o->f);
}

void json_begin(struct json_obj *o, FILE *f)
{
	*o = (struct json_obj){ .f = f };
	push(o, false);
}

void json_end(struct json_obj *o)
{
	pop(o, false);
	assert(o->depth == 0); /* balanced */
	fputc('\n', o->f);
}

/*
 * Before a value: the comma, then the key in an object. Keys are the
 * program's own ASCII names: no escaping needed.
 */
void json_key(struct json_obj *o, const char *key)
{
	__u32 bit = 1u << o->depth;

	if (o->used & bit)
		fputc(',', o->f);
	o->used |= bit;
	if (o->depth == o->break_depth)
		fputc('\n', o->f);
	assert(!key == !!(o->arrays & bit));
	if (!key)
		return;
	fputc('"', o->f);
	fputs(key, o->f);
	fputs("\":", o->f);
}

void json_object_begin(struct json_obj *o, const char *key)
{
	json_key(o, key);
	push(o, false);
}

void json_object_end(struct json_obj *o)
{
	pop(o, false);
}

void json_array_begin(struct json_obj *o, const char *key)
{
	json_key(o, key);
	push(o, true);
}

void json_array_end(struct json_obj *o)
{
	pop(o, true);
}

void json_str(struct json_obj *o, const char *key, const char *val)
{
	json_key(o, key);
	json_write_str(o->f, val);
}

void json_strn(struct json_obj *o, const char *key, const char *val, size_t n)
{
	json_key(o, key);
	json_write_strn(o->f, val, n);
}

void json_u64(struct json_obj *o, const char *key, __u64 val)
{
	char buf[24];
	struct sbuf b;

	json_key(o, key);
	sb_init(&b, buf, sizeof(buf));
	sb_dec(&b, val);
	fwrite(buf, 1, b.len, o->f);
}

void json_s64(struct json_obj *o, const char *key, __s64 val)
{
	char buf[24];
	struct sbuf b;

	json_key(o, key);
	sb_init(&b, buf, sizeof(buf));
	sb_sdec(&b, val);
	fwrite(buf, 1, b.len, o->f);
}

void json_hex(struct json_obj *o, const char *key, __u64 val)
{
	char buf[24];
	struct sbuf b;

	json_key(o, key);
	sb_init(&b, buf, sizeof(buf));
	sb_puts(&b, "\"0x");
	sb_hex(&b, val, 1);
	sb_putc(&b, '"');
	fwrite(buf, 1, b.len, o->f);
}

void json_bool(struct json_obj *o, const char *key, bool val)
{
	json_key(o, key);
	fputs(val ? "true" : "false", o->f);
}

void json_null(struct json_obj *o, const char *key)
{
	json_key(o, key);
	fputs("null", o->f);
}

void json_fixed(struct json_obj *o, const char *key, double val, int decimals)
{
	json_key(o, key);
	fprintf(o->f, "%.*f", decimals, val);
}
