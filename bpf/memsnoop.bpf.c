// SPDX-License-Identifier: GPL-2.0
/*
 * memsnoop's kernel side: memory syscalls (with arguments and result), user
 * page faults (counted per process, streamed with --faults), main-stack
 * growth, fork, exec, exit and address-space teardown. Filtering happens
 * here; records go to one ring buffer; failed reserves are counted.
 *
 * This part: the settings, counters and maps, and the syscalls (arguments
 * at enter, the record at exit, with the file an mmap mapped and the VMAs
 * the kernel left). The others: vma_now.bpf.c (the VMA tree as a call lets
 * go of the mmap lock), faults.bpf.c, processes.bpf.c, exec.bpf.c.
 */
#include "memsnoop.bpf.h"
#include "paths.bpf.h"
#include "vma_now.bpf.h"
#include "calls.bpf.h"

char LICENSE[] SEC("license") = "GPL";

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
const volatile bool filter_cgroup; /* also processes in a cgroup of `cgroups`, or below */

/* Records the ring buffer could not take. */
__u64 drops;
__u64 vma_seen_busy; /* VMAs not read after a call: the mmap lock was taken */
__u64 anon_key; /* hides anon_vma addresses: drawn at the first use */
/* Successful unlinks and renames, of any process: names of mapped files may have changed. */
__u64 names_changed;

rb_map_t rb SEC(".maps");

/* Traced processes (tgid) when filtering; children join at fork. */
pids_map_t pids SEC(".maps");

/*
 * Syscall arguments from enter, waiting for exit: storage on the thread
 * itself (no hash update and delete per call), freed with the thread.
 */
pending_map_t pending SEC(".maps");

/*
 * Processes with fault state, read by user space: their shared counts and
 * stack tracking, used where another process holds their slot.
 */
procs_map_t procs SEC(".maps");

/* Per-CPU fault state by tgid & slot_mask: the fault path's fast lane. */
slots_map_t slots SEC(".maps");

scratch_map_t scratch SEC(".maps");

/* --cgroup: kernfs id -> MS_CG_V2 | MS_CG_V1_MEMORY bits (ids of two hierarchies may clash). */
cgroups_map_t cgroups SEC(".maps");
/* --cgroup: whether each process is in one (1) or not (0), once walked */
verdicts_map_t cgroup_verdicts SEC(".maps");

/* Syscalls: remember the arguments at enter (calls.bpf.h), emit at exit. */

/*
 * The event's arguments, copied: the verifier refuses loads through a
 * pointer into the context. munlockall has none: its event ends before.
 */
static __always_inline void event_args(struct trace_event_raw_sys_enter *ctx, unsigned long *args,
				       __u32 nargs)
{
	args[0] = nargs > 0 ? ctx->args[0] : 0;
	args[1] = nargs > 1 ? ctx->args[1] : 0;
	args[2] = nargs > 2 ? ctx->args[2] : 0;
	args[3] = nargs > 3 ? ctx->args[3] : 0;
	args[4] = nargs > 4 ? ctx->args[4] : 0;
	args[5] = nargs > 5 ? ctx->args[5] : 0;
}

struct vma_ctx {
	struct ms_file *file;
	char *path; /* scratch for building the path backwards */
	__u64 addr;
	__u64 end; /* of the VMA at addr */
	bool found;
	bool cut;
};
/* The VMA's flags, and its file's identity and offset at addr: all but the path. */
static __always_inline struct file *vma_fields(struct vma_ctx *c, struct vm_area_struct *vma)
{
	struct ms_file *out = c->file;
	struct file *f = BPF_CORE_READ(vma, vm_file);

	c->found = true;
	c->end = BPF_CORE_READ(vma, vm_end);
	out->vm_flags = vma_prot(vma) | (BPF_CORE_READ(vma, vm_flags) & MS_VM_KEPT);
	if (!f)
		return NULL;
	out->pgoff =
		BPF_CORE_READ(vma, vm_pgoff) + ((c->addr - BPF_CORE_READ(vma, vm_start)) >> 12);
	out->ino = BPF_CORE_READ(f, f_inode, i_ino);
	out->dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	return f;
}

static long vma_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_ctx *c = data;
	struct file *f = vma_fields(c, vma);

	if (f)
		c->file->path_len = file_path(f, c->file->path, c->path, &c->cut);
	return 0;
}

/*
 * shmat's VMA: a SysV segment is a pseudo file, named without the walk up
 * the tree, whose verification would double the program's load time.
 */
static long shm_vma_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_ctx *c = data;
	struct file *f = vma_fields(c, vma);

	if (f && pseudo_file(f))
		c->file->path_len = pseudo_path(f, c->file->path);
	return 0;
}

/*
 * What the kernel made at `addr`: flags and backing file, from the VMA.
 * *end: where that VMA ends.
 */
static __always_inline __u32 describe_vma(struct task_struct *task, struct ms_syscall *s,
					  struct scratch *sc, __u64 addr, __u64 *end, bool shm)
{
	struct ms_file *file = (void *)(s + 1);
	struct vma_ctx c = { .file = file, .path = sc->path, .addr = addr };
	long err;

	__builtin_memset(file, 0, sizeof(*file));
	zero_tail(file->path, 0);
	if (shm)
		err = bpf_find_vma(task, addr, shm_vma_cb, &c, 0);
	else
		err = bpf_find_vma(task, addr, vma_cb, &c, 0);
	if (err || !c.found)
		return 0;
	*end = c.end;
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

/*
 * An mmap or shmat record carries what was mapped (file, path): variable
 * size, built aside. shmat's length is the VMA's.
 */
static __always_inline void emit_mapped(struct task_struct *task, struct mm_struct *mm,
					struct pending *p, __u32 type, long ret)
{
	struct ms_syscall *s;
	struct scratch *sc;
	__u32 zero = 0, size;
	__u64 end = 0;

	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return;
	s = (void *)sc->rec;
	fill_syscall(s, p, type, ret, task, mm);
	size = sizeof(*s);
	if (ret >= 0)
		size += describe_vma(task, s, sc, ret, &end, type == MS_SHMAT);
	if (type == MS_SHMAT && end > (__u64)ret)
		s->args[3] = end - ret;
	s->h.size = size;
	if (size > MS_REC_MAX)
		return;
	if (bpf_ringbuf_output(&rb, s, size & (MS_REC_MAX - 1), wake_flags(size)))
		__sync_fetch_and_add(&drops, 1);
}

static long seen_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct seen_ctx *c = data;

	/* under the mmap lock: between the calls of other threads, in time order */
	c->ts = bpf_ktime_get_ns();
	c->start = BPF_CORE_READ(vma, vm_start);
	c->end = BPF_CORE_READ(vma, vm_end);
	c->anon = (__u64)BPF_CORE_READ(vma, anon_vma);
	return 0;
}

/* The same anon_vma gives the same value, its address does not come out. */
static __always_inline __u64 anon_id(__u64 ptr)
{
	__u64 key = anon_key;

	if (!ptr)
		return 0;
	if (!key) {
		key = (__u64)bpf_get_prandom_u32() << 32 | bpf_get_prandom_u32() | 1;
		__sync_val_compare_and_swap(&anon_key, 0, key);
		key = anon_key;
	}
	return ((ptr ^ key) * 0x9e3779b97f4a7c15ULL) | 1ULL << 63;
}

static __always_inline void emit_seen(const struct seen_ctx *c)
{
	struct ms_vma_now *e = reserve(sizeof(*e));

	if (!e)
		return;
	fill_hdr_at(&e->h, MS_VMA_NOW, sizeof(*e), c->ts);
	e->start = c->start;
	e->end = c->end;
	e->anon = anon_id(c->anon);
	bpf_ringbuf_submit(e, wake_flags(sizeof(*e)));
}

/* Before 6.4: the VMA at addr read at the call's exit, if the mmap lock is free. */
static __always_inline void emit_seen_at_exit(struct task_struct *task, __u64 addr)
{
	struct seen_ctx c = {};

	if (bpf_find_vma(task, addr, seen_cb, &c, 0) || !c.ts) {
		__sync_fetch_and_add(&vma_seen_busy, 1);
		return;
	}
	if (addr >= c.start)
		emit_seen(&c);
}

/*
 * The VMAs the call made, read as it let go of the mmap lock (see
 * ms_mmap_unlock()), else at its exit.
 */
static __always_inline void emit_seen_after(struct task_struct *task, struct pending *p, __u32 type,
					    long ret)
{
	__u64 addr[2] = {};
	int n;

	if (ret < 0 && ret > -4096)
		return;
	if (p->nr_seen) {
		emit_seen(&p->seen[0]);
		if (p->nr_seen > 1)
			emit_seen(&p->seen[1]);
		return;
	}
	/* unrolled: 6.1's verifier refuses a loop around the helper's callback */
	n = seen_addrs(p, type, ret, addr);
	if (n > 0)
		emit_seen_at_exit(task, addr[0]);
	if (n > 1)
		emit_seen_at_exit(task, addr[1]);
}

/* ---- user stacks (--stacks) ---- */

/* A user stack record is built here: one call's registers and stack top. */
struct ustack_buf {
	/* struct ms_ustack, then room for a page and MS_REC_MAX: the masks below stay in bounds */
	__u8 rec[sizeof(struct ms_ustack) + 4096 + MS_REC_MAX];
};

static const char zero_page[4096];

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ustack_buf);
} ustack_buf SEC(".maps");

/*
 * tid -> the top of its stack's outermost frame, as user space's unwinding
 * found it: a call copies only from sp up to there, not --stack-size bytes
 * (a loop's calls need a few hundred). User space drops a hint a walk
 * found short.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} ustack_bottom SEC(".maps");

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
	if (room > MS_USTACK_MAX)
		room = MS_USTACK_MAX;
	return room;
}

/* Bytes to copy from sp: up to the thread's outermost frame when user space found it. */
static __always_inline __u32 stack_need(struct task_struct *task, __u64 sp)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *bottom = bpf_map_lookup_elem(&ustack_bottom, &tid);

	if (bottom && *bottom > sp && *bottom - sp < ustack_bytes)
		return *bottom - sp + 7;
	return stack_room(task, sp);
}

/*
 * Copies len bytes of the stack from sp. The page sp is in may never have
 * been touched (a frame reserved by moving sp, not written yet): a read
 * fails there, yet the page holds zeros and no return address: so it is.
 */
static __always_inline bool read_stack(__u8 *dst, __u32 len, __u64 sp)
{
	__u32 head = 4096 - (sp & 4095), rest;

	if (!bpf_probe_read_user(dst, len, (void *)sp))
		return true;
	if (head >= len)
		return false;
	rest = (len - head) & (MS_REC_MAX - 1);
	if (bpf_probe_read_user(dst + head, rest, (void *)(sp + head)))
		return false;
	bpf_probe_read_kernel(dst, head, zero_page);
	return true;
}

/*
 * The frame-pointer chain's return addresses after the copy's len bytes (the
 * copy leaves room for them): user space uses them where the chain is whole.
 * bpf_get_task_stack, not bpf_get_stack: this global function has no ctx.
 */
static __always_inline __u32 fp_stack(struct task_struct *task, struct ms_ustack *u, __u32 len)
{
	long n;

	len &= MS_REC_MAX - 1;
	n = bpf_get_task_stack(task, u->data + len, MS_USTACK_FP_MAX * sizeof(__u64),
			       BPF_F_USER_STACK);
	if (n <= 0)
		return 0;
	n /= sizeof(__u64);
	return n < MS_USTACK_FP_MAX ? n : MS_USTACK_FP_MAX; /* for the verifier */
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
	len = stack_need(task, sp) & ~7u;
	for (i = 0; i < 4; i++) {
		len &= MS_REC_MAX - 1;
		if (len > MS_USTACK_MAX - MS_USTACK_FP_MAX * sizeof(__u64))
			len = MS_USTACK_MAX - MS_USTACK_FP_MAX * sizeof(__u64);
		if (!len || read_stack(u->data, len, sp))
			break;
		len = (len / 2) & ~7u;
	}
	if (i == 4)
		len = 0; /* unreadable: the registers still name the innermost frame */
	u->len = len;
	u->nr_fp = fp_stack(task, u, len);
	size = sizeof(*u) + len + u->nr_fp * sizeof(__u64);
	fill_hdr_at(&u->h, MS_USTACK, size, key_ts);
	u->h.flags = type;
	if (bpf_ringbuf_output(&rb, u, size & (2 * MS_REC_MAX - 1), wake_flags(size)))
		__sync_fetch_and_add(&drops, 1);
	return 0;
}

static __always_inline int on_exit(long ret, __u32 type)
{
	struct task_struct *task = bpf_get_current_task_btf();
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
		emit_mapped(task, mm, p, type, ret);
	} else if (type == MS_SHMAT) {
		emit_mapped(task, mm, p, type, ret);
	} else {
		s = reserve(sizeof(*s));
		if (!s)
			return 0;
		fill_syscall(s, p, type, ret, task, mm);
		bpf_ringbuf_submit(s, wake_flags(sizeof(*s)));
	}
	emit_seen_after(task, p, type, ret);
	return 0;
}

/* The same, for the programs on the syscall handlers (fentry.bpf.c). */
__noinline int ms_call_exit(long ret, __u32 type)
{
	return on_exit(ret, type);
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
		unsigned long args[6];                                 \
                                                                       \
		event_args(ctx, args, nargs);                          \
		return on_enter(args, type, nargs);                    \
	}                                                              \
	SEC("tp/syscalls/sys_exit_" #name)                             \
	int ms_sys_exit_##name(struct trace_event_raw_sys_exit *ctx)   \
	{                                                              \
		return on_exit(ctx->ret, type);                        \
	}

SYSCALL_PAIR(brk, MS_BRK, 1)
SYSCALL_PAIR(mmap, MS_MMAP, 6)
SYSCALL_PAIR(munmap, MS_MUNMAP, 2)
SYSCALL_PAIR(mremap, MS_MREMAP, 5)
SYSCALL_PAIR(mprotect, MS_MPROTECT, 3)
SYSCALL_PAIR(madvise, MS_MADVISE, 3)
SYSCALL_PAIR(shmat, MS_SHMAT, 3)
SYSCALL_PAIR(shmdt, MS_SHMDT, 1)
SYSCALL_PAIR(pkey_mprotect, MS_PKEY_MPROTECT, 4)
SYSCALL_PAIR(remap_file_pages, MS_REMAP_FILE_PAGES, 5)
SYSCALL_PAIR(process_madvise, MS_PROCESS_MADVISE, 5)
SYSCALL_PAIR(mlock, MS_MLOCK, 2)
SYSCALL_PAIR(mlock2, MS_MLOCK2, 3)
SYSCALL_PAIR(munlock, MS_MUNLOCK, 2)
/* every VMA: no kernel answer (seen_addrs()), the model applies them all */
SYSCALL_PAIR(mlockall, MS_MLOCKALL, 1)
SYSCALL_PAIR(munlockall, MS_MUNLOCKALL, 0)
/* no model of policies: the kernel's answer after the call (vma_now.bpf.c) gives the split */
SYSCALL_PAIR(mbind, MS_MBIND, 6)
SYSCALL_PAIR(set_mempolicy_home_node, MS_SET_MEMPOLICY_HOME_NODE, 4)

/* userfaultfd registration: see uffd_enter() */
SEC("tp/syscalls/sys_enter_ioctl")
int ms_sys_enter_ioctl(struct trace_event_raw_sys_enter *ctx)
{
	unsigned long args[6];

	event_args(ctx, args, 3);
	return uffd_enter(args);
}

SEC("tp/syscalls/sys_exit_ioctl")
int ms_sys_exit_ioctl(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret, MS_UFFDIO);
}
/* 6.10+: user space leaves it unloaded where the kernel has no such call */
SYSCALL_PAIR(mseal, MS_MSEAL, 3)

/* Of prctl, only what moves brk and the stack or names regions: see prctl_enter(). */
SEC("tp/syscalls/sys_enter_prctl")
int ms_sys_enter_prctl(struct trace_event_raw_sys_enter *ctx)
{
	unsigned long args[6];

	event_args(ctx, args, 5);
	return prctl_enter(args);
}

SEC("tp/syscalls/sys_exit_prctl")
int ms_sys_exit_prctl(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret, MS_PRCTL);
}

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
/*
 * A file renamed or unlinked keeps its mappings under a new name, but no
 * tracepoint sees which inode it was: count the calls that succeeded, of
 * every process (the mapper is rarely the one that renames), and let user
 * space look at the files it knows to be mapped (source/names.c).
 */
#define NAME_CHANGE(name)                                        \
	SEC("tp/syscalls/sys_exit_" #name)                       \
	int ms_name_##name(struct trace_event_raw_sys_exit *ctx) \
	{                                                        \
		return note_name_change(ctx->ret);               \
	}

NAME_CHANGE(unlink)
NAME_CHANGE(unlinkat)
NAME_CHANGE(rename)
NAME_CHANGE(renameat)
NAME_CHANGE(renameat2)
