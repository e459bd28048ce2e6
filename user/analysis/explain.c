// SPDX-License-Identifier: GPL-2.0
/*
 * Crash explanations (ENOMEM's are in enomem.c): see explain.h. The model
 * gives the layout at the moment of the signal; what it no longer holds
 * (regions unmapped a moment ago, the last fault's error code) is remembered
 * here, bounded per process.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/pidtab.h"
#include "analysis/explain.h"
#include "analysis/explain_int.h"
#include "util/fmt.h"
#include "symbols/stacks.h"

#define NULL_PAGE 4096ULL
#define MMAP_MIN_ADDR 65536ULL /* vm.mmap_min_addr's default */
#define USER_TOP 0x800000000000ULL /* x86-64, 4-level paging */
#define STACK_GAP ((1ULL << 20) + (64ULL << 10)) /* stack_guard_gap and some slack */
#define HEAP_SLACK (64ULL << 20) /* "above the break" up to this far */
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

void explain__set_stacks(struct explain *x, const struct stacks *st)
{
	x->stacks = st;
}

/* " in alpha (lib.so)": where the call that unmapped u was made, else "". */
static const char *unmapped_by(const struct explain *x, __u32 pid, const struct unmapped *u,
			       char *buf, size_t size)
{
	const struct stack *s = stacks__of_call(x->stacks, pid, u->tid, u->ts_ns);
	const struct frame *f;
	const char *mod;

	buf[0] = 0;
	if (!s)
		return buf;
	f = &s->frames[stack__site(s)];
	mod = f->module ? strrchr(f->module, '/') : NULL;
	snprintf(buf, size, " in %s%s%s%s (stack %u)", f->sym ? f->sym : "?", mod ? " (" : "",
		 mod ? mod + 1 : "", mod ? ")" : "", s->id);
	return buf;
}

void explain__free(struct explain *x)
{
	if (!x)
		return;
	pidtab__free(x->procs);
	free(x);
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
			remember_unmap(x, h, landed, s->args[0],
				       s->args[0] + model__page_up(x->m, s->args[1]), false);
		break;
	case MS_MREMAP:
		/* moved away: the old range is gone (unless MREMAP_DONTUNMAP) */
		if (h->size >= sizeof(*s) && s->ret >= 0 && (__u64)s->ret != s->args[0] &&
		    !(s->args[3] & 4))
			remember_unmap(x, h, landed, s->args[0],
				       s->args[0] + model__page_up(x->m, s->args[1]), true);
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

void find_near(const struct model *m, __u32 pid, __u64 addr, struct near *n)
{
	memset(n, 0, sizeof(*n));
	n->addr = addr;
	model__for_each_region(m, pid, near_fn, n);
}

char *describe_region(char *buf, size_t len, const struct region *r)
{
	bool named = r->path && r->path[0] != '[';
	char perms[8];

	snprintf(buf, len, "[%s]%s%s %llx-%llx %.3s", region_class_name(r->cls), named ? " " : "",
		 named ? r->path : "", (unsigned long long)r->start, (unsigned long long)r->end,
		 fmt_perms(perms, sizeof(perms), r->prot));
	return buf;
}

void say(struct explanation *out, const char *cause, const char *fmt, ...)
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

char *fmt_limit(char *buf, size_t len, const struct mproc *p, __u64 v)
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
static bool above_break(const struct model *m, const struct mproc *p, const struct near *n,
			struct explanation *out)
{
	__u64 brk = p && p->brk ? p->brk : n->heap ? n->heap->end : 0;
	__u64 top = model__page_up(m, brk), start;
	char extra[16], heap[64];

	if (!brk || n->addr < top || n->addr - top >= HEAP_SLACK ||
	    (n->below && n->below->end > top))
		return false;
	start = p && p->start_brk ? p->start_brk : n->heap ? n->heap->start : brk;
	fmt_size(extra, sizeof(extra), n->addr - brk);
	if (model__page_up(m, start) >= top)
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
		char cls[24] = "", by[160];

		if (u->cls != RC_UNKNOWN)
			snprintf(cls, sizeof(cls), " [%s]", region_class_name(u->cls));
		say(out, "use-after-unmap",
		    "use after unmap: %llx-%llx%s%s%s was %s %s ago by tid %u%s",
		    (unsigned long long)u->start, (unsigned long long)u->end, cls,
		    u->path[0] ? " " : "", u->path, u->moved ? "moved away (mremap)" : "unmapped",
		    fmt_ago(ago, sizeof(ago), e->h.ts_ns - u->ts_ns), u->tid,
		    unmapped_by(x, e->h.pid, u, by, sizeof(by)));
		return true;
	}
	find_near(x->m, e->h.pid, e->addr, &n);
	if (n.stack && e->addr < n.stack->start && n.stack->start - e->addr <= STACK_GAP &&
	    (!n.below || n.below->end <= e->addr)) {
		main_stack_overflow(p, e, n.stack, out);
		return true;
	}
	if (above_break(x->m, p, &n, out))
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
