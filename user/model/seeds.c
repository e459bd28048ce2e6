// SPDX-License-Identifier: GPL-2.0
/*
 * Seeds: a process's whole layout, read at exec or at start (MS_SEED_BEGIN,
 * MS_VMA..., MS_SEED_END), replacing what the model had.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "model_int.h"
#include "util/record.h"

void on_seed_begin(struct model *m, const struct ms_seed_begin *b)
{
	struct proc *p = proc_find(m, b->h.pid);

	if (!p || p->p.flags & MPROC_EXITED)
		p = proc_new(m, b->h.pid, b->h.ts_ns);
	if (!p)
		return;
	set_comm(p, b->comm);
	if (b->h.size >= sizeof(*b))
		p->p.cg = b->cg;
	layout__put(p->old);
	p->old = layout__get(p->l);
	set_layout(p, layout__new(m->page_size));
	p->seed_ts = b->h.ts_ns;
	p->seeding = 1;
	p->seed_flags = b->h.flags;
	p->p.flags |= MPROC_SEEDED;
}

/* What the old layout knew of a region the seed shows unchanged. */
static void carry_over(struct proc *p, struct region *t, __u32 *rflags, __u64 *id)
{
	const struct rnode *o = p->old ? layout__find(p->old, t->start) : NULL;

	if (!o || o->r.start != t->start || o->r.end != t->end || o->r.ino != t->ino ||
	    o->r.dev != t->dev || o->r.prot != t->prot)
		return;
	t->created_ns = o->r.created_ns;
	t->created_tid = o->r.created_tid;
	t->mmap_flags = o->r.mmap_flags;
	t->owner_tid = o->r.owner_tid;
	t->faults = o->r.faults;
	t->write_faults = o->r.write_faults;
	t->exec_faults = o->r.exec_faults;
	t->prot_faults = o->r.prot_faults;
	*rflags = o->rflags;
	*id = o->mmap_id;
}

void on_vma(struct model *m, const struct ms_vma *v)
{
	struct proc *p = proc_find(m, v->h.pid);
	struct pstr *path = NULL;
	struct rnode *n;
	struct region t = {
		.start = v->start,
		.end = v->end,
		.pgoff = v->pgoff,
		.ino = v->ino,
		.dev = v->dev,
		.prot = v->prot & 0xf,
	};
	__u32 rflags = RF_SEEDED;
	__u64 id = m->next_id++;

	if (!p || !p->seeding || v->h.size < sizeof(*v) + v->path_len)
		return;
	own_layout(m, p); /* a fork during the seed shares it */
	if (v->path_len)
		path = pstr__new(v->path, strnlen(v->path, v->path_len));
	carry_over(p, &t, &rflags, &id);
	if (v->h.flags & MS_VMA_NOT_BSS)
		rflags |= RF_NOT_BSS;
	if (v->h.flags & MS_VMA_MALLOC)
		rflags |= RF_MALLOC;
	/* the seed knows the thread whose stack pointer is in it */
	if (v->h.tid != v->h.pid && !(t.prot & MS_VMA_SHARED) &&
	    (!path || path->kind == PK_ANON_NAMED))
		t.owner_tid = v->h.tid;
	n = layout__map(p->l, &t, path, rflags, id);
	pstr__put(path);
	if (n && n->r.owner_tid)
		layout__set_owner(p->l, n, n->r.owner_tid);
	if (n && path && !strcmp(path->s, "[heap]") && !p->p.start_brk)
		p->p.start_brk = n->r.start;
}

void on_seed_end(struct model *m, const struct ms_hdr *h)
{
	struct proc *p = proc_find(m, h->pid);

	if (!p || !p->seeding)
		return;
	p->seeding = 0;
	layout__put(p->old);
	p->old = NULL;
	p->p.flags &= ~MPROC_UNCERTAIN;
	if ((p->seed_flags | h->flags) & MS_SEED_PARTIAL)
		p->p.flags |= MPROC_UNCERTAIN;
	proc_sync(m, p);
}
