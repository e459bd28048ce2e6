/* SPDX-License-Identifier: GPL-2.0 */
/* Record builders and layout checks shared by the model tests. */
#ifndef MEMSNOOP_MODEL_UTIL_H
#define MEMSNOOP_MODEL_UTIL_H

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "check.h"
#include "model/model.h"

#define PG 4096ull

static __u64 mt_now = 1000000; /* the clock of the records built below */

union mt_rec {
	struct ms_hdr h;
	__u64 align;
	char b[MS_REC_MAX];
};

static inline void mt_hdr(struct ms_hdr *h, int type, size_t size, __u32 pid, __u32 flags)
{
	mt_now += 1000;
	h->ts_ns = mt_now;
	h->pid = pid;
	h->tid = pid;
	h->type = type;
	h->size = size;
	h->flags = flags;
}

/* A syscall record; path non-NULL adds a struct ms_file (from the VMA if vm_flags). */
static inline void mt_sys_file(struct model *m, int type, __u32 pid, __s64 ret, __u64 a0, __u64 a1,
			       __u64 a2, __u64 a3, __u64 a4, const char *path, __u64 ino,
			       __u64 pgoff, __u32 dev, __u32 vm_flags)
{
	union mt_rec r;
	struct ms_syscall *s = (void *)&r;
	struct ms_file *f = (void *)(s + 1);
	size_t size = sizeof(*s);
	__u32 flags = 0;

	memset(&r, 0, sizeof(r));
	s->args[0] = a0;
	s->args[1] = a1;
	s->args[2] = a2;
	s->args[3] = a3;
	s->args[4] = a4;
	s->ret = ret;
	strcpy(s->comm, "test");
	if (path) {
		f->ino = ino;
		f->pgoff = pgoff;
		f->dev = dev;
		f->vm_flags = vm_flags;
		f->path_len = strlen(path);
		strcpy(f->path, path);
		size += sizeof(*f) + MS_ALIGN8(f->path_len + 1);
		flags = MS_FILE_VALID | (vm_flags ? MS_FILE_FROM_VMA : 0);
	}
	mt_hdr(&s->h, type, size, pid, flags);
	model__apply(m, &s->h);
}

static inline void mt_sys(struct model *m, int type, __u32 pid, __s64 ret, __u64 a0, __u64 a1,
			  __u64 a2, __u64 a3, __u64 a4)
{
	mt_sys_file(m, type, pid, ret, a0, a1, a2, a3, a4, NULL, 0, 0, 0, 0);
}

static inline void mt_mmap(struct model *m, __u32 pid, __u64 addr, __u64 len, int prot, int flags)
{
	mt_sys(m, MS_MMAP, pid, addr, addr, len, prot, flags | MAP_ANONYMOUS, -1);
}

static inline void mt_munmap(struct model *m, __u32 pid, __u64 addr, __u64 len)
{
	mt_sys(m, MS_MUNMAP, pid, 0, addr, len, 0, 0, 0);
}

static inline void mt_mprotect(struct model *m, __u32 pid, __u64 addr, __u64 len, int prot)
{
	mt_sys(m, MS_MPROTECT, pid, 0, addr, len, prot, 0, 0);
}

static inline void mt_vma(struct model *m, __u32 pid, __u64 start, __u64 end, __u32 prot,
			  __u64 pgoff, __u32 dev, __u64 ino, const char *path)
{
	union mt_rec r;
	struct ms_vma *v = (void *)&r;

	memset(&r, 0, sizeof(r));
	v->start = start;
	v->end = end;
	v->pgoff = pgoff;
	v->dev = dev;
	v->ino = ino;
	v->prot = prot;
	if (path) {
		v->path_len = strlen(path);
		strcpy(v->path, path);
	}
	mt_hdr(&v->h, MS_VMA, sizeof(*v) + MS_ALIGN8(v->path_len + 1), pid, 0);
	model__apply(m, &v->h);
}

static inline void mt_seed_begin(struct model *m, __u32 pid, __u32 flags, const char *comm)
{
	struct ms_seed_begin b = {};

	strncpy(b.comm, comm, sizeof(b.comm) - 1);
	mt_hdr(&b.h, MS_SEED_BEGIN, sizeof(b), pid, flags);
	model__apply(m, &b.h);
}

static inline void mt_seed_end(struct model *m, __u32 pid)
{
	struct ms_seed_end e = {};

	mt_hdr(&e.h, MS_SEED_END, sizeof(e), pid, 0);
	model__apply(m, &e.h);
}

static inline void mt_fork(struct model *m, __u32 pid, __u32 child, __u32 child_tid, __u32 flags,
			   __u64 sp)
{
	struct ms_fork f = {};

	f.child_pid = child;
	f.child_tid = child_tid;
	f.child_sp = sp;
	strcpy(f.comm, "child");
	mt_hdr(&f.h, MS_FORK, sizeof(f), pid, flags);
	model__apply(m, &f.h);
}

static inline void mt_fault(struct model *m, __u32 pid, __u64 addr, __u32 flags)
{
	struct ms_fault f = {};

	f.addr = addr;
	mt_hdr(&f.h, MS_FAULT, sizeof(f), pid, flags | MS_PF_USER);
	model__apply(m, &f.h);
}

static inline void mt_brk(struct model *m, __u32 pid, __u64 start_brk, __u64 brk)
{
	struct ms_syscall s = {};

	s.args[0] = brk;
	s.ret = brk;
	s.mm.start_brk = start_brk;
	s.mm.brk = brk;
	mt_hdr(&s.h, MS_BRK, sizeof(s), pid, 0);
	model__apply(m, &s.h);
}

/* The layout as "start-end perms[ path];..." with addresses in pages. */
struct mt_str {
	char s[8192];
	size_t n;
};

static inline void mt_str_one(const struct region *r, void *ctx)
{
	struct mt_str *b = ctx;

	if (b->n >= sizeof(b->s) - 200)
		return;
	b->n += snprintf(b->s + b->n, sizeof(b->s) - b->n, "%llx-%llx %c%c%c%c%s%s;",
			 (unsigned long long)(r->start / PG), (unsigned long long)(r->end / PG),
			 r->prot & 1 ? 'r' : '-', r->prot & 2 ? 'w' : '-', r->prot & 4 ? 'x' : '-',
			 r->prot & 8 ? 's' : 'p', r->path ? " " : "", r->path ? r->path : "");
}

static inline const char *mt_layout(const struct model *m, __u32 pid)
{
	static struct mt_str b;

	b.n = 0;
	b.s[0] = 0;
	model__for_each_region(m, pid, mt_str_one, &b);
	return b.s;
}

/* Regions sorted, non-overlapping, non-empty; totals agree. */
struct mt_cons {
	__u64 last_end, vsize, n;
	int bad;
};

static inline void mt_cons_one(const struct region *r, void *ctx)
{
	struct mt_cons *c = ctx;

	if (r->start >= r->end || r->start < c->last_end || r->start % PG || r->end % PG)
		c->bad++;
	c->last_end = r->end;
	c->vsize += r->end - r->start;
	c->n++;
}

static inline int mt_consistent(const struct model *m, __u32 pid)
{
	const struct mproc *p = model__process(m, pid);
	struct mt_cons c = {};

	model__for_each_region(m, pid, mt_cons_one, &c);
	if (!p)
		return c.n == 0;
	return !c.bad && c.vsize == p->vsize && c.n == p->nr_regions;
}

#endif
