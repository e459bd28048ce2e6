/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Crashes and failed allocations explained in terms of the layout: a fault
 * signal's address against the regions the model holds at that moment (and
 * the regions unmapped recently, which this module remembers, a few per
 * process), and an ENOMEM with the limit it likely hit and the usage then.
 */
#ifndef MEMSNOOP_EXPLAIN_H
#define MEMSNOOP_EXPLAIN_H

#include <stdbool.h>
#include "events.h"
#include "model/model.h"

#define EXPLAIN_MUNMAPS 16 /* recent unmaps remembered per process */

struct explanation {
	const char *cause; /* a stable token: "null-page", "thread-stack-overflow", ... */
	char text[512]; /* one line, no newline */
};

struct explain;

struct explain *explain__new(const struct model *m);
void explain__free(struct explain *x); /* NULL-safe */
struct stacks;
/* With --stacks, a use after unmap names the call site that unmapped it. */
void explain__set_stacks(struct explain *x, const struct stacks *st);
/*
 * Every record, after the model applied it: remembers unmaps and faults.
 * landed: where the model says the record landed (stream.h's model_change).
 */
void explain__note(struct explain *x, const struct ms_hdr *rec, const struct region *landed);
/* A fault signal (SIGSEGV, SIGBUS, ...). false: nothing to explain. */
bool explain__signal(struct explain *x, const struct ms_signal *e, struct explanation *out);
/* A brk, mmap or mremap that failed for lack of memory. false: not one. */
bool explain__enomem(struct explain *x, const struct ms_syscall *s, struct explanation *out);

#endif
