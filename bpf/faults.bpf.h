/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A process's fault state kept per CPU (faults.bpf.c): forgotten at exec
 * (exec.bpf.c), summed and freed at exit (processes.bpf.c).
 */
#ifndef MEMSNOOP_FAULTS_BPF_H
#define MEMSNOOP_FAULTS_BPF_H

/* A new stack (exec): its bounds are learnt again at the next fault. */
static __always_inline void forget_stack(struct ms_proc_state *st)
{
	st->stack_lo = ~0ULL;
	st->stack_floor = 0;
	st->mm = 0;
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

#endif /* MEMSNOOP_FAULTS_BPF_H */
