// SPDX-License-Identifier: GPL-2.0
/*
 * The physical floor: the tracepoints memsnoop uses, one fixed-size ring
 * buffer record per event, nothing else. Syscall arguments are kept from
 * sys_enter to sys_exit in a hash keyed by thread id.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "floor.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool batch = false; /* wake the reader only per 256 KiB */

__u64 drops = 0;

struct sc_args {
	__u64 a[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct sc_args);
} inflight SEC(".maps");

/* the layout of syscalls:sys_enter_* and sys_exit_* */
struct sc_enter_ctx {
	__u64 common;
	long nr;
	unsigned long args[6];
};

struct sc_exit_ctx {
	__u64 common;
	long nr;
	long ret;
};

static __always_inline struct bf_rec *reserve(__u32 type)
{
	struct bf_rec *r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	__u64 id;

	if (!r) {
		__sync_fetch_and_add(&drops, 1);
		return NULL;
	}
	id = bpf_get_current_pid_tgid();
	r->ts_ns = bpf_ktime_get_ns();
	r->pid = id >> 32;
	r->tid = (__u32)id;
	r->type = type;
	r->flags = 0;
	return r;
}

static __always_inline void submit(struct bf_rec *r)
{
	__u64 flags = 0;

	if (batch)
		flags = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) >= BF_WAKE_BYTES ?
				BPF_RB_FORCE_WAKEUP :
				BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(r, flags);
}

/* Read only the arguments the call has: the verifier bounds the context. */
static __always_inline int sc_enter(struct sc_enter_ctx *ctx, int nargs)
{
	struct sc_args v = {};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	v.a[0] = ctx->args[0];
	if (nargs > 1)
		v.a[1] = ctx->args[1];
	if (nargs > 2)
		v.a[2] = ctx->args[2];
	if (nargs > 3)
		v.a[3] = ctx->args[3];
	bpf_map_update_elem(&inflight, &tid, &v, BPF_ANY);
	return 0;
}

static __always_inline int sc_exit(struct sc_exit_ctx *ctx, __u32 type)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sc_args *v = bpf_map_lookup_elem(&inflight, &tid);
	struct bf_rec *r;

	if (!v)
		return 0;
	r = reserve(type);
	if (r) {
		r->a[0] = v->a[0];
		r->a[1] = v->a[1];
		r->a[2] = v->a[2];
		r->a[3] = v->a[3];
		r->a[4] = ctx->ret;
		submit(r);
	}
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

#define SYSCALL(name, nargs, type)                    \
	SEC("tp/syscalls/sys_enter_" #name)           \
	int bf_enter_##name(struct sc_enter_ctx *ctx) \
	{                                             \
		return sc_enter(ctx, nargs);          \
	}                                             \
	SEC("tp/syscalls/sys_exit_" #name)            \
	int bf_exit_##name(struct sc_exit_ctx *ctx)   \
	{                                             \
		return sc_exit(ctx, type);            \
	}

SYSCALL(brk, 1, BF_BRK)
SYSCALL(mmap, 6, BF_MMAP)
SYSCALL(munmap, 2, BF_MUNMAP)
SYSCALL(mremap, 5, BF_MREMAP)
SYSCALL(mprotect, 3, BF_MPROTECT)
SYSCALL(madvise, 3, BF_MADVISE)

SEC("tp/exceptions/page_fault_user")
int bf_fault(struct trace_event_raw_exceptions *ctx)
{
	struct bf_rec *r = reserve(BF_FAULT);

	if (r) {
		r->flags = ctx->error_code;
		r->a[0] = ctx->address;
		r->a[1] = ctx->ip;
		submit(r);
	}
	return 0;
}

SEC("tp/sched/sched_process_fork")
int bf_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	struct bf_rec *r = reserve(BF_FORK);

	if (r) {
		r->a[0] = ctx->child_pid;
		submit(r);
	}
	return 0;
}

SEC("tp/sched/sched_process_exec")
int bf_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct bf_rec *r = reserve(BF_EXEC);

	if (r) {
		r->a[0] = ctx->old_pid;
		submit(r);
	}
	return 0;
}

SEC("tp/sched/sched_process_exit")
int bf_exit(void *ctx)
{
	struct bf_rec *r = reserve(BF_EXIT);

	if (r)
		submit(r);
	return 0;
}
