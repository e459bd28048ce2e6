// SPDX-License-Identifier: GPL-2.0
/* Processes: fork (and threads), exit, fault signals, address-space teardown. */
#include "memsnoop.bpf.h"
#include "faults.bpf.h"

/* The user registers of a task sit at the top of its kernel stack. */
static __always_inline __u64 task_user_sp(struct task_struct *child)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	__u64 regs_size = bpf_core_type_size(struct pt_regs);
	__u64 top = ptr_value((void *)bpf_task_pt_regs(cur)) + regs_size;
	__u64 thread_size = top - ptr_value(BPF_CORE_READ(cur, stack));
	struct pt_regs *child_regs;

	if (thread_size > (1 << 20))
		return 0;
	child_regs = (void *)(ptr_value(BPF_CORE_READ(child, stack)) + thread_size - regs_size);
	return BPF_CORE_READ(child_regs, sp);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(ms_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;
	struct ms_fork *e;

	if (!traced(ptgid))
		return 0;
	if (filter_on && follow_children && ctgid != ptgid)
		bpf_map_update_elem(&pids, &ctgid, &one, BPF_ANY);
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_hdr(&e->h, MS_FORK, sizeof(*e));
	if (ctgid == ptgid)
		e->h.flags |= MS_FORK_THREAD;
	if (BPF_CORE_READ(parent, mm) == BPF_CORE_READ(child, mm))
		e->h.flags |= MS_FORK_VM;
	e->child_pid = ctgid;
	e->child_tid = BPF_CORE_READ(child, pid);
	e->child_sp = task_user_sp(child);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	task_cgroup_ids(child, &e->cg); /* CLONE_INTO_CGROUP: maybe not the parent's */
	bpf_ringbuf_submit(e, wake_flags(sizeof(*e)));
	return 0;
}
SEC("tp/sched/sched_process_exit")
int ms_exit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct task_struct *task = bpf_get_current_task_btf();
	struct slot_visit v = { .tgid = tgid, .exiting = true };
	struct ms_proc_state *st;
	struct mm_struct *mm;
	struct ms_exit *e;
	bool group_dead;

	group_dead = BPF_CORE_READ(task, signal, live.counter) == 0;
	/* even a process no longer traced (its comm changed) frees its slots */
	if (group_dead)
		visit_slots(&v);
	if (!traced(tgid))
		goto out;
	mm = task->mm;
	e = reserve(sizeof(*e));
	if (!e)
		goto out;
	fill_hdr(&e->h, MS_EXIT, sizeof(*e));
	e->exit_code = BPF_CORE_READ(task, exit_code);
	e->pad = 0;
	__builtin_memset(&e->total, 0, sizeof(e->total));
	if (group_dead) {
		e->h.flags |= MS_EXIT_GROUP;
		e->total = v.total;
		st = bpf_map_lookup_elem(&procs, &tgid);
		if (st)
			add_counts(&e->total, &st->counts);
	}
	read_mm(mm, &e->mm);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, wake_flags(sizeof(*e))); /* the next poll (<= 100 ms) sees it */
out:
	if (group_dead) {
		bpf_map_delete_elem(&procs, &tgid);
		bpf_map_delete_elem(&pids, &tgid);
		if (filter_cgroup)
			bpf_map_delete_elem(&cgroup_verdicts, &tgid);
	}
	return 0;
}

/*
 * A process moved to another cgroup (after the move: its css_set is the new
 * one). The mover is usually another process: the filter asks the task.
 */
SEC("raw_tp/cgroup_attach_task")
int BPF_PROG(ms_cgroup_move, struct cgroup *dst, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct ms_cgroup_move *e;
	__u8 in = 0;

	if (tgid == self_tgid || !BPF_CORE_READ(task, mm)) /* kernel threads have no memory */
		return 0;
	if (filter_cgroup) { /* the verdict traced() keeps changes with the move */
		in = task_in_cgroups(task);
		bpf_map_update_elem(&cgroup_verdicts, &tgid, &in, BPF_ANY);
	}
	if (filter_on && !bpf_map_lookup_elem(&pids, &tgid) &&
	    !(filter_comm && task_comm_matches(task)) && !in)
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_hdr(&e->h, MS_CGROUP_MOVE, sizeof(*e));
	e->h.pid = tgid;
	e->h.tid = BPF_CORE_READ(task, pid);
	task_cgroup_ids(task, &e->cg);
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP); /* a process entering --cgroup: seed it now */
	return 0;
}

#define SIGILL 4
#define SIGBUS 7
#define SIGFPE 8
#define SIGSEGV 11

/* A fault signal names the address: user space explains it against the layout. */
SEC("raw_tp/signal_generate")
int BPF_PROG(ms_signal, int sig, struct kernel_siginfo *info, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct ms_signal *e;

	if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE)
		return 0;
	if (!traced(tgid))
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_hdr(&e->h, MS_SIGNAL, sizeof(*e));
	e->sender_pid = e->h.pid;
	e->h.pid = tgid;
	e->h.tid = BPF_CORE_READ(task, pid);
	e->sig = sig;
	e->code = 0;
	e->addr = 0;
	/* SEND_SIG_NOINFO (0) and SEND_SIG_PRIV (1) carry no siginfo */
	if ((unsigned long)info > 1) {
		e->code = BPF_CORE_READ(info, si_code);
		e->addr = (__u64)BPF_CORE_READ(info, _sifields._sigfault._addr);
	}
	e->pad = 0;
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

SEC("tp/mmap/exit_mmap")
int ms_mm_teardown(struct trace_event_raw_exit_mmap *ctx)
{
	struct mm_struct *mm = BPF_CORE_READ(ctx, mm);
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct ms_hdr *e;

	/* The teardown may run in another task's context: ask the mm. */
	if (bpf_core_field_exists(mm->owner)) {
		struct task_struct *owner = BPF_CORE_READ(mm, owner);

		if (owner)
			tgid = BPF_CORE_READ(owner, tgid);
	}
	if (!traced(tgid))
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_hdr(e, MS_EXIT_MMAP, sizeof(*e));
	e->pid = tgid;
	bpf_ringbuf_submit(e, wake_flags(sizeof(*e)));
	return 0;
}
