/* SPDX-License-Identifier: GPL-2.0 */
/* A call stack (symbols/stacks.h) as indented text lines or a JSON array, for every view. */
#ifndef MEMSNOOP_STACK_LINES_H
#define MEMSNOOP_STACK_LINES_H

#include <stdio.h>
#include "symbols/stacks.h"
#include "util/json.h"

/* Up to depth frames, one a line: "<indent>#0 0x7f.. alpha+0x1c (/lib/x.so) a.c:42". */
void stack_lines__text(FILE *out, const struct stack *s, unsigned depth, const char *indent);
/* "stack_id", "unwind" and "stack": [{"ip", "sym", "off", "module", "file", "line"}, ...]. */
void stack_lines__json(struct json_obj *o, const struct stack *s, unsigned depth);

#define STACK_SITE_LEN 256
/*
 * "  [by alpha_map]": the call site of s (its innermost frame outside
 * libc/the allocator) for the end of a region's line; "" when s is NULL or
 * all its frames are inside (the loader mapping a library).
 */
void stack_lines__site(char *buf, size_t size, const struct stack *s);
/* "site": {"ip", "sym", "off", "module"} and "stack_id"; nothing when "" above. */
void stack_lines__site_json(struct json_obj *o, const struct stack *s);

#endif
