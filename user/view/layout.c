// SPDX-License-Identifier: GPL-2.0
/* memsnoop layout: see layout.h. */
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "view/fmt.h"
#include "view/layout.h"

#define USER_TOP 0x800000000000ULL /* x86-64, 4-level paging */
#define BIG_GAP (1ULL << 30) /* free gaps shown when at least this big */

struct snap_ent {
	__u64 key, size;
};

struct snapshot {
	__u64 ts; /* 0: none */
	struct snap_ent *e;
	size_t nr;
};

struct layout_view {
	const struct settings *s;
	const struct model *m;
	__u32 pid;
	__u64 window;
	__u64 next; /* the next window boundary */
	__u64 last_ts;
	struct snapshot old, cur;
	const char *up, *down; /* arrows */
};

struct layout_view *layout_view__new(const struct settings *s, const struct model *m)
{
	struct layout_view *v = calloc(1, sizeof(*v));
	const char *cs = nl_langinfo(CODESET);

	if (!v)
		return NULL;
	v->s = s;
	v->m = m;
	v->pid = s->nr_pids ? s->pids[0] : 0;
	v->window = s->interval * 1e9;
	v->up = cs && !strcmp(cs, "UTF-8") ? "↑" : "^";
	v->down = cs && !strcmp(cs, "UTF-8") ? "↓" : "v";
	return v;
}

void layout_view__free(struct layout_view *v)
{
	if (!v)
		return;
	free(v->old.e);
	free(v->cur.e);
	free(v);
}

void layout_view__set_pid(struct layout_view *v, __u32 pid)
{
	if (v)
		v->pid = pid;
}

/* A block's identity across windows: the main stack grows down, so its end. */
static __u64 key_of(const struct region *r)
{
	return r->cls == RC_STACK ? r->end : r->start;
}

static void snap_fn(const struct region *r, void *arg)
{
	struct snapshot *s = arg;
	struct snap_ent *e = realloc(s->e, (s->nr + 1) * sizeof(*e));

	if (!e)
		return;
	s->e = e;
	e[s->nr++] = (struct snap_ent){ key_of(r), r->end - r->start };
}

static int cmp_ent(const void *a, const void *b)
{
	const struct snap_ent *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static void take_snapshot(struct layout_view *v, __u64 ts)
{
	free(v->old.e);
	v->old = v->cur;
	memset(&v->cur, 0, sizeof(v->cur));
	v->cur.ts = ts;
	model__for_each_region(v->m, v->pid, snap_fn, &v->cur);
	if (v->cur.nr)
		qsort(v->cur.e, v->cur.nr, sizeof(*v->cur.e), cmp_ent);
}

/* Snapshots at window boundaries, of the state before the record at ts. */
static void advance(struct layout_view *v, __u64 ts)
{
	if (!v->next)
		v->next = ts;
	if (ts < v->next)
		return;
	take_snapshot(v, v->next);
	while (v->next <= ts)
		v->next += v->window;
}

int layout_view__pre_fn(void *ctx, const struct ms_hdr *h)
{
	struct layout_view *v = ctx;

	if (h->ts_ns > v->last_ts)
		v->last_ts = h->ts_ns;
	advance(v, h->ts_ns);
	return 0;
}

/* ---- drawing ---- */

struct regions {
	struct region *r;
	size_t nr;
};

static void copy_fn(const struct region *r, void *arg)
{
	struct regions *rs = arg;
	struct region *n = realloc(rs->r, (rs->nr + 1) * sizeof(*n));

	if (!n)
		return;
	rs->r = n;
	rs->r[rs->nr++] = *r;
}

struct draw {
	struct layout_view *v;
	const struct snapshot *base;
	const struct mproc *p;
	FILE *out;
	const char *exe;
};

static void growth(const struct draw *d, const struct region *r, char *buf, size_t len)
{
	struct snap_ent key = { key_of(r), 0 }, *e;
	__s64 diff;
	char sz[16];

	buf[0] = 0;
	if (!d->base || !d->base->nr) /* no layout then: before its seed */
		return;
	e = d->base->nr ? bsearch(&key, d->base->e, d->base->nr, sizeof(key), cmp_ent) : NULL;
	if (!e) {
		snprintf(buf, len, "new");
		return;
	}
	diff = (__s64)(r->end - r->start) - (__s64)e->size;
	if (diff)
		snprintf(buf, len, "%s %c%s", diff > 0 ? d->v->up : d->v->down,
			 diff > 0 ? '+' : '-', fmt_size(sz, sizeof(sz), diff > 0 ? diff : -diff));
}

static void line(const struct draw *d, __u64 a, __u64 b, const struct region *r, const char *what)
{
	char res[16] = "", touched[16] = "-", grow[32] = "";

	if (b > a)
		fmt_size(res, sizeof(res), b - a);
	if (r && r->touched_pages)
		fmt_size(touched, sizeof(touched), r->touched_pages * 4096);
	if (r)
		growth(d, r, grow, sizeof(grow));
	else
		touched[0] = 0;
	fprintf(d->out, "%012llx-%012llx %7s %7s %-9s %s\n", (unsigned long long)a,
		(unsigned long long)b, res, touched, grow, what);
}

static bool filebacked(const struct region *r)
{
	return r->path && r->path[0] != '[';
}

static void perm(const struct region *r, char *buf)
{
	snprintf(buf, 8, "%c%c%c%c", r->prot & MS_VMA_READ ? 'r' : '-',
		 r->prot & MS_VMA_WRITE ? 'w' : '-', r->prot & MS_VMA_EXEC ? 'x' : '-',
		 r->prot & MS_VMA_SHARED ? 's' : 'p');
}

/* A file's run of regions (and the bss right after it), drawn as one group. */
static size_t draw_file(const struct draw *d, const struct regions *rs, size_t i)
{
	const struct region *top = &rs->r[i];
	const char *path = top->path;
	size_t j = i, k;
	char what[512], pm[8], name[480];
	bool elf = false;

	/* regions descend: the group runs down while the path is the same */
	while (j > 0 && rs->r[j - 1].end == rs->r[j].start &&
	       (rs->r[j - 1].path ? !strcmp(rs->r[j - 1].path, path) : false))
		j--;
	/* the bss follows the data segment, just above it: part of the group */
	if (i + 1 < rs->nr && rs->r[i + 1].cls == RC_BSS && rs->r[i + 1].start == top->end)
		top = &rs->r[i + 1];
	for (k = j; k <= i; k++)
		elf = elf || rs->r[k].cls == RC_TEXT;
	snprintf(what, sizeof(what), "%s %s",
		 d->exe && !strcmp(d->exe, path) ? "executable" :
		 elf				 ? "library" :
						   "file",
		 esc_str(name, sizeof(name), path, ESC_TEXT));
	fprintf(d->out, "%012llx-%012llx %7s %7s %-9s %s\n", (unsigned long long)rs->r[j].start,
		(unsigned long long)top->end, "", "", "", what);
	if (top != &rs->r[i])
		line(d, top->start, top->end, top, "  bss (zeroed data, anonymous)");
	for (k = i + 1; k-- > j;) {
		const struct region *r = &rs->r[k];

		perm(r, pm);
		snprintf(what, sizeof(what), "  %s %s", region_class_name(r->cls), pm);
		line(d, r->start, r->end, r, what);
	}
	return j;
}

#define ARENA (64ULL << 20) /* glibc's HEAP_MAX_SIZE on 64-bit */

/*
 * glibc's arenas: 64 MiB aligned to 64 MiB, the used part rw-, the rest
 * ---. The model names them when it saw the reservation; a seed or a
 * trimmed reservation can leave them plain anonymous: know them by shape.
 */
static bool arena_like(const struct regions *rs, size_t i)
{
	const struct region *r = &rs->r[i];
	const struct region *up = i + 1 < rs->nr ? &rs->r[i + 1] : NULL;
	const struct region *down = i ? &rs->r[i - 1] : NULL;

	if (r->cls != RC_ANON || r->path)
		return false;
	if (!(r->start & (ARENA - 1)))
		return r->end - r->start == ARENA ||
		       (up && up->start == r->end && up->end - r->start == ARENA && !up->path);
	return !(r->end & (ARENA - 1)) && down && down->end == r->start &&
	       r->end - down->start == ARENA && !down->path && !(down->start & (ARENA - 1));
}

static void draw_anon(const struct draw *d, const struct regions *rs, size_t i)
{
	const struct region *r = &rs->r[i];
	enum region_class cls = arena_like(rs, i) ? RC_ARENA : r->cls;
	char what[256], pm[8], name[200];

	perm(r, pm);
	esc_str(name, sizeof(name), r->path ? r->path : "", ESC_TEXT);
	switch (cls) {
	case RC_THREAD_STACK:
		if (r->owner_tid)
			snprintf(what, sizeof(what),
				 "thread %u stack %s (grows down; TLS at its top)", r->owner_tid,
				 pm);
		else
			snprintf(what, sizeof(what), "thread stack %s (owner gone or unknown)", pm);
		break;
	case RC_GUARD:
		if (i + 1 < rs->nr && rs->r[i + 1].start == r->end && rs->r[i + 1].owner_tid)
			snprintf(what, sizeof(what), "  guard page of thread %u's stack %s",
				 rs->r[i + 1].owner_tid, pm);
		else
			snprintf(what, sizeof(what), "  guard page %s", pm);
		break;
	case RC_ARENA:
		snprintf(what, sizeof(what), "malloc arena (a thread's heap) %s", pm);
		break;
	case RC_MALLOC:
		snprintf(what, sizeof(what), "malloc block (mmap'd) %s", pm);
		break;
	case RC_SHM:
		snprintf(what, sizeof(what), "shared memory %s %s", pm, name);
		break;
	case RC_VDSO:
	case RC_VVAR:
	case RC_VSYSCALL:
		snprintf(what, sizeof(what), "%s %s", name, pm);
		break;
	case RC_BSS:
		snprintf(what, sizeof(what), "bss %s", pm);
		break;
	default:
		snprintf(what, sizeof(what), "anonymous %s%s%s", pm, r->path ? " " : "", name);
	}
	line(d, r->start, r->end, r, what);
}

static void draw_stack(const struct draw *d, const struct region *r)
{
	const struct mproc *p = d->p;
	char what[128], lim[16];

	/* the strings exec copied sit at the very top of the main stack */
	if (p->limits_known && p->env_end > p->arg_start && p->arg_start >= r->start &&
	    p->env_end <= r->end) {
		snprintf(what, sizeof(what), "args and env (argv %llu bytes, envp %llu bytes)",
			 (unsigned long long)(p->arg_end - p->arg_start),
			 (unsigned long long)(p->env_end - p->env_start));
		line(d, p->arg_start, p->env_end, NULL, what);
	}
	if (!p->limits_known)
		snprintf(lim, sizeof(lim), "unknown");
	else if (p->rlim_stack == ~0ULL)
		snprintf(lim, sizeof(lim), "unlimited");
	else
		fmt_size(lim, sizeof(lim), p->rlim_stack);
	snprintf(what, sizeof(what),
		 "main stack (grows down, RLIMIT_STACK %s; auxv, argv at its top)", lim);
	line(d, r->start, r->end, r, what);
}

static void draw_heap(const struct draw *d, const struct region *r)
{
	char what[256], g[16];
	__u64 start = d->p->start_brk ? d->p->start_brk : r->start;
	__u64 brk = d->p->brk ? d->p->brk : r->end;

	fmt_size(g, sizeof(g), brk > start ? brk - start : 0);
	snprintf(what, sizeof(what), "heap: start 0x%llx, break 0x%llx, +%s since start (brk)",
		 (unsigned long long)start, (unsigned long long)brk, g);
	line(d, r->start, r->end, r, what);
}

static void gap(const struct draw *d, __u64 lo, __u64 hi, const char *what)
{
	char sz[16], buf[128];

	if (hi <= lo)
		return;
	snprintf(buf, sizeof(buf), "    free %s%s", fmt_size(sz, sizeof(sz), hi - lo), what);
	fprintf(d->out, "%012llx-%012llx %7s %7s %-9s %s\n", (unsigned long long)lo,
		(unsigned long long)hi, "", "", "", buf);
}

/* Top-down: mmap_base just below the stack; legacy: upwards from TASK_SIZE/3. */
static const char *mmap_mode(const struct regions *rs)
{
	size_t i, n = 0, high = 0;

	for (i = 0; i < rs->nr; i++) {
		const struct region *r = &rs->r[i];

		if (r->cls == RC_STACK || r->cls == RC_HEAP || r->cls == RC_VDSO ||
		    r->cls == RC_VVAR || r->cls == RC_VSYSCALL || r->start < (1ULL << 32))
			continue;
		n++;
		high += r->start >= USER_TOP / 2;
	}
	if (!n)
		return "unknown";
	return high * 2 >= n ? "top-down" : "legacy (bottom-up)";
}

/* The executable: the file mapped lowest (what exec mapped first). */
static const char *exe_of(const struct regions *rs)
{
	size_t i;

	for (i = 0; i < rs->nr; i++)
		if (filebacked(&rs->r[i]) && rs->r[i].cls != RC_SHM)
			return rs->r[i].path;
	return NULL;
}

/* "RLIMIT_AS 8G (virtual 221M, 7.8G free)", or unlimited, or unknown. */
static void limit_line(FILE *out, const char *name, const struct mproc *p, __u64 limit, __u64 used,
		       const char *what)
{
	char u[16], l[16], f[16];

	fmt_size(u, sizeof(u), used);
	if (!p->limits_known)
		fprintf(out, "%s unknown (%s %s)", name, what, u);
	else if (limit == ~0ULL)
		fprintf(out, "%s unlimited (%s %s)", name, what, u);
	else
		fprintf(out, "%s %s (%s %s, %s free)", name, fmt_size(l, sizeof(l), limit), what, u,
			used < limit ? fmt_size(f, sizeof(f), limit - used) : "none");
}

static void headroom(const struct draw *d, const struct regions *rs)
{
	__u64 dsum = 0, ssum = 0;
	size_t i;

	for (i = 0; i < rs->nr; i++) {
		const struct region *r = &rs->r[i];

		if (r->cls == RC_STACK)
			ssum += r->end - r->start;
		else if ((r->prot & (MS_VMA_WRITE | MS_VMA_SHARED)) == MS_VMA_WRITE &&
			 r->cls != RC_THREAD_STACK)
			dsum += r->end - r->start;
	}
	if (d->p->limits_known)
		dsum = d->p->data_vm;
	fprintf(d->out, "headroom: ");
	limit_line(d->out, "RLIMIT_AS", d->p, d->p->rlim_as, d->p->vsize, "virtual");
	fprintf(d->out, ", ");
	limit_line(d->out, "RLIMIT_DATA", d->p, d->p->rlim_data, dsum, "data");
	fprintf(d->out, ", ");
	limit_line(d->out, "RLIMIT_STACK", d->p, d->p->rlim_stack, ssum, "main stack");
	fputc('\n', d->out);
}

static void draw_regions(struct draw *d, const struct regions *rs)
{
	const struct region *heap = NULL;
	size_t i;
	__u64 prev_lo = USER_TOP;

	for (i = 0; i < rs->nr; i++)
		if (rs->r[i].cls == RC_HEAP)
			heap = &rs->r[i];
	for (i = rs->nr; i-- > 0;) {
		const struct region *r = &rs->r[i];
		size_t lo = i;

		if (r->start >= USER_TOP) { /* vsyscall: drawn with kernel space */
			continue;
		}
		if (prev_lo > r->end && prev_lo - r->end >= BIG_GAP)
			gap(d, r->end, prev_lo,
			    heap && r == heap ? " (the mmap area grows down towards the heap)" :
						"");
		else if (heap && r == heap && prev_lo > r->end)
			gap(d, r->end, prev_lo, " (between the mmap area and the heap)");
		if (r->cls == RC_STACK)
			draw_stack(d, r);
		else if (r->cls == RC_HEAP)
			draw_heap(d, r);
		else if (filebacked(r) && r->cls != RC_SHM)
			lo = draw_file(d, rs, i);
		else if (r->cls == RC_BSS && i > 0 && filebacked(&rs->r[i - 1]) &&
			 rs->r[i - 1].end == r->start)
			continue; /* drawn with its file */
		else
			draw_anon(d, rs, i);
		prev_lo = rs->r[lo].start;
		i = lo;
	}
}

static void layout_render(void *ctx, __u64 now, FILE *out)
{
	struct layout_view *v = ctx;
	const struct mproc *p = model__process(v->m, v->pid);
	struct regions rs = {};
	struct draw d = { .v = v, .p = p, .out = out };
	char comm[MS_COMM_LEN * 4];
	size_t i;

	now = now ? now : v->last_ts;
	if (now)
		advance(v, now);
	d.base = v->cur.ts && now - v->cur.ts >= v->window / 2 ? &v->cur :
		 v->old.ts				       ? &v->old :
								 &v->cur;
	if (!p) {
		fprintf(out, "memsnoop layout: pid %u: not seen (yet)\n", v->pid);
		return;
	}
	model__for_each_region(v->m, v->pid, copy_fn, &rs);
	d.exe = exe_of(&rs);
	fprintf(out, "memsnoop layout  pid %u (%s)%s  mmap layout: %s  ", p->pid,
		esc_str(comm, sizeof(comm), p->comm, ESC_TEXT),
		p->flags & MPROC_EXITED	   ? "  exited" :
		p->flags & MPROC_UNCERTAIN ? "  uncertain: events were lost" :
					     "",
		mmap_mode(&rs));
	if (d.base->nr && now > d.base->ts)
		fprintf(out, "growth over the last %.2fs\n", (now - d.base->ts) / 1e9);
	else
		fprintf(out, "growth: after one window (%.3gs)\n", v->window / 1e9);
	fprintf(out, "%-25s %7s %7s %-9s %s\n", "ADDRESS", "RESERVD", "TOUCHED", "GROWTH",
		"HIGH MEMORY");
	fprintf(out, "%012llx-%012llx %7s %7s %-9s %s\n", USER_TOP, ~0ULL, "", "", "",
		"kernel space (not accessible to the process)");
	for (i = 0; i < rs.nr; i++)
		if (rs.r[i].start >= USER_TOP)
			draw_anon(&d, &rs, i);
	draw_regions(&d, &rs);
	fprintf(out, "%-25s %7s %7s %-9s %s\n", "", "", "", "", "LOW MEMORY");
	headroom(&d, &rs);
	free(rs.r);
}

struct frame_view layout_view__view(struct layout_view *v)
{
	return (struct frame_view){ .ctx = v, .render = layout_render, .header_lines = 2 };
}
