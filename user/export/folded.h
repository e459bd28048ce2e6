/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Folded stacks, the input of flamegraph.pl, speedscope and Perfetto's flame
 * view: one line a distinct stack, "comm;outer;...;inner WEIGHT", weighed
 * by the bytes its calls reserved (mmap, brk and mremap growth), the bytes
 * of the regions it made that were touched (faulted in, at the end), or the
 * number of its calls.
 */
#ifndef MEMSNOOP_FOLDED_H
#define MEMSNOOP_FOLDED_H

#include <stdio.h>
#include "model/model.h"
#include "stream.h"
#include "symbols/stacks.h"

enum folded_weight {
	FOLDED_RESERVED,
	FOLDED_TOUCHED,
	FOLDED_CALLS,
};

struct folded;

struct folded *folded__new(const struct model *m, const struct stacks *st, enum folded_weight w,
			   FILE *out);
int folded__fn(void *ctx, const struct ms_hdr *rec,
	       const struct model_change *chg); /* a stream_after_fn */
/* Writes the lines; returns 0, or -1 if writing failed. Frees f. NULL-safe. */
int folded__finish(struct folded *f);
/*
 * Without writing (out NULL): the weights so far. Stack ids are below
 * folded__ids(); a stack's weight (0: none) and its process's command.
 */
unsigned folded__ids(const struct folded *f);
__u64 folded__weight(const struct folded *f, unsigned id, const char **comm);
void folded__free(struct folded *f); /* NULL-safe */
/* A frame as the lines name it: its function, else [its file], else its address. */
const char *folded__frame_name(const struct frame *fr, char *buf, size_t size);
/* A name's character as the lines write it: no ';' or newline, they separate frames and lines. */
int folded__name_char(int c);

#endif
