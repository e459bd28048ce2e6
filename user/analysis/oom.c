// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/oom.h"
#include "symbols/stacks.h"
#include "util/escape.h"
#include "util/fmt.h"
#include "util/pidtab.h"
#include "util/record.h"

#define MERGE_NS 1000000000ULL /* changes of a region this close in time are kept as one */
#define MERGE_LOOKBACK 4 /* the newest changes a new one may join */
#define WORK_ROWS 64 /* ranges a report gathers before mapping them to regions */

enum change_kind { CH_SIZE, CH_MOVE };

/* One change of a process's reserved bytes in one class, or a move (mremap). */
struct change {
	__u64 ts; /* of its first record */
	__u64 start, end; /* the range, or the region it landed in */
	__s64 delta; /* CH_SIZE: bytes */
	__u64 to; /* CH_MOVE: [start, end) now starts here */
	__u32 stack_id;
	__u8 cls;
	__u8 kind;
};

struct phist {
	__u64 sum[RC_NR]; /* the class sums after the last record applied */
	bool known;
	struct change *ring;
	unsigned cap, head, nr; /* head: the oldest */
};

struct oom_history {
	const struct model *m;
	const struct stacks *stacks;
	__u64 window_ns;
	struct pidtab *procs; /* struct phist by pid */
};

struct oom_history *oom_history__new(const struct model *m, __u64 window_ns)
{
	struct oom_history *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->m = m;
	h->window_ns = window_ns;
	h->procs = pidtab__new(sizeof(struct phist));
	if (!h->procs) {
		free(h);
		return NULL;
	}
	return h;
}

static bool free_ring(__u32 pid, void *ctx)
{
	struct phist *ph = pidtab__get(ctx, pid);

	free(ph->ring);
	return false;
}

void oom_history__free(struct oom_history *h)
{
	if (!h)
		return;
	pidtab__prune(h->procs, free_ring, h->procs);
	pidtab__free(h->procs);
	free(h);
}

void oom_history__set_stacks(struct oom_history *h, const struct stacks *st)
{
	h->stacks = st;
}

/* Sums of byte counts: wrapping, as the model's own (a hostile recording may say anything). */
static __s64 wrap_add(__s64 a, __s64 b)
{
	return (__s64)((__u64)a + (__u64)b);
}

static struct change *nth(struct phist *ph, unsigned i)
{
	return &ph->ring[(ph->head + i) % ph->cap];
}

/* Room for one more: the ring grows to OOM_CHANGES, then the oldest goes. */
static struct change *push(struct phist *ph)
{
	if (ph->nr == ph->cap && ph->cap < OOM_CHANGES) {
		unsigned cap = ph->cap ? ph->cap * 4 : 16, i;
		struct change *ring = malloc(cap * sizeof(*ring));

		if (ring) {
			for (i = 0; i < ph->nr; i++)
				ring[i] = *nth(ph, i);
			free(ph->ring);
			ph->ring = ring;
			ph->cap = cap;
			ph->head = 0;
		}
	}
	if (!ph->cap)
		return NULL;
	if (ph->nr == ph->cap) {
		ph->head = (ph->head + 1) % ph->cap;
		ph->nr--;
	}
	return nth(ph, ph->nr++);
}

/* A change joins a recent one of the same region, class and call site. */
static bool join(struct phist *ph, const struct change *c)
{
	unsigned i;

	for (i = 0; i < ph->nr && i < MERGE_LOOKBACK; i++) {
		struct change *o = nth(ph, ph->nr - 1 - i);

		if (o->kind == CH_MOVE)
			return false;
		/* seconds of record time, so a replay from any second on merges alike */
		if (o->cls != c->cls || o->stack_id != c->stack_id ||
		    c->ts / MERGE_NS != o->ts / MERGE_NS || c->start > o->end || c->end < o->start)
			continue;
		o->start = c->start < o->start ? c->start : o->start;
		o->end = c->end > o->end ? c->end : o->end;
		o->delta = wrap_add(o->delta, c->delta);
		return true;
	}
	return false;
}

static void add(struct phist *ph, const struct change *c)
{
	struct change *slot;

	if (c->kind == CH_SIZE && join(ph, c))
		return;
	slot = push(ph);
	if (slot)
		*slot = *c;
}

static bool changes_layout(unsigned type)
{
	switch (type) {
	case MS_BRK ... MS_MADVISE:
	case MS_SYS_FIRST2 ... MS_SYS_LAST2:
	case MS_STACK:
	case MS_VMA_NOW:
		return true;
	}
	return false;
}

/* The range a call concerns, when the region it landed in is not of the class. */
static void call_range(const struct ms_hdr *rec, __u64 *start, __u64 *end)
{
	const struct ms_syscall *s = (const void *)rec;

	*start = *end = 0;
	if (rec->type == MS_STACK) {
		*start = *end = ((const struct ms_stack *)rec)->addr;
	} else if (rec->type == MS_BRK) {
		*start = s->mm.start_brk;
		*end = s->mm.brk;
	} else if (rec->type != MS_VMA_NOW && rec->size >= sizeof(*s)) {
		*start = rec->type == MS_MMAP || rec->type == MS_MREMAP ? (__u64)s->ret :
									  s->args[0];
		*end = *start + (rec->type == MS_MREMAP ? s->args[2] : s->args[1]);
	}
}

static void note_move(struct phist *ph, const struct ms_hdr *rec)
{
	const struct ms_syscall *s = (const void *)rec;
	struct change c = { .ts = rec->ts_ns, .kind = CH_MOVE };

	if (rec->type != MS_MREMAP || rec->size < sizeof(*s) || s->ret < 0 ||
	    (__u64)s->ret == s->args[0])
		return;
	c.start = s->args[0];
	c.end = s->args[0] + s->args[1];
	c.to = s->ret;
	add(ph, &c);
}

static void note_sizes(struct oom_history *h, struct phist *ph, const struct ms_hdr *rec,
		       const struct region *landed, const __u64 *now)
{
	const struct stack *st = h->stacks ? stacks__of(h->stacks, rec) : NULL;
	struct change c = { .ts = rec->ts_ns, .kind = CH_SIZE, .stack_id = st ? st->id : 0 };
	int cls;

	for (cls = 0; cls < RC_NR; cls++) {
		if (now[cls] == ph->sum[cls])
			continue;
		c.cls = cls;
		c.delta = (__s64)(now[cls] - ph->sum[cls]);
		if (landed && landed->cls == (enum region_class)cls) {
			c.start = landed->start;
			c.end = landed->end;
		} else {
			call_range(rec, &c.start, &c.end);
		}
		add(ph, &c);
	}
}

void oom_history__note(struct oom_history *h, const struct ms_hdr *rec, const struct region *landed)
{
	__u64 now[RC_NR];
	struct phist *ph;
	__u32 pid = rec->pid;

	if (!h || !pid)
		return;
	if (rec->type == MS_EXIT && (rec->flags & MS_EXIT_GROUP)) {
		ph = pidtab__get(h->procs, pid);
		if (ph)
			free(ph->ring);
		pidtab__del(h->procs, pid);
		return;
	}
	if (rec->type == MS_FORK && !(rec->flags & MS_FORK_THREAD) &&
	    rec->size >= sizeof(struct ms_fork))
		pid = ((const struct ms_fork *)rec)->child_pid; /* its layout: the parent's copy */
	else if (!changes_layout(rec->type) && rec->type != MS_SEED_END && rec->type != MS_EXEC)
		return;
	if (!model__class_bytes(h->m, pid, now))
		return;
	ph = pidtab__put(h->procs, pid);
	if (!ph)
		return;
	if (rec->type == MS_EXEC) /* another program: what the old one grew is gone with it */
		ph->nr = 0;
	/* a seed, an exec or a fork gives a layout: what it holds did not grow now */
	if (ph->known && changes_layout(rec->type) && pid == rec->pid) {
		note_move(ph, rec);
		note_sizes(h, ph, rec, landed, now);
	}
	memcpy(ph->sum, now, sizeof(now));
	ph->known = true;
}

int oom_history__fn(void *ctx, const struct ms_hdr *rec, const struct model_change *chg)
{
	oom_history__note(ctx, rec, chg->region);
	return 0;
}

/* ---- the report ---- */

struct work {
	struct oom_growth rows[WORK_ROWS];
	unsigned nr;
};

static bool overlaps(__u64 a, __u64 b, __u64 c, __u64 d)
{
	return a <= d && c <= b;
}

static void add_site(struct oom_growth *g, unsigned stack_id, __s64 bytes)
{
	struct oom_site *low = &g->sites[0];
	int i;

	if (!stack_id)
		return;
	for (i = 0; i < OOM_SITES; i++) {
		if (g->sites[i].stack_id == stack_id || !g->sites[i].stack_id) {
			g->sites[i].stack_id = stack_id;
			g->sites[i].bytes = wrap_add(g->sites[i].bytes, bytes);
			return;
		}
		if (g->sites[i].bytes < low->bytes)
			low = &g->sites[i];
	}
	if (bytes > low->bytes) { /* a bigger one takes the smallest's place */
		low->stack_id = stack_id;
		low->bytes = bytes;
	}
}

static void gather(struct work *w, const struct change *c)
{
	unsigned i;

	if (c->kind == CH_MOVE) {
		for (i = 0; i < w->nr; i++) {
			struct oom_growth *g = &w->rows[i];

			if (g->start >= c->start && g->start < c->end) {
				g->end = g->end - g->start + c->to + (g->start - c->start);
				g->start = c->to + (g->start - c->start);
			}
		}
		return;
	}
	for (i = 0; i < w->nr; i++) {
		struct oom_growth *g = &w->rows[i];

		if (g->cls == c->cls && overlaps(g->start, g->end, c->start, c->end))
			break;
	}
	if (i == w->nr) {
		if (w->nr == WORK_ROWS)
			i = WORK_ROWS - 1; /* past the bound, the last range takes the rest */
		else
			w->rows[w->nr++] = (struct oom_growth){ .cls = c->cls,
								.start = c->start,
								.end = c->end };
	}
	w->rows[i].start = c->start < w->rows[i].start ? c->start : w->rows[i].start;
	w->rows[i].end = c->end > w->rows[i].end ? c->end : w->rows[i].end;
	w->rows[i].grew = wrap_add(w->rows[i].grew, c->delta);
	add_site(&w->rows[i], c->stack_id, c->delta);
}

/* Each range as the region there now; ranges that are one region become one row. */
static void to_regions(const struct model *m, __u32 pid, struct work *w)
{
	unsigned i, j;

	for (i = 0; i < w->nr; i++) {
		struct oom_growth *g = &w->rows[i];
		const struct region *r = model__region_at(m, pid, g->start);

		if (!r && g->end > g->start)
			r = model__region_at(m, pid, g->end - 1);
		g->gone = !r;
		if (!r)
			continue;
		g->start = r->start;
		g->end = r->end;
		g->cls = r->cls;
		for (j = 0; j < i; j++) {
			struct oom_growth *o = &w->rows[j];
			int k;

			if (o->gone || o->start != g->start)
				continue;
			o->grew = wrap_add(o->grew, g->grew);
			for (k = 0; k < OOM_SITES; k++)
				add_site(o, g->sites[k].stack_id, g->sites[k].bytes);
			g->grew = 0;
			break;
		}
	}
}

static int by_growth(const void *a, const void *b)
{
	const struct oom_growth *x = a, *y = b;

	return x->grew < y->grew ? 1 : x->grew > y->grew ? -1 : x->start < y->start ? -1 : 1;
}

static int by_site_bytes(const void *a, const void *b)
{
	const struct oom_site *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

static void growth(const struct oom_history *h, struct phist *ph, __u64 kill_ns,
		   struct oom_report *out)
{
	__u64 window = out->window_ns, from = kill_ns > window ? kill_ns - window : 0;
	struct work *w = calloc(1, sizeof(*w));
	unsigned i;

	if (!w)
		return;
	out->covered_ns = window;
	for (i = 0; ph && i < ph->nr; i++) {
		const struct change *c = nth(ph, i);

		if (i == 0 && ph->nr == OOM_CHANGES && c->ts > from)
			out->covered_ns = kill_ns - c->ts; /* the ring forgot the older ones */
		if (c->ts >= from && c->ts <= kill_ns)
			gather(w, c);
	}
	to_regions(h->m, out->pid, w);
	qsort(w->rows, w->nr, sizeof(w->rows[0]), by_growth);
	for (i = 0; i < w->nr && w->rows[i].grew > 0; i++) {
		out->grew_total += w->rows[i].grew;
		if (out->nr_rows == OOM_ROWS)
			continue;
		qsort(w->rows[i].sites, OOM_SITES, sizeof(w->rows[i].sites[0]), by_site_bytes);
		out->rows[out->nr_rows++] = w->rows[i];
	}
	free(w);
}

static void constraint(const struct ms_oom *e, struct oom_report *out)
{
	out->cgroup = record_oom_cgroup(e, false);
	out->oom_cgroup = record_oom_cgroup(e, true);
	out->memcg = e->h.flags & MS_OOM_MEMCG;
	out->has_limit = e->h.flags & MS_OOM_HAS_LIMIT;
	out->limit = e->limit;
	out->usage = e->usage;
}

static void figures(const struct model *m, const struct ms_oom *e, struct oom_report *out)
{
	__u64 page = model__page_size(m);

	out->figures = e->h.flags & MS_OOM_FIGURES;
	out->total_vm = e->total_vm * page;
	out->anon_rss = e->anon_rss * page;
	out->file_rss = e->file_rss * page;
	out->shmem_rss = e->shmem_rss * page;
	out->pgtables = e->pgtables;
	out->oom_score_adj = e->oom_score_adj;
}

bool oom_history__report(const struct oom_history *h, const struct ms_oom *e,
			 struct oom_report *out)
{
	const struct mproc *p = model__process(h->m, e->h.pid);
	int i;

	if (e->h.type != MS_OOM || e->h.size < sizeof(*e))
		return false;
	memset(out, 0, sizeof(*out));
	out->e = e;
	out->pid = e->h.pid;
	memcpy(out->comm, e->comm[0] || !p ? e->comm : p->comm, MS_COMM_LEN);
	out->comm[MS_COMM_LEN - 1] = 0;
	out->window_ns = e->window_ns ? e->window_ns : h->window_ns;
	constraint(e, out);
	figures(h->m, e, out);
	out->layout_known = model__class_bytes(h->m, e->h.pid, out->by_class);
	for (i = 0; i < RC_NR; i++)
		out->vsize += out->by_class[i];
	growth(h, pidtab__get(h->procs, e->h.pid), e->h.ts_ns, out);
	return true;
}

/* ---- text and JSON ---- */

void oom_report__constraint(const struct oom_report *r, char *buf, size_t len)
{
	char lim[16], use[16], cg[1024];

	esc_str(cg, sizeof(cg), r->oom_cgroup[0] ? r->oom_cgroup : "?", ESC_TEXT);
	fmt_size(lim, sizeof(lim), r->limit);
	fmt_size(use, sizeof(use), r->usage);
	if (r->memcg)
		snprintf(buf, len,
			 "killed by the OOM killer: memory cgroup %s at its limit (usage %s of %s)",
			 cg, use, lim);
	else if (r->limit)
		snprintf(buf, len,
			 "killed by the OOM killer: the machine is out of memory (%s of %s in use)",
			 use, lim);
	else
		snprintf(buf, len, "killed by the OOM killer: the machine is out of memory");
}

static size_t put(char *buf, size_t len, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t put(char *buf, size_t len, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (off >= len)
		return off;
	va_start(ap, fmt);
	n = vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
	return n < 0 ? off : off + n;
}

void oom_report__line(const struct oom_report *r, char *buf, size_t len)
{
	char a[16], b[16], c[16], d[16], e[16], cg[1024];
	const char *sep = " ";
	size_t off;
	unsigned i;
	int cls;

	oom_report__constraint(r, buf, len);
	off = strlen(buf);
	if (r->cgroup[0] && (!r->memcg || strcmp(r->cgroup, r->oom_cgroup)))
		off = put(buf, len, off, "; its cgroup %s",
			  esc_str(cg, sizeof(cg), r->cgroup, ESC_TEXT));
	if (r->figures)
		off = put(buf, len, off,
			  "; kernel: total-vm %s, anon-rss %s, file-rss %s, shmem-rss %s, "
			  "pgtables %s, oom_score_adj %d",
			  fmt_size(a, sizeof(a), r->total_vm), fmt_size(b, sizeof(b), r->anon_rss),
			  fmt_size(c, sizeof(c), r->file_rss), fmt_size(d, sizeof(d), r->shmem_rss),
			  fmt_size(e, sizeof(e), r->pgtables), r->oom_score_adj);
	if (r->layout_known) {
		off = put(buf, len, off, "; layout %s:", fmt_size(a, sizeof(a), r->vsize));
		for (cls = 0; cls < RC_NR; cls++) {
			if (r->by_class[cls] < 1 << 20) /* the big ones: the table has the rest */
				continue;
			off = put(buf, len, off, "%s%s %s", sep, region_class_name(cls),
				  fmt_size(a, sizeof(a), r->by_class[cls]));
			sep = ", ";
		}
	}
	off = put(buf, len, off, "; grew %s in the last %.0fs",
		  fmt_size(a, sizeof(a), r->grew_total), r->window_ns / 1e9);
	for (i = 0, sep = ": "; i < r->nr_rows && i < 4; i++, sep = ", ")
		off = put(buf, len, off, "%s%s +%s", sep, region_class_name(r->rows[i].cls),
			  fmt_size(a, sizeof(a), r->rows[i].grew));
}

void oom_report__table(const struct oom_report *r, FILE *out, const char *indent)
{
	char size[16], share[16];
	unsigned i;

	for (i = 0; i < r->nr_rows; i++) {
		const struct oom_growth *g = &r->rows[i];

		snprintf(share, sizeof(share), "%.0f%%",
			 r->grew_total ? 100.0 * g->grew / r->grew_total : 0.0);
		fprintf(out, "%sgrew %-12s %012llx-%012llx %8s %5s%s\n", indent,
			region_class_name(g->cls), (unsigned long long)g->start,
			(unsigned long long)g->end, fmt_size(size, sizeof(size), g->grew), share,
			g->gone ? " (gone at the kill)" : "");
	}
}

static void growth_json(const struct oom_report *r, struct json_obj *o, oom_site_fn site_fn,
			void *ctx)
{
	unsigned i, k;

	json_array_begin(o, "growth");
	for (i = 0; i < r->nr_rows; i++) {
		const struct oom_growth *g = &r->rows[i];

		json_object_begin(o, NULL);
		json_str(o, "class", region_class_name(g->cls));
		json_hex(o, "start", g->start);
		json_hex(o, "end", g->end);
		json_s64(o, "grew", g->grew);
		if (g->gone)
			json_bool(o, "gone", true);
		if (site_fn && g->sites[0].stack_id) {
			json_array_begin(o, "sites");
			for (k = 0; k < OOM_SITES && g->sites[k].stack_id; k++) {
				json_object_begin(o, NULL);
				json_s64(o, "bytes", g->sites[k].bytes);
				site_fn(ctx, o, g->sites[k].stack_id);
				json_object_end(o);
			}
			json_array_end(o);
		}
		json_object_end(o);
	}
	json_array_end(o);
}

void oom_report__json(const struct oom_report *r, struct json_obj *o, oom_site_fn site_fn,
		      void *ctx)
{
	int cls;

	json_str(o, "cgroup", r->cgroup);
	json_str(o, "constraint", r->memcg ? "memcg" : "machine");
	if (r->memcg)
		json_str(o, "constraint_cgroup", r->oom_cgroup);
	if (r->has_limit) {
		json_u64(o, "limit", r->limit);
		json_u64(o, "usage", r->usage);
	} else {
		json_null(o, "limit");
		json_null(o, "usage");
	}
	if (r->figures) {
		json_u64(o, "total_vm", r->total_vm);
		json_u64(o, "anon_rss", r->anon_rss);
		json_u64(o, "file_rss", r->file_rss);
		json_u64(o, "shmem_rss", r->shmem_rss);
		json_u64(o, "pgtables", r->pgtables);
		json_s64(o, "oom_score_adj", r->oom_score_adj);
	}
	json_u64(o, "uid", r->e->uid);
	json_u64(o, "killer_pid", r->e->killer_pid);
	if (r->layout_known) {
		json_object_begin(o, "layout");
		for (cls = 0; cls < RC_NR; cls++)
			if (r->by_class[cls])
				json_u64(o, region_class_name(cls), r->by_class[cls]);
		json_object_end(o);
	}
	json_u64(o, "window_ns", r->window_ns);
	json_u64(o, "grew_total", r->grew_total);
	growth_json(r, o, site_fn, ctx);
}
