// SPDX-License-Identifier: GPL-2.0
/*
 * Crash and ENOMEM explanations: see explain.h. The model gives the layout at
 * the moment of the signal; what it no longer holds (regions unmapped a moment
 * ago, the last fault's error code) is remembered here, bounded per process.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "pidtab.h"
#include "view/explain.h"
#include "view/fmt.h"

#define NULL_PAGE 4096ULL
#define MMAP_MIN_ADDR 65536ULL /* vm.mmap_min_addr's default */
#define USER_TOP 0x800000000000ULL /* x86-64, 4-level paging */
#define STACK_GAP ((1ULL << 20) + (64ULL << 10)) /* stack_guard_gap and some slack */
#define HEAP_SLACK (64ULL << 20) /* "above the break" up to this far */
#define MAX_MAP_COUNT 65530 /* vm.max_map_count's default */
#define SI_KERNEL_CODE 0x80

struct unmapped {
	__u64 start, end, ts_ns;
	__u32 tid;
	__u16 cls;
	bool moved; /* mremap moved it away */
	char path[64];
};

struct pstate {
	struct unmapped u[EXPLAIN_MUNMAPS];
	unsigned head, nr; /* ring: u[head] is the next slot */
	__u64 fault_addr;
	__u32 fault_flags;
	bool have_fault;
};

struct explain {
	const struct model *m;
	struct pidtab *procs; /* struct pstate by pid */
};

struct explain *explain__new(const struct model *m)
{
	struct explain *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->m = m;
	x->procs = pidtab__new(sizeof(struct pstate));
	if (!x->procs) {
		free(x);
		return NULL;
	}
	return x;
}

void explain__free(struct explain *x)
{
	if (!x)
		return;
	pidtab__free(x->procs);
	free(x);
}

static __u64 page_up(__u64 v)
{
	return (v + 4095) & ~4095ULL;
}

static void remember_unmap(struct explain *x, const struct ms_hdr *h, const struct region *r,
			   __u64 a, __u64 b, bool moved)
{
	struct pstate *ps = pidtab__put(x->procs, h->pid);
	struct unmapped *u;

	if (!ps || a >= b)
		return;
	u = &ps->u[ps->head];
	ps->head = (ps->head + 1) % EXPLAIN_MUNMAPS;
	if (ps->nr < EXPLAIN_MUNMAPS)
		ps->nr++;
	memset(u, 0, sizeof(*u));
	u->start = a;
	u->end = b;
	u->ts_ns = h->ts_ns;
	u->tid = h->tid;
	u->moved = moved;
	u->cls = r ? r->cls : RC_UNKNOWN;
	if (r && r->path)
		snprintf(u->path, sizeof(u->path), "%s", r->path);
}

void explain__note(struct explain *x, const struct ms_hdr *h, const struct region *landed)
{
	const struct ms_syscall *s = (const void *)h;
	struct pstate *ps;

	switch (h->type) {
	case MS_MUNMAP:
		/* even when the model had nothing there (a seed read after it) */
		if (h->size >= sizeof(*s) && s->ret == 0)
			remember_unmap(x, h, landed, s->args[0], s->args[0] + page_up(s->args[1]),
				       false);
		break;
	case MS_MREMAP:
		/* moved away: the old range is gone (unless MREMAP_DONTUNMAP) */
		if (h->size >= sizeof(*s) && s->ret >= 0 && (__u64)s->ret != s->args[0] &&
		    !(s->args[3] & 4))
			remember_unmap(x, h, landed, s->args[0], s->args[0] + page_up(s->args[1]),
				       true);
		break;
	case MS_FAULT:
		ps = h->size >= sizeof(struct ms_fault) ? pidtab__put(x->procs, h->pid) : NULL;
		if (ps) {
			ps->fault_addr = ((const struct ms_fault *)h)->addr;
			ps->fault_flags = h->flags;
			ps->have_fault = true;
		}
		break;
	case MS_EXEC:
		pidtab__del(x->procs, h->pid); /* a new address space */
		break;
	case MS_EXIT:
		if (h->flags & MS_EXIT_GROUP)
			pidtab__del(x->procs, h->pid);
		break;
	}
}

/* ---- the layout around an address ---- */

struct near {
	__u64 addr;
	const struct region *below, *above; /* nearest regions on each side */
	const struct region *stack, *heap; /* the main stack, the heap */
	const struct region *prev; /* walking state */
	const struct region *containing;
};

static void near_fn(const struct region *r, void *arg)
{
	struct near *n = arg;

	if (r->cls == RC_STACK)
		n->stack = r;
	if (r->cls == RC_HEAP)
		n->heap = r;
	if (r->end <= n->addr)
		n->below = r;
	else if (r->start > n->addr && !n->above)
		n->above = r;
	else if (r->start <= n->addr && n->addr < r->end)
		n->containing = r;
}

static void find_near(const struct model *m, __u32 pid, __u64 addr, struct near *n)
{
	memset(n, 0, sizeof(*n));
	n->addr = addr;
	model__for_each_region(m, pid, near_fn, n);
}

/* "[text] /usr/bin/prog 55d0c0000000-55d0c0001000 r-x" */
static char *describe_region(char *buf, size_t len, const struct region *r)
{
	bool named = r->path && r->path[0] != '[';

	snprintf(buf, len, "[%s]%s%s %llx-%llx %c%c%c", region_class_name(r->cls), named ? " " : "",
		 named ? r->path : "", (unsigned long long)r->start, (unsigned long long)r->end,
		 r->prot & MS_VMA_READ ? 'r' : '-', r->prot & MS_VMA_WRITE ? 'w' : '-',
		 r->prot & MS_VMA_EXEC ? 'x' : '-');
	return buf;
}

static void say(struct explanation *out, const char *cause, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct explanation *out, const char *cause, const char *fmt, ...)
{
	va_list ap;

	out->cause = cause;
	va_start(ap, fmt);
	vsnprintf(out->text, sizeof(out->text), fmt, ap);
	va_end(ap);
}

static char *fmt_ago(char *buf, size_t len, __u64 ns)
{
	if (ns < 1000000)
		snprintf(buf, len, "%.0f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
	return buf;
}

/* The thread stack just above a guard page, and its owner. */
struct above_ctx {
	__u64 addr;
	const struct region *r;
};

static void above_fn(const struct region *r, void *arg)
{
	struct above_ctx *c = arg;

	if (r->start == c->addr)
		c->r = r;
}

static bool explain_guard(struct explain *x, const struct ms_signal *e, const struct region *g,
			  struct explanation *out)
{
	struct above_ctx c = { .addr = g->end };
	char size[16];
	__u32 tid;

	model__for_each_region(x->m, e->h.pid, above_fn, &c);
	tid = c.r && c.r->owner_tid ? c.r->owner_tid : e->h.tid;
	if (c.r)
		fmt_size(size, sizeof(size), c.r->end - c.r->start);
	say(out, "thread-stack-overflow",
	    "stack overflow: the guard page %llx-%llx of thread %u's stack%s%s%s%llx-%llx%s",
	    (unsigned long long)g->start, (unsigned long long)g->end, tid, c.r ? " (" : "",
	    c.r ? size : "", c.r ? " at " : "", (unsigned long long)(c.r ? c.r->start : 0),
	    (unsigned long long)(c.r ? c.r->end : 0), c.r ? ")" : "");
	if (!c.r) /* no stack above: just the guard */
		say(out, "thread-stack-overflow",
		    "stack overflow: a guard page %llx-%llx of a thread stack (thread %u)",
		    (unsigned long long)g->start, (unsigned long long)g->end, tid);
	return true;
}

/* What the faulting access was: from the last streamed fault, or the protections. */
enum access { ACC_UNKNOWN, ACC_READ, ACC_WRITE, ACC_EXEC };

static enum access access_kind(struct explain *x, const struct ms_signal *e, const struct region *r)
{
	struct pstate *ps = pidtab__get(x->procs, e->h.pid);

	if (ps && ps->have_fault && (ps->fault_addr >> 12) == (e->addr >> 12))
		return ps->fault_flags & MS_PF_INSTR ? ACC_EXEC :
		       ps->fault_flags & MS_PF_WRITE ? ACC_WRITE :
						       ACC_READ;
	/* the only access a protection allows to fail */
	if ((r->prot & 7) == (MS_VMA_READ | MS_VMA_EXEC))
		return ACC_WRITE;
	if ((r->prot & 7) == (MS_VMA_READ | MS_VMA_WRITE))
		return ACC_EXEC;
	return ACC_UNKNOWN;
}

static bool explain_mapped(struct explain *x, const struct ms_signal *e, const struct region *r,
			   struct explanation *out)
{
	enum access acc = access_kind(x, e, r);
	char d[256];

	describe_region(d, sizeof(d), r);
	if (r->cls == RC_GUARD)
		return explain_guard(x, e, r, out);
	if (e->code == 4) {
		say(out, "pkey", "protection key denied the access to %s", d);
		return true;
	}
	if (!(r->prot & 7)) {
		say(out, "prot-none", "access to a PROT_NONE region %s%s", d,
		    r->cls == RC_ARENA ? " (malloc arena space not yet in use)" : "");
		return true;
	}
	if (acc == ACC_WRITE && !(r->prot & MS_VMA_WRITE)) {
		if (r->cls == RC_TEXT)
			say(out, "write-text", "write to the text (code) of %s: read-only", d);
		else
			say(out, "write-read-only", "write to a read-only region %s", d);
		return true;
	}
	if (acc == ACC_EXEC && !(r->prot & MS_VMA_EXEC)) {
		say(out, "exec-non-exec",
		    "execute of a non-executable region %s: a bad function pointer or return "
		    "address",
		    d);
		return true;
	}
	if (!(r->prot & MS_VMA_WRITE) && !(r->prot & MS_VMA_EXEC)) {
		say(out, "write-read-only", "write to (or execute of) a read-only region %s", d);
		return true;
	}
	say(out, "access", "the kernel refused an access to %s", d);
	return true;
}

static const struct unmapped *recent_unmap(struct explain *x, __u32 pid, __u64 addr)
{
	struct pstate *ps = pidtab__get(x->procs, pid);
	unsigned i;

	for (i = 1; ps && i <= ps->nr; i++) {
		const struct unmapped *u =
			&ps->u[(ps->head + EXPLAIN_MUNMAPS - i) % EXPLAIN_MUNMAPS];

		if (u->start <= addr && addr < u->end)
			return u;
	}
	return NULL;
}

static void explain_unmapped_gap(const struct near *n, struct explanation *out)
{
	char b[256] = "", a[256] = "", db[24] = "", da[24] = "";

	if (n->below) {
		describe_region(b, sizeof(b), n->below);
		fmt_size(db, sizeof(db), n->addr - n->below->end);
	}
	if (n->above) {
		describe_region(a, sizeof(a), n->above);
		fmt_size(da, sizeof(da), n->above->start - n->addr);
	}
	say(out, "unmapped", "unmapped address 0x%llx: %s%s%s%s%s%s%s%s",
	    (unsigned long long)n->addr, db, n->below ? " above " : "", b,
	    n->below && n->above ? ", " : "", da, n->above ? " below " : "", a,
	    !n->below && !n->above ? "no regions at all" : "");
}

/* "8M", "unlimited", or "unknown" when no record said. */
static char *fmt_limit(char *buf, size_t len, const struct mproc *p, __u64 v)
{
	if (!p || !p->limits_known)
		snprintf(buf, len, "unknown");
	else if (v == ~0ULL)
		snprintf(buf, len, "unlimited");
	else
		fmt_size(buf, len, v);
	return buf;
}

static void main_stack_overflow(const struct mproc *p, const struct ms_signal *e,
				const struct region *st, struct explanation *out)
{
	char size[16], below[24] = "at the bottom of", lim[16];

	fmt_size(size, sizeof(size), st->end - st->start);
	if (e->addr < st->start) {
		fmt_size(below, sizeof(below) - 10, st->start - e->addr);
		strcat(below, " below");
	}
	say(out, "main-stack-overflow",
	    "stack overflow in the main thread: %s the main stack %llx-%llx (%s), which could "
	    "grow no further (RLIMIT_STACK %s)",
	    below, (unsigned long long)st->start, (unsigned long long)st->end, size,
	    fmt_limit(lim, sizeof(lim), p, p ? p->rlim_stack : 0));
}

/* The heap's break and what lies above it. */
static bool above_break(const struct mproc *p, const struct near *n, struct explanation *out)
{
	__u64 brk = p && p->brk ? p->brk : n->heap ? n->heap->end : 0;
	__u64 top = page_up(brk), start;
	char extra[16], heap[64];

	if (!brk || n->addr < top || n->addr - top >= HEAP_SLACK ||
	    (n->below && n->below->end > top))
		return false;
	start = p && p->start_brk ? p->start_brk : n->heap ? n->heap->start : brk;
	fmt_size(extra, sizeof(extra), n->addr - brk);
	if (page_up(start) >= top)
		snprintf(heap, sizeof(heap), "the heap is empty");
	else
		snprintf(heap, sizeof(heap), "heap %llx-%llx", (unsigned long long)start,
			 (unsigned long long)top);
	say(out, "above-break",
	    "above the heap's break: %s past the break 0x%llx (%s): past the end of the last "
	    "heap block, or memory given back by brk",
	    extra, (unsigned long long)brk, heap);
	return true;
}

static bool explain_unmapped(struct explain *x, const struct ms_signal *e, struct explanation *out)
{
	const struct mproc *p = model__process(x->m, e->h.pid);
	const struct unmapped *u;
	char ago[32];
	struct near n;

	if (e->addr < NULL_PAGE) {
		say(out, "null-page", "the null page (address 0x%llx): a NULL pointer dereference",
		    (unsigned long long)e->addr);
		return true;
	}
	if (e->addr < MMAP_MIN_ADDR) {
		say(out, "null-page",
		    "near NULL (0x%llx, below vm.mmap_min_addr): a NULL pointer plus an offset",
		    (unsigned long long)e->addr);
		return true;
	}
	if (e->addr >= USER_TOP) {
		say(out, "kernel-address", "0x%llx is not a user address: a wild pointer",
		    (unsigned long long)e->addr);
		return true;
	}
	u = recent_unmap(x, e->h.pid, e->addr);
	if (u) {
		char cls[24] = "";

		if (u->cls != RC_UNKNOWN)
			snprintf(cls, sizeof(cls), " [%s]", region_class_name(u->cls));
		say(out, "use-after-unmap",
		    "use after unmap: %llx-%llx%s%s%s was %s %s ago by tid %u",
		    (unsigned long long)u->start, (unsigned long long)u->end, cls,
		    u->path[0] ? " " : "", u->path, u->moved ? "moved away (mremap)" : "unmapped",
		    fmt_ago(ago, sizeof(ago), e->h.ts_ns - u->ts_ns), u->tid);
		return true;
	}
	find_near(x->m, e->h.pid, e->addr, &n);
	if (n.stack && e->addr < n.stack->start && n.stack->start - e->addr <= STACK_GAP &&
	    (!n.below || n.below->end <= e->addr)) {
		main_stack_overflow(p, e, n.stack, out);
		return true;
	}
	if (above_break(p, &n, out))
		return true;
	explain_unmapped_gap(&n, out);
	return true;
}

static bool explain_bus(struct explain *x, const struct ms_signal *e, struct explanation *out)
{
	const struct region *r = model__region_at(x->m, e->h.pid, e->addr);
	char d[256] = "an unmapped address";

	if (r)
		describe_region(d, sizeof(d), r);
	if (e->code == 1)
		say(out, "bus-alignment", "misaligned access at 0x%llx in %s",
		    (unsigned long long)e->addr, d);
	else if (e->code == 2 && r && r->path && r->path[0] != '[')
		say(out, "bus-beyond-file",
		    "a page of %s beyond the end of its file (truncated while mapped?)", d);
	else if (e->code == 3)
		say(out, "bus-hardware", "hardware memory error at 0x%llx in %s",
		    (unsigned long long)e->addr, d);
	else
		say(out, "bus", "bus error at 0x%llx in %s: no page could back it",
		    (unsigned long long)e->addr, d);
	return true;
}

bool explain__signal(struct explain *x, const struct ms_signal *e, struct explanation *out)
{
	const struct region *r;
	char d[256];

	if (!x || e->h.size < sizeof(*e))
		return false;
	memset(out, 0, sizeof(*out));
	if (e->code <= 0) {
		say(out, "sent", "sent by pid %u, not a fault: the address means nothing",
		    e->sender_pid);
		return true;
	}
	if (e->code == SI_KERNEL_CODE) {
		say(out, "general-protection",
		    "general protection fault: the kernel cannot name the address (a "
		    "non-canonical pointer, or a privileged instruction)");
		return true;
	}
	if (e->sig == SIGBUS)
		return explain_bus(x, e, out);
	r = model__region_at(x->m, e->h.pid, e->addr);
	if (e->sig == SIGILL || e->sig == SIGFPE) {
		if (r)
			say(out, "instruction", "the instruction at 0x%llx in %s",
			    (unsigned long long)e->addr, describe_region(d, sizeof(d), r));
		else
			say(out, "instruction", "the instruction at 0x%llx, in no mapped region",
			    (unsigned long long)e->addr);
		return true;
	}
	if (e->sig != SIGSEGV)
		return false;
	/*
	 * Nothing mapped there, says the kernel, but the model has the main
	 * stack there: it grew the stack for a fault the kernel refused.
	 */
	if (r && r->cls == RC_STACK && e->code == 1) {
		main_stack_overflow(model__process(x->m, e->h.pid), e, r, out);
		return true;
	}
	if (r)
		return explain_mapped(x, e, r, out);
	return explain_unmapped(x, e, out);
}

/* ---- ENOMEM ---- */

struct usage {
	__u64 data; /* private writable, not stack: what RLIMIT_DATA counts */
	__u32 regions;
};

static void usage_fn(const struct region *r, void *arg)
{
	struct usage *u = arg;

	u->regions++;
	if ((r->prot & (MS_VMA_WRITE | MS_VMA_SHARED)) == MS_VMA_WRITE && r->cls != RC_STACK &&
	    r->cls != RC_THREAD_STACK)
		u->data += r->end - r->start;
}

struct request {
	const char *call;
	__u64 len; /* bytes the call asked to add */
	bool data; /* counts against RLIMIT_DATA and overcommit */
};

static bool brk_failed(const struct ms_syscall *s, const struct mproc *p)
{
	return s->args[0] && (__u64)s->ret != s->args[0] && s->args[0] > (__u64)s->ret && p &&
	       p->start_brk && s->args[0] > p->start_brk;
}

static bool get_request(struct explain *x, const struct ms_syscall *s, struct request *q)
{
	const struct mproc *p = model__process(x->m, s->h.pid);
	const struct region *r;

	memset(q, 0, sizeof(*q));
	switch (s->h.type) {
	case MS_BRK:
		if (!brk_failed(s, p))
			return false;
		q->call = "brk";
		q->len = page_up(s->args[0]) - page_up(s->ret);
		q->data = true;
		return true;
	case MS_MMAP:
		if (s->ret != -ENOMEM)
			return false;
		q->call = "mmap";
		q->len = page_up(s->args[1]);
		q->data = (s->args[2] & PROT_WRITE) && !(s->args[3] & (MAP_SHARED | MAP_STACK)) &&
			  !(s->args[3] & MAP_NORESERVE);
		return true;
	case MS_MREMAP:
		if (s->ret != -ENOMEM)
			return false;
		r = model__region_at(x->m, s->h.pid, s->args[0]);
		q->call = "mremap";
		q->len = s->args[2] > s->args[1] ? page_up(s->args[2]) - page_up(s->args[1]) : 0;
		q->data = r && (r->prot & (MS_VMA_WRITE | MS_VMA_SHARED)) == MS_VMA_WRITE;
		return true;
	}
	return false;
}

/* Something mapped right above the heap, in the way of a brk. */
static const struct region *brk_blocker(struct explain *x, const struct ms_syscall *s)
{
	struct near n;

	find_near(x->m, s->h.pid, page_up(s->ret), &n);
	if (n.containing && n.containing->cls != RC_HEAP)
		return n.containing;
	if (n.above && n.above->start < page_up(s->args[0]))
		return n.above;
	return NULL;
}

/* With the limits the kernel checked (an MS_LIMITS record came just before the call). */
static void enomem_known(const struct mproc *p, const struct request *q, const char *req,
			 struct explanation *out)
{
	char lim[16], now[16], after[16];

	if (q->data && p->rlim_data != ~0ULL && p->data_vm + q->len > p->rlim_data) {
		say(out, "RLIMIT_DATA", "%s of %s failed: RLIMIT_DATA %s, data %s, %s after",
		    q->call, req, fmt_limit(lim, sizeof(lim), p, p->rlim_data),
		    fmt_size(now, sizeof(now), p->data_vm),
		    fmt_size(after, sizeof(after), p->data_vm + q->len));
	} else if (p->rlim_as != ~0ULL && p->vsize + q->len > p->rlim_as) {
		say(out, "RLIMIT_AS", "%s of %s failed: RLIMIT_AS %s, virtual %s, %s after",
		    q->call, req, fmt_limit(lim, sizeof(lim), p, p->rlim_as),
		    fmt_size(now, sizeof(now), p->vsize),
		    fmt_size(after, sizeof(after), p->vsize + q->len));
	} else if (p->map_count >= MAX_MAP_COUNT - 1) {
		say(out, "max_map_count", "%s of %s failed: %llu mappings, at vm.max_map_count",
		    q->call, req, (unsigned long long)p->map_count);
	} else if (q->data) {
		say(out, "overcommit",
		    "%s of %s failed under its limits (RLIMIT_AS %s, RLIMIT_DATA %s): the kernel "
		    "would not commit the memory (vm.overcommit_memory)",
		    q->call, req, fmt_limit(lim, sizeof(lim), p, p->rlim_as),
		    fmt_limit(now, sizeof(now), p, p->rlim_data));
	} else {
		say(out, "no-room", "%s of %s failed under its limits: no free range of that size",
		    q->call, req);
	}
}

bool explain__enomem(struct explain *x, const struct ms_syscall *s, struct explanation *out)
{
	const struct mproc *p;
	const struct region *blk;
	struct usage u = {};
	struct request q;
	char req[16], vs[16], after[16], data[16], d[256];

	if (!x || s->h.size < sizeof(*s) || !get_request(x, s, &q))
		return false;
	memset(out, 0, sizeof(*out));
	p = model__process(x->m, s->h.pid);
	model__for_each_region(x->m, s->h.pid, usage_fn, &u);
	fmt_size(req, sizeof(req), q.len);
	fmt_size(vs, sizeof(vs), p ? p->vsize : 0);
	fmt_size(after, sizeof(after), (p ? p->vsize : 0) + q.len);
	fmt_size(data, sizeof(data), u.data);
	if (u.regions >= MAX_MAP_COUNT - 16) {
		say(out, "max_map_count",
		    "%s of %s failed: %u mappings, at vm.max_map_count (%d by default)", q.call,
		    req, u.regions, MAX_MAP_COUNT);
		return true;
	}
	if (s->h.type == MS_BRK && (blk = brk_blocker(x, s))) {
		say(out, "brk-collision", "brk of %s failed: the heap would run into %s", req,
		    describe_region(d, sizeof(d), blk));
		return true;
	}
	if (p && p->limits_known) {
		enomem_known(p, &q, req, out);
		return true;
	}
	if (s->h.type == MS_BRK)
		say(out, "RLIMIT_DATA",
		    "brk of %s failed: likely RLIMIT_DATA (data %s + %s; or RLIMIT_AS: %s virtual, "
		    "or overcommit; limits not recorded)",
		    req, data, req, vs);
	else if (q.data)
		say(out, "RLIMIT_AS",
		    "%s of %s failed: likely RLIMIT_AS (%s virtual, %s after; or RLIMIT_DATA: %s "
		    "data, or overcommit; limits not recorded)",
		    q.call, req, vs, after, data);
	else
		say(out, "RLIMIT_AS",
		    "%s of %s failed: RLIMIT_AS (%s virtual, %s after; the mapping is not "
		    "private writable memory, so neither RLIMIT_DATA nor overcommit; limit not "
		    "recorded)",
		    q.call, req, vs, after);
	return true;
}
