// SPDX-License-Identifier: GPL-2.0
/*
 * The model's process table: processes found, forked, exec'd, exited and
 * reaped; the layouts they share (CLONE_VM, a fork's copy made lazily,
 * within the budget).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "model_int.h"
#include "util/record.h"

struct proc *proc_of(const struct mproc *p)
{
	return (struct proc *)p;
}

/* Process table */

static size_t proc_index(const struct model *m, __u32 pid)
{
	size_t lo = 0, hi = m->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->procs[mid]->p.pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct proc *proc_find(const struct model *m, __u32 pid)
{
	size_t i = proc_index(m, pid);

	return i < m->nr && m->procs[i]->p.pid == pid ? m->procs[i] : NULL;
}

/* Address spaces: a ring of the processes that share one (vfork, CLONE_VM). */

static unsigned vm_members(const struct proc *p)
{
	const struct proc *q = p;
	unsigned n = 0;

	do {
		n++;
		q = q->vm_next;
	} while (q != p);
	return n;
}

static void vm_join(struct proc *p, struct proc *to)
{
	p->vm_next = to->vm_next;
	to->vm_next = p;
}

static void vm_leave(struct proc *p)
{
	struct proc *q = p;

	while (q->vm_next != p)
		q = q->vm_next;
	q->vm_next = p->vm_next;
	p->vm_next = p;
}

/* p gets an address space of its own, holding l (whose reference it takes). */
void set_layout(struct proc *p, struct layout *l)
{
	vm_leave(p);
	layout__put(p->l);
	p->l = l;
	p->fork_pending = false;
}

void proc_free(struct proc *p)
{
	vm_leave(p);
	layout__put(p->l);
	layout__put(p->old);
	free(p->samples);
	resident__free(p->res);
	free(p);
}

void model__reap(struct model *m, __u32 pid)
{
	size_t i = proc_index(m, pid);

	if (i >= m->nr || m->procs[i]->p.pid != pid)
		return;
	proc_free(m->procs[i]);
	memmove(&m->procs[i], &m->procs[i + 1], (m->nr - i - 1) * sizeof(*m->procs));
	m->nr--;
	if (m->cap > 64 && m->nr * 4 < m->cap) { /* the table follows the processes */
		struct proc **procs = realloc(m->procs, m->cap / 2 * sizeof(*procs));

		if (procs) {
			m->procs = procs;
			m->cap /= 2;
		}
	}
}

/*
 * Exited processes stay queryable for a while (views show them once more),
 * then go: memory follows the live processes. Record time drives it, so a
 * replay forgets exactly what the live run forgot.
 */
#define REAP_AFTER_NS (5 * 1000000000ULL)

void reap_exited(struct model *m, __u64 now)
{
	size_t i = 0;

	if (now - m->reaped_ns < 1000000000ULL && now >= m->reaped_ns)
		return;
	m->reaped_ns = now;
	while (i < m->nr) {
		struct proc *p = m->procs[i];

		if ((p->p.flags & MPROC_EXITED) && p->p.exit_ns + REAP_AFTER_NS < now)
			model__reap(m, p->p.pid);
		else
			i++;
	}
}

void set_comm(struct proc *p, const char *comm)
{
	memcpy(p->p.comm, comm, MS_COMM_LEN);
	p->p.comm[MS_COMM_LEN - 1] = 0;
}

/* A fresh process record for pid, replacing an exited one. NULL on ENOMEM. */
struct proc *proc_new(struct model *m, __u32 pid, __u64 ts)
{
	struct proc *p;
	size_t i;

	model__reap(m, pid);
	if (m->nr == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct proc **procs = realloc(m->procs, cap * sizeof(*procs));

		if (!procs)
			return NULL;
		m->procs = procs;
		m->cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->l = layout__new(m->page_size);
	p->vm_next = p;
	p->p.pid = pid;
	p->p.start_ns = ts;
	i = proc_index(m, pid);
	memmove(&m->procs[i + 1], &m->procs[i], (m->nr - i) * sizeof(*m->procs));
	m->procs[i] = p;
	m->nr++;
	return p;
}

/* The process a record is about; one we never saw is created, uncertain. */
struct proc *proc_get(struct model *m, const struct ms_hdr *h, const char *comm)
{
	struct proc *p = proc_find(m, h->pid);

	if (p)
		return p;
	p = proc_new(m, h->pid, h->ts_ns);
	if (p) {
		p->p.flags |= MPROC_UNCERTAIN;
		if (comm)
			set_comm(p, comm);
	}
	return p;
}

/*
 * Copy on write. A forked child shares its parent's layout while a fork
 * would copy it unchanged, until either side changes it: most children exec
 * at once, and a layout forked N times costs one copy, not N. A copy is the
 * one place where the model's memory could grow faster than its input (a
 * small record copying a big layout): a copy that would take the layouts of
 * the program past the budget is not made, and the process gets an empty
 * layout marked uncertain (MPROC_OVER_BUDGET) instead.
 */
static struct layout *copy_within_budget(struct model *m, const struct layout *l, bool fork,
					 struct proc *p)
{
	if (layout__census() + l->nr + l->pages.nr > m->budget) {
		m->dropped++;
		p->p.flags |= MPROC_UNCERTAIN | MPROC_OVER_BUDGET;
		return layout__new(m->page_size);
	}
	return fork ? layout__fork(l) : layout__copy(l);
}

/* p is about to change its layout: one its address space does not share. */
void own_layout(struct model *m, struct proc *p)
{
	struct layout *copy;
	struct proc *q = p;

	if (p->l->refs <= (int)vm_members(p) && !p->fork_pending)
		return;
	/* a child sharing its parent's layout makes the fork's copy (new anon_vmas) */
	copy = copy_within_budget(m, p->l, p->fork_pending, p);
	p->fork_pending = false;
	do {
		layout__put(q->l);
		q->l = layout__get(copy);
		q->p.flags |= p->p.flags & MPROC_OVER_BUDGET;
		q->fork_pending = false;
		q = q->vm_next;
	} while (q != p);
	layout__put(copy);
}

/* Processes */

void on_fork(struct model *m, const struct ms_fork *f)
{
	struct proc *parent = proc_get(m, &f->h, NULL), *child;
	struct rnode *n;

	if (!parent)
		return;
	if (f->h.flags & MS_FORK_THREAD) {
		own_layout(m, parent);
		n = layout__find(parent->l, f->child_sp);
		if (!n)
			n = layout__find(parent->l, f->child_sp - 1);
		if (n && !(n->r.prot & MS_VMA_SHARED) &&
		    (!n->r.path || !strncmp(n->r.path, "[anon:", 6))) {
			layout__set_owner(parent->l, n, f->child_tid);
			proc_sync(m, parent);
		}
		ev_set(m, n);
		return;
	}
	if (f->child_pid == f->h.pid)
		return; /* a damaged record: a process cannot be its own child */
	child = proc_new(m, f->child_pid, f->h.ts_ns);
	parent = proc_find(m, f->h.pid); /* the table moved */
	if (!child || !parent)
		return;
	set_comm(child, f->comm);
	layout__put(child->l);
	if (f->h.flags & MS_FORK_VM) {
		child->l = layout__get(parent->l);
		child->fork_pending = parent->fork_pending;
		vm_join(child, parent);
	} else if (layout__fork_same(parent->l)) {
		child->l = layout__get(parent->l);
		child->fork_pending = true;
	} else {
		child->l = copy_within_budget(m, parent->l, true, child);
	}
	child->p.flags |= parent->p.flags & MPROC_UNCERTAIN;
	child->p.start_brk = parent->p.start_brk;
	child->p.brk = parent->p.brk;
	child->p.mm = parent->p.mm;
	child->p.rss = parent->p.rss;
	child->p.cg = f->h.size >= sizeof(*f) ? f->cg : parent->p.cg;
	proc_sync(m, child);
}

void on_exec(struct model *m, const struct ms_exec *e)
{
	struct proc *p = proc_get(m, &e->h, NULL);

	if (!p)
		return;
	set_comm(p, e->comm);
	set_layout(p, layout__new(m->page_size));
	p->p.start_brk = p->p.brk = 0;
	resident__free(p->res); /* of the old address space */
	p->res = NULL;
	p->p.sampled_ns = 0;
	if (e->h.ts_ns > p->seed_ts)
		p->seed_ts = e->h.ts_ns;
	proc_sync(m, p);
}

void on_exit_rec(struct model *m, const struct ms_exit *e)
{
	struct proc *p = proc_find(m, e->h.pid);

	if (!p)
		return;
	if (!(e->h.flags & MS_EXIT_GROUP)) {
		own_layout(m, p);
		layout__owner_gone(p->l, e->h.tid);
		return;
	}
	p->p.flags |= MPROC_EXITED;
	p->p.exit_ns = e->h.ts_ns;
	p->p.exit_code = e->exit_code;
	p->summed = e->total;
	set_faults(p);
	set_mm(m, p, &e->mm);
	proc_sync(m, p);
	if (p->l->nr) /* torn down already: the teardown sampled the sizes it died with */
		sample(p, e->h.ts_ns);
}

void on_exit_mmap(struct model *m, const struct ms_hdr *h)
{
	struct proc *p = proc_find(m, h->pid);

	if (!p || h->ts_ns < p->seed_ts)
		return;
	if (!(p->p.flags & MPROC_EXITED)) /* the exit may follow (older kernels) */
		sample(p, h->ts_ns);
	set_layout(p, layout__new(m->page_size));
	proc_sync(m, p);
}

void on_lost(struct model *m, const struct ms_lost *l)
{
	struct proc *p;
	size_t i;

	if (!l->h.pid) {
		for (i = 0; i < m->nr; i++)
			m->procs[i]->p.flags |= MPROC_UNCERTAIN;
		return;
	}
	p = proc_find(m, l->h.pid);
	if (p)
		p->p.flags |= MPROC_UNCERTAIN;
}

void on_limits(struct model *m, const struct ms_limits *l)
{
	struct proc *p = proc_get(m, &l->h, NULL);

	if (!p)
		return;
	p->p.limits_known = true;
	p->p.rlim_as = l->as;
	p->p.rlim_data = l->data;
	p->p.rlim_stack = l->stack;
	p->p.arg_start = l->arg_start;
	p->p.arg_end = l->arg_end;
	p->p.env_start = l->env_start;
	p->p.env_end = l->env_end;
	p->p.data_vm = l->data_vm * m->page_size;
	p->p.map_count = l->map_count;
}
