/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unwinding and symbols with elfutils' libdwfl: one Dwfl per process whose
 * modules are the ELF files the model says are mapped, reported lazily as
 * frames land in them; memory reads come from the stack bytes the record
 * copied, registers from the record.
 */
#ifndef MEMSNOOP_UNWIND_H
#define MEMSNOOP_UNWIND_H

#include "events.h"
#include "model/model.h"
#include "symbols/stacks.h"

struct unwinder;

struct unwinder *unwinder__new(const struct model *m);
void unwinder__free(struct unwinder *u);
/* The return addresses of u's stack, innermost first; their number (>= 1). */
unsigned unwinder__unwind(struct unwinder *u, const struct ms_ustack *us, __u64 *ips, unsigned max);
/*
 * fn(ctx, tid, bottom): the top of tid's outermost frame changed (0: not
 * known any more); a live source copies stacks up to there only.
 */
typedef void (*unwinder_bottom_fn)(void *ctx, __u32 tid, __u64 bottom);
void unwinder__on_bottom(struct unwinder *u, unwinder_bottom_fn fn, void *ctx);
/* Whether tid's outermost frame is known (and said to the bottom fn). */
bool unwinder__knows_bottom(struct unwinder *u, __u32 tid);
/* Names ip (in process pid): fills f's strings with pointers that stay valid. */
void unwinder__symbolize(struct unwinder *u, __u32 pid, __u64 ip, bool innermost, struct frame *f);
/* A recording's MS_MODULE: replay names frames from that path only if the build-id matches. */
void unwinder__expect(struct unwinder *u, const struct ms_module *rec);
/* Make an MS_MODULE record of each file a stack reaches first in its process (recording). */
void unwinder__record_modules(struct unwinder *u, bool on);
/* Hands fn the MS_MODULE records made since the last drain, and forgets them. */
int unwinder__drain_modules(struct unwinder *u, int (*fn)(void *ctx, const struct ms_hdr *rec),
			    void *ctx);
/*
 * --symbols: a recording stores the functions its frames fell in (MS_SYMBOL,
 * once each, JIT code's too) and each walk's frames (MS_FRAMES), drained with
 * the MS_MODULE records; a replay names frames from them where the local file
 * is missing or another build.
 */
void unwinder__record_symbols(struct unwinder *u, bool on);
/* The call being symbolized: the MS_SYMBOL records' pid, tid and time. */
void unwinder__stamp(struct unwinder *u, const struct ms_hdr *h);
/* A recording's MS_SYMBOL, for the frames that follow. */
void unwinder__add_symbol(struct unwinder *u, const struct ms_symbol *rec);
/* An MS_FRAMES record of this walk, for the recording. */
void unwinder__note_frames(struct unwinder *u, const struct ms_ustack *us, const __u64 *ips,
			   unsigned nr);
/* Live: name frames in anonymous executable memory from /tmp/perf-PID.map. */
void unwinder__read_perf_maps(struct unwinder *u, bool on);
/* The process exec'd filename: a fixed-address executable is known before its layout. */
void unwinder__exec(struct unwinder *u, __u32 pid, const char *filename);
/* A forked child runs its parent's executable until it execs. */
void unwinder__fork(struct unwinder *u, __u32 parent, __u32 child);
/* The process's layout is gone or replaced (exit, exec): forget its modules. */
void unwinder__forget(struct unwinder *u, __u32 pid);

#endif
