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

/*
 * A balanced streaming writer, as bpftool's json_writer: objects and arrays
 * nest (up to JSON_MAX_DEPTH), a comma goes before every value but the first
 * of its level, and every begin has its end. Inside an object each value has
 * a key; inside an array keys are NULL.
 */
#define JSON_MAX_DEPTH 16

struct json_obj {
	FILE *f;
	int depth; /* open objects and arrays */
	__u32 used; /* bit d: level d has a value already */
	__u32 arrays; /* bit d: level d is an array */
	int break_depth; /* > 0: a newline before each element at this level */
};

void json_begin(struct json_obj *o, FILE *f); /* the top-level object */
void json_end(struct json_obj *o); /* closes it and the line */
void json_object_begin(struct json_obj *o, const char *key);
void json_object_end(struct json_obj *o);
void json_array_begin(struct json_obj *o, const char *key);
void json_array_end(struct json_obj *o);
void json_str(struct json_obj *o, const char *key, const char *val);
void json_strn(struct json_obj *o, const char *key, const char *val, size_t n);
void json_u64(struct json_obj *o, const char *key, __u64 val);
void json_s64(struct json_obj *o, const char *key, __s64 val);
void json_hex(struct json_obj *o, const char *key, __u64 val); /* "0x7f..." */
void json_bool(struct json_obj *o, const char *key, bool val);
void json_null(struct json_obj *o, const char *key);
void json_fixed(struct json_obj *o, const char *key, double val, int decimals); /* 1.250 */
void json_key(struct json_obj *o, const char *key); /* then write a raw value */

#endif
