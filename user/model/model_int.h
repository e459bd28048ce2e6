/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the model's files share (model.c, procs.c, syscalls.c, seeds.c): the
 * process and the model, and the functions one calls in another. Private to
 * user/model/.
 */
#ifndef MEMSNOOP_MODEL_INT_H
#define MEMSNOOP_MODEL_INT_H

#include "layout.h"
#include "model.h"
#include "resident.h"

struct proc {
	struct mproc p; /* first: model__process returns it */
	struct layout *l; /* shared: see own_layout() */
	bool fork_pending; /* l is the parent's, shared: the fork's copy is still to make */
	struct proc *vm_next; /* ring of the processes sharing one mm (CLONE_VM) */
	struct layout *old; /* while seeding: the layout being replaced */
	__u64 seed_ts; /* layout records older than this are in the layout */
	int seeding;
	__u32 seed_flags;
	struct ms_fault_counts streamed; /* MS_FAULT records */
	struct ms_fault_counts summed; /* the latest MS_FAULTS/MS_EXIT totals */
	struct msample *samples; /* grows to a ring of NR_SAMPLES */
	unsigned nr_samples;
	unsigned cap_samples;
	unsigned head; /* index of the oldest */
	__u64 slot_ts; /* when the newest sample's slot began */
	struct resident *res; /* the latest resident sample */
};

struct model {
	unsigned page_size;
	struct proc **procs; /* sorted by pid */
	size_t nr, cap;
	__u64 next_id;
	struct pstr *heap_path;
	struct pstr *zero_path;
	struct rnode ev; /* model__event_region */
	int ev_valid;
	__u64 reaped_ns; /* record time of the last sweep of exited processes */
	size_t budget; /* regions and page chunks copies may bring the model to */
	__u64 dropped; /* layouts not copied: over the budget */
	struct mcgroup *cgroups; /* sorted by id, then hierarchy */
	size_t nr_cgroups;
};

/* model.c */
void proc_sync(struct model *m, struct proc *p);
void set_mm(struct model *m, struct proc *p, const struct ms_mm *mm);
void sample(struct proc *p, __u64 ts);
void set_faults(struct proc *p);
void ev_set(struct model *m, const struct rnode *n);

/* procs.c */
struct proc *proc_of(const struct mproc *p);
struct proc *proc_find(const struct model *m, __u32 pid);
void set_layout(struct proc *p, struct layout *l);
void proc_free(struct proc *p);
void reap_exited(struct model *m, __u64 now);
void set_comm(struct proc *p, const char *comm);
struct proc *proc_new(struct model *m, __u32 pid, __u64 ts);
struct proc *proc_get(struct model *m, const struct ms_hdr *h, const char *comm);
void own_layout(struct model *m, struct proc *p);
void on_fork(struct model *m, const struct ms_fork *f);
void on_exec(struct model *m, const struct ms_exec *e);
void on_exit_rec(struct model *m, const struct ms_exit *e);
void on_exit_mmap(struct model *m, const struct ms_hdr *h);
void on_lost(struct model *m, const struct ms_lost *l);
void on_limits(struct model *m, const struct ms_limits *l);

/* syscalls.c */
__u64 page_align(const struct model *m, __u64 x);
void on_syscall(struct model *m, const struct ms_syscall *s);
void on_vma_now(struct model *m, const struct ms_vma_now *v);

/* cgroups.c */
void on_cgroup(struct model *m, const struct ms_cgroup *c);
void on_cgroup_move(struct model *m, const struct ms_cgroup_move *mv);
void cgroups_free(struct model *m);

/* seeds.c */
void on_seed_begin(struct model *m, const struct ms_seed_begin *b);
void on_vma(struct model *m, const struct ms_vma *v);
void on_seed_end(struct model *m, const struct ms_hdr *h);

#endif /* MEMSNOOP_MODEL_INT_H */
