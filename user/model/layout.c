// SPDX-License-Identifier: GPL-2.0
/*
 * One address space: see layout.h. This file: the regions' tree (a treap)
 * and its queries, splitting a region, and a layout's life cycle. The
 * kernel's merge rules and the changes that apply them are in merge.c, the
 * classes in classify.c (layout_int.h joins them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "layout_int.h"

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

struct rnode *node_new(struct layout *l)
{
	struct rnode *n = xcalloc(1, sizeof(*n));

	n->prio = rnd(l);
	nodes_in_use++;
	return n;
}

void node_free(struct rnode *n)
{
	pstr__put(n->path);
	free(n);
	nodes_in_use--;
}

size_t layout__census(void)
{
	return nodes_in_use + pageset__chunks_in_use();
}

void acct(struct layout *l, const struct rnode *n, int sign)
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
void link_after(struct layout *l, struct rnode *prev, struct rnode *n)
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

void unlink_node(struct layout *l, struct rnode *n)
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

__u64 count_pages(struct layout *l, __u64 a, __u64 b)
{
	return pageset__count(&l->pages, a >> l->page_shift, b >> l->page_shift);
}

__u64 clear_pages(struct layout *l, __u64 a, __u64 b)
{
	return pageset__clear(&l->pages, a >> l->page_shift, b >> l->page_shift);
}

/* Set when n was made: one age throughout. */
void set_young(struct rnode *n)
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
struct rnode *split_node(struct layout *l, struct rnode *n, __u64 addr)
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

void split_at(struct layout *l, __u64 addr)
{
	struct rnode *n = layout__find_le(l, addr);

	if (n && n->r.start < addr && addr < n->r.end)
		split_node(l, n, addr);
}

/* Make a a boundary; returns the first region at or after a. */
struct rnode *first_from(struct layout *l, __u64 a)
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
	return !(n->rflags & (RF_DONTFORK | RF_WIPEONFORK | RF_LOCKED | RF_LOCKONFAULT)) &&
	       !n->r.owner_tid && !n->r.faults && !n->r.write_faults && !n->r.exec_faults &&
	       !n->r.prot_faults;
}

bool layout__fork_same(const struct layout *l)
{
	const struct rnode *n;

	if (l->nts || l->def_rflags)
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
	if (!fork) {
		l->next_anon = src->next_anon;
		l->def_rflags = src->def_rflags;
	}
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
			/* dup_mmap(): the child's VMAs are not locked */
			n->rflags &= ~(RF_LOCKED | RF_LOCKONFAULT);
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
