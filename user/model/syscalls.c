// SPDX-License-Identifier: GPL-2.0
/*
 * What each memory syscall does to the address space, as the kernel does
 * it (mmap, brk, munmap, mremap, mprotect, madvise, shmat...), and the
 * kernel's own answer after it (MS_VMA_NOW).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "model_int.h"
#include "util/record.h"

#define ARENA_SIZE (64ull << 20)
#define MALLOC_MIN (128ull << 10) /* glibc's mmap threshold */

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

__u64 page_align(const struct model *m, __u64 x)
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

/* mm->def_flags after mlockall(MCL_FUTURE); mmap_region() unlocks VM_SPECIAL. */
static __u32 with_def_rflags(const struct proc *p, __u32 rflags)
{
	return rflags & RF_SPECIAL ? rflags : rflags | p->l->def_rflags;
}

/* What the driver set on the VMA (perf_mmap(), bpf_map_mmap()...): not copied, not merged. */
static __u32 vm_kept_rflags(const struct ms_file *f)
{
	return (f->vm_flags & MS_VM_DONTCOPY ? RF_DONTFORK : 0) |
	       (f->vm_flags & MS_VM_SPECIAL ? RF_SPECIAL : 0);
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
		rflags |= vm_kept_rflags(f);
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
	rflags = with_def_rflags(p, rflags | mmap_vm_rflags(t.prot, flags));
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
		h = layout__map_merged(p->l, &t, m->heap_path, with_def_rflags(p, RF_ACCOUNT),
				       m->next_id++);
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

/*
 * shmat: the segment's shmem file, shared, as long as the VMA the kernel
 * made (args[3]); at args[1] over what was there with SHM_REMAP.
 */
static void do_shmat(struct model *m, struct proc *p, const struct ms_syscall *s)
{
	const struct ms_file *f = syscall_file(s);
	struct pstr *path;
	struct region t = {
		.start = (__u64)s->ret,
		.end = (__u64)s->ret + s->args[3],
		.mmap_flags = MAP_SHARED,
		.created_ns = s->h.ts_ns,
		.created_tid = s->h.tid,
	};

	if (!f || !s->args[3])
		return;
	t.ino = f->ino;
	t.dev = f->dev;
	t.pgoff = f->pgoff * m->page_size;
	t.prot = (f->vm_flags & 7) | MS_VMA_SHARED;
	path = pstr__new(f->path, strnlen(f->path, f->path_len));
	ev_set(m, layout__map_merged(p->l, &t, path,
				     with_def_rflags(p, mmap_vm_rflags(t.prot, MAP_SHARED)),
				     m->next_id++));
	pstr__put(path);
}

/*
 * shmdt (ksys_shmdt()): from addr, every region of the segment attached
 * there, that is of the same file at the offset it has from addr.
 */
static void do_shmdt(struct model *m, struct proc *p, const struct ms_syscall *s)
{
	__u64 a = s->args[0], b = a;
	struct rnode *n = layout__find(p->l, a), *first = n;
	bool first_done = false;

	if (!n || n->r.start != a || !rnode__filebacked(n) || n->r.pgoff)
		return;
	for (; n && n->r.start == b && n->r.ino == first->r.ino && n->r.dev == first->r.dev &&
	       n->r.pgoff == b - a;
	     n = n->next)
		b = n->r.end;
	unmap_piece(m, p, a, b, &first_done);
}

/*
 * remap_file_pages(): a new shared mapping (do_mmap()) of the file of the
 * region at start, with its protection, at pgoff (args[3]).
 */
static void do_remap_file_pages(struct model *m, struct proc *p, const struct ms_syscall *s)
{
	__u64 a = s->args[0] & ~(__u64)(m->page_size - 1);
	struct rnode *old = layout__find(p->l, a);
	struct pstr *path;
	struct region t;
	__u32 rflags;

	if (!old || !rnode__filebacked(old))
		return;
	t = old->r;
	t.start = a;
	t.end = a + (s->args[1] & ~(__u64)(m->page_size - 1));
	t.pgoff = s->args[3] * m->page_size;
	t.mmap_flags = MAP_SHARED | MAP_FIXED;
	t.created_ns = s->h.ts_ns;
	t.created_tid = s->h.tid;
	t.touched_pages = t.faults = t.write_faults = t.exec_faults = t.prot_faults = 0;
	if (t.end <= t.start)
		return;
	rflags = with_def_rflags(p, mmap_vm_rflags(t.prot, MAP_SHARED) | (old->rflags & RF_LOCKED));
	path = pstr__get(old->path);
	ev_set(m, layout__map_merged(p->l, &t, path, rflags, m->next_id++));
	pstr__put(path);
}

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif

/* mlock_fixup(): VM_LOCKED (and VM_LOCKONFAULT) on [a, b), splitting at the edges. */
static void do_mlock(struct model *m, struct proc *p, const struct ms_syscall *s)
{
	__u64 a = s->args[0] & ~(__u64)(m->page_size - 1);
	__u64 b = page_align(m, s->args[0] + s->args[1]);
	__u32 set = RF_LOCKED;

	if (s->h.type == MS_MLOCK2 && s->args[2] & MLOCK_ONFAULT)
		set |= RF_LOCKONFAULT;
	if (s->h.type == MS_MUNLOCK)
		layout__set_rflags(p->l, a, b, 0, RF_LOCKED | RF_LOCKONFAULT);
	else
		layout__set_rflags(p->l, a, b, set, set ^ (RF_LOCKED | RF_LOCKONFAULT));
	ev_set(m, layout__find(p->l, a));
}

/*
 * apply_mlockall_flags(): MCL_FUTURE sets mm->def_flags, which any other call
 * clears; MCL_CURRENT (or munlockall) sets the lock bits of every VMA.
 */
static void do_mlockall(struct proc *p, const struct ms_syscall *s)
{
	__u64 flags = s->h.type == MS_MLOCKALL ? s->args[0] : 0;
	__u32 set = RF_LOCKED | (flags & MCL_ONFAULT ? RF_LOCKONFAULT : 0);

	p->l->def_rflags = flags & MCL_FUTURE ? set : 0;
	if (s->h.type == MS_MLOCKALL && !(flags & MCL_CURRENT))
		return;
	layout__lock_all(p->l, flags & MCL_CURRENT ? set : 0);
}

static void do_mseal(struct model *m, struct proc *p, const struct ms_syscall *s)
{
	__u64 a = s->args[0];

	layout__set_rflags(p->l, a, a + page_align(m, s->args[1]), RF_SEALED, 0);
	ev_set(m, layout__find(p->l, a));
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

/* The calls are counted by what they do: shmat maps, shmdt unmaps, mseal protects. */
static void count_call(struct proc *p, const struct ms_syscall *s)
{
	__u64 *c, other = 0;

	switch (s->h.type) {
	case MS_MMAP:
	case MS_SHMAT:
	case MS_REMAP_FILE_PAGES:
		c = &p->p.mmaps;
		break;
	case MS_MUNMAP:
	case MS_SHMDT:
		c = &p->p.munmaps;
		break;
	case MS_MREMAP:
		c = &p->p.mremaps;
		break;
	case MS_MLOCKALL:
	case MS_MUNLOCKALL:
		c = &p->p.mprotects;
		break;
	case MS_MADVISE:
	case MS_PROCESS_MADVISE:
		c = &p->p.madvises;
		break;
	case MS_BRK:
		c = &p->p.brks;
		break;
	default: /* the flag changes on a range count with mprotect (madvise has its own) */
		c = ms_flags_on_range(s->h.type) ? &p->p.mprotects : &other;
		break;
	}
	if (s->ret < 0 && s->ret >= -4095)
		p->p.failed++;
	else
		(*c)++;
}

void on_syscall(struct model *m, const struct ms_syscall *s)
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
		case MS_PKEY_MPROTECT:
			do_mprotect(m, p, s);
			break;
		case MS_SHMAT:
			do_shmat(m, p, s);
			break;
		case MS_SHMDT:
			do_shmdt(m, p, s);
			break;
		case MS_REMAP_FILE_PAGES:
			do_remap_file_pages(m, p, s);
			break;
		case MS_MSEAL:
			do_mseal(m, p, s);
			break;
		case MS_MLOCK:
		case MS_MLOCK2:
		case MS_MUNLOCK:
			do_mlock(m, p, s);
			break;
		case MS_MLOCKALL:
		case MS_MUNLOCKALL:
			do_mlockall(p, s);
			break;
		case MS_MREMAP:
			do_mremap(m, p, s);
			break;
		case MS_MADVISE:
			do_madvise(m, p, s);
			break;
		}
	}
	proc_sync(m, p);
	sample(p, s->h.ts_ns);
}

/* What the kernel says of a VMA right after a call: the model takes it. */
void on_vma_now(struct model *m, const struct ms_vma_now *v)
{
	struct proc *p = proc_find(m, v->h.pid);

	if (!p || v->h.ts_ns < p->seed_ts || v->start >= v->end)
		return;
	own_layout(m, p);
	layout__seen(p->l, v->start, v->end, v->anon);
	proc_sync(m, p);
}
