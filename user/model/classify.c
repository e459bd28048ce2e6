// SPDX-License-Identifier: GPL-2.0
/*
 * What each region is (text, data, bss, heap, stack, arena, guard...),
 * worked out from it and its neighbours, and the thread stacks' owners.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "layout_int.h"

#define RUN_MAX 8 /* how far a file's run of regions is followed */
#define ARENA_SIZE (64ull << 20) /* glibc HEAP_MAX_SIZE on 64-bit */
#define GUARD_MAX (256ull << 10) /* a seeded guard page run at most this big */

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
void reclassify_near(struct layout *l, struct rnode *n, __u64 a, __u64 b)
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
