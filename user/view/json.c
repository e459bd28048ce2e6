// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "view/json.h"

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

void json_key(struct json_obj *o, const char *key)
{
	if (o->fields++)
		fputc(',', o->f);
	json_write_str(o->f, key);
	fputc(':', o->f);
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
	json_key(o, key);
	fprintf(o->f, "%llu", (unsigned long long)val);
}

void json_s64(struct json_obj *o, const char *key, __s64 val)
{
	json_key(o, key);
	fprintf(o->f, "%lld", (long long)val);
}

void json_hex(struct json_obj *o, const char *key, __u64 val)
{
	json_key(o, key);
	fprintf(o->f, "\"0x%llx\"", (unsigned long long)val);
}

void json_bool(struct json_obj *o, const char *key, bool val)
{
	json_key(o, key);
	fputs(val ? "true" : "false", o->f);
}
