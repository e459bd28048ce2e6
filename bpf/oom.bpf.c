// SPDX-License-Identifier: GPL-2.0
/*
 * The OOM killer's choice (oom:mark_victim): the victim, the kernel's own
 * figures of its memory, its memory cgroup, and whether a cgroup's limit or
 * the machine's memory ran out. Rare: no hot path here.
 */
#include "memsnoop.bpf.h"

/*
 * 6.8 gave mark_victim the task (and the figures the tracepoint prints);
 * before, its one argument is the pid. Our own flavor of the new event, so
 * an older vmlinux.h (arm64's is 6.1) compiles and CO-RE tells at load.
 */
struct trace_event_raw_mark_victim___figures {
	unsigned long total_vm;
} __attribute__((preserve_access_index));

struct mm_struct___pgtables {
	atomic_long_t pgtables_bytes;
} __attribute__((preserve_access_index));

/*
 * A memcg OOM happens when a charge would take usage past max (the charge
 * is one page, or a huge page's 512): the cgroup whose counter is this
 * close is the one at its limit. A machine-wide OOM finds none.
 */
#define OOM_SLACK_PAGES 1024
#define MEMCG_LEVELS 16 /* the victim's cgroup and its ancestors looked at */

static __always_inline bool victim_traced(struct task_struct *task, __u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (!filter_on || bpf_map_lookup_elem(&pids, &tgid))
		return true;
	if (filter_cgroup && task_in_cgroups(task))
		return true;
	return filter_comm && task_comm_matches(task);
}

/* One RSS counter of an mm reached by probe reads (the task is not ours: no direct loads). */
static __always_inline __u64 rss_counter(struct mm_struct *mm, int i)
{
	__s64 v;

	if (bpf_core_type_exists(struct mm_rss_stat___old))
		v = BPF_CORE_READ((struct mm_struct___old *)mm, rss_stat.count[i].counter);
	else
		v = BPF_CORE_READ((struct mm_struct___new *)mm, rss_stat[i].count);
	return v > 0 ? v : 0;
}

static __always_inline void read_figures(struct task_struct *task, struct ms_oom *e)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	struct mm_struct___pgtables *pt = (void *)mm;

	if (!mm)
		return;
	e->total_vm = BPF_CORE_READ(mm, total_vm);
	e->anon_rss = rss_counter(mm, RSS_ANON);
	e->file_rss = rss_counter(mm, RSS_FILE);
	e->shmem_rss = rss_counter(mm, RSS_SHMEM);
	if (bpf_core_field_exists(pt->pgtables_bytes))
		e->pgtables = BPF_CORE_READ(pt, pgtables_bytes.counter);
	e->oom_score_adj = BPF_CORE_READ(task, signal, oom_score_adj);
	e->h.flags |= MS_OOM_FIGURES;
}

/* The victim's memory cgroup, and the first of it and its ancestors at its limit. */
static __always_inline void read_memcg(struct task_struct *task, struct ms_oom *e)
{
	struct cgroup_subsys_state *css;
	struct mem_cgroup *memcg;
	int id, i;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return;
	id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (id < 0 || id >= 16)
		return;
	css = BPF_CORE_READ(task, cgroups, subsys[id]);
	if (!css)
		return;
	e->memcg_id = BPF_CORE_READ(css, cgroup, kn, id);
	for (i = 0; i < MEMCG_LEVELS && css; i++) {
		__u64 usage, max;

		memcg = (void *)css; /* css is mem_cgroup's first member */
		usage = BPF_CORE_READ(memcg, memory.usage.counter);
		max = BPF_CORE_READ(memcg, memory.max);
		if (max < (1ULL << 48) && usage + OOM_SLACK_PAGES >= max) {
			e->oom_memcg_id = BPF_CORE_READ(css, cgroup, kn, id);
			e->limit = max;
			e->usage = usage;
			e->h.flags |= MS_OOM_MEMCG | MS_OOM_COUNTER | MS_OOM_HAS_LIMIT;
			return;
		}
		css = BPF_CORE_READ(css, parent);
	}
}

SEC("raw_tp/mark_victim")
int ms_oom_victim(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = NULL;
	__u32 tgid, tid;
	struct ms_oom *e;

	if (bpf_core_type_exists(struct trace_event_raw_mark_victim___figures) &&
	    bpf_core_field_exists(struct trace_event_raw_mark_victim___figures, total_vm)) {
		task = (void *)ctx->args[0];
		tgid = BPF_CORE_READ(task, tgid);
		tid = BPF_CORE_READ(task, pid);
	} else {
		tgid = tid = (__u32)ctx->args[0]; /* the thread: user space finds its process */
	}
	if (task ? !victim_traced(task, tgid) : filter_on && !bpf_map_lookup_elem(&pids, &tgid))
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	fill_hdr(&e->h, MS_OOM, sizeof(*e));
	e->killer_pid = e->h.pid;
	e->h.pid = tgid;
	e->h.tid = tid;
	if (task) {
		BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
		e->uid = (__u32)ctx->args[1];
		read_figures(task, e);
		read_memcg(task, e);
	}
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}
