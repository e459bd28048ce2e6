// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's rules for merging VMAs (vma_merge(), is_mergeable_vma(),
 * anon_vma compatibility) and the changes that follow them: map, unmap,
 * protect, set flags, resize, faults; and the kernel's own answer after a
 * call (layout__seen), which settles what the rules could only guess.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "layout_int.h"

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

/* mlock_fixup() leaves VM_SPECIAL mappings and the gate VMA alone. */
static bool lockable(const struct rnode *n)
{
	if (n->rflags & RF_SPECIAL)
		return false;
	switch (n->path ? n->path->kind : PK_FILE) {
	case PK_VDSO:
	case PK_VVAR:
	case PK_VSYSCALL:
	case PK_OTHER:
		return false;
	default:
		return true;
	}
}

/*
 * apply_mlockall_flags(): every VMA in turn, each merging with the one
 * before. Only neighbours the lock bits kept apart may join: others apart
 * with the same bits differ in what the model cannot see (VM_ACCOUNT of a
 * file's RELRO, an anon_vma), and the kernel keeps them so.
 */
void layout__lock_all(struct layout *l, __u32 set)
{
	const __u32 lock = RF_LOCKED | RF_LOCKONFAULT;
	struct rnode *n;

	for (n = l->first; n; n = n->next)
		if (n->next && (n->rflags ^ n->next->rflags) & lock)
			n->rflags |= RF_SPLIT;
	for (n = l->first; n; n = n->next)
		if (lockable(n))
			n->rflags = (n->rflags & ~lock) | set;
	merge_changed(l, l->first, ~0ull);
	settle(l, 0, ~0ull);
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
