// SPDX-License-Identifier: GPL-2.0
/*
 * Exec: the record, and the new layout walked VMA by VMA (seed records)
 * where the kernel has the VMA iterator; elsewhere user space reads /proc.
 */
#include "memsnoop.bpf.h"
#include "paths.bpf.h"
#include "faults.bpf.h"

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
	task_cgroup_ids(task, &b->cg);
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
