/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User call stacks (--stacks): a stage before the model pairs each
 * MS_USTACK record with the call record that follows it, unwinds it with the
 * binaries' CFI (unwind.h) against the process's file mappings as the model
 * knows them at that moment, and keeps each distinct stack once, symbolized,
 * under an id. Live and replay alike: a recording holds the raw registers
 * and stack bytes, and is symbolized from the local files.
 */
#ifndef MEMSNOOP_STACKS_H
#define MEMSNOOP_STACKS_H

#include <stdbool.h>
#include <linux/types.h>
#include "events.h"
#include "model/model.h"

#define STACK_MAX_FRAMES 64

struct frame {
	__u64 ip; /* the return address (the pc for the innermost frame) */
	__u64 off; /* from sym */
	const char *sym; /* NULL: no symbol */
	const char *module; /* the file, NULL: not in one */
	const char *file; /* source file, from debug info; NULL: none */
	int line;
};

struct stack {
	unsigned id; /* 1, 2, ...: the same frames in the same process, the same id */
	__u32 pid;
	bool fp; /* the frame-pointer chain gave these frames whole; else DWARF alone */
	unsigned nr;
	struct frame frames[];
};

struct stacks;

struct stacks *stacks__new(const struct model *m);
void stacks__free(struct stacks *st);
/* A stream_fn before the model. */
int stacks__fn(void *ctx, const struct ms_hdr *rec);
/* The stack of the call record being delivered now; NULL if it has none. */
const struct stack *stacks__of(const struct stacks *st, const struct ms_hdr *rec);
/*
 * A recording stores, before each call, the files its stack reached first
 * (MS_MODULE: path, load address, build-id), for replay to check its local
 * files against. on: make them; drain hands them to the writer.
 */
void stacks__record_modules(struct stacks *st, bool on);
int stacks__drain_modules(struct stacks *st, int (*fn)(void *ctx, const struct ms_hdr *rec),
			  void *ctx);
/*
 * --symbols: the recording also stores the functions the frames fell in
 * (MS_SYMBOL) and the frames themselves (MS_FRAMES), drained as above, so
 * that a replay without the binaries still names them.
 */
void stacks__record_symbols(struct stacks *st, bool on);
/* Live: JIT frames are named from /tmp/perf-PID.map where the runtime writes one. */
void stacks__read_perf_maps(struct stacks *st, bool on);
/*
 * The stack of the call made by pid/tid at ts (a region's created_tid and
 * created_ns: the call that made it); NULL if it had none.
 */
const struct stack *stacks__of_call(const struct stacks *st, __u32 pid, __u32 tid, __u64 ts);
/*
 * fn(ctx, tid, bottom) learns where each thread's outermost frame is (0:
 * forget it): live copies only the stack bytes below it.
 */
void stacks__on_bottom(struct stacks *st, void (*fn)(void *ctx, __u32 tid, __u64 bottom),
		       void *ctx);
/*
 * An MS_USTACK as a live source reads it, before the reorder window holds it
 * back: a thread whose outermost frame is not known yet is unwound now (the
 * walk is memoized for its turn), so that its next copies shrink at once.
 */
void stacks__probe(void *ctx, const struct ms_hdr *rec);
/* A stack by id, NULL if none. */
const struct stack *stacks__get(const struct stacks *st, unsigned id);
/* Frames before this index are in libc/the allocator: the call site is the first after. */
unsigned stack__site(const struct stack *s);
/* The frame of its call site; NULL: all its frames are in libc/the loader/the allocator. */
const struct frame *stack__site_frame(const struct stack *s);
/* How its frames were found: "fp" (the frame-pointer chain, whole) or "dwarf". */
const char *stack__unwind(const struct stack *s);

#endif
