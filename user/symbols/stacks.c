// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "symbols/stacks.h"
#include "symbols/unwind.h"
#include "util/pidtab.h"
#include "util/record.h"

#define STACK_BUCKETS 4096 /* a power of two */

struct stack_entry {
	struct stack_entry *next; /* same bucket */
	__u64 hash;
	struct stack s; /* frames follow */
};

/* Which stack a call had, by the call's pid, tid and time: what regions keep of their maker. */
struct call_entry {
	struct call_entry *next;
	__u64 ts;
	__u32 pid, tid;
	unsigned id;
};

#define CALL_BUCKETS 65536 /* a power of two */

/* A thread's stack, unwound as it came: waits for its call's record. */
struct pending_ustack {
	__u64 ts; /* the call's key: call_key() */
	__u32 pid, type;
	bool fp;
	unsigned nr;
	bool recorded; /* the frames a recording found (MS_FRAMES): not unwound again */
	__u64 ips[STACK_MAX_FRAMES];
};

struct stacks {
	const struct model *m;
	struct unwinder *unw;
	struct pidtab *pending; /* tid -> struct pending_ustack */
	struct stack_entry *buckets[STACK_BUCKETS];
	struct call_entry **calls; /* CALL_BUCKETS chains */
	struct stack_entry **by_id; /* [id - 1] */
	unsigned nr, cap;
	/* the call record being delivered and its stack */
	__u64 cur_ts;
	__u32 cur_tid;
	__u16 cur_type;
	const struct stack *cur;
};

struct stacks *stacks__new(const struct model *m)
{
	struct stacks *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->m = m;
	st->unw = unwinder__new(m);
	st->pending = pidtab__new(sizeof(struct pending_ustack));
	st->calls = calloc(CALL_BUCKETS, sizeof(*st->calls));
	if (!st->unw || !st->pending || !st->calls) {
		stacks__free(st);
		return NULL;
	}
	return st;
}

void stacks__free(struct stacks *st)
{
	unsigned i;

	if (!st)
		return;
	pidtab__free(st->pending);
	unwinder__free(st->unw);
	for (i = 0; st->calls && i < CALL_BUCKETS; i++) {
		struct call_entry *c, *next;

		for (c = st->calls[i]; c; c = next) {
			next = c->next;
			free(c);
		}
	}
	free(st->calls);
	for (i = 0; i < st->nr; i++)
		free(st->by_id[i]);
	free(st->by_id);
	free(st);
}

static __u64 hash_ips(__u32 pid, bool fp, const __u64 *ips, unsigned nr)
{
	__u64 h = 0xcbf29ce484222325ULL ^ pid ^ (__u64)fp << 32;
	unsigned i;

	for (i = 0; i < nr; i++)
		h = (h ^ ips[i]) * 0x100000001b3ULL;
	return h ^ nr;
}

static bool same_stack(const struct stack *s, __u32 pid, bool fp, const __u64 *ips, unsigned nr)
{
	unsigned i;

	if (s->pid != pid || s->fp != fp || s->nr != nr)
		return false;
	for (i = 0; i < nr; i++)
		if (s->frames[i].ip != ips[i])
			return false;
	return true;
}

/* The stack of these return addresses: an existing id, or a new one, symbolized once. */
static const struct stack *intern_stack(struct stacks *st, __u32 pid, bool fp, const __u64 *ips,
					unsigned nr)
{
	__u64 h = hash_ips(pid, fp, ips, nr);
	struct stack_entry **b = &st->buckets[h & (STACK_BUCKETS - 1)], *e;
	unsigned i;

	for (e = *b; e; e = e->next)
		if (e->hash == h && same_stack(&e->s, pid, fp, ips, nr))
			return &e->s;
	if (st->nr == st->cap) {
		unsigned cap = st->cap ? 2 * st->cap : 256;
		struct stack_entry **n = realloc(st->by_id, cap * sizeof(*n));

		if (!n)
			return NULL;
		st->by_id = n;
		st->cap = cap;
	}
	e = calloc(1, sizeof(*e) + nr * sizeof(struct frame));
	if (!e)
		return NULL;
	e->hash = h;
	e->s.id = st->nr + 1;
	e->s.pid = pid;
	e->s.fp = fp;
	e->s.nr = nr;
	for (i = 0; i < nr; i++)
		unwinder__symbolize(st->unw, pid, ips[i], i == 0, &e->s.frames[i]);
	e->next = *b;
	*b = e;
	st->by_id[st->nr++] = e;
	return &e->s;
}

static unsigned call_bucket(__u32 pid, __u32 tid, __u64 ts)
{
	__u64 h = (ts ^ ((__u64)pid << 32 | tid)) * 0x9e3779b97f4a7c15ULL;

	return h >> 48; /* 16 bits: CALL_BUCKETS */
}

static void note_call(struct stacks *st, const struct ms_hdr *rec, unsigned id)
{
	struct call_entry *c = malloc(sizeof(*c)), **b;

	if (!c)
		return;
	b = &st->calls[call_bucket(rec->pid, rec->tid, rec->ts_ns)];
	*c = (struct call_entry){
		.next = *b, .ts = rec->ts_ns, .pid = rec->pid, .tid = rec->tid, .id = id
	};
	*b = c;
}

const struct stack *stacks__of_call(const struct stacks *st, __u32 pid, __u32 tid, __u64 ts)
{
	const struct call_entry *c;

	if (!st || !ts)
		return NULL;
	for (c = st->calls[call_bucket(pid, tid, ts)]; c; c = c->next)
		if (c->ts == ts && c->pid == pid && c->tid == tid)
			return stacks__get(st, c->id);
	return NULL;
}

/* fp[] are ips[from..from + nr_fp): the walk's frames, as far as the chain went */
static bool same_ips(const __u64 *fp, unsigned nr_fp, const __u64 *ips, unsigned nr, unsigned from)
{
	return nr_fp && nr_fp + from <= nr && !memcmp(fp, ips + from, nr_fp * sizeof(*ips));
}

/*
 * The chain ends where a thread starts: _start zeroes rbp and libc's start
 * code (no frame pointers) keeps it, so the chain's last frame is the one
 * that called main or the thread's function, and what follows is the start
 * code every stack of the thread shares.
 */
static bool chain_ends_at_start(struct stacks *st, __u32 pid, __u64 ip)
{
	static const char *const starts[] = { "__libc_start_call_main",
					      "__libc_start_main",
					      "_start",
					      "start_thread",
					      "clone",
					      "clone3" };
	struct frame f;
	size_t i;

	unwinder__symbolize(st->unw, pid, ip, false, &f);
	for (i = 0; f.sym && i < sizeof(starts) / sizeof(starts[0]); i++)
		if (!strncmp(f.sym, starts[i], strlen(starts[i])) &&
		    (!f.sym[strlen(starts[i])] || f.sym[strlen(starts[i])] == '@'))
			return true;
	return false;
}

/*
 * The frame-pointer chain is whole when it found the frames the CFI walk
 * did, up to the thread's outermost one or its start code. A leaf without a
 * frame pointer (libc's syscall wrappers on Debian) hides its caller from
 * the chain: that caller's return address is the word at sp, where the leaf
 * has not moved sp. A chain broken any other way (a caller that uses rbp for
 * data) differs: the walk is the truth.
 */
static bool fp_complete(struct stacks *st, const struct ms_ustack *us, const __u64 *ips,
			unsigned nr)
{
	const __u64 *fp = (const void *)(us->data + us->len);
	unsigned found = us->nr_fp;
	__u64 at_sp;

	if (!found || nr >= STACK_MAX_FRAMES || fp[0] != ips[0])
		return false;
	if (!same_ips(fp, found, ips, nr, 0)) {
		if (us->len < sizeof(at_sp) || nr < 2)
			return false;
		memcpy(&at_sp, us->data, sizeof(at_sp));
		if (at_sp != ips[1] || !same_ips(fp + 1, found - 1, ips, nr, 2))
			return false;
		found++;
	}
	return found == nr || chain_ends_at_start(st, us->h.pid, ips[found - 1]);
}

/*
 * Unwound as it comes, against the layout just before its call: the 8K copy
 * is not kept while the call's record is awaited.
 */
static void keep_ustack(struct stacks *st, const struct ms_hdr *rec)
{
	const struct ms_ustack *us = (const void *)rec;
	struct pending_ustack *p = pidtab__put(st->pending, rec->tid);

	if (!p)
		return;
	if (p->recorded && p->ts == rec->ts_ns && p->pid == rec->pid && p->type == rec->flags) {
		/* the recorded frames stand; the chain still says how they were found */
		p->recorded = false;
		p->fp = fp_complete(st, us, p->ips, p->nr);
		return;
	}
	p->ts = rec->ts_ns;
	p->pid = rec->pid;
	p->type = rec->flags;
	p->recorded = false;
	p->nr = unwinder__unwind(st->unw, us, p->ips, STACK_MAX_FRAMES);
	p->fp = fp_complete(st, us, p->ips, p->nr);
	unwinder__note_frames(st->unw, us, p->ips, p->nr);
}

/* A recording's frames of the MS_USTACK that follows (--symbols): its files may be gone. */
static void keep_frames(struct stacks *st, const struct ms_hdr *rec)
{
	const struct ms_frames *fr = (const void *)rec;
	struct pending_ustack *p = pidtab__put(st->pending, rec->tid);

	if (!p)
		return;
	p->ts = rec->ts_ns;
	p->pid = rec->pid;
	p->type = rec->flags;
	p->recorded = true;
	p->fp = false;
	p->nr = fr->nr < STACK_MAX_FRAMES ? fr->nr : STACK_MAX_FRAMES;
	memcpy(p->ips, fr->ips, p->nr * sizeof(__u64));
}

/* The time its stack was stamped with: when it took the mmap lock, else when it entered. */
static __u64 call_key(const struct ms_syscall *s)
{
	return s->h.flags & MS_SYS_LOCK_TS ? s->h.ts_ns : s->h.ts_ns - s->dur_ns;
}

static void take_stack(struct stacks *st, const struct ms_hdr *rec)
{
	const struct ms_syscall *s = (const void *)rec;
	struct pending_ustack *p = pidtab__get(st->pending, rec->tid);

	if (!p)
		return;
	if (p->pid == rec->pid && p->type == rec->type && p->ts == call_key(s) && !p->recorded) {
		unwinder__stamp(st->unw, rec);
		st->cur = intern_stack(st, rec->pid, p->fp, p->ips, p->nr);
		if (st->cur)
			note_call(st, rec, st->cur->id);
	}
	pidtab__del(st->pending, rec->tid);
}

int stacks__fn(void *ctx, const struct ms_hdr *rec)
{
	struct stacks *st = ctx;

	st->cur = NULL;
	st->cur_ts = rec->ts_ns;
	st->cur_tid = rec->tid;
	st->cur_type = rec->type;
	switch (rec->type) {
	case MS_USTACK:
		keep_ustack(st, rec);
		break;
	case MS_BRK ... MS_MADVISE:
		take_stack(st, rec);
		break;
	case MS_MODULE:
		unwinder__expect(st->unw, (const struct ms_module *)rec);
		break;
	case MS_SYMBOL:
		unwinder__add_symbol(st->unw, (const struct ms_symbol *)rec);
		break;
	case MS_FRAMES:
		keep_frames(st, rec);
		break;
	case MS_EXEC:
		unwinder__forget(st->unw, rec->pid);
		unwinder__exec(st->unw, rec->pid, ((const struct ms_exec *)rec)->filename);
		break;
	case MS_FORK:
		if (!(rec->flags & MS_FORK_THREAD))
			unwinder__fork(st->unw, rec->pid, ((const struct ms_fork *)rec)->child_pid);
		break;
	case MS_EXIT:
		if (rec->flags & MS_EXIT_GROUP)
			unwinder__forget(st->unw, rec->pid);
		break;
	}
	return 0;
}

const struct stack *stacks__of(const struct stacks *st, const struct ms_hdr *rec)
{
	if (!st || rec->ts_ns != st->cur_ts || rec->tid != st->cur_tid || rec->type != st->cur_type)
		return NULL;
	return st->cur;
}

void stacks__record_modules(struct stacks *st, bool on)
{
	unwinder__record_modules(st->unw, on);
}

int stacks__drain_modules(struct stacks *st, int (*fn)(void *ctx, const struct ms_hdr *rec),
			  void *ctx)
{
	return unwinder__drain_modules(st->unw, fn, ctx);
}

void stacks__record_symbols(struct stacks *st, bool on)
{
	unwinder__record_symbols(st->unw, on);
}

void stacks__read_perf_maps(struct stacks *st, bool on)
{
	unwinder__read_perf_maps(st->unw, on);
}

void stacks__on_bottom(struct stacks *st, void (*fn)(void *ctx, __u32 tid, __u64 bottom), void *ctx)
{
	unwinder__on_bottom(st->unw, fn, ctx);
}

void stacks__probe(void *ctx, const struct ms_hdr *rec)
{
	struct stacks *st = ctx;
	__u64 ips[STACK_MAX_FRAMES];

	if (!unwinder__knows_bottom(st->unw, rec->tid))
		unwinder__unwind(st->unw, (const struct ms_ustack *)rec, ips, STACK_MAX_FRAMES);
}

const struct stack *stacks__get(const struct stacks *st, unsigned id)
{
	return st && id && id <= st->nr ? &st->by_id[id - 1]->s : NULL;
}

/* libc, the dynamic loader and the allocators that call mmap for their callers */
static bool in_allocator(const struct frame *f)
{
	static const char *const libs[] = { "/libc.so",	    "/libc-",	    "/ld-linux",
					    "/libjemalloc", "/libtcmalloc", "/libmimalloc" };
	size_t i;

	if (!f->module)
		return false;
	for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		if (strstr(f->module, libs[i]))
			return true;
	return false;
}

unsigned stack__site(const struct stack *s)
{
	unsigned i;

	for (i = 0; i < s->nr; i++)
		if (!in_allocator(&s->frames[i]))
			return i;
	return 0;
}

const struct frame *stack__site_frame(const struct stack *s)
{
	const struct frame *f = s && s->nr ? &s->frames[stack__site(s)] : NULL;

	return f && !in_allocator(f) ? f : NULL;
}

const char *stack__unwind(const struct stack *s)
{
	return s->fp ? "fp" : "dwarf";
}
