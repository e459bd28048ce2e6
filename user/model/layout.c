// SPDX-License-Identifier: GPL-2.0
/* One address space: see layout.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "layout.h"

#define RUN_MAX 8 /* how far a file's run of regions is followed */
#define ARENA_SIZE (64ull << 20) /* glibc HEAP_MAX_SIZE on 64-bit */
#define GUARD_MAX (256ull << 10) /* a seeded guard page run at most this big */

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "memsnoop: out of memory in the layout model\n");
		abort();
	}
	return p;
}

static enum path_kind path_kind(const char *p)
{
	if (p[0] != '[')
		return !strncmp(p, "/SYSV", 5) || !strncmp(p, "/dev/zero", 9) ? PK_SHM_FILE :
										PK_FILE;
	if (!strcmp(p, "[heap]"))
		return PK_HEAP;
	if (!strcmp(p, "[stack]"))
		return PK_STACK;
	if (!strcmp(p, "[vdso]"))
		return PK_VDSO;
	if (!strncmp(p, "[vvar", 5))
		return PK_VVAR;
	if (!strcmp(p, "[vsyscall]"))
		return PK_VSYSCALL;
	if (!strncmp(p, "[anon_shmem:", 12))
		return PK_ANON_SHMEM;
	if (!strncmp(p, "[anon:", 6))
		return PK_ANON_NAMED;
	return PK_OTHER;
}

struct pstr *pstr__new(const char *s, size_t len)
{
	struct pstr *p = xcalloc(1, sizeof(*p) + len + 1);

	p->refs = 1;
	memcpy(p->s, s, len);
	p->kind = path_kind(p->s);
	return p;
}

struct pstr *pstr__get(struct pstr *p)
{
	if (p)
		p->refs++;
	return p;
}

void pstr__put(struct pstr *p)
{
	if (p && !--p->refs)
		free(p);
}

static __u32 rnd(struct layout *l)
{
	__u32 x = l->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return l->rng = x;
}

static size_t nodes_in_use; /* in every layout of the program */

static struct rnode *node_new(struct layout *l)
{
	struct rnode *n = xcalloc(1, sizeof(*n));

	n->prio = rnd(l);
	nodes_in_use++;
	return n;
}

static void node_free(struct rnode *n)
{
	pstr__put(n->path);
	free(n);
	nodes_in_use--;
}

size_t layout__census(void)
{
	return nodes_in_use + pageset__chunks_in_use();
}

static void acct(struct layout *l, const struct rnode *n, int sign)
{
	__u64 size = n->r.end - n->r.start;

	if (sign > 0) {
		l->vsize += size;
		l->sum[n->r.cls] += size;
		l->nr++;
	} else {
		l->vsize -= size;
		l->sum[n->r.cls] -= size;
		l->nr--;
	}
}

/* The treap: *lo gets the nodes starting below key, *hi the others. */
static void split(struct rnode *t, __u64 key, struct rnode **lo, struct rnode **hi)
{
	while (t) {
		if (t->r.start < key) {
			*lo = t;
			lo = &t->right;
			t = t->right;
		} else {
			*hi = t;
			hi = &t->left;
			t = t->left;
		}
	}
	*lo = *hi = NULL;
}

static struct rnode *merge(struct rnode *a, struct rnode *b)
{
	struct rnode *root = NULL, **p = &root;

	while (a && b) {
		if (a->prio > b->prio) {
			*p = a;
			p = &a->right;
			a = a->right;
		} else {
			*p = b;
			p = &b->left;
			b = b->left;
		}
	}
	*p = a ? a : b;
	return root;
}

static void tree_insert(struct layout *l, struct rnode *n)
{
	struct rnode **p = &l->root;

	while (*p && (*p)->prio >= n->prio)
		p = n->r.start < (*p)->r.start ? &(*p)->left : &(*p)->right;
	split(*p, n->r.start, &n->left, &n->right);
	*p = n;
}

static void tree_erase(struct layout *l, struct rnode *n)
{
	struct rnode **p = &l->root;

	while (*p != n)
		p = n->r.start < (*p)->r.start ? &(*p)->left : &(*p)->right;
	*p = merge(n->left, n->right);
}

struct rnode *layout__find_le(const struct layout *l, __u64 addr)
{
	struct rnode *t = l->root, *best = NULL;

	while (t) {
		if (t->r.start <= addr) {
			best = t;
			t = t->right;
		} else {
			t = t->left;
		}
	}
	return best;
}

struct rnode *layout__find(const struct layout *l, __u64 addr)
{
	struct rnode *n = layout__find_le(l, addr);

	return n && addr < n->r.end ? n : NULL;
}

/* Insert n (overlapping nothing) after prev, NULL: at the head. */
static void link_after(struct layout *l, struct rnode *prev, struct rnode *n)
{
	n->prev = prev;
	n->next = prev ? prev->next : l->first;
	if (n->next)
		n->next->prev = n;
	if (prev)
		prev->next = n;
	else
		l->first = n;
	tree_insert(l, n);
	acct(l, n, 1);
}

static void unlink_node(struct layout *l, struct rnode *n)
{
	acct(l, n, -1);
	tree_erase(l, n);
	if (n->prev)
		n->prev->next = n->next;
	else
		l->first = n->next;
	if (n->next)
		n->next->prev = n->prev;
}

static __u64 count_pages(struct layout *l, __u64 a, __u64 b)
{
	return pageset__count(&l->pages, a >> l->page_shift, b >> l->page_shift);
}

static __u64 clear_pages(struct layout *l, __u64 a, __u64 b)
{
	return pageset__clear(&l->pages, a >> l->page_shift, b >> l->page_shift);
}

/* Set when n was made: one age throughout. */
static void set_young(struct rnode *n)
{
	n->young_start = n->r.start;
	n->young_end = n->r.end;
	n->older_ns = n->r.created_ns;
}

static void clip_young(struct rnode *n)
{
	if (n->young_start < n->r.start)
		n->young_start = n->r.start;
	if (n->young_end > n->r.end)
		n->young_end = n->r.end;
	if (n->young_start >= n->young_end) {
		n->r.created_ns = n->older_ns;
		set_young(n);
	}
}

/* n was split into n and r: each keeps its part of the young range. */
static void split_young(struct rnode *n, struct rnode *r)
{
	clip_young(n);
	clip_young(r);
}

/* Split n at addr (inside it); returns the right piece. */
static struct rnode *split_node(struct layout *l, struct rnode *n, __u64 addr)
{
	struct rnode *r = node_new(l);
	__u32 prio = r->prio;

	*r = *n;
	r->prio = prio;
	r->left = r->right = r->prev = r->next = NULL;
	pstr__get(r->path);
	r->r.start = addr;
	if (rnode__filebacked(n))
		r->r.pgoff += addr - n->r.start;
	r->vpgoff += (addr - n->r.start) >> l->page_shift;
	/* fault counts stay with the piece that keeps the start */
	r->r.faults = r->r.write_faults = r->r.exec_faults = r->r.prot_faults = 0;
	r->r.touched_pages = n->r.touched_pages ? count_pages(l, addr, n->r.end) : 0;
	acct(l, n, -1);
	n->r.touched_pages -= r->r.touched_pages;
	n->r.end = addr;
	split_young(n, r);
	acct(l, n, 1);
	link_after(l, n, r);
	return r;
}

static void split_at(struct layout *l, __u64 addr)
{
	struct rnode *n = layout__find_le(l, addr);

	if (n && n->r.start < addr && addr < n->r.end)
		split_node(l, n, addr);
}

/* Make a a boundary; returns the first region at or after a. */
static struct rnode *first_from(struct layout *l, __u64 a)
{
	struct rnode *n = layout__find_le(l, a);

	if (!n)
		return l->first;
	if (a < n->r.end)
		return n->r.start < a ? split_node(l, n, a) : n;
	return n->next;
}

/*
 * Merging. The kernel joins a new or changed VMA with a neighbour that has the
 * same flags, the same file at a continuing offset (anonymous memory has an
 * offset too: its address when first mapped, in pages), a compatible anon_vma
 * and the same anon name: vma_merge() in mm/mmap.c of 6.1,
 * vma_merge_new_range() and vma_merge_existing_range() in mm/vma.c of 6.18.
 * The model follows 6.18 (see README, "Merging", for what it cannot know).
 */

static __u64 vm_pgoff(const struct layout *l, const struct rnode *n)
{
	return rnode__filebacked(n) ? n->r.pgoff >> l->page_shift : n->vpgoff;
}

static __u64 nr_pages(const struct layout *l, const struct rnode *n)
{
	return (n->r.end - n->r.start) >> l->page_shift;
}

/* VM_SPECIAL and the kernel's own mappings; most device mappings are VM_IO/PFNMAP. */
static int never_merges(const struct rnode *n)
{
	if (n->rflags & RF_SPECIAL)
		return 1;
	switch (n->path ? n->path->kind : PK_FILE) {
	case PK_STACK:
	case PK_VDSO:
	case PK_VVAR:
	case PK_VSYSCALL:
	case PK_OTHER:
		return 1;
	case PK_FILE:
		return n->path && !strncmp(n->path->s, "/dev/", 5) &&
		       strncmp(n->path->s, "/dev/shm/", 9);
	default:
		return 0;
	}
}

/*
 * The same struct file and anon name. Files are known by inode, not by the
 * open file the kernel compares; shared anonymous memory (a shmem file per
 * mmap) by the call that made it.
 */
static int same_backing(const struct rnode *a, const struct rnode *b)
{
	if (!a->path || !b->path)
		return !a->path && !b->path;
	if (a->path != b->path && strcmp(a->path->s, b->path->s))
		return 0;
	if (a->path->kind == PK_SHM_FILE && !a->r.ino)
		return a->mmap_id == b->mmap_id;
	return a->r.dev == b->r.dev && a->r.ino == b->r.ino;
}

/*
 * is_mergeable_anon_vma() of 6.18: the same anon_vma, or only one has one and
 * that one is not a fork child's (vma_is_fork_child(): its anon_vma chain
 * reaches a parent's, and the kernel keeps such VMAs apart).
 */
static int anon_compatible(const struct rnode *a, const struct rnode *b)
{
	if (a->anon == b->anon)
		return 1;
	if (!a->anon)
		return !(b->rflags & RF_FORKED);
	if (!b->anon)
		return !(a->rflags & RF_FORKED);
	return 0;
}

/* a and b, in this order, could be one VMA apart from their protection. */
static int same_vma_but_prot(const struct layout *l, const struct rnode *a, const struct rnode *b)
{
	if (a->r.end != b->r.start || (a->rflags ^ b->rflags) & RF_VM_MASK)
		return 0;
	if (never_merges(a) || never_merges(b) || !same_backing(a, b))
		return 0;
	return vm_pgoff(l, a) + nr_pages(l, a) == vm_pgoff(l, b);
}

static int can_merge(const struct layout *l, const struct rnode *a, const struct rnode *b)
{
	if (!a || !b || a->r.prot != b->r.prot || !same_vma_but_prot(l, a, b))
		return 0;
	return anon_compatible(a, b);
}

/* b joins a: the kernel keeps the lower VMA. Returns a. */
static struct rnode *join(struct layout *l, struct rnode *a, struct rnode *b)
{
	__u64 end = b->r.end;

	if (!a->anon)
		a->anon = b->anon;
	a->rflags |= b->rflags & (RF_CHANGED | RF_SPLIT);
	a->r.faults += b->r.faults;
	a->r.write_faults += b->r.write_faults;
	a->r.exec_faults += b->r.exec_faults;
	a->r.prot_faults += b->r.prot_faults;
	/* a concurrent munmap must not take what was mapped after it began (do_munmap()) */
	if (b->older_ns < a->older_ns)
		a->older_ns = b->older_ns;
	if (b->r.created_ns > a->r.created_ns) {
		a->r.created_ns = b->r.created_ns;
		a->young_start = b->young_start;
		a->young_end = b->young_end;
	}
	if (!a->r.owner_tid)
		a->r.owner_tid = b->r.owner_tid;
	acct(l, a, -1);
	a->r.touched_pages += b->r.touched_pages;
	a->r.end = end;
	unlink_node(l, b);
	node_free(b);
	acct(l, a, 1);
	return a;
}

/* A new region joins the neighbours it can (the new-range merge). */
static struct rnode *merge_around(struct layout *l, struct rnode *n)
{
	if (can_merge(l, n->prev, n))
		n = join(l, n->prev, n);
	if (can_merge(l, n, n->next))
		n = join(l, n, n->next);
	return n;
}

struct rnode *layout__merge_next(struct layout *l, struct rnode *n)
{
	if (n && can_merge(l, n, n->next))
		n = join(l, n, n->next);
	return n;
}

/*
 * After a change of flags on pieces up to b: every changed piece joins the
 * neighbours it can (mprotect_fixup() and madvise_update_vma() through
 * vma_modify()), and a split the change did not need is undone (the kernel
 * returns early for a VMA whose flags stay). Clears the transient flags.
 */
static void merge_changed(struct layout *l, struct rnode *n, __u64 b)
{
	struct rnode *next;

	if (n && n->prev)
		n = n->prev;
	while (n && n->r.start <= b) {
		next = n->next;
		if (next && ((n->rflags | next->rflags) & RF_CHANGED || n->rflags & RF_SPLIT) &&
		    can_merge(l, n, next)) {
			n->rflags &= ~RF_SPLIT;
			join(l, n, next);
			continue;
		}
		n->rflags &= ~(RF_CHANGED | RF_SPLIT);
		n = next;
	}
}

/*
 * An anon_vma for n, as anon_vma_prepare() finds one: a neighbour's that
 * could share it (reusable_anon_vma(): one VMA but for protection, not a
 * fork child's), else a new one.
 */
static void assign_anon(struct layout *l, struct rnode *n)
{
	struct rnode *x = n->next, *p = n->prev;

	if (n->anon)
		return;
	if (x && x->anon && !(x->rflags & RF_FORKED) && same_vma_but_prot(l, n, x))
		n->anon = x->anon;
	else if (p && p->anon && !(p->rflags & RF_FORKED) && same_vma_but_prot(l, p, n))
		n->anon = p->anon;
	else
		n->anon = ++l->next_anon;
}

/*
 * Without a stream of faults the model cannot see the first write that
 * gives a VMA its anon_vma: it assumes one once a private region is
 * writable.
 */
static void guess_anon(struct layout *l, struct rnode *n)
{
	if ((n->r.prot & (MS_VMA_WRITE | MS_VMA_SHARED)) == MS_VMA_WRITE && !never_merges(n))
		assign_anon(l, n);
}

static void reclassify_near(struct layout *l, struct rnode *n, __u64 a, __u64 b);

static int unmap_range(struct layout *l, __u64 a, __u64 b, struct rnode *first)
{
	struct rnode *n, *next;
	int count = 0;

	if (a >= b)
		return 0;
	split_at(l, b);
	for (n = first_from(l, a); n && n->r.start < b; n = next) {
		next = n->next;
		if (n->r.touched_pages)
			clear_pages(l, n->r.start, n->r.end);
		if (first && !count) {
			*first = *n;
			pstr__get(first->path);
		}
		unlink_node(l, n);
		node_free(n);
		count++;
	}
	return count;
}

int layout__unmap(struct layout *l, __u64 a, __u64 b, struct rnode *first)
{
	int count = unmap_range(l, a, b, first);

	if (count)
		layout__reclassify(l, a, b);
	return count;
}

static struct rnode *map_node(struct layout *l, const struct region *tmpl, struct pstr *path,
			      __u32 rflags, __u64 mmap_id)
{
	struct rnode *n;

	unmap_range(l, tmpl->start, tmpl->end, NULL);
	n = node_new(l);
	n->r = *tmpl;
	n->path = pstr__get(path);
	n->r.path = path ? path->s : NULL;
	n->r.cls = RC_UNKNOWN;
	n->r.touched_pages = count_pages(l, tmpl->start, tmpl->end);
	n->rflags = rflags;
	n->mmap_id = mmap_id;
	n->vpgoff = tmpl->start >> l->page_shift;
	set_young(n);
	link_after(l, layout__find_le(l, n->r.start), n);
	return n;
}

struct rnode *layout__map(struct layout *l, const struct region *tmpl, struct pstr *path,
			  __u32 rflags, __u64 mmap_id)
{
	struct rnode *n;

	if (tmpl->start >= tmpl->end)
		return NULL;
	/* what /proc cannot tell: VM_ACCOUNT and the anon_vma, guessed */
	if (rflags & RF_SEEDED && (tmpl->prot & (MS_VMA_WRITE | MS_VMA_SHARED)) == MS_VMA_WRITE)
		rflags |= RF_ACCOUNT;
	n = map_node(l, tmpl, path, rflags, mmap_id);
	guess_anon(l, n);
	reclassify_near(l, n, n->r.start, n->r.end);
	return n;
}

struct rnode *layout__map_moved(struct layout *l, const struct region *tmpl, struct pstr *path,
				__u32 rflags, __u64 mmap_id, __u64 vpgoff, __u64 anon)
{
	struct rnode *n;

	if (tmpl->start >= tmpl->end)
		return NULL;
	n = map_node(l, tmpl, path, rflags, mmap_id);
	n->vpgoff = vpgoff;
	n->anon = anon;
	n = merge_around(l, n);
	guess_anon(l, n);
	reclassify_near(l, n, n->r.start, n->r.end);
	return n;
}

struct rnode *layout__map_merged(struct layout *l, const struct region *tmpl, struct pstr *path,
				 __u32 rflags, __u64 mmap_id)
{
	return layout__map_moved(l, tmpl, path, rflags, mmap_id, tmpl->start >> l->page_shift, 0);
}

/* Make addr a boundary for a change of flags, marking the split. */
static void cut(struct layout *l, __u64 addr)
{
	struct rnode *n = layout__find_le(l, addr);

	if (n && n->r.start < addr && addr < n->r.end)
		split_node(l, n, addr)->prev->rflags |= RF_SPLIT;
}

/* The pieces of [a, b), cut at the edges; NULL if none. */
static struct rnode *cut_range(struct layout *l, __u64 a, __u64 b)
{
	struct rnode *n;

	cut(l, b);
	cut(l, a);
	n = layout__find_le(l, a);
	if (!n || n->r.end <= a)
		n = n ? n->next : l->first;
	return n && n->r.start < b ? n : NULL;
}

/* After merge_changed(): the guessed anon_vmas, then the classes. */
static void settle(struct layout *l, __u64 a, __u64 b)
{
	struct rnode *n = layout__find_le(l, a);

	for (n = n ? n : l->first; n && n->r.start < b; n = n->next)
		guess_anon(l, n);
	layout__reclassify(l, a, b);
}

void layout__protect(struct layout *l, __u64 a, __u64 b, __u32 prot)
{
	struct rnode *n, *n0;
	__u32 p, rflags;

	if (a >= b)
		return;
	n0 = cut_range(l, a, b);
	for (n = n0; n && n->r.start < b; n = n->next) {
		p = (n->r.prot & MS_VMA_SHARED) | (prot & 7);
		rflags = n->rflags;
		/* mprotect_fixup(): private memory turning writable is committed */
		if (p & MS_VMA_WRITE && !(n->r.prot & (MS_VMA_WRITE | MS_VMA_SHARED)) &&
		    !(rflags & (RF_ACCOUNT | RF_NORESERVE | RF_SPECIAL)))
			rflags |= RF_ACCOUNT;
		/* but not anonymous memory made read-only before it was written (recent kernels) */
		if (!(p & MS_VMA_WRITE) && !n->anon && !rnode__filebacked(n))
			rflags &= ~RF_ACCOUNT;
		if (p != n->r.prot || rflags != n->rflags)
			rflags |= RF_CHANGED;
		n->r.prot = p;
		n->rflags = rflags;
	}
	merge_changed(l, n0 ? n0 : layout__find_le(l, a), b);
	settle(l, a, b);
}

void layout__set_rflags(struct layout *l, __u64 a, __u64 b, __u32 set, __u32 clear)
{
	struct rnode *n, *n0;
	__u32 rflags;

	if (a >= b)
		return;
	n0 = cut_range(l, a, b);
	for (n = n0; n && n->r.start < b; n = n->next) {
		rflags = (n->rflags & ~clear) | set;
		if (rflags != n->rflags)
			rflags |= RF_CHANGED;
		n->rflags = rflags;
	}
	merge_changed(l, n0 ? n0 : layout__find_le(l, a), b);
	settle(l, a, b);
}

/*
 * Where a guess (an anon_vma, mostly) made the model merge what the kernel
 * kept apart, or keep apart what it merged, the kernel's VMA wins: regions
 * cut at its edges and joined inside when alike but for the anon_vma. A model
 * with a hole or another kind of region there keeps its own.
 */
void layout__seen(struct layout *l, __u64 start, __u64 end, __u64 anon)
{
	struct rnode *n;

	split_at(l, end);
	split_at(l, start);
	n = layout__find(l, start);
	if (!n || n->r.start != start)
		return;
	n->anon = anon;
	while (n->r.end < end && n->next && n->next->r.prot == n->r.prot &&
	       same_vma_but_prot(l, n, n->next)) {
		n->next->anon = anon;
		join(l, n, n->next);
	}
	for (; n && n->r.start < end; n = n->next)
		n->anon = anon;
	layout__reclassify(l, start, end);
}

void layout__drop_pages(struct layout *l, __u64 a, __u64 b)
{
	struct rnode *n = layout__find_le(l, a);

	if (!n)
		n = l->first;
	for (; n && n->r.start < b; n = n->next) {
		__u64 s = n->r.start > a ? n->r.start : a, e = n->r.end < b ? n->r.end : b;

		if (s < e && n->r.touched_pages)
			n->r.touched_pages -= clear_pages(l, s, e);
	}
}

void layout__move_pages(struct layout *l, __u64 src, __u64 dst, __u64 len)
{
	layout__drop_pages(l, dst, dst + len);
	if (!l->pages.nr)
		return;
	/* take them off their regions first, then move */
	{
		struct rnode *n = layout__find_le(l, src);

		if (!n)
			n = l->first;
		for (; n && n->r.start < src + len; n = n->next) {
			__u64 s = n->r.start > src ? n->r.start : src;
			__u64 e = n->r.end < src + len ? n->r.end : src + len;

			if (s < e && n->r.touched_pages)
				n->r.touched_pages -= count_pages(l, s, e);
		}
	}
	pageset__move(&l->pages, src >> l->page_shift, dst >> l->page_shift, len >> l->page_shift);
}

struct rnode *layout__resize(struct layout *l, struct rnode *n, __u64 start, __u64 end)
{
	__u64 os = n->r.start, oe = n->r.end;

	if (start >= end) {
		layout__unmap(l, os, oe, NULL);
		return NULL;
	}
	if (end < oe)
		unmap_range(l, end, oe, NULL);
	if (start > os) {
		unmap_range(l, os, start, NULL);
		n = layout__find(l, start);
	}
	if (end > oe) {
		unmap_range(l, oe, end, NULL);
		acct(l, n, -1);
		n->r.end = end;
		acct(l, n, 1);
	}
	if (start < os) {
		/* nothing lies in [start, os) now: the tree order holds */
		unmap_range(l, start, os, NULL);
		acct(l, n, -1);
		n->r.start = start;
		acct(l, n, 1);
	}
	layout__reclassify(l, start < os ? start : os, end > oe ? end : oe);
	return n;
}

struct rnode *layout__fault(struct layout *l, __u64 addr, __u32 pf)
{
	struct rnode *n = layout__find(l, addr);

	if (!n)
		return NULL;
	n->r.faults++;
	if (pf & MS_PF_WRITE) {
		n->r.write_faults++;
		if (!(n->r.prot & MS_VMA_SHARED) && !never_merges(n))
			assign_anon(l, n);
	}
	if (pf & MS_PF_INSTR)
		n->r.exec_faults++;
	if (pf & MS_PF_PROT)
		n->r.prot_faults++;
	else if (pageset__add(&l->pages, addr >> l->page_shift) == 1)
		n->r.touched_pages++;
	return n;
}

/* Classification */

static int anon_private(const struct rnode *n)
{
	if (n->r.prot & MS_VMA_SHARED)
		return 0;
	return !n->path || n->path->kind == PK_ANON_NAMED;
}

static int same_file(const struct rnode *a, const struct rnode *b)
{
	if (!rnode__filebacked(a) || !rnode__filebacked(b))
		return 0;
	if (a->r.dev != b->r.dev || a->r.ino != b->r.ino)
		return 0;
	return a->r.ino || a->path == b->path || !strcmp(a->r.path, b->r.path);
}

/* Is n part of a run of one file's regions with an executable one: an ELF? */
static int elf_run(const struct rnode *n)
{
	const struct rnode *p;
	int i;

	if (n->r.prot & MS_VMA_EXEC)
		return 1;
	for (p = n->prev, i = 0; p && i < RUN_MAX && same_file(p, n); p = p->prev, i++)
		if (p->r.prot & MS_VMA_EXEC)
			return 1;
	for (p = n->next, i = 0; p && i < RUN_MAX && same_file(p, n); p = p->next, i++)
		if (p->r.prot & MS_VMA_EXEC)
			return 1;
	return 0;
}

static int same_mmap(const struct rnode *a, const struct rnode *b)
{
	return a->mmap_id == b->mmap_id || (a->rflags & b->rflags & RF_SEEDED);
}

/* lo is a thread stack's guard and hi the stack above it. */
static int stack_pair(const struct rnode *lo, const struct rnode *hi)
{
	if (!lo || !hi || lo->r.end != hi->r.start)
		return 0;
	if (!anon_private(lo) || !anon_private(hi) || lo->r.prot || !hi->r.prot)
		return 0;
	/* a stack's mmap may have merged with the guard of the stack above */
	if (!same_mmap(lo, hi) && !(lo->r.mmap_flags & hi->r.mmap_flags & MAP_STACK))
		return 0;
	if (hi->rflags & RF_TSTACK || hi->r.mmap_flags & MAP_STACK)
		return 1;
	/* seeded: a small PROT_NONE run right below (arenas have it above) */
	return lo->rflags & hi->rflags & RF_SEEDED && lo->r.end - lo->r.start <= GUARD_MAX &&
	       hi->r.start % ARENA_SIZE;
}

static int is_rw(const struct rnode *n)
{
	return (n->r.prot & (MS_VMA_READ | MS_VMA_WRITE)) == (MS_VMA_READ | MS_VMA_WRITE);
}

static int is_bss(const struct rnode *n)
{
	const struct rnode *p = n->prev;

	if (!is_rw(n) || !p || p->r.end != n->r.start || !rnode__filebacked(p) ||
	    n->rflags & RF_NOT_BSS)
		return 0;
	return (p->r.prot & (MS_VMA_WRITE | MS_VMA_SHARED)) == MS_VMA_WRITE && elf_run(p);
}

bool region__arena_low(const struct region *r, const struct region *above)
{
	if (r->start % ARENA_SIZE)
		return false;
	return r->end - r->start == ARENA_SIZE ||
	       (above && above->start == r->end && above->end == r->start + ARENA_SIZE);
}

bool region__arena_high(const struct region *r, const struct region *below)
{
	return !(r->end % ARENA_SIZE) && below && below->end == r->start &&
	       below->start == r->end - ARENA_SIZE;
}

/* A seeded glibc heap: an rw part and a PROT_NONE rest filling 64 MiB. */
static int seeded_arena(const struct rnode *n)
{
	const struct rnode *p = n->prev, *x = n->next;

	if (!(n->rflags & RF_SEEDED))
		return 0;
	if (is_rw(n))
		return region__arena_low(&n->r, x && anon_private(x) && !x->r.prot ? &x->r : NULL);
	if (!n->r.prot)
		return region__arena_high(&n->r, p && anon_private(p) && is_rw(p) ? &p->r : NULL);
	return 0;
}

static enum region_class classify(const struct rnode *n)
{
	switch (n->path ? n->path->kind : PK_FILE) {
	case PK_HEAP:
		return RC_HEAP;
	case PK_STACK:
		return RC_STACK;
	case PK_VDSO:
		return RC_VDSO;
	case PK_VVAR:
		return RC_VVAR;
	case PK_VSYSCALL:
		return RC_VSYSCALL;
	case PK_ANON_SHMEM:
	case PK_SHM_FILE:
		return RC_SHM;
	case PK_OTHER:
		return RC_UNKNOWN;
	case PK_FILE:
	case PK_ANON_NAMED:
		break;
	}
	if (n->r.prot & MS_VMA_SHARED)
		return RC_SHM;
	if (rnode__filebacked(n)) {
		if (!elf_run(n))
			return RC_FILE;
		if (n->r.prot & MS_VMA_EXEC)
			return RC_TEXT;
		if (n->r.prot & MS_VMA_WRITE)
			return RC_DATA;
		return n->r.prot & MS_VMA_READ ? RC_RODATA : RC_FILE;
	}
	if (n->rflags & RF_TSTACK)
		return RC_THREAD_STACK;
	if (stack_pair(n, n->next))
		return RC_GUARD;
	if (stack_pair(n->prev, n))
		return RC_THREAD_STACK;
	if (is_bss(n))
		return RC_BSS;
	if (n->rflags & RF_ARENA || seeded_arena(n))
		return RC_ARENA;
	if (n->rflags & RF_MALLOC && is_rw(n))
		return RC_MALLOC;
	return RC_ANON;
}

static void set_class(struct layout *l, struct rnode *n)
{
	enum region_class c = classify(n);

	if (c == n->r.cls)
		return;
	acct(l, n, -1);
	n->r.cls = c;
	acct(l, n, 1);
}

/*
 * Recompute classes after [a, b) changed. A class depends on the region, its
 * two neighbours and the run of one file's regions around it (elf_run, up to
 * RUN_MAX away): so the regions in [a, b), one on each side, the file runs
 * that reach them, and the region after such a run (is_bss looks at its
 * predecessor's run). n, if not NULL, is a region next to a.
 */
static void reclassify_near(struct layout *l, struct rnode *n, __u64 a, __u64 b)
{
	int i;

	if (!n)
		n = layout__find_le(l, a);
	if (!n)
		n = l->first;
	if (!n)
		return;
	while (n->prev && n->r.start >= a)
		n = n->prev;
	for (i = 0; n->prev && i < RUN_MAX && same_file(n->prev, n); i++)
		n = n->prev;
	for (; n && n->r.start < b; n = n->next)
		set_class(l, n);
	for (i = 0; n && i < RUN_MAX + 2; i++, n = n->next) {
		set_class(l, n);
		if (!n->next || !same_file(n, n->next)) {
			if (n->next)
				set_class(l, n->next);
			break;
		}
	}
}

void layout__reclassify(struct layout *l, __u64 a, __u64 b)
{
	reclassify_near(l, NULL, a, b);
}

/* Thread stacks */

void layout__set_owner(struct layout *l, struct rnode *n, __u32 tid)
{
	size_t i;

	n->rflags |= RF_TSTACK;
	n->r.owner_tid = tid;
	layout__reclassify(l, n->r.start, n->r.end);
	for (i = 0; i < l->nts; i++)
		if (l->ts[i].tid == tid)
			break;
	if (i == l->nts) {
		if (l->nts == l->cts) {
			size_t cap = l->cts ? l->cts * 2 : 8;
			struct tstack *ts = realloc(l->ts, cap * sizeof(*ts));

			if (!ts)
				return;
			l->ts = ts;
			l->cts = cap;
		}
		l->nts++;
	}
	l->ts[i].tid = tid;
	l->ts[i].addr = n->r.start;
}

void layout__owner_gone(struct layout *l, __u32 tid)
{
	struct rnode *n;
	size_t i;

	for (i = 0; i < l->nts; i++) {
		if (l->ts[i].tid != tid)
			continue;
		n = layout__find(l, l->ts[i].addr);
		if (n && n->r.owner_tid == tid)
			n->r.owner_tid = 0;
		l->ts[i] = l->ts[--l->nts];
		return;
	}
}

/* Life cycle */

struct layout *layout__new(unsigned page_size)
{
	struct layout *l = xcalloc(1, sizeof(*l));

	l->refs = 1;
	l->page_size = page_size;
	while ((1u << l->page_shift) < page_size)
		l->page_shift++;
	l->rng = 2463534242u;
	l->next_id = 1;
	return l;
}

struct layout *layout__get(struct layout *l)
{
	l->refs++;
	return l;
}

void layout__put(struct layout *l)
{
	struct rnode *n, *next;

	if (!l || --l->refs)
		return;
	for (n = l->first; n; n = next) {
		next = n->next;
		node_free(n);
	}
	pageset__free(&l->pages);
	free(l->ts);
	free(l);
}

/*
 * anon_vma_fork(): the child's copy of a VMA with an anon_vma gets one of its
 * own chained to the parent's, and so merges with nothing it did not share
 * it with (a copy wiped on fork starts without).
 */
static void fork_anon(struct layout *l, const struct rnode *s, struct rnode *n)
{
	n->rflags &= ~RF_FORKED;
	n->anon = 0;
	if (s->anon && !(s->rflags & RF_WIPEONFORK)) {
		n->anon = ++l->next_anon;
		n->rflags |= RF_FORKED;
	}
}

/* A fork copies a region as is unless madvise said otherwise. */
static bool forks_as_is(const struct rnode *n)
{
	return !(n->rflags & (RF_DONTFORK | RF_WIPEONFORK)) && !n->r.owner_tid && !n->r.faults &&
	       !n->r.write_faults && !n->r.exec_faults && !n->r.prot_faults;
}

bool layout__fork_same(const struct layout *l)
{
	const struct rnode *n;

	if (l->nts)
		return false;
	for (n = l->first; n; n = n->next)
		if (!forks_as_is(n))
			return false;
	return true;
}

/* src as a fork's child sees it (fork), or exactly. */
static struct layout *copy_layout(const struct layout *src, bool fork)
{
	struct layout *l = layout__new(src->page_size);
	struct rnode *s, *n, *last = NULL;

	l->next_id = src->next_id;
	if (!fork)
		l->next_anon = src->next_anon;
	if (pageset__copy(&l->pages, &src->pages))
		abort();
	if (!fork && src->nts) {
		l->ts = xcalloc(src->nts, sizeof(*l->ts));
		memcpy(l->ts, src->ts, src->nts * sizeof(*l->ts));
		l->nts = l->cts = src->nts;
	}
	for (s = src->first; s; s = s->next) {
		if (fork && s->rflags & (RF_DONTFORK | RF_WIPEONFORK) && s->r.touched_pages)
			clear_pages(l, s->r.start, s->r.end);
		if (fork && s->rflags & RF_DONTFORK)
			continue;
		n = node_new(l);
		n->r = s->r;
		n->path = pstr__get(s->path);
		n->rflags = s->rflags;
		n->mmap_id = s->mmap_id;
		n->vpgoff = s->vpgoff;
		n->young_start = s->young_start;
		n->young_end = s->young_end;
		n->older_ns = s->older_ns;
		n->anon = s->anon;
		if (fork) {
			fork_anon(l, s, n);
			n->r.owner_tid = 0;
			n->r.faults = n->r.write_faults = n->r.exec_faults = n->r.prot_faults = 0;
			if (s->rflags & RF_WIPEONFORK)
				n->r.touched_pages = 0;
		}
		link_after(l, last, n);
		last = n;
	}
	if (fork && l->first)
		layout__reclassify(l, 0, ~0ull);
	return l;
}

struct layout *layout__fork(const struct layout *src)
{
	return copy_layout(src, true);
}

struct layout *layout__copy(const struct layout *src)
{
	return copy_layout(src, false);
}
