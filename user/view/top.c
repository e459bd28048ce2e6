// SPDX-License-Identifier: GPL-2.0
/*
 * memsnoop top: see top.h. Everything shown comes from the model and the
 * records (nothing from /proc), so a replay shows what the live run showed
 * at that moment.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "util/escape.h"
#include "util/pidtab.h"
#include "util/fmt.h"
#include "util/json.h"
#include "util/sbuf.h"
#include "view/top.h"

enum col { C_PID, C_COMM, C_VSZ, C_RSS, C_HEAP, C_ANON, C_FILE, C_STACK, C_FLT, C_GROW, C_NR };

static const struct {
	const char *name;
	char key;
	int width;
	const char *json; /* the field's name in -j rows */
} cols[C_NR] = {
	[C_PID] = { "PID", 'p', 7, "pid" },
	[C_COMM] = { "COMM", 'c', 16, "comm" },
	[C_VSZ] = { "VSZ", 'v', 7, "vsize" },
	[C_RSS] = { "RSS", 'r', 7, "rss" },
	[C_HEAP] = { "HEAP", 'h', 7, "heap" },
	[C_ANON] = { "ANON", 'a', 7, "anon" },
	[C_FILE] = { "FILE", 'f', 7, "file" },
	[C_STACK] = { "STACK", 's', 7, "stack" },
	[C_FLT] = { "FLT/s", 't', 8, "faults_per_s" },
	[C_GROW] = { "GROW/s", 'g', 8, "growth_per_s" },
};

#define FHIST 64

struct fpoint {
	__u64 ts, total;
};

struct fhist {
	struct fpoint pt[FHIST];
	unsigned head, nr; /* pt[head] is the next slot */
};

struct top {
	struct top_opts o;
	const struct model *m;
	struct pidtab *faults; /* struct fhist by pid */
	__u64 window; /* ns */
	__u64 first_ts, last_ts;
	int sort;
	bool reversed; /* against the column's natural order */
};

struct top *top__new(const struct top_opts *o, const struct model *m)
{
	struct top *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->o = *o;
	t->m = m;
	t->window = o->interval * 1e9;
	t->sort = C_RSS;
	t->faults = pidtab__new(sizeof(struct fhist));
	if (!t->faults) {
		free(t);
		return NULL;
	}
	return t;
}

void top__free(struct top *t)
{
	if (!t)
		return;
	pidtab__free(t->faults);
	free(t);
}

/* The process's fault total over time, one point per tenth of a window. */
static void note_faults(struct top *t, __u32 pid, __u64 ts, __u64 total)
{
	struct fhist *fh = pidtab__put(t->faults, pid);
	struct fpoint *last;

	if (!fh)
		return;
	last = fh->nr ? &fh->pt[(fh->head + FHIST - 1) % FHIST] : NULL;
	if (last && ts >= last->ts && ts - last->ts < t->window / 10) {
		last->total = total;
		return;
	}
	fh->pt[fh->head] = (struct fpoint){ ts, total };
	fh->head = (fh->head + 1) % FHIST;
	if (fh->nr < FHIST)
		fh->nr++;
}

int top__fn(void *ctx, const struct ms_hdr *h, const struct model_change *chg)
{
	struct top *t = ctx;
	const struct mproc *p;

	if (!t->first_ts || h->ts_ns < t->first_ts)
		t->first_ts = h->ts_ns;
	if (h->ts_ns > t->last_ts)
		t->last_ts = h->ts_ns;
	if (h->type == MS_FAULTS || h->type == MS_FAULT || h->type == MS_EXIT) {
		p = model__process(t->m, h->pid);
		if (p)
			note_faults(t, h->pid, h->ts_ns, p->faults);
	}
	if (h->type == MS_EXEC && !model__process(t->m, h->pid))
		pidtab__del(t->faults, h->pid);
	return 0;
}

/* The latest sample at or before ts; NULL if none. */
static const struct msample *sample_at(const struct mproc *p, __u64 ts)
{
	unsigned lo = 0, hi = model__nr_samples(p);

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (model__sample(p, mid)->ts_ns <= ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? model__sample(p, lo - 1) : NULL;
}

/* Heap or anonymous memory rose in each of the last N windows. */
static bool steady_growth(const struct top *t, const struct mproc *p, __u64 now)
{
	const struct msample *s[TOP_STEADY_WINDOWS + 1];
	bool heap = true, anon = true;
	int k;

	if (now < TOP_STEADY_WINDOWS * t->window)
		return false;
	for (k = 0; k <= TOP_STEADY_WINDOWS; k++) {
		s[k] = sample_at(p, now - (__u64)(TOP_STEADY_WINDOWS - k) * t->window);
		if (!s[k])
			return false;
	}
	for (k = 1; k <= TOP_STEADY_WINDOWS; k++) {
		heap = heap && s[k]->heap > s[k - 1]->heap;
		anon = anon && s[k]->anon > s[k - 1]->anon;
	}
	return heap || anon;
}

struct row {
	const struct mproc *p;
	__s64 v[C_NR];
	bool known[C_NR];
	bool steady, exited;
};

/* A rate from a trace's counts: any value, however absurd, fits the column. */
static __s64 per_second(double delta, __u64 span_ns)
{
	double v = delta * 1e9 / span_ns;

	if (v >= 9.2e18)
		return INT64_MAX;
	return v <= -9.2e18 ? -INT64_MAX : (__s64)v;
}

static void rates(struct top *t, const struct mproc *p, __u64 now, struct row *r)
{
	struct fhist *fh = pidtab__get(t->faults, p->pid);
	const struct msample *a, *b;
	__u64 base_ts = p->start_ns > t->first_ts ? p->start_ns : t->first_ts, base = 0;
	unsigned i;

	for (i = 1; fh && i <= fh->nr; i++) {
		const struct fpoint *pt = &fh->pt[(fh->head + FHIST - i) % FHIST];

		if (pt->ts + t->window <= now) {
			base_ts = pt->ts;
			base = pt->total;
			break;
		}
	}
	if (now > base_ts && p->faults >= base) {
		/* over a whole window at least: a young process's few faults are no storm */
		r->v[C_FLT] = per_second((double)(p->faults - base),
					 now - base_ts > t->window ? now - base_ts : t->window);
		r->known[C_FLT] = true;
	}
	b = sample_at(p, now);
	a = now > t->window ? sample_at(p, now - t->window) : NULL;
	if (!a && model__nr_samples(p))
		a = model__sample(p, 0);
	if (a && b && b->ts_ns > a->ts_ns) {
		__u64 span = now - a->ts_ns > t->window ? now - a->ts_ns : t->window;

		r->v[C_GROW] =
			per_second((double)(b->heap + b->anon) - (double)(a->heap + a->anon), span);
		r->known[C_GROW] = true;
	} else if (b) {
		r->known[C_GROW] = true; /* no change in the window */
	}
}

/*
 * An exited process shows what it had when it exited: the exit's sample (its
 * layout may be gone already, torn down with its mm).
 */
static void last_values(const struct mproc *p, struct row *r)
{
	const struct msample *s = sample_at(p, p->exit_ns);

	if (!s)
		return;
	r->v[C_VSZ] = s->vsize;
	r->v[C_RSS] = s->rss;
	r->v[C_HEAP] = s->heap;
	r->v[C_ANON] = s->anon;
	r->v[C_FILE] = s->file;
	r->v[C_STACK] = s->stack;
	r->known[C_RSS] = s->rss != 0;
}

struct collect {
	struct top *t;
	__u64 now;
	struct row *rows;
	size_t nr, cap;
	size_t live, exited;
};

static void collect_fn(const struct mproc *p, void *arg)
{
	struct collect *c = arg;
	struct row *r;

	if (!(p->flags & MPROC_EXITED))
		c->live++;
	/* an exited process lingers one refresh, marked */
	if (p->flags & MPROC_EXITED && p->exit_ns + c->t->window <= c->now)
		return;
	if (!selection__match(c->t->o.sel, p->pid, p->comm) ||
	    (!p->nr_regions && !(p->flags & MPROC_EXITED)))
		return;
	if (c->nr == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct row *rows = realloc(c->rows, cap * sizeof(*rows));

		if (!rows)
			return;
		c->rows = rows;
		c->cap = cap;
	}
	r = &c->rows[c->nr++];
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->exited = p->flags & MPROC_EXITED;
	c->exited += r->exited;
	r->v[C_PID] = p->pid;
	r->v[C_VSZ] = p->vsize;
	r->v[C_RSS] = p->rss;
	r->v[C_HEAP] = p->heap;
	r->v[C_ANON] = p->anon;
	r->v[C_FILE] = p->file;
	r->v[C_STACK] = p->stack;
	for (int i = 0; i < C_NR; i++)
		r->known[i] = true;
	/* RSS comes with the process's own records or a resident sample: none yet, not known */
	r->known[C_RSS] = (p->mm.total_vm != 0 || p->sampled_ns) && !r->exited;
	r->known[C_FLT] = r->known[C_GROW] = false;
	if (r->exited)
		last_values(p, r);
	rates(c->t, p, c->now, r);
	r->steady = !r->exited && steady_growth(c->t, p, c->now);
}

/* Numbers big first, names and pids small first, unless reversed. */
static bool ascending(const struct top *t)
{
	return (t->sort == C_COMM || t->sort == C_PID) != t->reversed;
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct row *x = a, *y = b;
	const struct top *t = arg;
	int k = t->sort, d;

	if (k == C_COMM)
		d = strncmp(x->p->comm, y->p->comm, MS_COMM_LEN);
	else if (x->known[k] != y->known[k])
		d = x->known[k] ? 1 : -1;
	else
		d = x->v[k] < y->v[k] ? -1 : x->v[k] > y->v[k];
	if (!d)
		d = x->p->pid < y->p->pid ? -1 : 1;
	return ascending(t) ? d : -d;
}

static void cell(FILE *out, const struct row *r, int k)
{
	char buf[32];

	if (!r->known[k]) {
		fprintf(out, " %*s", cols[k].width, "-");
		return;
	}
	if (k == C_FLT) {
		fprintf(out, " %*lld", cols[k].width, (long long)r->v[k]);
		return;
	}
	if (k == C_GROW) {
		fmt_size(buf + 1, sizeof(buf) - 1,
			 r->v[k] < 0 ? 0 - (__u64)r->v[k] : (__u64)r->v[k]);
		buf[0] = r->v[k] < 0 ? '-' : '+';
		fprintf(out, " %*s", cols[k].width, r->v[k] ? buf : "0");
		return;
	}
	fprintf(out, " %*s", cols[k].width, fmt_size(buf, sizeof(buf), r->v[k]));
}

static void print_row(FILE *out, const struct row *r)
{
	char comm[MS_COMM_LEN * 4 + 1];
	struct sbuf b;
	size_t w;
	int k;

	sb_init(&b, comm, sizeof(comm));
	w = esc_cell(&b, r->p->comm, MS_COMM_LEN, cols[C_COMM].width);
	sb_pad(&b, b.len + cols[C_COMM].width - w);
	fprintf(out, "%*u %s", cols[C_PID].width, r->p->pid, comm);
	for (k = C_VSZ; k < C_NR; k++)
		cell(out, r, k);
	fprintf(out, " %s%s%s\n", r->exited ? "exited" : "", r->steady ? "growing" : "",
		r->p->flags & MPROC_UNCERTAIN && !r->exited ? "?" : "");
}

static bool model_knows(__u32 pid, void *ctx)
{
	return model__process(ctx, pid) != NULL;
}

static double elapsed(const struct top *t, __u64 now)
{
	return t->first_ts && now > t->first_ts ? (now - t->first_ts) / 1e9 : 0.0;
}

static void print_text(const struct top *t, const struct collect *c, FILE *out)
{
	size_t i;
	int k;

	fprintf(out,
		"memsnoop top  %.1fs  processes %zu, shown %zu (+%zu exited)  sort %s %s  "
		"window %.3gs  growing: heap|anon up %d windows\n",
		elapsed(t, c->now), c->live, c->nr - c->exited, c->exited, cols[t->sort].name,
		ascending(t) ? "up" : "down", t->window / 1e9, TOP_STEADY_WINDOWS);
	for (k = 0; k < C_NR; k++) {
		char name[16];

		snprintf(name, sizeof(name), "%s%s", k == t->sort ? "*" : "", cols[k].name);
		if (k == C_COMM)
			fprintf(out, " %-*s", cols[k].width, name);
		else
			fprintf(out, "%s%*s", k ? " " : "", cols[k].width, name);
	}
	fputs(" FLAGS\n", out);
	for (i = 0; i < c->nr; i++)
		print_row(out, &c->rows[i]);
}

static void json_row(struct json_obj *o, const struct row *r)
{
	int k;

	json_object_begin(o, NULL);
	json_u64(o, "pid", r->p->pid);
	json_strn(o, "comm", r->p->comm, MS_COMM_LEN);
	for (k = C_VSZ; k < C_NR; k++) {
		if (!r->known[k])
			json_null(o, cols[k].json);
		else
			json_s64(o, cols[k].json, r->v[k]);
	}
	json_bool(o, "growing", r->steady);
	json_bool(o, "exited", r->exited);
	json_bool(o, "uncertain", r->p->flags & MPROC_UNCERTAIN && !r->exited);
	json_object_end(o);
}

/* The frame as one object: what the text header says, then the rows in order. */
static void print_json(const struct top *t, const struct collect *c, FILE *out)
{
	struct json_obj o;
	size_t i;

	json_begin(&o, out);
	json_u64(&o, "ts_ns", c->now);
	json_fixed(&o, "elapsed_s", elapsed(t, c->now), 3);
	json_u64(&o, "processes", c->live);
	json_u64(&o, "shown", c->nr - c->exited);
	json_u64(&o, "exited", c->exited);
	json_str(&o, "sort", cols[t->sort].json);
	json_str(&o, "order", ascending(t) ? "ascending" : "descending");
	json_u64(&o, "window_ns", t->window);
	json_u64(&o, "growing_windows", TOP_STEADY_WINDOWS);
	json_array_begin(&o, "rows");
	for (i = 0; i < c->nr; i++)
		json_row(&o, &c->rows[i]);
	json_array_end(&o);
	json_end(&o);
}

static void top_render(void *ctx, __u64 now, FILE *out)
{
	struct top *t = ctx;
	struct collect c = { .t = t };

	/* a fault history goes with its process, once the model forgets it */
	pidtab__prune(t->faults, model_knows, (void *)t->m);
	c.now = now ? now : t->last_ts;
	model__for_each_process(t->m, collect_fn, &c);
	if (c.nr)
		qsort_r(c.rows, c.nr, sizeof(*c.rows), cmp_rows, t);
	if (t->o.json)
		print_json(t, &c, out);
	else
		print_text(t, &c, out);
	free(c.rows);
}

void top__for_each_row(struct top *t, __u64 now, void (*fn)(const struct top_row *, void *),
		       void *ctx)
{
	struct collect c = { .t = t };
	struct top_row tr;
	size_t i;

	pidtab__prune(t->faults, model_knows, (void *)t->m);
	c.now = now ? now : t->last_ts;
	model__for_each_process(t->m, collect_fn, &c);
	for (i = 0; i < c.nr; i++) {
		const struct row *r = &c.rows[i];

		tr = (struct top_row){
			.p = r->p,
			.vsize = r->v[C_VSZ],
			.rss = r->v[C_RSS],
			.heap = r->v[C_HEAP],
			.anon = r->v[C_ANON],
			.file = r->v[C_FILE],
			.stack = r->v[C_STACK],
			.faults_per_s = r->v[C_FLT],
			.growth_per_s = r->v[C_GROW],
			.rss_known = r->known[C_RSS],
			.faults_known = r->known[C_FLT],
			.growth_known = r->known[C_GROW],
			.exited = r->exited,
		};
		fn(&tr, ctx);
	}
	free(c.rows);
}

static bool top_key(void *ctx, int key)
{
	struct top *t = ctx;
	int k;

	if (key == '<' || key == '>') {
		t->sort = (t->sort + (key == '>' ? 1 : C_NR - 1)) % C_NR;
		t->reversed = false;
		return true;
	}
	for (k = 0; k < C_NR; k++) {
		if (key == cols[k].key || key == cols[k].key - 'a' + 'A') {
			/* again: reverse; another column starts in its own order */
			t->reversed = t->sort == k && !t->reversed;
			t->sort = k;
			return true;
		}
	}
	return false;
}

struct frame_view top__view(struct top *t)
{
	return (struct frame_view){
		.ctx = t,
		.render = top_render,
		.key = top_key,
		.header_lines = 2,
		.keys = "q quit  arrows/PgUp/PgDn scroll  < > or a column letter sorts"
	};
}
