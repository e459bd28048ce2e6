/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memsnoop top: one row per process (sizes by kind, faults/s, growth, a flag
 * for steady growth), drawn by the screen driver (view/screen.h).
 */
#ifndef MEMSNOOP_TOP_H
#define MEMSNOOP_TOP_H

#include <stdbool.h>
#include <stdio.h>
#include "cli.h"
#include "model/model.h"
#include "view/screen.h"

#define TOP_STEADY_WINDOWS 3 /* growth in each of the last N windows: steady */

struct top;

struct top *top__new(const struct settings *s, const struct model *m);
void top__free(struct top *t); /* NULL-safe */
/* A stream_fn, after the model: fault history, the latest time. */
int top__fn(void *ctx, const struct ms_hdr *rec);
struct frame_view top__view(struct top *t);

#endif
