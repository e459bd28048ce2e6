// SPDX-License-Identifier: GPL-2.0
/* memsnoop layout: see layout_view.h. */
#include <langinfo.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "util/escape.h"
#include "util/log.h"
#include "util/fmt.h"
#include "util/json.h"
#include "view/layout_growth.h"
#include "view/layout_view.h"
#include "view/stack_lines.h"

#define USER_TOP 0x800000000000ULL /* x86-64, 4-level paging */
#define BIG_GAP (1ULL << 30) /* free gaps shown when at least this big */
#define NAME_LEN (PATH_MAX * 4 + 1) /* a path escaped: \xNN for every byte at worst */
#define WHAT_LEN (NAME_LEN + 128) /* a block's description: whole paths, never cut */

struct layout_view {
	struct layout_view_opts o;
	const struct model *m;
	__u32 pid;
	__u64 window;
	__u64 last_ts;
	struct growth_history hist;
	const char *up, *down; /* arrows */
};

struct layout_view *layout_view__new(const struct layout_view_opts *o, const struct model *m)
{
	struct layout_view *v = calloc(1, sizeof(*v));
	const char *cs = nl_langinfo(CODESET);

	if (!v)
		return NULL;
	v->o = *o;
	v->m = m;
	v->pid = o->pid;
	v->window = o->interval * 1e9;
	v->up = cs && !strcmp(cs, "UTF-8") ? "↑" : "^";
	v->down = cs && !strcmp(cs, "UTF-8") ? "↓" : "v";
	return v;
}

void layout_view__free(struct layout_view *v)
{
	if (!v)
		return;
	growth_history__free(&v->hist);
	free(v);
}

int layout_view__check(const struct layout_view *v)
{
	if (model__process(v->m, v->pid))
		return 0;
	if (v->o.replay)
		error("pid %u: no such process at that moment of the recording", v->pid);
	else /* the source checked that it exists */
		error("pid %u: no layout to show (a kernel thread, or its maps unreadable)",
		      v->pid);
	return -1;
}

int layout_view__pre_fn(void *ctx, const struct ms_hdr *h)
{
	struct layout_view *v = ctx;

	if (h->ts_ns > v->last_ts)
		v->last_ts = h->ts_ns;
	growth_history__advance(&v->hist, v->m, v->pid, h->ts_ns, v->window);
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
	struct json_obj *json; /* -j: blocks as objects, else text lines */
};

static void growth(const struct draw *d, const struct region *r, char *buf, size_t len)
{
	__s64 diff = 0;
	char sz[16];

	buf[0] = 0;
	switch (snapshot__growth(d->base, r, &diff)) {
	case G_NEW:
		snprintf(buf, len, "new");
		break;
	case G_SIZE:
		if (diff)
			snprintf(buf, len, "%s %c%s", diff > 0 ? d->v->up : d->v->down,
				 diff > 0 ? '+' : '-',
				 fmt_size(sz, sizeof(sz), diff > 0 ? diff : -diff));
		break;
	case G_UNKNOWN:
		break;
	}
}

/* Resident bytes of r (its process's latest sample); false when unknown. */
static bool resident(const struct draw *d, const struct region *r, __u64 *rss)
{
	struct mresident res;

	if (!model__region_resident(d->v->m, d->p->pid, r, &res))
		return false;
	*rss = res.rss;
	return true;
}

/* "[####......]  40%": the share of the reserved bytes resident. */
static void use_bar(char *buf, size_t len, __u64 rss, __u64 size)
{
	unsigned fill = size ? (unsigned)((unsigned __int128)rss * 10 / size) : 0;
	unsigned pct = size ? (unsigned)((unsigned __int128)rss * 100 / size) : 0;
	char bar[11];

	memset(bar, '#', fill);
	memset(bar + fill, '.', 10 - fill);
	bar[10] = 0;
	if (rss && !pct)
		snprintf(buf, len, "[%s]  <1%%", bar);
	else
		snprintf(buf, len, "[%s] %3u%%", bar, pct);
}

/* The stack of the call that made r; NULL: none (no --stacks, or made before). */
static const struct stack *maker(const struct draw *d, const struct region *r)
{
	return r ? stacks__of_call(d->v->o.stacks, d->p->pid, r->created_tid, r->created_ns) : NULL;
}

/* A block as an object: what the text line shows, as fields. */
static void json_block(const struct draw *d, __u64 a, __u64 b, const struct region *r,
		       const char *kind, const char *what)
{
	struct json_obj *o = d->json;
	__s64 diff = 0;
	__u64 rss;
	char pm[8];

	json_str(o, "kind", kind);
	json_hex(o, "start", a);
	json_hex(o, "end", b);
	json_u64(o, "size", b - a);
	if (r) {
		fmt_perms(pm, sizeof(pm), r->prot);
		json_str(o, "class", region_class_name(r->cls));
		json_str(o, "perm", pm);
		if (r->path)
			json_str(o, "path", r->path);
		json_u64(o, "touched", r->touched_pages * model__page_size(d->v->m));
		if (resident(d, r, &rss))
			json_u64(o, "rss", rss);
		else
			json_null(o, "rss");
		switch (snapshot__growth(d->base, r, &diff)) {
		case G_NEW:
			json_str(o, "growth", "new");
			break;
		case G_SIZE:
			json_s64(o, "growth", diff);
			break;
		case G_UNKNOWN:
			json_null(o, "growth");
		}
		if (r->owner_tid)
			json_u64(o, "owner_tid", r->owner_tid);
		stack_lines__site_json(o, maker(d, r));
	}
	while (*what == ' ') /* the picture's indentation */
		what++;
	json_str(o, "text", what);
}

/* A block that is no region: kernel space, a free gap, a file's group. */
static void bare_line(const struct draw *d, __u64 a, __u64 b, const char *kind, const char *what)
{
	if (d->json) {
		json_object_begin(d->json, NULL);
		json_block(d, a, b, NULL, kind, what);
		json_object_end(d->json);
		return;
	}
	fprintf(d->out, "%012llx-%012llx %7s %7s %7s %-17s %-9s %s\n", (unsigned long long)a,
		(unsigned long long)b, "", "", "", "", "", what);
}

/* One block of the picture: a region (r), or the args, a gap, kernel space (r NULL). */
static void line(const struct draw *d, __u64 a, __u64 b, const struct region *r, const char *kind,
		 const char *what)
{
	char res[16] = "", touched[16] = "-", grow[32] = "", rss[16] = "", bar[24] = "";
	char site[STACK_SITE_LEN] = "";
	__u64 rb;

	if (d->json) {
		json_object_begin(d->json, NULL);
		json_block(d, a, b, r, kind, what);
		json_object_end(d->json);
		return;
	}
	if (b > a)
		fmt_size(res, sizeof(res), b - a);
	if (r && r->touched_pages)
		fmt_size(touched, sizeof(touched), r->touched_pages * model__page_size(d->v->m));
	if (r)
		growth(d, r, grow, sizeof(grow));
	else
		touched[0] = 0;
	if (r && resident(d, r, &rb)) {
		fmt_size(rss, sizeof(rss), rb);
		use_bar(bar, sizeof(bar), rb, r->end - r->start);
	} else if (r) {
		strcpy(rss, "-");
	}
	stack_lines__site(site, sizeof(site), maker(d, r));
	fprintf(d->out, "%012llx-%012llx %7s %7s %7s %-17s %-9s %s%s\n", (unsigned long long)a,
		(unsigned long long)b, res, touched, rss, bar, grow, what, site);
}

static bool filebacked(const struct region *r)
{
	return r->path && r->path[0] != '[';
}

/* A file's run of regions (and the bss right after it), drawn as one group. */
static size_t draw_file(const struct draw *d, const struct regions *rs, size_t i)
{
	const struct region *top = &rs->r[i];
	const char *path = top->path;
	size_t j = i, k;
	char what[WHAT_LEN], pm[8], name[NAME_LEN];
	const char *kind;
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
	kind = d->exe && !strcmp(d->exe, path) ? "executable" : elf ? "library" : "file";
	snprintf(what, sizeof(what), "%s %s", kind, esc_str(name, sizeof(name), path, ESC_TEXT));
	if (d->json) { /* the group holds its segments */
		json_object_begin(d->json, NULL);
		json_block(d, rs->r[j].start, top->end, NULL, kind, what);
		json_str(d->json, "path", path);
		json_array_begin(d->json, "segments");
	} else {
		bare_line(d, rs->r[j].start, top->end, kind, what);
	}
	if (top != &rs->r[i])
		line(d, top->start, top->end, top, "segment", "  bss (zeroed data, anonymous)");
	for (k = i + 1; k-- > j;) {
		const struct region *r = &rs->r[k];

		fmt_perms(pm, sizeof(pm), r->prot);
		snprintf(what, sizeof(what), "  %s %s", region_class_name(r->cls), pm);
		line(d, r->start, r->end, r, "segment", what);
	}
	if (d->json) {
		json_array_end(d->json);
		json_object_end(d->json);
	}
	return j;
}

/*
 * The model names arenas when it saw the reservation; a trimmed reservation
 * can leave them plain anonymous: know them by their shape.
 */
static bool arena_like(const struct regions *rs, size_t i)
{
	const struct region *r = &rs->r[i];
	const struct region *up = i + 1 < rs->nr ? &rs->r[i + 1] : NULL;
	const struct region *down = i ? &rs->r[i - 1] : NULL;

	if (r->cls != RC_ANON || r->path)
		return false;
	return region__arena_low(r, up && !up->path ? up : NULL) ||
	       region__arena_high(r, down && !down->path ? down : NULL);
}

static void draw_anon(const struct draw *d, const struct regions *rs, size_t i)
{
	const struct region *r = &rs->r[i];
	enum region_class cls = arena_like(rs, i) ? RC_ARENA : r->cls;
	char what[WHAT_LEN], pm[8], name[NAME_LEN];
	const char *kind = "anon";

	fmt_perms(pm, sizeof(pm), r->prot);
	esc_str(name, sizeof(name), r->path ? r->path : "", ESC_TEXT);
	switch (cls) {
	case RC_THREAD_STACK:
		if (r->owner_tid)
			snprintf(what, sizeof(what),
				 "thread %u stack %s (grows down; TLS at its top)", r->owner_tid,
				 pm);
		else
			snprintf(what, sizeof(what), "thread stack %s (owner gone or unknown)", pm);
		kind = "thread-stack";
		break;
	case RC_GUARD:
		if (i + 1 < rs->nr && rs->r[i + 1].start == r->end && rs->r[i + 1].owner_tid)
			snprintf(what, sizeof(what), "  guard page of thread %u's stack %s",
				 rs->r[i + 1].owner_tid, pm);
		else
			snprintf(what, sizeof(what), "  guard page %s", pm);
		kind = "guard";
		break;
	case RC_ARENA:
		snprintf(what, sizeof(what), "malloc arena (a thread's heap) %s", pm);
		kind = "arena";
		break;
	case RC_MALLOC:
		snprintf(what, sizeof(what), "malloc block (mmap'd) %s", pm);
		kind = "malloc";
		break;
	case RC_SHM:
		snprintf(what, sizeof(what), "shared memory %s %s", pm, name);
		kind = "shm";
		break;
	case RC_VDSO:
	case RC_VVAR:
	case RC_VSYSCALL:
		snprintf(what, sizeof(what), "%s %s", name, pm);
		kind = region_class_name(cls);
		break;
	case RC_BSS:
		snprintf(what, sizeof(what), "bss %s", pm);
		kind = "bss";
		break;
	default:
		snprintf(what, sizeof(what), "anonymous %s%s%s", pm, r->path ? " " : "", name);
	}
	line(d, r->start, r->end, r, kind, what);
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
		line(d, p->arg_start, p->env_end, NULL, "args", what);
	}
	if (!p->limits_known)
		snprintf(lim, sizeof(lim), "unknown");
	else if (p->rlim_stack == ~0ULL)
		snprintf(lim, sizeof(lim), "unlimited");
	else
		fmt_size(lim, sizeof(lim), p->rlim_stack);
	snprintf(what, sizeof(what),
		 "main stack (grows down, RLIMIT_STACK %s; auxv, argv at its top)", lim);
	line(d, r->start, r->end, r, "stack", what);
}

static void draw_heap(const struct draw *d, const struct region *r)
{
	char what[256], g[16];
	__u64 start = d->p->start_brk ? d->p->start_brk : r->start;
	__u64 brk = d->p->brk ? d->p->brk : r->end;

	fmt_size(g, sizeof(g), brk > start ? brk - start : 0);
	snprintf(what, sizeof(what), "heap: start 0x%llx, break 0x%llx, +%s since start (brk)",
		 (unsigned long long)start, (unsigned long long)brk, g);
	line(d, r->start, r->end, r, "heap", what);
}

static void gap(const struct draw *d, __u64 lo, __u64 hi, const char *what)
{
	char sz[16], buf[128];

	if (hi <= lo)
		return;
	snprintf(buf, sizeof(buf), "    free %s%s", fmt_size(sz, sizeof(sz), hi - lo), what);
	bare_line(d, lo, hi, "free", buf);
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

/* {"limit": bytes or null (unlimited or unknown), "used": bytes, "free": bytes or null} */
static void limit_json(struct json_obj *o, const char *name, const struct mproc *p, __u64 limit,
		       __u64 used)
{
	bool known = p->limits_known && limit != ~0ULL;

	json_object_begin(o, name);
	if (known)
		json_u64(o, "limit", limit);
	else
		json_null(o, "limit");
	json_u64(o, "used", used);
	if (known)
		json_u64(o, "free", used < limit ? limit - used : 0);
	else
		json_null(o, "free");
	json_object_end(o);
}

/*
 * What counts against RLIMIT_DATA now, as the kernel's mm->data_vm:
 * private writable mappings that are not the stack (VM_STACK). Thread
 * stacks are plain mmaps: they count.
 */
static __u64 data_size(const struct regions *rs)
{
	__u64 sum = 0;
	size_t i;

	for (i = 0; i < rs->nr; i++) {
		const struct region *r = &rs->r[i];

		if ((r->prot & (MS_VMA_WRITE | MS_VMA_SHARED)) == MS_VMA_WRITE &&
		    r->cls != RC_STACK)
			sum += r->end - r->start;
	}
	return sum;
}

static __u64 stack_size(const struct regions *rs)
{
	size_t i;

	for (i = 0; i < rs->nr; i++)
		if (rs->r[i].cls == RC_STACK)
			return rs->r[i].end - rs->r[i].start;
	return 0;
}

static void headroom(const struct draw *d, const struct regions *rs)
{
	const struct mproc *p = d->p;
	__u64 data = data_size(rs), stack = stack_size(rs);

	if (d->json) {
		json_object_begin(d->json, "headroom");
		json_bool(d->json, "limits_known", p->limits_known);
		limit_json(d->json, "as", p, p->rlim_as, p->vsize);
		limit_json(d->json, "data", p, p->rlim_data, data);
		limit_json(d->json, "stack", p, p->rlim_stack, stack);
		json_object_end(d->json);
		return;
	}
	fprintf(d->out, "headroom: ");
	limit_line(d->out, "RLIMIT_AS", p, p->rlim_as, p->vsize, "virtual");
	fprintf(d->out, ", ");
	limit_line(d->out, "RLIMIT_DATA", p, p->rlim_data, data, "data");
	fprintf(d->out, ", ");
	limit_line(d->out, "RLIMIT_STACK", p, p->rlim_stack, stack, "main stack");
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

/* The blocks, high memory to low. */
static void draw_blocks(struct draw *d, const struct regions *rs)
{
	size_t i;

	bare_line(d, USER_TOP, ~0ULL, "kernel", "kernel space (not accessible to the process)");
	for (i = 0; i < rs->nr; i++)
		if (rs->r[i].start >= USER_TOP)
			draw_anon(d, rs, i);
	draw_regions(d, rs);
}

static void render_text(struct draw *d, const struct regions *rs, __u64 now)
{
	const struct mproc *p = d->p;
	FILE *out = d->out;
	char comm[MS_COMM_LEN * 4];

	fprintf(out, "memsnoop layout  pid %u (%s)%s  mmap layout: %s  ", p->pid,
		esc_str(comm, sizeof(comm), p->comm, ESC_TEXT),
		p->flags & MPROC_EXITED	   ? "  exited" :
		p->flags & MPROC_UNCERTAIN ? "  uncertain: events were lost" :
					     "",
		mmap_mode(rs));
	if (d->base->nr && now > d->base->ts)
		fprintf(out, "growth over the last %.2fs\n", (now - d->base->ts) / 1e9);
	else
		fprintf(out, "growth: after one window (%.3gs)\n", d->v->window / 1e9);
	fprintf(out, "%-25s %7s %7s %7s %-17s %-9s %s\n", "ADDRESS", "RESERVD", "TOUCHED",
		"RESIDNT", "RESIDENT/RESERVED", "GROWTH", "HIGH MEMORY");
	draw_blocks(d, rs);
	fprintf(out, "%-25s %7s %7s %7s %-17s %-9s %s\n", "", "", "", "", "", "", "LOW MEMORY");
	headroom(d, rs);
}

/* The frame as one object: the header's facts, the blocks, the headroom. */
static void render_json(struct draw *d, const struct regions *rs, __u64 now)
{
	const struct mproc *p = d->p;
	struct json_obj o;

	d->json = &o;
	json_begin(&o, d->out);
	json_u64(&o, "ts_ns", now);
	json_u64(&o, "pid", p->pid);
	json_strn(&o, "comm", p->comm, MS_COMM_LEN);
	json_bool(&o, "exited", p->flags & MPROC_EXITED);
	json_bool(&o, "uncertain", p->flags & MPROC_UNCERTAIN);
	json_str(&o, "mmap_layout", mmap_mode(rs));
	if (d->base->nr && now > d->base->ts)
		json_u64(&o, "growth_over_ns", now - d->base->ts);
	else
		json_null(&o, "growth_over_ns");
	json_array_begin(&o, "blocks");
	draw_blocks(d, rs);
	json_array_end(&o);
	headroom(d, rs);
	json_end(&o);
}

static void layout_render(void *ctx, __u64 now, FILE *out)
{
	struct layout_view *v = ctx;
	const struct mproc *p = model__process(v->m, v->pid);
	struct regions rs = {};
	struct draw d = { .v = v, .p = p, .out = out };

	now = now ? now : v->last_ts;
	if (now)
		growth_history__advance(&v->hist, v->m, v->pid, now, v->window);
	d.base = growth_history__base(&v->hist, now, v->window);
	if (!p) { /* live, refreshing: the process may come */
		if (!v->o.json)
			fprintf(out, "memsnoop layout: pid %u: not seen (yet)\n", v->pid);
		return;
	}
	model__for_each_region(v->m, v->pid, copy_fn, &rs);
	d.exe = exe_of(&rs);
	if (v->o.json)
		render_json(&d, &rs, now);
	else
		render_text(&d, &rs, now);
	free(rs.r);
}

struct frame_view layout_view__view(struct layout_view *v)
{
	return (struct frame_view){ .ctx = v,
				    .render = layout_render,
				    .header_lines = 2,
				    .keys = "q quit  arrows/PgUp/PgDn scroll" };
}
