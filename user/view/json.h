/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal streaming JSON writer for one-object-per-line output. */
#ifndef MEMSNOOP_JSON_H
#define MEMSNOOP_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

/*
 * A JSON string literal, quotes included, always strict UTF-8: control
 * characters escaped, bytes that are not valid UTF-8 become \u00XX.
 */
void json_write_str(FILE *f, const char *s);
/* The same for a fixed-size buffer that may lack a NUL (comm). */
void json_write_strn(FILE *f, const char *s, size_t n);

struct json_obj {
	FILE *f;
	int fields;
};

void json_begin(struct json_obj *o, FILE *f);
void json_end(struct json_obj *o); /* closes the object and the line */
void json_str(struct json_obj *o, const char *key, const char *val);
void json_strn(struct json_obj *o, const char *key, const char *val, size_t n);
void json_u64(struct json_obj *o, const char *key, __u64 val);
void json_s64(struct json_obj *o, const char *key, __s64 val);
void json_hex(struct json_obj *o, const char *key, __u64 val); /* "0x7f..." */
void json_bool(struct json_obj *o, const char *key, bool val);
void json_key(struct json_obj *o, const char *key); /* then write a raw value */

#endif
