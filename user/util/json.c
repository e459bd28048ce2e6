// SPDX-License-Identifier: GPL-2.0
#include <assert.h>
#include <string.h>
#include "util/escape.h"
#include "util/json.h"
#include "util/sbuf.h"

void json_write_strn(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	esc_fput(f, s, n, ESC_JSON);
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
