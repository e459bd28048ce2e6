/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live source: loads and attaches the BPF programs, seeds existing
 * processes, and turns the ring buffer (plus fault counts, losses and exec
 * seeds) into the one event stream.
 */
#ifndef MEMSNOOP_LIVE_H
#define MEMSNOOP_LIVE_H

#include "stream.h"
#include "source/rss_sample.h"
#include "util/selection.h"

struct live;

/* --syscall-hook: fentry/fexit on the handlers where allowed, else trace events */
enum syscall_hook {
	SYSCALL_HOOK_AUTO,
	SYSCALL_HOOK_FENTRY, /* fentry or fail: tests, bench */
	SYSCALL_HOOK_TP, /* the syscalls: trace events only */
};

struct live_opts {
	const struct selection *sel; /* traced in the kernel; outlives the source */
	bool launch; /* a command will be added (live__add_pid): it and its children */
	bool faults; /* every fault as a record, not counts per process */
	__u32 ustack_bytes; /* --stacks: user stack bytes copied per call; 0: no stacks */
	__u64 ringbuf_size;
	unsigned fault_slots; /* a power of two; 0: sized by the CPUs (tests: 1, collisions) */
	const char *btf_path; /* NULL: /sys/kernel/btf/vmlinux (tests of the no-BTF message) */
	bool fault_perf; /* page faults from the perf event even on x86 (tests, bench) */
	enum syscall_hook syscall_hook; /* the memory calls' hook: cheapest allowed, or forced */
	enum rss_source rss; /* where resident samples come from; RSS_OFF: none */
};

/* Checks privileges, BTF and tracefs, loads and attaches. -1 after an error message. */
int live__open(struct live **out, const struct live_opts *o, struct stream *st);
/* Adds a process to the in-kernel filter (e.g. a launched command). */
int live__add_pid(struct live *l, __u32 pid);
/* --stacks: fn sees each MS_USTACK as it is read, before the reorder window delays it. */
void live__on_ustack(struct live *l, void (*fn)(void *ctx, const struct ms_hdr *rec), void *ctx);
/* --stacks: tid's calls copy their stack up to bottom only (0: all of --stack-size). */
void live__stack_bottom(void *ctx, __u32 tid, __u64 bottom);
/* Seeds every existing process the filter selects. */
int live__seed(struct live *l);
/*
 * Waits up to timeout_ms for records and emits them; the stream releases
 * those older than the pass by ROUND_SLACK_NS (live.c).
 */
int live__poll(struct live *l, int timeout_ms);
/* Emits whatever the ring buffer holds now; everything up to now reaches the consumers. */
int live__drain(struct live *l);
/*
 * -p without --children or -c: every selected process has exited (as
 * strace -p ends with its tracee). Cheap enough to ask after each poll.
 */
bool live__selection_gone(struct live *l);
/*
 * Resident samples of the processes that faulted, mapped or unmapped since
 * their last one (a view is about to show them: SIGUSR1).
 */
void live__sample(struct live *l);
/*
 * The ring buffer: its size, the bytes waiting in it now, and the most that
 * waited since the previous call (looked at before each read of it).
 */
struct live_ring_fill {
	__u64 size, used, peak;
};
void live__ring_fill(struct live *l, struct live_ring_fill *f);
/* Per-interval work: fault summaries, resident samples, losses (then resynchronises layouts). */
void live__tick(struct live *l);
/* Drains, then final fault summaries and losses; the stream delivers all it holds. */
void live__finish(struct live *l);
/* A loaded program's cost so far: counted while kernel.bpf_stats_enabled is 1. */
struct live_prog_stats {
	const char *name;
	__u64 run_ns;
	__u64 runs;
};
typedef void (*live_prog_fn)(const struct live_prog_stats *st, void *ctx);
/* fn for each program loaded. */
void live__prog_stats(struct live *l, live_prog_fn fn, void *ctx);
/* Detaches every program (concurrently: each detach waits for RCU). NULL-safe. */
void live__close(struct live *l);

#endif
