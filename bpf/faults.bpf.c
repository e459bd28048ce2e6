// SPDX-License-Identifier: GPL-2.0
/*
 * User page faults: counted per process in per-CPU slots, streamed with
 * --faults, and the main stack's growth they make. Hooked on x86's fault
 * tracepoints or the page-faults perf event (every architecture).
 */
#include "memsnoop.bpf.h"

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
