/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fuzz bytes to records of the ABI (include/events.h), for the pipeline
 * fuzzer and the corpus generator. Each record takes a kind byte, a control
 * byte and then its fields from the input. Sizes, types and string lengths are
 * fixed up so that most records are whole; the control byte says which fields
 * are kept raw (any timestamp, pid or address) and which are steered towards
 * what a real trace holds (time moving forward, a few pids, page-aligned
 * addresses in one range), so that the model sees overlapping regions, forks
 * and exits of the same processes. One kind in 16 is a raw record: any type,
 * any size, any bytes, for the record checks.
 */
#ifndef MEMSNOOP_FUZZ_RECORDS_H
#define MEMSNOOP_FUZZ_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "events.h"

#define RD_RAW_TS 0x01 /* the timestamp as read, else the previous one + a step */
#define RD_RAW_PID 0x02 /* pids as read, else one of four */
#define RD_RAW_FLAGS 0x04 /* 32 flag bits as read, else 8 */
#define RD_LONG_STR 0x08 /* strings up to MS_PATH_MAX bytes, else 255 */
#define RD_RAW_ADDR 0x10 /* addresses as read, else pages near 0x7f0000000000 */
#define RD_BASE 0x7f0000000000ull

struct rec_decoder {
	const uint8_t *p, *end;
	__u64 ts;
};

static inline void rd_init(struct rec_decoder *d, const uint8_t *data, size_t size)
{
	d->p = data;
	d->end = data + size;
	d->ts = 1000000000;
}

/* n bytes of input into dst, zeros once the input runs out. */
static inline void rd_take(struct rec_decoder *d, void *dst, size_t n)
{
	size_t have = (size_t)(d->end - d->p) < n ? (size_t)(d->end - d->p) : n;

	memcpy(dst, d->p, have);
	memset((char *)dst + have, 0, n - have);
	d->p += have;
}

static inline __u64 rd_u64(struct rec_decoder *d, size_t n)
{
	__u64 v = 0;

	rd_take(d, &v, n);
	return v;
}

static inline __u64 rd_addr(__u64 raw, __u8 ctl)
{
	return ctl & RD_RAW_ADDR ? raw : RD_BASE + (raw & 0xffff) * 4096;
}

static inline __u64 rd_len(__u64 raw, __u8 ctl)
{
	return ctl & RD_RAW_ADDR ? raw : ((raw & 0xff) + 1) * 4096;
}

static inline __u32 rd_pid(__u32 raw, __u8 ctl)
{
	return ctl & RD_RAW_PID ? raw : 100 + raw % 4;
}

/* A NUL-terminated string from the input at s; its length; the record's new size. */
static inline size_t rd_str(struct rec_decoder *d, char *s, size_t room, __u8 ctl)
{
	size_t max = ctl & RD_LONG_STR ? MS_PATH_MAX - 1 : 255;
	size_t len = rd_u64(d, 2) % (max + 1);

	if (len > room - 1)
		len = room - 1;
	rd_take(d, s, len);
	s[len] = 0;
	return len;
}

/* Cgroup ids among the few MS_CGROUP records name, unless raw. */
static inline void rd_cg(struct ms_cgroup_ids *cg, __u8 ctl)
{
	if (!(ctl & RD_RAW_PID)) {
		cg->dfl = cg->dfl % 4 + 1;
		cg->mem = cg->mem % 4 + 1;
	}
}

/* The fields after the header, fixed up by type; returns the record's size. */
static size_t rd_body(struct rec_decoder *d, struct ms_hdr *h, __u8 ctl)
{
	char *base = (char *)h;
	size_t room = MS_REC_MAX - 8;

	switch (h->type) {
	case MS_BRK ... MS_MADVISE: {
		struct ms_syscall *s = (void *)h;
		struct ms_file *f = (void *)(s + 1);

		rd_take(d, base + sizeof(*h), sizeof(*s) - sizeof(*h));
		s->args[0] = rd_addr(s->args[0], ctl);
		s->args[1] = rd_len(s->args[1], ctl);
		if (h->type == MS_MMAP || h->type == MS_MREMAP)
			s->ret = s->ret < 0 && s->ret > -4096 ? s->ret :
								(__s64)rd_addr(s->ret, ctl);
		if (h->type == MS_MREMAP)
			s->args[2] = rd_len(s->args[2], ctl);
		if (!(h->flags & MS_FILE_VALID))
			return sizeof(*s);
		rd_take(d, f, sizeof(*f));
		f->path_len = rd_str(d, f->path, room - sizeof(*s) - sizeof(*f), ctl);
		return sizeof(*s) + sizeof(*f) + f->path_len + 1;
	}
	case MS_EXEC: {
		struct ms_exec *e = (void *)h;

		rd_take(d, base + sizeof(*h), sizeof(*e) - sizeof(*h));
		e->filename_len = rd_str(d, e->filename, room - sizeof(*e), ctl);
		return sizeof(*e) + e->filename_len + 1;
	}
	case MS_VMA: {
		struct ms_vma *v = (void *)h;

		rd_take(d, base + sizeof(*h), sizeof(*v) - sizeof(*h));
		if (!(ctl & RD_RAW_ADDR)) {
			v->start = rd_addr(v->start, ctl);
			v->end = v->start + rd_len(v->end, ctl);
		}
		v->path_len = rd_str(d, v->path, room - sizeof(*v), ctl);
		return sizeof(*v) + v->path_len + 1;
	}
	case MS_USTACK: {
		struct ms_ustack *u = (void *)h;

		rd_take(d, base + sizeof(*h), sizeof(*u) - sizeof(*h));
		u->regs[MS_UREG_IP] = rd_addr(u->regs[MS_UREG_IP], ctl);
		u->len = (u->len % (MS_USTACK_MAX + 1)) & ~7u;
		u->nr_fp %= MS_USTACK_FP_MAX + 1;
		if (u->len + u->nr_fp * sizeof(__u64) > MS_USTACK_MAX)
			u->nr_fp = 0;
		rd_take(d, u->data, u->len + u->nr_fp * sizeof(__u64));
		return sizeof(*u) + u->len + u->nr_fp * sizeof(__u64);
	}
	case MS_MODULE: {
		struct ms_module *m = (void *)h;

		rd_take(d, base + sizeof(*h), sizeof(*m) - sizeof(*h));
		m->build_id_len %= MS_BUILD_ID_MAX + 1;
		m->path_len = rd_str(d, m->path, room - sizeof(*m), ctl);
		return sizeof(*m) + m->path_len + 1;
	}
	case MS_SYMBOL: {
		struct ms_symbol *y = (void *)h;

		rd_take(d, base + sizeof(*h), sizeof(*y) - sizeof(*h));
		y->build_id_len %= MS_BUILD_ID_MAX + 1;
		if (!(ctl & RD_RAW_ADDR)) { /* near the regions, a few build-ids */
			y->start = h->flags & MS_SYMBOL_JIT ? rd_addr(y->start, ctl) :
							      y->start & 0xffff;
			y->size &= 0xfff;
			y->build_id_len %= 3;
		}
		y->name_len = rd_str(d, y->name, MS_SYMBOL_NAME_MAX, ctl);
		return sizeof(*y) + y->name_len + 1;
	}
	case MS_FRAMES: {
		struct ms_frames *fr = (void *)h;
		__u32 i;

		rd_take(d, base + sizeof(*h), sizeof(*fr) - sizeof(*h));
		fr->nr = fr->nr % MS_FRAMES_MAX + 1;
		rd_take(d, fr->ips, fr->nr * sizeof(__u64));
		for (i = 0; i < fr->nr; i++)
			fr->ips[i] = rd_addr(fr->ips[i], ctl);
		return sizeof(*fr) + fr->nr * sizeof(__u64);
	}
	case MS_RESIDENT: {
		struct ms_resident *r = (void *)h;
		__u32 i;

		rd_take(d, base + sizeof(*h), sizeof(*r) - sizeof(*h));
		r->nr %= 9; /* a few ranges; ctl keeps them steered or raw */
		for (i = 0; i < r->nr; i++) {
			struct ms_rss_range *x = &r->r[i];

			rd_take(d, x, sizeof(*x));
			if (!(ctl & RD_RAW_ADDR)) {
				x->start = rd_addr(x->start, ctl);
				x->end = x->start + rd_len(x->end, ctl);
				x->rss %= (x->end - x->start) / 4096 + 1;
			}
		}
		return sizeof(*r) + r->nr * sizeof(r->r[0]);
	}
	case MS_OOM: {
		struct ms_oom *e = (void *)h;
		char *paths;
		size_t left;

		rd_take(d, base + sizeof(*h), sizeof(*e) - sizeof(*h));
		if (!(h->flags & MS_OOM_RESOLVED))
			return sizeof(*e);
		e->nr_members %= 5;
		rd_take(d, e->members, MS_ALIGN8(e->nr_members * sizeof(__u32)));
		paths = (char *)e->members + MS_ALIGN8(e->nr_members * sizeof(__u32));
		left = room - (paths - base);
		e->cgroup_len = rd_str(d, paths, left / 2, ctl);
		e->oom_cgroup_len = rd_str(d, paths + e->cgroup_len + 1, left / 2, ctl);
		return paths - base + e->cgroup_len + e->oom_cgroup_len + 2;
	}
	case MS_CGROUP: {
		struct ms_cgroup *c = (void *)h;

		rd_take(d, base + sizeof(*h), sizeof(*c) - sizeof(*h));
		if (!(ctl & RD_RAW_PID)) { /* ids the processes' records name */
			c->id = c->id % 4 + 1;
			c->hierarchy = c->hierarchy % 2 + 1;
		}
		c->path_len = rd_str(d, c->path, room - sizeof(*c), ctl);
		return sizeof(*c) + c->path_len + 1;
	}
	case MS_CGROUP_MOVE: {
		struct ms_cgroup_move *mv = (void *)h;

		rd_take(d, base + sizeof(*h), sizeof(*mv) - sizeof(*h));
		rd_cg(&mv->cg, ctl);
		return sizeof(*mv);
	}
	case MS_FORK: {
		struct ms_fork *f = (void *)h;

		rd_take(d, base + sizeof(*h), sizeof(*f) - sizeof(*h));
		rd_cg(&f->cg, ctl);
		f->child_pid = rd_pid(f->child_pid, ctl);
		f->child_tid = h->flags & MS_FORK_THREAD ? h->pid + 1 : f->child_pid;
		f->child_sp = rd_addr(f->child_sp, ctl);
		return sizeof(*f);
	}
	}
	return 0;
}

static const struct {
	__u16 type, size; /* size 0: the body decides */
} rd_kinds[] = {
	{ MS_BRK, 0 },
	{ MS_MMAP, 0 },
	{ MS_MUNMAP, 0 },
	{ MS_MREMAP, 0 },
	{ MS_MPROTECT, 0 },
	{ MS_MADVISE, 0 },
	{ MS_FAULT, sizeof(struct ms_fault) },
	{ MS_STACK, sizeof(struct ms_stack) },
	{ MS_FORK, 0 },
	{ MS_EXEC, 0 },
	{ MS_EXIT, sizeof(struct ms_exit) },
	{ MS_EXIT_MMAP, sizeof(struct ms_hdr) },
	{ MS_SIGNAL, sizeof(struct ms_signal) },
	{ MS_LIMITS, sizeof(struct ms_limits) },
	{ MS_FAULTS, sizeof(struct ms_faults) },
	{ MS_LOST, sizeof(struct ms_lost) },
	{ MS_SEED_BEGIN, sizeof(struct ms_seed_begin) },
	{ MS_VMA, 0 },
	{ MS_VMA, 0 },
	{ MS_VMA, 0 },
	{ MS_SEED_END, sizeof(struct ms_seed_end) },
	{ MS_USTACK, 0 },
	{ MS_MODULE, 0 },
	{ MS_SYMBOL, 0 },
	{ MS_FRAMES, 0 },
	{ MS_RESIDENT, 0 },
	{ MS_OOM, 0 },
	{ MS_CGROUP, 0 },
	{ MS_CGROUP_MOVE, 0 },
};

/* A raw record: any type and size, bytes as read (the record checks' turn). */
static void rd_raw(struct rec_decoder *d, struct ms_hdr *h)
{
	size_t size = 8 * (3 + rd_u64(d, 2) % (MS_REC_MAX / 8 - 2));

	rd_take(d, h, size);
	h->size = size;
}

/* The next record into buf (MS_REC_MAX bytes, 8-aligned); 0 once the input is used up. */
static inline int rd_next(struct rec_decoder *d, __u64 *buf)
{
	struct ms_hdr *h = (void *)buf;
	__u8 kind, ctl;
	size_t size;

	if (d->p >= d->end)
		return 0;
	kind = rd_u64(d, 1);
	ctl = rd_u64(d, 1);
	memset(buf, 0, MS_REC_MAX);
	if (kind % 16 == 15) {
		rd_raw(d, h);
		return 1;
	}
	h->type = rd_kinds[kind % (sizeof(rd_kinds) / sizeof(rd_kinds[0]))].type;
	h->ts_ns = ctl & RD_RAW_TS ? rd_u64(d, 8) : (d->ts += rd_u64(d, 2) * 1000);
	h->pid = rd_pid(rd_u64(d, ctl & RD_RAW_PID ? 4 : 1), ctl);
	h->tid = ctl & RD_RAW_PID ? rd_u64(d, 4) : h->pid + (kind >> 7);
	h->flags = rd_u64(d, ctl & RD_RAW_FLAGS ? 4 : 1);
	size = rd_kinds[kind % (sizeof(rd_kinds) / sizeof(rd_kinds[0]))].size;
	if (size)
		rd_take(d, h + 1, size - sizeof(*h));
	else
		size = rd_body(d, h, ctl);
	h->size = MS_ALIGN8(size);
	return 1;
}

#endif
