// SPDX-License-Identifier: GPL-2.0
/*
 * The semantics of every record: see model.h. Regions live in struct layout
 * (layout.c); the model decides what each record does. This file sends each
 * record to its handler (model__apply) and keeps the totals and samples;
 * the process table is in procs.c, the syscalls in syscalls.c, the seeds in
 * seeds.c (model_int.h joins them).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "model_int.h"
#include "util/record.h"

#define NR_SAMPLES 4096
#define SAMPLE_NS 10000000ull /* at most one sample per 10 ms */
#define MODEL_BUDGET (1u << 20) /* regions and page chunks: about 200 MiB */

/* Totals and samples */

static void sync_one(struct model *m, struct proc *p)
{
	const struct layout *l = p->l;
	struct mproc *mp = &p->p;

	mp->nr_regions = l->nr;
	mp->vsize = l->vsize;
	mp->heap = l->sum[RC_HEAP];
	mp->stack = l->sum[RC_STACK] + l->sum[RC_THREAD_STACK];
	mp->file = l->sum[RC_TEXT] + l->sum[RC_RODATA] + l->sum[RC_DATA] + l->sum[RC_FILE] +
		   l->sum[RC_SHM];
	mp->anon = l->sum[RC_BSS] + l->sum[RC_GUARD] + l->sum[RC_ANON] + l->sum[RC_MALLOC] +
		   l->sum[RC_ARENA] + l->sum[RC_UNKNOWN];
	if (mp->vsize > mp->peak_vsize)
		mp->peak_vsize = mp->vsize;
	if (mp->heap > mp->peak_heap)
		mp->peak_heap = mp->heap;
	if (mp->rss > mp->peak_rss)
		mp->peak_rss = mp->rss;
}

/* Refresh p and every process sharing its address space (vfork). */
void proc_sync(struct model *m, struct proc *p)
{
	struct proc *q;

	sync_one(m, p);
	for (q = p->vm_next; q != p; q = q->vm_next)
		sync_one(m, q);
}
void set_mm(struct model *m, struct proc *p, const struct ms_mm *mm)
{
	p->p.mm = *mm;
	p->p.rss = (mm->rss_file + mm->rss_anon + mm->rss_shmem) * m->page_size;
	if (mm->start_brk)
		p->p.start_brk = mm->start_brk;
	if (mm->brk)
		p->p.brk = mm->brk;
}

void sample(struct proc *p, __u64 ts)
{
	struct msample *s;

	if (!p->nr_samples || ts - p->slot_ts >= SAMPLE_NS || ts < p->slot_ts) {
		/* most processes live briefly: grow the ring as samples come */
		if (p->nr_samples == p->cap_samples && p->cap_samples < NR_SAMPLES) {
			unsigned cap = p->cap_samples ? p->cap_samples * 2 : 2;
			struct msample *grown = realloc(p->samples, cap * sizeof(*grown));

			if (!grown)
				return;
			p->samples = grown;
			p->cap_samples = cap;
		}
		if (p->nr_samples < NR_SAMPLES)
			p->nr_samples++;
		else
			p->head = (p->head + 1) % NR_SAMPLES;
		p->slot_ts = ts;
	}
	s = &p->samples[(p->head + p->nr_samples - 1) % NR_SAMPLES];
	s->ts_ns = ts;
	s->vsize = p->p.vsize;
	s->rss = p->p.rss;
	s->heap = p->p.heap;
	s->anon = p->p.anon;
	s->file = p->p.file;
	s->stack = p->p.stack;
}

unsigned model__nr_samples(const struct mproc *p)
{
	return p ? proc_of(p)->nr_samples : 0;
}

const struct msample *model__sample(const struct mproc *mp, unsigned i)
{
	const struct proc *p = proc_of(mp);

	if (!mp || i >= p->nr_samples)
		return NULL;
	return &p->samples[(p->head + i) % NR_SAMPLES];
}

void set_faults(struct proc *p)
{
	const struct ms_fault_counts *a = &p->streamed, *b = &p->summed;

	p->p.faults = a->faults > b->faults ? a->faults : b->faults;
	p->p.write_faults = a->write > b->write ? a->write : b->write;
	p->p.exec_faults = a->exec > b->exec ? a->exec : b->exec;
	p->p.prot_faults = a->prot > b->prot ? a->prot : b->prot;
}

/* The event region */

static void ev_clear(struct model *m)
{
	if (m->ev_valid)
		pstr__put(m->ev.path);
	m->ev_valid = 0;
}

void ev_set(struct model *m, const struct rnode *n)
{
	ev_clear(m);
	if (!n)
		return;
	m->ev = *n;
	pstr__get(m->ev.path);
	m->ev_valid = 1;
}

const struct region *model__event_region(const struct model *m)
{
	return m->ev_valid ? &m->ev.r : NULL;
}

/* Faults and the stack */

static void on_fault(struct model *m, const struct ms_fault *f)
{
	struct proc *p = proc_get(m, &f->h, NULL);

	if (!p)
		return;
	p->streamed.faults++;
	if (f->h.flags & MS_PF_WRITE)
		p->streamed.write++;
	if (f->h.flags & MS_PF_INSTR)
		p->streamed.exec++;
	if (f->h.flags & MS_PF_PROT)
		p->streamed.prot++;
	set_faults(p);
	own_layout(m, p);
	ev_set(m, layout__fault(p->l, f->addr, f->h.flags));
}

static void on_faults(struct model *m, const struct ms_faults *f)
{
	struct proc *p = proc_get(m, &f->h, NULL);

	if (!p)
		return;
	p->summed = f->total;
	set_faults(p);
}

static void on_stack(struct model *m, const struct ms_stack *s)
{
	struct proc *p = proc_get(m, &s->h, NULL);
	__u64 low = s->addr & ~(__u64)(m->page_size - 1);
	struct rnode *n, *st;

	if (!p || s->h.ts_ns < p->seed_ts)
		return;
	n = layout__find_le(p->l, s->addr);
	if (n && s->addr < n->r.end)
		return; /* already mapped */
	st = n ? n->next : p->l->first;
	if (!st || !st->r.path || strcmp(st->r.path, "[stack]"))
		return;
	own_layout(m, p);
	st = layout__find(p->l, st->r.start); /* in the copy */
	if (st)
		ev_set(m, layout__resize(p->l, st, low, st->r.end));
	proc_sync(m, p);
}

/* Resident samples */

struct class_sums {
	const struct resident *res;
	unsigned page_size;
	__u64 sum[RC_NR];
};

static void add_class(const struct region *r, void *arg)
{
	struct class_sums *c = arg;
	__u64 pages[3];

	if (r->created_ns > c->res->ts_ns)
		return;
	resident__range(c->res, r->start, r->end, pages);
	c->sum[r->cls] += pages[0] * c->page_size;
}

static void on_resident(struct model *m, const struct ms_resident *rec)
{
	struct proc *p = proc_find(m, rec->h.pid);
	struct class_sums c = { .page_size = m->page_size };
	int i;

	if (rec->nr > (rec->h.size - sizeof(*rec)) / sizeof(rec->r[0]))
		return;
	if (!p || (p->p.flags & MPROC_EXITED) || !resident__add(&p->res, rec))
		return;
	p->p.sampled_ns = p->res->ts_ns;
	p->p.rss = p->res->rss * m->page_size;
	p->p.resident_anon = p->res->anon * m->page_size;
	p->p.resident_swap = p->res->swap * m->page_size;
	c.res = p->res;
	model__for_each_region(m, p->p.pid, add_class, &c);
	for (i = 0; i < RC_NR; i++)
		if (c.sum[i] > p->p.peak_resident[i])
			p->p.peak_resident[i] = c.sum[i];
	proc_sync(m, p);
	sample(p, rec->h.ts_ns);
}

bool model__region_resident(const struct model *m, __u32 pid, const struct region *r,
			    struct mresident *out)
{
	struct proc *p = proc_find(m, pid);
	__u64 pages[3];

	if (!p || !p->res || !p->res->ts_ns || r->created_ns > p->res->ts_ns)
		return false;
	resident__range(p->res, r->start, r->end, pages);
	out->ts_ns = p->res->ts_ns;
	out->rss = pages[0] * m->page_size;
	out->anon = pages[1] * m->page_size;
	out->swap = pages[2] * m->page_size;
	return true;
}

/* The public face */

/* Give every region of the file its new name in the layout l. */
static void rename_file(struct layout *l, const struct ms_name *nm, struct pstr *path)
{
	struct rnode *n;

	for (n = l->first; n; n = n->next) {
		if (n->path == path || n->r.ino != nm->ino || n->r.dev != nm->dev ||
		    !rnode__filebacked(n))
			continue;
		pstr__put(n->path);
		n->path = pstr__get(path);
		n->r.path = path->s;
		layout__reclassify(l, n->r.start, n->r.end);
	}
}

/* A mapped file was renamed or unlinked: in every layout that maps it (shared ones too). */
static void on_name(struct model *m, const struct ms_name *nm)
{
	size_t room = nm->h.size - sizeof(*nm);
	struct pstr *path;
	size_t i;

	path = pstr__new(nm->path, strnlen(nm->path, nm->path_len < room ? nm->path_len : room));
	for (i = 0; i < m->nr; i++)
		rename_file(m->procs[i]->l, nm, path);
	pstr__put(path);
}

int model__apply(struct model *m, const struct ms_hdr *rec)
{
	if (!m || !rec)
		return 0;
	ev_clear(m);
	/* a signal changes no layout: nor does it drive reaping */
	if (!record_min_size(rec->type) || rec->size < record_min_size(rec->type) ||
	    rec->type == MS_SIGNAL)
		return 0;
	reap_exited(m, rec->ts_ns);
	switch (rec->type) {
	case MS_BRK:
	case MS_MMAP:
	case MS_MUNMAP:
	case MS_MREMAP:
	case MS_MPROTECT:
	case MS_MADVISE:
	case MS_SYS_FIRST2 ... MS_SYS_LAST2:
		on_syscall(m, (const void *)rec);
		break;
	case MS_FAULT:
		on_fault(m, (const void *)rec);
		break;
	case MS_STACK:
		on_stack(m, (const void *)rec);
		break;
	case MS_FORK:
		on_fork(m, (const void *)rec);
		break;
	case MS_EXEC:
		on_exec(m, (const void *)rec);
		break;
	case MS_EXIT:
		on_exit_rec(m, (const void *)rec);
		break;
	case MS_EXIT_MMAP:
		on_exit_mmap(m, rec);
		break;
	case MS_FAULTS:
		on_faults(m, (const void *)rec);
		break;
	case MS_LOST:
		on_lost(m, (const void *)rec);
		break;
	case MS_LIMITS:
		on_limits(m, (const void *)rec);
		break;
	case MS_SEED_BEGIN:
		on_seed_begin(m, (const void *)rec);
		break;
	case MS_VMA:
		on_vma(m, (const void *)rec);
		break;
	case MS_NAME:
		on_name(m, (const struct ms_name *)rec);
		break;
	case MS_SEED_END:
		on_seed_end(m, rec);
		break;
	case MS_RESIDENT:
		on_resident(m, (const void *)rec);
		break;
	case MS_VMA_NOW:
		on_vma_now(m, (const void *)rec);
		break;
	case MS_CGROUP:
		on_cgroup(m, (const void *)rec);
		break;
	case MS_CGROUP_MOVE:
		on_cgroup_move(m, (const void *)rec);
		break;
	}
	return 0;
}

struct model *model__new(unsigned page_size)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (!page_size || page_size & (page_size - 1))
		page_size = 4096;
	m->page_size = page_size;
	m->next_id = 1;
	m->budget = MODEL_BUDGET;
	m->heap_path = pstr__new("[heap]", 6);
	m->zero_path = pstr__new("/dev/zero (deleted)", 19);
	return m;
}

void model__free(struct model *m)
{
	size_t i;

	if (!m)
		return;
	ev_clear(m);
	for (i = 0; i < m->nr; i++)
		proc_free(m->procs[i]);
	free(m->procs);
	cgroups_free(m);
	pstr__put(m->heap_path);
	pstr__put(m->zero_path);
	free(m);
}

const struct mproc *model__process(const struct model *m, __u32 pid)
{
	struct proc *p = proc_find(m, pid);

	return p ? &p->p : NULL;
}

void model__for_each_process(const struct model *m, void (*fn)(const struct mproc *, void *),
			     void *ctx)
{
	size_t i;

	for (i = 0; i < m->nr; i++)
		fn(&m->procs[i]->p, ctx);
}

void model__for_each_region(const struct model *m, __u32 pid,
			    void (*fn)(const struct region *, void *), void *ctx)
{
	struct proc *p = proc_find(m, pid);
	struct rnode *n;

	for (n = p ? p->l->first : NULL; n; n = n->next)
		fn(&n->r, ctx);
}

bool model__class_bytes(const struct model *m, __u32 pid, __u64 out[RC_NR])
{
	struct proc *p = proc_find(m, pid);

	if (!p)
		return false;
	memcpy(out, p->l->sum, sizeof(p->l->sum));
	return true;
}

const struct region *model__region_at(const struct model *m, __u32 pid, __u64 addr)
{
	struct proc *p = proc_find(m, pid);
	struct rnode *n = p ? layout__find(p->l, addr) : NULL;

	return n ? &n->r : NULL;
}

bool model__stack_grew(const struct model *m, const struct ms_stack *s)
{
	const struct region *r = model__region_at(m, s->h.pid, s->addr);

	return r && r->start == (s->addr & ~((__u64)m->page_size - 1));
}

void model__set_budget(struct model *m, size_t regions)
{
	m->budget = regions;
}

__u64 model__over_budget(const struct model *m)
{
	return m->dropped;
}

unsigned model__page_size(const struct model *m)
{
	return m->page_size;
}

__u64 model__page_up(const struct model *m, __u64 len)
{
	return page_align(m, len);
}
