// SPDX-License-Identifier: GPL-2.0
/*
 * The process table and the semantics of every record: see model.h. Regions
 * live in struct layout (layout.c); this file decides what each record does.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "layout.h"
#include "model.h"
#include "resident.h"
#include "util/record.h"

#define NR_SAMPLES 4096
#define SAMPLE_NS 10000000ull /* at most one sample per 10 ms */
#define ARENA_SIZE (64ull << 20)
#define MALLOC_MIN (128ull << 10) /* glibc's mmap threshold */
#define MODEL_BUDGET (1u << 20) /* regions and page chunks: about 200 MiB */

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#define VM_MAYSHARE 0x80

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
};

static struct proc *proc_of(const struct mproc *p)
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

static struct proc *proc_find(const struct model *m, __u32 pid)
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
static void set_layout(struct proc *p, struct layout *l)
{
	vm_leave(p);
	layout__put(p->l);
	p->l = l;
	p->fork_pending = false;
}

static void proc_free(struct proc *p)
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

static void reap_exited(struct model *m, __u64 now)
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

static void set_comm(struct proc *p, const char *comm)
{
	memcpy(p->p.comm, comm, MS_COMM_LEN);
	p->p.comm[MS_COMM_LEN - 1] = 0;
}

/* A fresh process record for pid, replacing an exited one. NULL on ENOMEM. */
static struct proc *proc_new(struct model *m, __u32 pid, __u64 ts)
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
static struct proc *proc_get(struct model *m, const struct ms_hdr *h, const char *comm)
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
static void sync(struct model *m, struct proc *p)
{
	struct proc *q;

	sync_one(m, p);
	for (q = p->vm_next; q != p; q = q->vm_next)
		sync_one(m, q);
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
static void own_layout(struct model *m, struct proc *p)
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

static void set_mm(struct model *m, struct proc *p, const struct ms_mm *mm)
{
	p->p.mm = *mm;
	p->p.rss = (mm->rss_file + mm->rss_anon + mm->rss_shmem) * m->page_size;
	if (mm->start_brk)
		p->p.start_brk = mm->start_brk;
	if (mm->brk)
		p->p.brk = mm->brk;
}

static void sample(struct proc *p, __u64 ts)
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

static void set_faults(struct proc *p)
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

static void ev_set(struct model *m, const struct rnode *n)
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

/* Syscalls */

static __u64 page_align(const struct model *m, __u64 x)
{
	return (x + m->page_size - 1) & ~(__u64)(m->page_size - 1);
}

static const struct ms_file *syscall_file(const struct ms_syscall *s)
{
	const struct ms_file *f = (const void *)(s + 1);

	if (!(s->h.flags & MS_FILE_VALID))
		return NULL;
	if (s->h.size < sizeof(*s) + sizeof(*f) ||
	    s->h.size < sizeof(*s) + sizeof(*f) + f->path_len)
		return NULL;
	return f;
}

static __u32 mmap_rflags(__u64 len, __u32 prot, __u64 flags)
{
	if (flags & MAP_SHARED)
		return 0;
	if (!prot && flags & MAP_NORESERVE && (len == ARENA_SIZE || len == 2 * ARENA_SIZE))
		return RF_ARENA;
	if (prot == (PROT_READ | PROT_WRITE) && len >= MALLOC_MIN &&
	    !(flags & (MAP_FIXED | MAP_STACK | MAP_NORESERVE | MAP_FIXED_NOREPLACE)))
		return RF_MALLOC;
	return 0;
}

/* The vm_flags of a new mapping that decide merging (do_mmap(), mmap_region()). */
static __u32 mmap_vm_rflags(__u32 prot, __u64 flags)
{
	__u32 rflags = 0;

	if (flags & MAP_NORESERVE)
		rflags |= RF_NORESERVE;
	else if ((prot & (MS_VMA_WRITE | MS_VMA_SHARED)) == MS_VMA_WRITE)
		rflags |= RF_ACCOUNT;
	if (flags & MAP_GROWSDOWN)
		rflags |= RF_GROWSDOWN;
	if (flags & MAP_LOCKED)
		rflags |= RF_LOCKED;
	if (flags & MAP_STACK)
		rflags |= RF_NOHUGEPAGE; /* 6.7+ with transparent huge pages */
	if (flags & MAP_HUGETLB)
		rflags |= RF_SPECIAL;
	return rflags;
}

static void do_mmap(struct model *m, struct proc *p, const struct ms_syscall *s)
{
	const struct ms_file *f = syscall_file(s);
	__u64 flags = s->args[3], len = page_align(m, s->args[1]);
	struct pstr *path = NULL;
	struct region t = {
		.start = (__u64)s->ret,
		.end = (__u64)s->ret + len,
		.prot = s->args[2] & 7,
		.mmap_flags = (__u32)flags,
		.created_ns = s->h.ts_ns,
		.created_tid = s->h.tid,
	};
	__u32 rflags = 0;

	if (f) {
		t.ino = f->ino;
		t.dev = f->dev;
		t.pgoff = f->pgoff * m->page_size;
		if (s->h.flags & MS_FILE_FROM_VMA)
			t.prot = (f->vm_flags & 7) |
				 (f->vm_flags & (MS_VMA_SHARED | VM_MAYSHARE) ? MS_VMA_SHARED : 0);
		else if (flags & MAP_SHARED)
			t.prot |= MS_VMA_SHARED;
		/* shared anonymous memory is a shmem file the kernel names so */
		if (flags & MAP_ANONYMOUS && t.prot & MS_VMA_SHARED)
			path = pstr__get(m->zero_path);
		else if (f->path_len)
			path = pstr__new(f->path, strnlen(f->path, f->path_len));
	} else if (flags & MAP_SHARED) {
		t.prot |= MS_VMA_SHARED;
		path = pstr__get(m->zero_path);
	} else {
		rflags = mmap_rflags(len, t.prot, flags);
	}
	if (!path)
		t.pgoff = 0;
	rflags |= mmap_vm_rflags(t.prot, flags);
	ev_set(m, layout__map_merged(p->l, &t, path, rflags, m->next_id++));
	pstr__put(path);
}

/* The last region of the heap from start, NULL if there is none. */
static struct rnode *heap_end(struct proc *p, __u64 start)
{
	struct rnode *h = layout__find(p->l, start), *n;

	if (!h || !h->path || h->path->kind != PK_HEAP)
		return NULL;
	/* a fork child's heap grows in a VMA of its own */
	for (n = h->next; n && n->r.start == h->r.end && n->path && n->path->kind == PK_HEAP;
	     n = n->next)
		h = n;
	return h;
}

static void do_brk(struct model *m, struct proc *p, const struct ms_syscall *s)
{
	__u64 start = p->p.start_brk, end = page_align(m, (__u64)s->ret);
	struct rnode *h;
	struct region t = {
		.end = end,
		.prot = MS_VMA_READ | MS_VMA_WRITE,
		.created_ns = s->h.ts_ns,
		.created_tid = s->h.tid,
	};

	p->p.brk = (__u64)s->ret;
	if (!start)
		return;
	h = heap_end(p, start);
	t.start = h ? h->r.end : start;
	if (end < t.start) {
		layout__unmap(p->l, end > start ? end : start, t.start, NULL);
		h = end > start ? layout__find(p->l, end - 1) : NULL;
	} else if (end > t.start) {
		/* do_brk_flags(): the heap grows into the VMA before it if it can */
		h = layout__map_merged(p->l, &t, m->heap_path, RF_ACCOUNT, m->next_id++);
	}
	ev_set(m, h);
}

static void unmap_piece(struct model *m, struct proc *p, __u64 a, __u64 b, bool *first_done)
{
	struct rnode first;

	if (a >= b || !layout__unmap(p->l, a, b, &first))
		return;
	if (!*first_done)
		ev_set(m, &first);
	*first_done = true;
	pstr__put(first.path);
}

/*
 * Records stamped at return come in the order their calls returned, not the
 * order the kernel changed the layout. A region in the range that a call
 * finishing after this munmap began created was mapped concurrently, into
 * the space this munmap freed (another thread's mmap reusing it): it stays.
 * A record stamped when it took the mmap lock is in the kernel's order.
 */
static void do_munmap(struct model *m, struct proc *p, const struct ms_syscall *s)
{
	__u64 a = s->args[0], b = a + page_align(m, s->args[1]), cur = a;
	__u64 began = s->h.flags & MS_SYS_LOCK_TS ? s->h.ts_ns : s->h.ts_ns - s->dur_ns;
	struct rnode *n = layout__find_le(p->l, a);
	bool first_done = false;

	if (!n || n->r.end <= a)
		n = n ? n->next : p->l->first;
	for (; n && n->r.start < b; n = n->next) {
		bool all = n->older_ns > began;
		__u64 ys = all ? n->r.start : n->young_start, ye = all ? n->r.end : n->young_end;

		if (n->r.created_ns <= began)
			continue;
		/* of a region merged since, only the part mapped later stays */
		unmap_piece(m, p, cur, ys, &first_done);
		cur = ye > cur ? ye : cur;
		n = layout__find_le(p->l, cur - 1); /* the walk goes on from the survivor */
	}
	unmap_piece(m, p, cur, b, &first_done);
}

static void do_mprotect(struct model *m, struct proc *p, const struct ms_syscall *s)
{
	__u64 a = s->args[0];

	layout__protect(p->l, a, a + page_align(m, s->args[1]), s->args[2] & 7);
	ev_set(m, layout__find(p->l, a));
}

static void do_mremap(struct model *m, struct proc *p, const struct ms_syscall *s)
{
	__u64 old = s->args[0], olen = page_align(m, s->args[1]), nlen = page_align(m, s->args[2]);
	__u64 new = (__u64)s->ret;
	struct rnode *src = layout__find(p->l, old), *n;
	struct region t;
	struct pstr *path;
	__u32 rflags;
	__u64 id, vpgoff, anon;

	if (!src || !nlen)
		return; /* the source is gone already: the seed has the result */
	if (new == old && olen) {
		if (nlen < olen) {
			layout__unmap(p->l, old + nlen, old + olen, NULL);
		} else if (nlen > olen) {
			n = layout__find(p->l, old + olen - 1);
			/* vma_merge_extend(): the grown VMA joins the next if it can */
			if (n && n->r.end == old + olen)
				layout__merge_next(p->l,
						   layout__resize(p->l, n, n->r.start, old + nlen));
		}
		ev_set(m, layout__find(p->l, old));
		return;
	}
	t = src->r;
	t.start = new;
	t.end = new + nlen;
	if (rnode__filebacked(src))
		t.pgoff += old - src->r.start;
	path = pstr__get(src->path);
	rflags = src->rflags;
	id = src->mmap_id;
	/* copy_vma(): anonymous memory without an anon_vma takes its new address */
	anon = src->anon;
	vpgoff = src->vpgoff + (old - src->r.start) / m->page_size;
	if (!anon && !rnode__filebacked(src))
		vpgoff = new / m->page_size;
	layout__unmap(p->l, new, new + nlen, NULL);
	if (olen) {
		layout__move_pages(p->l, old, new, olen < nlen ? olen : nlen);
		if (!(s->args[3] & MREMAP_DONTUNMAP))
			layout__unmap(p->l, old, old + olen, NULL);
	}
	n = layout__map_moved(p->l, &t, path, rflags, id, vpgoff, anon);
	pstr__put(path);
	if (n && t.owner_tid)
		layout__set_owner(p->l, n, t.owner_tid);
	ev_set(m, n);
}

static void do_madvise(struct model *m, struct proc *p, const struct ms_syscall *s)
{
	__u64 a = s->args[0], b = a + page_align(m, s->args[1]);

	switch (s->args[2]) {
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_REMOVE:
	case MADV_DONTNEED_LOCKED:
		layout__drop_pages(p->l, a, b);
		break;
	case MADV_DONTFORK:
		layout__set_rflags(p->l, a, b, RF_DONTFORK, 0);
		break;
	case MADV_DOFORK:
		layout__set_rflags(p->l, a, b, 0, RF_DONTFORK);
		break;
	case MADV_WIPEONFORK:
		layout__set_rflags(p->l, a, b, RF_WIPEONFORK, 0);
		break;
	case MADV_KEEPONFORK:
		layout__set_rflags(p->l, a, b, 0, RF_WIPEONFORK);
		break;
	case MADV_DONTDUMP:
		layout__set_rflags(p->l, a, b, RF_DONTDUMP, 0);
		break;
	case MADV_DODUMP:
		layout__set_rflags(p->l, a, b, 0, RF_DONTDUMP);
		break;
	case MADV_HUGEPAGE:
		layout__set_rflags(p->l, a, b, RF_HUGEPAGE, RF_NOHUGEPAGE);
		break;
	case MADV_NOHUGEPAGE:
		layout__set_rflags(p->l, a, b, RF_NOHUGEPAGE, RF_HUGEPAGE);
		break;
	case MADV_NORMAL:
		layout__set_rflags(p->l, a, b, 0, RF_SEQ_READ | RF_RAND_READ);
		break;
	case MADV_SEQUENTIAL:
		layout__set_rflags(p->l, a, b, RF_SEQ_READ, RF_RAND_READ);
		break;
	case MADV_RANDOM:
		layout__set_rflags(p->l, a, b, RF_RAND_READ, RF_SEQ_READ);
		break;
	case MADV_MERGEABLE:
		layout__set_rflags(p->l, a, b, RF_MERGEABLE, 0);
		break;
	case MADV_UNMERGEABLE:
		layout__set_rflags(p->l, a, b, 0, RF_MERGEABLE);
		break;
	default:
		return;
	}
	ev_set(m, layout__find(p->l, a));
}

static void count_call(struct proc *p, const struct ms_syscall *s)
{
	__u64 *c;

	switch (s->h.type) {
	case MS_MMAP:
		c = &p->p.mmaps;
		break;
	case MS_MUNMAP:
		c = &p->p.munmaps;
		break;
	case MS_MREMAP:
		c = &p->p.mremaps;
		break;
	case MS_MPROTECT:
		c = &p->p.mprotects;
		break;
	case MS_MADVISE:
		c = &p->p.madvises;
		break;
	default:
		c = &p->p.brks;
		break;
	}
	if (s->ret < 0 && s->ret >= -4095)
		p->p.failed++;
	else
		(*c)++;
}

static void on_syscall(struct model *m, const struct ms_syscall *s)
{
	struct proc *p = proc_get(m, &s->h, s->comm);
	int failed = s->ret < 0 && s->ret >= -4095;

	if (!p)
		return;
	count_call(p, s);
	set_mm(m, p, &s->mm);
	/* brk fails by returning the old break: not an error code */
	if (!failed && s->h.ts_ns >= p->seed_ts) {
		own_layout(m, p);
		switch (s->h.type) {
		case MS_BRK:
			do_brk(m, p, s);
			break;
		case MS_MMAP:
			do_mmap(m, p, s);
			break;
		case MS_MUNMAP:
			do_munmap(m, p, s);
			break;
		case MS_MPROTECT:
			do_mprotect(m, p, s);
			break;
		case MS_MREMAP:
			do_mremap(m, p, s);
			break;
		case MS_MADVISE:
			do_madvise(m, p, s);
			break;
		}
	}
	sync(m, p);
	sample(p, s->h.ts_ns);
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
	sync(m, p);
}

/* Processes */

static void on_fork(struct model *m, const struct ms_fork *f)
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
			sync(m, parent);
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
	sync(m, child);
}

static void on_exec(struct model *m, const struct ms_exec *e)
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
	sync(m, p);
}

static void on_exit_rec(struct model *m, const struct ms_exit *e)
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
	sync(m, p);
	if (p->l->nr) /* torn down already: the teardown sampled the sizes it died with */
		sample(p, e->h.ts_ns);
}

static void on_exit_mmap(struct model *m, const struct ms_hdr *h)
{
	struct proc *p = proc_find(m, h->pid);

	if (!p || h->ts_ns < p->seed_ts)
		return;
	if (!(p->p.flags & MPROC_EXITED)) /* the exit may follow (older kernels) */
		sample(p, h->ts_ns);
	set_layout(p, layout__new(m->page_size));
	sync(m, p);
}

static void on_lost(struct model *m, const struct ms_lost *l)
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

static void on_limits(struct model *m, const struct ms_limits *l)
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

/* Seeds */

static void on_seed_begin(struct model *m, const struct ms_seed_begin *b)
{
	struct proc *p = proc_find(m, b->h.pid);

	if (!p || p->p.flags & MPROC_EXITED)
		p = proc_new(m, b->h.pid, b->h.ts_ns);
	if (!p)
		return;
	set_comm(p, b->comm);
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

static void on_vma(struct model *m, const struct ms_vma *v)
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

static void on_seed_end(struct model *m, const struct ms_hdr *h)
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
	sync(m, p);
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
	sync(m, p);
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
	case MS_SEED_END:
		on_seed_end(m, rec);
		break;
	case MS_RESIDENT:
		on_resident(m, (const void *)rec);
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
