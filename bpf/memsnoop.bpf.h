/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What memsnoop's BPF parts share: the settings user space writes, the
 * counters, the maps (defined once, in memsnoop.bpf.c; extern here) and the
 * helpers every record needs. The parts are compiled apart and linked into
 * one object (bpftool gen object): one skeleton, memsnoop.skel.h.
 */
#ifndef MEMSNOOP_BPF_H
#define MEMSNOOP_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"
/* types of newer kernels than the one this arch's vmlinux.h came from */
#if __has_include("vmlinux_newer.h")
#include "vmlinux_newer.h"
#endif

/* Settings written by user space between open and load: see memsnoop.bpf.c. */
extern const volatile __u32 self_tgid;
extern const volatile bool filter_on;
extern const volatile bool filter_comm;
extern const volatile bool follow_children;
extern const volatile bool stream_faults;
extern const volatile char comm_filter[MS_COMM_LEN];
extern const volatile __u64 wakeup_bytes;
extern const volatile __u32 check_shift;
extern const volatile __u32 slot_mask;
extern const volatile __u32 nr_cpus;
extern const volatile bool filter_cgroup;

extern __u64 drops;
extern __u64 vma_seen_busy;
extern __u64 anon_key;
extern __u64 names_changed;

/* A VMA as the kernel held it at ts: see emit_seen(). */
struct seen_ctx {
	__u64 ts, start, end, anon;
};

struct pending {
	__u64 args[6];
	__u64 ts;
	__u64 lock_ts; /* when the call last took the mmap lock to write, else 0 */
	__u32 type;
	__u32 nr_seen; /* VMAs read as the call let go of the mmap lock */
	__u64 va_addr; /* where get_unmapped_area put the call's mapping, else 0 */
	struct seen_ctx seen[2];
};

#define SCRATCH_PATH 4096
struct scratch {
	__u8 rec[MS_REC_MAX];
	char path[SCRATCH_PATH + 256];
	__u64 seed_file; /* the file whose path the seed's last ms_vma in rec holds */
	__u32 seed_path_len;
	bool seed_path_cut;
};

/* The maps' shapes: the instances and what they hold are in memsnoop.bpf.c. */
typedef struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} rb_map_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} pids_map_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} pending_map_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct ms_proc_state);
} procs_map_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 32768); /* user space sizes it: slot_mask + 1 */
	__type(key, __u32);
	__type(value, struct ms_fault_slot);
} slots_map_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u32);
} cgroups_map_t;

typedef struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} verdicts_map_t;

extern rb_map_t rb SEC(".maps");
extern pids_map_t pids SEC(".maps");
extern pending_map_t pending SEC(".maps");
extern procs_map_t procs SEC(".maps");
extern slots_map_t slots SEC(".maps");
extern scratch_map_t scratch SEC(".maps");
extern cgroups_map_t cgroups SEC(".maps");
extern verdicts_map_t cgroup_verdicts SEC(".maps");

/*
 * Older kernels (< 6.2) keep RSS in atomics; CO-RE picks the right one. Both
 * shapes are flavors of our own, so either vmlinux.h compiles (arm64's is 6.1).
 */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

struct mm_struct___new {
	struct percpu_counter rss_stat[4];
} __attribute__((preserve_access_index));

enum { RSS_FILE, RSS_ANON, RSS_SWAP, RSS_SHMEM };
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_AS 9
#define ENOMEM 12
#define MAP_SHARED 0x01
#define MAP_ANONYMOUS 0x20

/* comm is the -c one. */
static __always_inline bool comm_is_filter(const char *comm)
{
	int i;

	for (i = 0; i < MS_COMM_LEN; i++) {
		if (comm[i] != comm_filter[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline bool comm_matches(void)
{
	char comm[MS_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	return comm_is_filter(comm);
}

/* t's command name is the -c one (t is not the current task). */
static __always_inline bool task_comm_matches(struct task_struct *t)
{
	char comm[MS_COMM_LEN];

	BPF_CORE_READ_STR_INTO(&comm, t, comm);
	return comm_is_filter(comm);
}

/* The cgroup the memory controller charges t to (v1 or v2), NULL without one. */
static __always_inline struct cgroup *task_memcg(struct task_struct *t)
{
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cs = BPF_CORE_READ(t, cgroups);
	int id;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return NULL;
	id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (id < 0 || id >= 64)
		return NULL;
	bpf_core_read(&css, sizeof(css), &cs->subsys[id]);
	return css ? BPF_CORE_READ(css, cgroup) : NULL;
}

static __always_inline __u64 cgroup_kn_id(struct cgroup *cg)
{
	return cg ? BPF_CORE_READ(cg, kn, id) : 0;
}

static __always_inline void task_cgroup_ids(struct task_struct *t, struct ms_cgroup_ids *ids)
{
	ids->dfl = cgroup_kn_id(BPF_CORE_READ(t, cgroups, dfl_cgrp));
	ids->mem = cgroup_kn_id(task_memcg(t));
}

#define CGROUP_LEVELS 16

/* cg, or one of its ancestors up to CGROUP_LEVELS above, is a --cgroup of hierarchy bit. */
static __always_inline bool cgroup_under(struct cgroup *cg, __u32 bit)
{
	__u32 *v;
	__u64 id;
	int i;

	for (i = 0; i < CGROUP_LEVELS && cg; i++) {
		id = cgroup_kn_id(cg);
		v = bpf_map_lookup_elem(&cgroups, &id);
		if (v && (*v & bit))
			return true;
		cg = BPF_CORE_READ(cg, self.parent, cgroup);
	}
	return false;
}

/* t is in a --cgroup or below: the v2 hierarchy's, or the memory controller's. */
static __always_inline bool task_in_cgroups(struct task_struct *t)
{
	struct cgroup *dfl = BPF_CORE_READ(t, cgroups, dfl_cgrp);

	return cgroup_under(dfl, MS_CG_V2) || cgroup_under(task_memcg(t), MS_CG_V1_MEMORY);
}

/*
 * The current task's process is in a --cgroup: the walk is done once per
 * process and kept (a move or the exit drops it), as it costs about 300 ns.
 */
static __always_inline bool current_in_cgroups(__u32 tgid)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	__u8 *known, in;

	if (tgid != bpf_get_current_pid_tgid() >> 32) /* about another process: no cache */
		return task_in_cgroups(task);
	known = bpf_map_lookup_elem(&cgroup_verdicts, &tgid);
	if (known)
		return *known;
	in = task_in_cgroups(task);
	bpf_map_update_elem(&cgroup_verdicts, &tgid, &in, BPF_ANY);
	return in;
}

static __always_inline bool traced(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (!filter_on)
		return true;
	if (bpf_map_lookup_elem(&pids, &tgid))
		return true;
	if (filter_comm && comm_matches())
		return true;
	return filter_cgroup && current_in_cgroups(tgid);
}

/* Room in the ring buffer, or a drop counted (user space reports them). */
static __always_inline void *reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&rb, size, 0);

	if (!e)
		__sync_fetch_and_add(&drops, 1);
	return e;
}

/*
 * Wake the reader only when enough is waiting: wakeups are expensive. The
 * fill level needs the consumer position, which the reader on another CPU
 * keeps writing: look only when the producer position (ours, cache-hot)
 * crosses a 2^check_shift boundary, not at every record.
 */
static __always_inline __u64 wake_flags(__u32 size)
{
	__u64 end = bpf_ringbuf_query(&rb, BPF_RB_PROD_POS);

	if (!(((end - size - 8) ^ end) >> check_shift))
		return BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void fill_hdr_at(struct ms_hdr *h, __u16 type, __u16 size, __u64 ts)
{
	__u64 id = bpf_get_current_pid_tgid();

	h->ts_ns = ts;
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->type = type;
	h->size = size;
	h->flags = 0;
}

/* bpf_ktime_get_ns() costs 60-80 ns on this VM: records of one moment share it. */
static __always_inline void fill_hdr(struct ms_hdr *h, __u16 type, __u16 size)
{
	fill_hdr_at(h, type, size, bpf_ktime_get_ns());
}

/*
 * The mm's counters, by direct loads through the task's BTF (CO-RE relocates
 * the offsets): far cheaper than a probe-read helper call per field.
 */
static __always_inline void read_mm(struct mm_struct *mm, struct ms_mm *out)
{
	if (!mm) {
		__builtin_memset(out, 0, sizeof(*out));
		return;
	}
	out->total_vm = mm->total_vm;
	out->stack_vm = mm->stack_vm;
	out->start_brk = mm->start_brk;
	out->brk = mm->brk;
	if (bpf_core_type_exists(struct mm_rss_stat___old)) {
		struct mm_struct___old *old = (void *)mm;

		/* 6.1's verifier cannot walk atomic_long_t: probe-read these */
		out->rss_file = BPF_CORE_READ(old, rss_stat.count[RSS_FILE].counter);
		out->rss_anon = BPF_CORE_READ(old, rss_stat.count[RSS_ANON].counter);
		out->rss_shmem = BPF_CORE_READ(old, rss_stat.count[RSS_SHMEM].counter);
	} else {
		struct mm_struct___new *new = (void *)mm;

		/* the global part of a per-CPU counter: may lag, never negative */
		out->rss_file = new->rss_stat[RSS_FILE].count;
		out->rss_anon = new->rss_stat[RSS_ANON].count;
		out->rss_shmem = new->rss_stat[RSS_SHMEM].count;
	}
	if ((__s64)out->rss_file < 0)
		out->rss_file = 0;
	if ((__s64)out->rss_anon < 0)
		out->rss_anon = 0;
	if ((__s64)out->rss_shmem < 0)
		out->rss_shmem = 0;
}

/*
 * The current address space as a number, by probe read: the verifier looks
 * up the kernel's BTF (by a linear search) for every pointer walked from a
 * trusted one, so hot paths load task->mm once and rare ones do this.
 */
static __always_inline __u64 current_mm_id(void)
{
	struct task_struct *task = (void *)bpf_get_current_task();

	return (__u64)BPF_CORE_READ(task, mm);
}

/* A pointer's value as a plain number (the verifier forbids arithmetic on it). */
static __always_inline __u64 ptr_value(void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/* The limits a failing call runs into (memsnoop.bpf.c): exec.bpf.c emits them too. */
int emit_limits(__u64 ts);

#endif /* MEMSNOOP_BPF_H */
