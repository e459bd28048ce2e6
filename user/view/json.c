// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "escape.h"
#include "view/json.h"
#include "view/sbuf.h"

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

void json_begin(struct json_obj *o, FILE *f)
{
	o->f = f;
	o->fields = 0;
	fputc('{', f);
}

void json_end(struct json_obj *o)
{
	fputs("}\n", o->f);
}

/* Keys are the program's own ASCII names: no escaping needed. */
void json_key(struct json_obj *o, const char *key)
{
	if (o->fields++)
		fputc(',', o->f);
	fputc('"', o->f);
	fputs(key, o->f);
	fputs("\":", o->f);
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
