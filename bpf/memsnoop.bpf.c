// SPDX-License-Identifier: GPL-2.0
/*
 * memsnoop's kernel side: memory syscalls (with arguments and result), user
 * page faults (counted per process, streamed with --faults), main-stack
 * growth, fork, exec, exit and address-space teardown. Filtering happens
 * here; records go to one ring buffer; failed reserves are counted.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"
/* types of newer kernels than the one this arch's vmlinux.h came from */
#if __has_include("vmlinux_newer.h")
#include "vmlinux_newer.h"
#endif

char LICENSE[] SEC("license") = "GPL";

/* What differs between architectures: where user space ends, user mode. */
#if defined(__TARGET_ARCH_x86)
#define USER_ADDR_END (1ULL << 47)
static __always_inline bool from_user_mode(bpf_user_pt_regs_t *regs)
{
	/* the context allows whole words only: cs is a u16 in a union here */
	return *(volatile __u64 *)((void *)regs + __builtin_offsetof(struct pt_regs, cs)) & 3;
}
#elif defined(__TARGET_ARCH_arm64)
#define USER_ADDR_END (1ULL << 48) /* Debian: 48-bit VA */
static __always_inline bool from_user_mode(bpf_user_pt_regs_t *regs)
{
	return (regs->pstate & 0xf) == 0; /* PSR_MODE_EL0t */
}

/*
 * The perf event has no error code: whether a data abort writes is read from
 * the instruction at the pc (A64 encoding: the load/store group, and DC ZVA,
 * with which memset zeroes). Pairs of exclusives and a few rare loads count
 * as writes; SVE stores as reads.
 */
static __always_inline bool insn_writes(__u64 pc)
{
	__u32 insn = 0;

	if (bpf_probe_read_user(&insn, sizeof(insn), (void *)pc))
		return false;
	if ((insn & 0xffffffe0) == 0xd50b7420) /* DC ZVA */
		return true;
	if ((insn & 0x0a000000) != 0x08000000) /* not a load or store */
		return false;
	switch ((insn >> 27) & 7) {
	case 1: /* exclusive, ordered, CAS; or SIMD structures (V) */
		if (insn & (1 << 26))
			return !(insn & (1 << 22));
		return !(insn & (1 << 22)) || (insn & (1 << 21));
	case 3: /* literal loads; RCpc unscaled: STLUR when opc is 0 */
		return (insn & (1 << 24)) && !(insn & (3 << 22));
	case 5: /* pairs: L is bit 22 */
		return !(insn & (1 << 22));
	default: /* registers: atomics (LDAPR aside) write; else by opc, V */
		if (!(insn & (1 << 24)) && (insn & (1 << 21)) && !(insn & (3 << 10)))
			return (insn & 0xfc00) != 0xc000;
		if (insn & (1 << 26))
			return !(insn & (1 << 22));
		return !(insn & (3 << 22));
	}
}
#else
#error "memsnoop's BPF side knows x86 and arm64"
#endif

/* Settings written by user space between open and load. */
const volatile __u32 self_tgid;
const volatile bool filter_on; /* trace only pids in `pids` or comm_filter */
const volatile bool filter_comm;
const volatile bool follow_children;
const volatile bool stream_faults;
const volatile char comm_filter[MS_COMM_LEN];
const volatile __u64 wakeup_bytes = 256 * 1024;
const volatile __u32 check_shift = 14; /* see wake_flags() */
const volatile __u32 slot_mask = 32767;
const volatile __u32 nr_cpus = 1; /* possible CPUs: the slots' copies */
const volatile __u32 ustack_bytes; /* --stacks: stack bytes to copy per call; 0: no stacks */

/* Records the ring buffer could not take. */
__u64 drops;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} rb SEC(".maps");

/* Traced processes (tgid) when filtering; children join at fork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

struct pending {
	__u64 args[6];
	__u64 ts;
	__u64 lock_ts; /* when the call last took the mmap lock to write, else 0 */
	__u32 type;
};

/*
 * Syscall arguments from enter, waiting for exit: storage on the thread
 * itself (no hash update and delete per call), freed with the thread.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} pending SEC(".maps");

/*
 * Processes with fault state, read by user space: their shared counts and
 * stack tracking, used where another process holds their slot.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct ms_proc_state);
} procs SEC(".maps");

/* Per-CPU fault state by tgid & slot_mask: the fault path's fast lane. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 32768); /* user space sizes it: slot_mask + 1 */
	__type(key, __u32);
	__type(value, struct ms_fault_slot);
} slots SEC(".maps");

#define SCRATCH_PATH 4096
struct scratch {
	__u8 rec[MS_REC_MAX];
	char path[SCRATCH_PATH + 256];
	__u64 seed_file; /* the file whose path the seed's last ms_vma in rec holds */
	__u32 seed_path_len;
	bool seed_path_cut;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

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

static __always_inline bool comm_matches(void)
{
	char comm[MS_COMM_LEN];
	int i;

	bpf_get_current_comm(comm, sizeof(comm));
	for (i = 0; i < MS_COMM_LEN; i++) {
		if (comm[i] != comm_filter[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline bool traced(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (!filter_on)
		return true;
	if (bpf_map_lookup_elem(&pids, &tgid))
		return true;
	return filter_comm && comm_matches();
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

/* ---- syscalls: remember the arguments at enter, emit at exit ---- */

static __always_inline int on_enter(struct trace_event_raw_sys_enter *ctx, __u32 type, __u32 nargs)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pending *p;

	if (!traced(bpf_get_current_pid_tgid() >> 32))
		return 0;
	p = bpf_task_storage_get(&pending, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p)
		return 0;
	p->ts = bpf_ktime_get_ns();
	p->lock_ts = 0;
	p->type = type;
	p->args[0] = ctx->args[0];
	p->args[1] = nargs > 1 ? ctx->args[1] : 0;
	p->args[2] = nargs > 2 ? ctx->args[2] : 0;
	p->args[3] = nargs > 3 ? ctx->args[3] : 0;
	p->args[4] = nargs > 4 ? ctx->args[4] : 0;
	p->args[5] = nargs > 5 ? ctx->args[5] : 0;
	return 0;
}

/*
 * The NUL after a string of at most MS_PATH_MAX - 1 bytes and the padding to
 * 8 bytes: no stale bytes leave the kernel.
 */
static __always_inline void zero_tail(char *s, __u32 len)
{
	int i;

	for (i = 0; i < 8; i++)
		s[(len & (MS_PATH_MAX - 1)) + i] = 0;
}

struct vma_ctx {
	struct ms_file *file;
	char *path; /* scratch for building the path backwards */
	__u64 addr;
	bool found;
	bool cut;
};

struct path_walk {
	struct dentry *d;
	struct mount *mnt;
	char *buf;
	__u32 pos; /* the path is buf[pos .. SCRATCH_PATH - 1) */
	__u32 room; /* bytes the path may take */
	bool whole; /* the walk reached the root */
};

/* One step up: a name, or a mount crossing. 1 stops the walk at the root. */
static long path_step(__u32 i, void *data)
{
	struct path_walk *w = data;
	struct dentry *d = w->d, *parent;
	struct mount *mnt = w->mnt, *up;
	const unsigned char *name;
	__u32 len, pos = w->pos;

	if (d == BPF_CORE_READ(mnt, mnt.mnt_root)) {
		up = BPF_CORE_READ(mnt, mnt_parent);
		if (up == mnt) {
			w->whole = true;
			return 1;
		}
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (d == parent) {
		w->whole = true;
		return 1;
	}
	name = BPF_CORE_READ(d, d_name.name);
	len = BPF_CORE_READ(d, d_name.len) & 255;
	/* too long: the path keeps the components that fit, and is marked cut */
	if (SCRATCH_PATH - 1 - pos + len + 1 > w->room || pos > SCRATCH_PATH - 1)
		return 1;
	pos -= len;
	bpf_probe_read_kernel(&w->buf[pos & (SCRATCH_PATH - 1)], len, name);
	pos--;
	w->buf[pos & (SCRATCH_PATH - 1)] = '/';
	w->pos = pos;
	w->d = parent;
	return 0;
}

/*
 * The file's path, as d_path would print it, built backwards from the
 * dentry up to the global root, crossing mounts, in at most `room` bytes.
 * Returns where it starts; *cut: the root was out of reach. Each step adds
 * at least 2 bytes or crosses a mount, so the loop's bound is no limit of
 * its own in practice.
 */
static __always_inline __u32 build_path(struct file *f, char *buf, __u32 room, bool *cut)
{
	struct vfsmount *vfs = BPF_CORE_READ(f, f_path.mnt);
	struct path_walk w = {
		.d = BPF_CORE_READ(f, f_path.dentry),
		.mnt = (void *)vfs - bpf_core_field_offset(struct mount, mnt),
		.buf = buf,
		.pos = SCRATCH_PATH - 1,
		.room = room,
	};

	buf[SCRATCH_PATH - 1] = 0;
	bpf_loop(SCRATCH_PATH, path_step, &w, 0);
	*cut = !w.whole;
	if (w.pos == SCRATCH_PATH - 1 && w.whole) {
		w.pos--;
		buf[SCRATCH_PATH - 2] = '/';
	}
	return w.pos;
}

/* d_unlinked(): what makes d_path add " (deleted)". */
static __always_inline bool unlinked(struct file *f)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);

	return !BPF_CORE_READ(d, d_hash.pprev) && BPF_CORE_READ(d, d_parent) != d;
}

/*
 * A mapped file's path as /proc/PID/maps prints it (" (deleted)" included),
 * NUL-padded to 8 in `out`. Longer than MS_PATH_KEEP, it is MS_PATH_CUT_MARK
 * and the last components that fit, and *cut is set (seed.c cuts alike).
 * Returns its length, below MS_PATH_MAX.
 */
static __always_inline __u32 file_path(struct file *f, char *out, char *scratch, bool *cut)
{
	bool deleted = unlinked(f);
	__u32 len, pos, mark = 0;

	pos = build_path(f, scratch, MS_PATH_KEEP - (deleted ? 10 : 0), cut);
	pos &= SCRATCH_PATH - 1;
	len = SCRATCH_PATH - 1 - pos;
	barrier_var(len);
	len &= SCRATCH_PATH - 1;
	if (*cut) {
		__builtin_memcpy(out, MS_PATH_CUT_MARK, 3);
		mark = 3;
	}
	bpf_probe_read_kernel(out + mark, len, &scratch[pos]);
	len += mark;
	if (deleted) {
		__builtin_memcpy(&out[len & (SCRATCH_PATH - 1)], " (deleted)", 10);
		len += 10;
	}
	zero_tail(out, len);
	return len;
}

/* The kernel's VM_READ/WRITE/EXEC, and "s" where /proc prints it (VM_MAYSHARE). */
static __always_inline __u32 vma_prot(struct vm_area_struct *vma)
{
	__u64 flags = BPF_CORE_READ(vma, vm_flags);

	/* a read-only MAP_SHARED file loses VM_SHARED but keeps VM_MAYSHARE */
	return (flags & 0x7) | (flags & 0x80 ? 0x8 : 0);
}

static long vma_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_ctx *c = data;
	struct ms_file *out = c->file;
	struct file *f = BPF_CORE_READ(vma, vm_file);

	c->found = true;
	out->vm_flags = vma_prot(vma);
	if (!f)
		return 0;
	out->pgoff =
		BPF_CORE_READ(vma, vm_pgoff) + ((c->addr - BPF_CORE_READ(vma, vm_start)) >> 12);
	out->ino = BPF_CORE_READ(f, f_inode, i_ino);
	out->dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	out->path_len = file_path(f, out->path, c->path, &c->cut);
	return 0;
}

/* What the kernel made at `addr`: flags and backing file, from the VMA. */
static __always_inline __u32 describe_vma(struct task_struct *task, struct ms_syscall *s,
					  struct scratch *sc, __u64 addr)
{
	struct ms_file *file = (void *)(s + 1);
	struct vma_ctx c = { .file = file, .path = sc->path, .addr = addr };

	__builtin_memset(file, 0, sizeof(*file));
	zero_tail(file->path, 0);
	if (bpf_find_vma(task, addr, vma_cb, &c, 0) || !c.found)
		return 0;
	s->h.flags |= MS_FILE_VALID | MS_FILE_FROM_VMA | (c.cut ? MS_FILE_PATH_CUT : 0);
	return sizeof(*file) + MS_ALIGN8(file->path_len + 1);
}

static __always_inline void fill_syscall(struct ms_syscall *s, struct pending *p, __u32 type,
					 long ret, struct task_struct *task, struct mm_struct *mm)
{
	__u64 now = bpf_ktime_get_ns();

	/* stamped when it changed the layout: see ms_mmap_lock() */
	fill_hdr_at(&s->h, type, sizeof(*s), p->lock_ts ?: now);
	if (p->lock_ts)
		s->h.flags |= MS_SYS_LOCK_TS;
	__builtin_memcpy(s->args, p->args, sizeof(s->args));
	s->ret = ret;
	s->dur_ns = now - p->ts;
	read_mm(mm, &s->mm);
	/* loads, not bpf_get_current_comm(): 80-100 ns less per call */
	__builtin_memcpy(s->comm, task->comm, sizeof(s->comm));
}

/*
 * The limits a failing call runs into, and where args and env sit. A global
 * function: verified once per program, not at each place that calls it.
 */
__noinline int emit_limits(__u64 ts)
{
	/* probe reads: a rare path, and no walk from a trusted pointer to verify */
	struct task_struct *task = (void *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	struct ms_limits *e;

	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_hdr_at(&e->h, MS_LIMITS, sizeof(*e), ts);
	e->as = BPF_CORE_READ(task, signal, rlim[RLIMIT_AS].rlim_cur);
	e->data = BPF_CORE_READ(task, signal, rlim[RLIMIT_DATA].rlim_cur);
	e->stack = BPF_CORE_READ(task, signal, rlim[RLIMIT_STACK].rlim_cur);
	/* all zero without an mm */
	e->arg_start = BPF_CORE_READ(mm, arg_start);
	e->arg_end = BPF_CORE_READ(mm, arg_end);
	e->env_start = BPF_CORE_READ(mm, env_start);
	e->env_end = BPF_CORE_READ(mm, env_end);
	e->data_vm = BPF_CORE_READ(mm, data_vm);
	e->map_count = BPF_CORE_READ(mm, map_count);
	bpf_ringbuf_submit(e, wake_flags(sizeof(*e)));
	return 0;
}

/* A call that could not get memory: brk says so by not moving the break. */
static __always_inline bool out_of_memory(struct pending *p, __u32 type, long ret)
{
	if (type == MS_BRK)
		return p->args[0] && (__u64)ret != p->args[0];
	return ret == -ENOMEM;
}

/* An mmap record carries what was mapped (file, path): variable size, built aside. */
static __always_inline void emit_mmap(struct task_struct *task, struct mm_struct *mm,
				      struct pending *p, long ret)
{
	struct ms_syscall *s;
	struct scratch *sc;
	__u32 zero = 0, size;

	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return;
	s = (void *)sc->rec;
	fill_syscall(s, p, MS_MMAP, ret, task, mm);
	size = sizeof(*s);
	if (ret >= 0)
		size += describe_vma(task, s, sc, ret);
	s->h.size = size;
	if (size > MS_REC_MAX)
		return;
	if (bpf_ringbuf_output(&rb, s, size & (MS_REC_MAX - 1), wake_flags(size)))
		__sync_fetch_and_add(&drops, 1);
}

/* ---- user stacks (--stacks) ---- */

/* A user stack record is built here: one call's registers and stack top. */
struct ustack_buf {
	/* struct ms_ustack, then more than MS_USTACK_MAX: the masks below stay in bounds */
	__u8 rec[sizeof(struct ms_ustack) + MS_REC_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ustack_buf);
} ustack_buf SEC(".maps");

struct stack_end_ctx {
	__u64 end;
};

static long stack_end_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct stack_end_ctx *c = data;

	c->end = BPF_CORE_READ(vma, vm_end);
	return 0;
}

/*
 * Bytes worth copying from sp, at most ustack_bytes: a read that crosses the
 * end of the stack's mapping fails whole. The main stack ends with the env
 * strings; another's end is its mapping's (bpf_find_vma can be busy: then
 * the copy shrinks until it reads).
 */
static __always_inline __u32 stack_room(struct task_struct *task, __u64 sp)
{
	struct mm_struct *mm = task->mm;
	struct stack_end_ctx c = {};
	__u64 room = ustack_bytes, env_end = mm ? mm->env_end : 0;

	if (sp < env_end && env_end - sp < (8ULL << 20)) {
		if (env_end - sp < room)
			room = env_end - sp;
	} else if (!bpf_find_vma(task, sp, stack_end_cb, &c, 0) && c.end > sp &&
		   c.end - sp < room) {
		room = c.end - sp;
	}
	return room > MS_USTACK_MAX ? MS_USTACK_MAX : room;
}

/*
 * The registers and stack top user space unwinds the call's stack from with
 * the binaries' CFI (as perf --call-graph dwarf), sent before the call's own
 * record. A global function: verified once, not in each syscall's program.
 */
__noinline int emit_ustack(__u64 key_ts, __u32 type)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	struct ustack_buf *buf;
	struct ms_ustack *u;
	__u32 zero = 0, len, size, i;
	__u64 sp;

	buf = bpf_map_lookup_elem(&ustack_buf, &zero);
	if (!buf)
		return 0;
	u = (void *)buf->rec;
	sp = PT_REGS_SP_CORE(regs);
	u->regs[MS_UREG_IP] = PT_REGS_IP_CORE(regs);
	u->regs[MS_UREG_SP] = sp;
	u->regs[MS_UREG_FP] = PT_REGS_FP_CORE(regs);
#if defined(__TARGET_ARCH_arm64)
	u->regs[MS_UREG_LR] = PT_REGS_RET_CORE(regs);
#else
	u->regs[MS_UREG_LR] = 0;
#endif
	len = stack_room(task, sp) & ~7u;
	for (i = 0; i < 4; i++) {
		len &= MS_REC_MAX - 1;
		if (len > MS_USTACK_MAX)
			len = MS_USTACK_MAX;
		if (!len || !bpf_probe_read_user(u->data, len, (void *)sp))
			break;
		len = (len / 2) & ~7u;
	}
	if (i == 4)
		len = 0; /* unreadable: the registers still name the innermost frame */
	u->len = len;
	u->pad = 0;
	size = sizeof(*u) + len;
	fill_hdr_at(&u->h, MS_USTACK, size, key_ts);
	u->h.flags = type;
	if (bpf_ringbuf_output(&rb, u, size & (2 * MS_REC_MAX - 1), wake_flags(size)))
		__sync_fetch_and_add(&drops, 1);
	return 0;
}

static __always_inline int on_exit(struct trace_event_raw_sys_exit *ctx, __u32 type)
{
	struct task_struct *task = bpf_get_current_task_btf();
	long ret = ctx->ret;
	struct mm_struct *mm;
	struct ms_syscall *s;
	struct pending *p;

	p = bpf_task_storage_get(&pending, task, 0, 0);
	if (!p || p->type != type)
		return 0;
	p->type = 0;
	mm = task->mm; /* once: see current_mm_id() */
	if (out_of_memory(p, type, ret))
		/* before the call's record, at its time: it explains it */
		emit_limits(p->lock_ts ?: bpf_ktime_get_ns());
	if (ustack_bytes)
		emit_ustack(p->lock_ts ?: p->ts, type);
	/* a private anonymous mapping is what its arguments say: no VMA to read */
	if (type == MS_MMAP && (p->args[3] & (MAP_ANONYMOUS | MAP_SHARED)) != MAP_ANONYMOUS) {
		emit_mmap(task, mm, p, ret);
		return 0;
	}
	s = reserve(sizeof(*s));
	if (!s)
		return 0;
	fill_syscall(s, p, type, ret, task, mm);
	bpf_ringbuf_submit(s, wake_flags(sizeof(*s)));
	return 0;
}

/*
 * One program pair per call, on the syscalls: trace events. The raw
 * sys_enter/sys_exit tracepoints are cheaper per memory call but run for
 * every syscall of the machine: 1.6x instead of 1.2x on `dd bs=1`.
 */
#define SYSCALL_PAIR(name, type, nargs)                                \
	SEC("tp/syscalls/sys_enter_" #name)                            \
	int ms_sys_enter_##name(struct trace_event_raw_sys_enter *ctx) \
	{                                                              \
		return on_enter(ctx, type, nargs);                     \
	}                                                              \
	SEC("tp/syscalls/sys_exit_" #name)                             \
	int ms_sys_exit_##name(struct trace_event_raw_sys_exit *ctx)   \
	{                                                              \
		return on_exit(ctx, type);                             \
	}

SYSCALL_PAIR(brk, MS_BRK, 1)
SYSCALL_PAIR(mmap, MS_MMAP, 6)
SYSCALL_PAIR(munmap, MS_MUNMAP, 2)
SYSCALL_PAIR(mremap, MS_MREMAP, 5)
SYSCALL_PAIR(mprotect, MS_MPROTECT, 3)
SYSCALL_PAIR(madvise, MS_MADVISE, 3)

/*
 * Threads change their process's layout one at a time, under the mmap lock
 * taken for writing, but may return in another order: a call's record is
 * stamped with the time it took the lock, so time order is the kernel's.
 * Runs for every acquisition of the machine: out at once unless a write
 * taken by a traced call on its own mm. The last one counts (the state
 * the call returns comes from it).
 */
SEC("tp/mmap_lock/mmap_lock_acquire_returned")
int ms_mmap_lock(struct trace_event_raw_mmap_lock_acquire_returned *ctx)
{
	struct task_struct *task;
	struct pending *p;

	if (!ctx->write || !ctx->success)
		return 0;
	task = bpf_get_current_task_btf();
	p = bpf_task_storage_get(&pending, task, 0, 0);
	if (!p || !p->type || (__u64)ctx->mm != (__u64)task->mm)
		return 0;
	p->lock_ts = bpf_ktime_get_ns();
	return 0;
}

/* ---- page faults ---- */

/* Where the main stack may grow: from its top down to the stack rlimit. */
static __always_inline void stack_bounds(struct ms_proc_state *st)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	__u64 top = BPF_CORE_READ(mm, start_stack);
	__u64 env_end = BPF_CORE_READ(mm, env_end);
	__u64 limit = BPF_CORE_READ(task, signal, rlim[RLIMIT_STACK].rlim_cur);
	/* the kernel measures the limit from the stack's end, just above env */
	__u64 end = (env_end > top ? env_end : top) + 4095 & ~4095ULL;

	if (limit > (1ULL << 32))
		limit = 1ULL << 32;
	st->mm = (__u64)mm;
	st->stack_lo = top & ~4095ULL;
	st->stack_floor = end > limit ? end - limit : 0;
}

static __always_inline struct ms_proc_state *proc_state(__u32 tgid)
{
	struct ms_proc_state *st = bpf_map_lookup_elem(&procs, &tgid);
	struct ms_proc_state init = {};

	if (st)
		return st;
	stack_bounds(&init);
	bpf_map_update_elem(&procs, &tgid, &init, BPF_NOEXIST);
	return bpf_map_lookup_elem(&procs, &tgid);
}

/* A new stack (exec): its bounds are learnt again at the next fault. */
static __always_inline void forget_stack(struct ms_proc_state *st)
{
	st->stack_lo = ~0ULL;
	st->stack_floor = 0;
	st->mm = 0;
}

/* The main stack grows by faults below it, with no syscall: report it. */
static __always_inline void check_stack(struct ms_proc_state *st, __u64 addr)
{
	struct ms_stack *e;

	if (addr >= st->stack_lo || addr < st->stack_floor)
		return;
	/*
	 * Another address space than the one the bounds came from: a vfork
	 * child that is exec'ing (the kernel writes the new stack). Its stack
	 * comes with the exec seed; start again from the new bounds.
	 */
	if (st->mm != current_mm_id()) {
		stack_bounds(st);
		return;
	}
	/* exec writes the new stack before the exec record: the seed has it */
	if (BPF_CORE_READ_BITFIELD_PROBED((struct task_struct *)bpf_get_current_task(), in_execve))
		return;
	st->stack_lo = addr & ~4095ULL;
	e = reserve(sizeof(*e));
	if (!e)
		return;
	fill_hdr(&e->h, MS_STACK, sizeof(*e));
	e->addr = addr;
	bpf_ringbuf_submit(e, wake_flags(sizeof(*e)));
}

/*
 * The fault state to update: this CPU's copy of the process's slot (claimed
 * if free), else the shared entry (*shared: update it atomically). Only
 * fault programs write a copy, and a fault's program runs without preemption
 * (interrupts off on page_fault_user; the perf event's handler disables
 * preemption) and cannot nest in another: nothing else on this CPU touches it.
 */
static __always_inline struct ms_proc_state *fault_state(__u32 tgid, bool *shared)
{
	__u32 key = tgid & slot_mask;
	struct ms_fault_slot *s = bpf_map_lookup_elem(&slots, &key);

	*shared = false;
	if (s && s->tgid == tgid)
		return &s->st;
	/* claimed once per CPU; the procs entry tells user space to look */
	if (s && !s->tgid && proc_state(tgid)) {
		s->tgid = tgid;
		__builtin_memset(&s->st.counts, 0, sizeof(s->st.counts));
		stack_bounds(&s->st);
		return &s->st;
	}
	*shared = true;
	return proc_state(tgid);
}

static __always_inline void count_fault(struct ms_proc_state *st, unsigned long error, bool shared)
{
	if (shared) {
		__sync_fetch_and_add(&st->counts.faults, 1);
		if (error & MS_PF_WRITE)
			__sync_fetch_and_add(&st->counts.write, 1);
		if (error & MS_PF_INSTR)
			__sync_fetch_and_add(&st->counts.exec, 1);
		if (error & MS_PF_PROT)
			__sync_fetch_and_add(&st->counts.prot, 1);
		return;
	}
	st->counts.faults++;
	if (error & MS_PF_WRITE)
		st->counts.write++;
	if (error & MS_PF_INSTR)
		st->counts.exec++;
	if (error & MS_PF_PROT)
		st->counts.prot++;
}

/* What one user-mode fault does: counts, stack growth, and the stream (--faults). */
static __always_inline int on_user_fault(__u64 addr, __u64 ip, unsigned long error)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct ms_proc_state *st;
	struct ms_fault *e;
	bool shared;

	if (!traced(tgid))
		return 0;
	st = fault_state(tgid, &shared);
	if (!st)
		return 0;
	count_fault(st, error, shared);
	if (!(error & MS_PF_PROT))
		check_stack(st, addr);
	if (!stream_faults)
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_hdr(&e->h, MS_FAULT, sizeof(*e));
	e->h.flags = error;
	e->addr = addr;
	e->ip = ip;
	bpf_ringbuf_submit(e, wake_flags(sizeof(*e)));
	return 0;
}

/* A kernel-mode fault on a user address (read() into a fresh stack buffer). */
static __always_inline int on_kernel_fault(__u64 addr, unsigned long error)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct ms_proc_state *st;
	bool shared;

	if ((error & MS_PF_PROT) || addr >= USER_ADDR_END || !traced(tgid) || !current_mm_id())
		return 0;
	st = fault_state(tgid, &shared);
	if (st)
		check_stack(st, addr);
	return 0;
}

/* x86's fault tracepoints: the cheapest hook, with the hardware's error code. */
SEC("raw_tp/page_fault_user")
int BPF_PROG(ms_fault_user, unsigned long addr, struct pt_regs *regs, unsigned long error)
{
	return on_user_fault(addr, stream_faults ? PT_REGS_IP_CORE(regs) : 0, error);
}

SEC("raw_tp/page_fault_kernel")
int BPF_PROG(ms_fault_kernel, unsigned long addr, struct pt_regs *regs, unsigned long error)
{
	return on_kernel_fault(addr, error);
}

/*
 * Every architecture's hook: the page-faults software event, one per CPU,
 * each fault a sample. It fires in the fault handler before the fault is
 * served, for user and kernel mode alike, with the faulting address and
 * registers but no error code: an instruction fetch is a fault on the pc
 * itself; a write is known on arm64 from the instruction (insn_writes()),
 * not on x86; protection faults are not known (shown as not-present).
 */
SEC("perf_event")
int ms_fault_perf(struct bpf_perf_event_data *ctx)
{
	bpf_user_pt_regs_t *regs = &ctx->regs;
	__u64 addr = ctx->addr, ip = PT_REGS_IP(regs);

	if (!from_user_mode(regs))
		return on_kernel_fault(addr, 0);
	if (addr == ip)
		return on_user_fault(addr, ip, MS_PF_USER | MS_PF_INSTR);
#if defined(__TARGET_ARCH_arm64)
	if (insn_writes(ip))
		return on_user_fault(addr, ip, MS_PF_USER | MS_PF_WRITE);
#endif
	return on_user_fault(addr, ip, MS_PF_USER);
}

/* A process's copies of its slot on every CPU: summed and freed at exit, reset at exec. */
struct slot_visit {
	__u32 tgid;
	__u32 key;
	bool exiting; /* else exec: forget the stack bounds */
	struct ms_fault_counts total;
};

static __always_inline void add_counts(struct ms_fault_counts *to, const struct ms_fault_counts *c)
{
	to->faults += c->faults;
	to->write += c->write;
	to->exec += c->exec;
	to->prot += c->prot;
}

static long visit_slot(__u32 cpu, void *data)
{
	struct slot_visit *v = data;
	struct ms_fault_slot *s = bpf_map_lookup_percpu_elem(&slots, &v->key, cpu);

	if (!s || s->tgid != v->tgid)
		return 0;
	if (!v->exiting) {
		forget_stack(&s->st);
		return 0;
	}
	add_counts(&v->total, &s->st.counts);
	s->tgid = 0;
	return 0;
}

static __always_inline void visit_slots(struct slot_visit *v)
{
	v->key = v->tgid & slot_mask;
	bpf_loop(nr_cpus, visit_slot, v, 0);
}

/* ---- processes ---- */

/* A pointer's value as a plain number (the verifier forbids arithmetic on it). */
static __always_inline __u64 ptr_value(void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

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
	bpf_ringbuf_submit(e, wake_flags(sizeof(*e)));
	return 0;
}

/* ---- exec: the new layout ---- */

/* Open-coded VMA iterator (6.7+): weak, so older kernels load the /proc variant. */
extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task,
				 __u64 addr) __weak __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __weak __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __weak __ksym;

/* What /proc/PID/maps names a mapping without a file: the same tests, in its order. */
static __always_inline __u32 anon_name(struct vm_area_struct *vma, struct mm_struct *mm, char *out)
{
	const struct vm_operations_struct *ops = BPF_CORE_READ(vma, vm_ops);
	__u64 start = BPF_CORE_READ(vma, vm_start), end = BPF_CORE_READ(vma, vm_end);
	long len;

	/* at exec only special mappings ([vdso], [vvar]) name themselves */
	if (ops && BPF_CORE_READ(ops, name)) {
		struct vm_special_mapping *sm = BPF_CORE_READ(vma, vm_private_data);

		len = bpf_probe_read_kernel_str(out, 64, BPF_CORE_READ(sm, name));
		len = len > 0 ? len - 1 : 0;
	} else if (start <= BPF_CORE_READ(mm, brk) && end >= BPF_CORE_READ(mm, start_brk)) {
		__builtin_memcpy(out, "[heap]", 7);
		len = 6;
	} else if (start <= BPF_CORE_READ(mm, start_stack) &&
		   end >= BPF_CORE_READ(mm, start_stack)) {
		__builtin_memcpy(out, "[stack]", 8);
		len = 7;
	} else {
		len = 0;
	}
	zero_tail(out, len);
	return len;
}

/*
 * One line of the seed, as seed_process() would have read it from /proc. A
 * global function, verified once rather than for each turn of the iterator
 * loop: so the VMA and mm come as numbers and are read by probe reads.
 */
__noinline int emit_vma(__u64 vma_addr, __u64 mm_addr, __u64 ts)
{
	struct vm_area_struct *vma = (void *)vma_addr;
	struct mm_struct *mm = (void *)mm_addr;
	struct file *f = BPF_CORE_READ(vma, vm_file);
	struct scratch *sc;
	struct ms_vma *v;
	__u32 zero = 0, size;

	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return 0;
	v = (void *)sc->rec;
	fill_hdr_at(&v->h, MS_VMA, 0, ts);
	v->start = BPF_CORE_READ(vma, vm_start);
	v->end = BPF_CORE_READ(vma, vm_end);
	v->prot = vma_prot(vma);
	v->pgoff = 0;
	v->ino = 0;
	v->dev = 0;
	__builtin_memset(v->pad, 0, sizeof(v->pad));
	if (f) {
		v->pgoff = BPF_CORE_READ(vma, vm_pgoff) << 12;
		v->ino = BPF_CORE_READ(f, f_inode, i_ino);
		v->dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
		/* a file's segments come in a row: its path is still in rec */
		if (sc->seed_file != (__u64)f) {
			sc->seed_path_len = file_path(f, v->path, sc->path, &sc->seed_path_cut);
			sc->seed_file = (__u64)f;
		}
		v->path_len = sc->seed_path_len;
		v->h.flags = sc->seed_path_cut ? MS_VMA_PATH_CUT : 0;
	} else {
		v->path_len = anon_name(vma, mm, v->path);
		sc->seed_file = 0;
	}
	size = MS_ALIGN8(sizeof(*v) + v->path_len + 1);
	v->h.size = size;
	if (size > MS_REC_MAX)
		return 0;
	return !bpf_ringbuf_output(&rb, v, size & (MS_REC_MAX - 1), BPF_RB_NO_WAKEUP);
}

/*
 * The layout exec built, straight from the VMA tree: exact, and with no
 * wakeup and no /proc read racing the process's exit. The gate area
 * ([vsyscall]) is not in the tree: user space appends it (MS_SEED_GATE).
 */
static __always_inline void seed_from_kernel(struct bpf_iter_task_vma *it, struct scratch *sc)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	struct ms_seed_begin *b = (void *)sc->rec;
	struct vm_area_struct *vma;
	__u32 flags = MS_SEED_AT_EXEC | MS_SEED_FROM_KERNEL;
	__u64 ts = bpf_ktime_get_ns(); /* one moment, as a /proc read has */

	sc->seed_file = 0;
	fill_hdr_at(&b->h, MS_SEED_BEGIN, sizeof(*b), ts);
	b->h.flags = flags;
	b->nr_vmas = BPF_CORE_READ(mm, map_count);
	bpf_get_current_comm(b->comm, sizeof(b->comm));
	if (bpf_ringbuf_output(&rb, b, sizeof(*b), BPF_RB_NO_WAKEUP))
		__sync_fetch_and_add(&drops, 1);
	while ((vma = bpf_iter_task_vma_next(it))) {
		if (!emit_vma(ptr_value(vma), (__u64)mm, ts)) {
			flags |= MS_SEED_PARTIAL;
			__sync_fetch_and_add(&drops, 1);
		}
	}
#if defined(__TARGET_ARCH_x86)
	/* x86: MM_CONTEXT_HAS_VSYSCALL, bit 1 (a mask before 6.2, a bit number since) */
	if (bpf_core_field_exists(mm->context.flags) && BPF_CORE_READ(mm, context.flags) & 2)
		flags |= MS_SEED_GATE;
#endif
	fill_hdr_at(&b->h, MS_SEED_END, sizeof(struct ms_seed_end), ts);
	b->h.flags = flags;
	if (bpf_ringbuf_output(&rb, b, sizeof(struct ms_seed_end),
			       wake_flags(sizeof(struct ms_seed_end))))
		__sync_fetch_and_add(&drops, 1);
}

/* A filename of /dev/fd/N/ and a long path can outgrow the record's 4095 bytes. */
static __always_inline bool name_goes_on(const char *next)
{
	char c = 0;

	bpf_probe_read_kernel(&c, 1, next);
	return c != 0;
}

static __always_inline int on_exec(struct trace_event_raw_sched_process_exec *ctx, bool iter)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	unsigned int off = BPF_CORE_READ(ctx, __data_loc_filename) & 0xffff;
	struct bpf_iter_task_vma it;
	struct ms_proc_state *st;
	struct scratch *sc;
	struct ms_exec *e;
	bool seed = false;
	__u64 wake;
	long len;

	if (!traced(tgid))
		return 0;
	st = bpf_map_lookup_elem(&procs, &tgid);
	if (st) { /* a new stack, in the shared entry and in every CPU's slot */
		struct slot_visit v = { .tgid = tgid };

		forget_stack(st);
		visit_slots(&v);
	}
	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return 0;
	/* it fails if the mmap lock is taken: then /proc it is */
	if (iter)
		seed = !bpf_iter_task_vma_new(&it, bpf_get_current_task_btf(), 0);
	e = (void *)sc->rec;
	len = bpf_probe_read_kernel_str(e->filename, SCRATCH_PATH, (void *)ctx + off);
	if (len <= 0)
		len = 1;
	zero_tail(e->filename, len - 1);
	fill_hdr(&e->h, MS_EXEC, 0);
	if (len == SCRATCH_PATH && name_goes_on((void *)ctx + off + SCRATCH_PATH - 1))
		e->h.flags |= MS_EXEC_NAME_CUT;
	e->old_tid = BPF_CORE_READ(ctx, old_pid);
	e->filename_len = len - 1;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->h.size = MS_ALIGN8(sizeof(*e) + len);
	/* without a seed here, wake the reader now: it reads /proc while the process lasts */
	e->h.flags |= seed ? MS_EXEC_SEEDED : 0;
	wake = seed ? BPF_RB_NO_WAKEUP : BPF_RB_FORCE_WAKEUP;
	if (e->h.size <= MS_REC_MAX &&
	    bpf_ringbuf_output(&rb, e, e->h.size & (MS_REC_MAX - 1), wake))
		__sync_fetch_and_add(&drops, 1);
	if (seed)
		seed_from_kernel(&it, sc);
	if (iter) /* even when new failed */
		bpf_iter_task_vma_destroy(&it);
	emit_limits(bpf_ktime_get_ns());
	return 0;
}

/* Where the kernel has the VMA iterator: the layout comes with the exec record. */
SEC("tp/sched/sched_process_exec")
int ms_exec_seed(struct trace_event_raw_sched_process_exec *ctx)
{
	return on_exec(ctx, true);
}

/* Elsewhere user space reads it from /proc. */
SEC("tp/sched/sched_process_exec")
int ms_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	return on_exec(ctx, false);
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
	}
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
