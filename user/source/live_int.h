/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What live.c and hooks.c share: the live source's state, and the choice of
 * BPF programs made before the load. Private to user/source/.
 */
#ifndef MEMSNOOP_LIVE_INT_H
#define MEMSNOOP_LIVE_INT_H

#include "source/live.h"

struct live {
	struct memsnoop_bpf *skel;
	struct ring_buffer *rb;
	/* the ring's positions, mapped read-only (as libbpf maps them): its fill */
	const unsigned long *rb_cons, *rb_prod;
	__u64 rb_size;
	__u64 rb_peak; /* the most waiting since live__ring_fill's last call */
	__u64 rb_peak_run; /* since the start (-v) */
	struct stream *stream;
	struct live_opts o;
	/* --stacks: sees each stack copy as it is read, before the reorder window */
	void (*ustack_fn)(void *ctx, const struct ms_hdr *rec);
	void *ustack_ctx;
	struct pidtab *reported; /* fault counts already put in the stream */
	struct pidtab *changed; /* faulted, mapped or unmapped since its last RSS sample */
	struct pidtab *exec_read; /* when /proc gave a process's exec layout (before 6.7) */
	struct rss_sampler *rss;
	__u64 samples, sample_ns, sample_max_ns; /* resident samples taken, their time (-v) */
	__u64 drops_seen;
	__u64 last_lost_ns;
	__u64 last_warn_ns;
	__u64 lost_since_warn;
	bool resync; /* re-seed layouts at the next tick */
	bool has_gate;
	bool warned_denied; /* some /proc/PID/maps could not be read */
	bool pids_only; /* -p alone: nothing new can join, so their end is ours */
	__u64 next_gone_check_ns;
	struct cgroup_feed *cgroups; /* cgroup paths, limits and usage into the stream */
	struct {
		__u64 id;
		unsigned hierarchy;
		char path[4096]; /* inside the hierarchy */
	} cg_sel[MAX_CGROUPS]; /* --cgroup */
	struct names *names; /* mapped files, looked at again after unlinks and renames */
	__u64 names_seen; /* the BPF side's count of those calls, when last read */
	__u64 names_moved_ns; /* when that count last moved */
	__u64 next_names_ns;
	int nr_cpus; /* possible CPUs: copies of a per-CPU map value */
	bool fault_perf; /* faults from the page-faults perf event, not page_fault_user */
	struct bpf_link **fault_links; /* its programs, one per CPU */
	bool handlers_refused; /* the kernel refuses fentry/fexit: syscall trace events */
	char refused[512]; /* calls whose handler refused an attachment, by spaces */
	struct ms_fault_slot *slots; /* one slot's copies, read back */
	__u64 oom_buf[MS_REC_MAX / 8]; /* an MS_OOM record with what user space adds */
	union {
		struct ms_vma v;
		char buf[sizeof(struct ms_vma) + 16];
	} gate; /* [vsyscall], appended to the kernel's exec seeds */
};

/* hooks.c */
int attach_fault_perf(struct live *l);
bool has_vma_iterator(void);
/* What the kernel offers; -ECANCELED after an error message (--syscall-hook=fentry). */
int detect(struct live *l, bool vma_iterator);
int attach_handlers(struct live *l);
void report_call_hooks(struct live *l);

#endif /* MEMSNOOP_LIVE_INT_H */
