// SPDX-License-Identifier: GPL-2.0
/* memsnoop report: what the page needs, collected as the stream goes by (report.h). */
#include <stdlib.h>
#include <string.h>
#include "analysis/exitsum.h"
#include "analysis/explain.h"
#include "analysis/oom.h"
#include "export/report_int.h"
#include "util/pidtab.h"

struct report *report__new(const struct model *m, const struct report_opts *o)
{
	struct report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->o = *o;
	r->m = m;
	r->explain = explain__new(m);
	r->exitsum = exitsum__new(m);
	r->current = pidtab__new(sizeof(size_t));
	r->machine.max = MACHINE_POINTS;
	r->machine.dt = FIRST_DT_NS;
	sites__init(&r->sites, m, o->stacks);
	r->folded = folded__new(m, o->stacks, FOLDED_RESERVED, NULL);
	if (!r->explain || !r->exitsum || !r->current || !r->folded) {
		report__free(r);
		return NULL;
	}
	return r;
}

static void snap_free(struct rsnap *s)
{
	free(s->b);
	memset(s, 0, sizeof(*s));
}

static void proc_free(struct rproc *p)
{
	unsigned i;

	for (i = 0; i < p->nsnaps; i++)
		snap_free(&p->snaps[i]);
	snap_free(&p->peak);
	snap_free(&p->end);
	for (i = 0; i < p->npaths; i++)
		free(p->paths[i]);
	free(p->marks);
	free(p->s.p);
	free(p->sites);
	free(p);
}

void report__free(struct report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nprocs; i++)
		proc_free(r->procs[i]);
	free(r->procs);
	free(r->machine.p);
	pidtab__free(r->current);
	folded__free(r->folded);
	sites__release(&r->sites);
	free(r->site_tot);
	free(r->acc);
	exitsum__free(r->exitsum);
	explain__free(r->explain);
	free(r);
}

/* ---- series: bounded, evenly thinned ---- */

static void series_add(struct rseries *s, const struct rpoint *pt)
{
	unsigned i;

	if (s->nr == s->cap && s->cap < s->max) { /* most lives are short: grow as needed */
		unsigned cap = s->cap ? s->cap * 4 : 4;
		struct rpoint *n = realloc(s->p, (cap < s->max ? cap : s->max) * sizeof(*n));

		if (!n)
			return;
		s->p = n;
		s->cap = cap < s->max ? cap : s->max;
	}
	if (s->nr == s->max) { /* full: every other point goes, the next ones come half as often */
		for (i = 0; i < s->nr / 2; i++)
			s->p[i] = s->p[2 * i];
		s->nr /= 2;
		s->dt *= 2;
	}
	s->p[s->nr++] = *pt;
}

static bool series_due(const struct rseries *s, __u64 ts)
{
	return !s->nr || ts >= s->p[s->nr - 1].ts + s->dt;
}

/* ---- processes ---- */

static struct rproc *proc_new(struct report *r, __u32 pid)
{
	struct rproc *p = calloc(1, sizeof(*p));
	size_t *idx;

	if (!p)
		return NULL;
	if (r->nprocs == r->procs_cap) {
		size_t cap = r->procs_cap ? r->procs_cap * 2 : 64;
		struct rproc **n = realloc(r->procs, cap * sizeof(*n));

		if (!n) {
			free(p);
			return NULL;
		}
		r->procs = n;
		r->procs_cap = cap;
	}
	idx = pidtab__put(r->current, pid);
	if (!idx) {
		free(p);
		return NULL;
	}
	*idx = r->nprocs;
	r->procs[r->nprocs++] = p;
	p->pid = pid;
	p->s.max = SERIES_POINTS;
	p->s.dt = FIRST_DT_NS;
	p->snap_dt = FIRST_DT_NS * 8;
	return p;
}

/* The process's current life: a pid seen again after its exit starts a new one. */
static struct rproc *proc_of(struct report *r, const struct mproc *mp, __u64 ts)
{
	size_t *idx = pidtab__get(r->current, mp->pid);
	struct rproc *p = idx ? r->procs[*idx] : NULL;

	if (!p || (p->exited && !(mp->flags & MPROC_EXITED) && ts > p->last_ts))
		p = proc_new(r, mp->pid);
	if (p && !p->first_ts)
		p->first_ts = ts;
	return p;
}

static const char *intern_path(struct rproc *p, const char *path, __u32 *id)
{
	unsigned i;

	*id = 0;
	if (!path)
		return NULL;
	for (i = 0; i < p->npaths; i++)
		if (!strcmp(p->paths[i], path)) {
			*id = i + 1;
			return p->paths[i];
		}
	if (p->npaths == SNAP_PATHS || !(p->paths[p->npaths] = strdup(path)))
		return NULL;
	*id = ++p->npaths;
	return p->paths[i];
}

struct snap_ctx {
	struct rproc *p;
	struct rsnap *s;
	unsigned cap;
	unsigned page;
};

/* Adjacent regions alike (class, permissions, file) make one block. */
static void snap_region(const struct region *reg, void *arg)
{
	struct snap_ctx *c = arg;
	struct rsnap *s = c->s;
	struct rblock *last = s->nr ? &s->b[s->nr - 1] : NULL;
	__u32 path;

	intern_path(c->p, reg->path, &path);
	if (last && last->end == reg->start && last->cls == reg->cls && last->prot == reg->prot &&
	    last->path == path) {
		last->end = reg->end;
		last->touched += reg->touched_pages * c->page;
		return;
	}
	if (s->nr == c->cap) {
		unsigned cap = c->cap ? c->cap * 2 : 64;
		struct rblock *n = realloc(s->b, cap * sizeof(*n));

		if (!n)
			return;
		s->b = n;
		c->cap = cap;
	}
	s->b[s->nr++] = (struct rblock){ .start = reg->start,
					 .end = reg->end,
					 .touched = reg->touched_pages * c->page,
					 .path = path,
					 .cls = reg->cls,
					 .prot = reg->prot };
}

static int by_size_desc(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Bounded: only the SNAP_BLOCKS largest blocks stay, in address order. */
static void snap_trim(struct rsnap *s)
{
	__u64 *sizes, min;
	unsigned i, kept = 0;

	if (s->nr <= SNAP_BLOCKS)
		return;
	sizes = malloc(s->nr * sizeof(*sizes));
	if (!sizes)
		return;
	for (i = 0; i < s->nr; i++)
		sizes[i] = s->b[i].end - s->b[i].start;
	qsort(sizes, s->nr, sizeof(*sizes), by_size_desc);
	min = sizes[SNAP_BLOCKS - 1];
	free(sizes);
	for (i = 0; i < s->nr; i++)
		if (s->b[i].end - s->b[i].start >= min && kept < SNAP_BLOCKS)
			s->b[kept++] = s->b[i];
	s->left_out = s->nr - kept;
	s->nr = kept;
}

static void snap_take(struct report *r, struct rproc *p, struct rsnap *s, __u64 ts)
{
	const struct mproc *mp = model__process(r->m, p->pid);
	struct snap_ctx c = { .p = p, .s = s, .page = model__page_size(r->m) };

	snap_free(s);
	s->ts = ts;
	s->vsize = mp ? mp->vsize : 0;
	model__for_each_region(r->m, p->pid, snap_region, &c);
	snap_trim(s);
}

static void snap_keep(struct report *r, struct rproc *p, __u64 ts)
{
	unsigned i;

	if (p->nsnaps && ts < p->snaps[p->nsnaps - 1].ts + p->snap_dt)
		return;
	if (p->nsnaps == SNAPSHOTS) {
		for (i = 0; i < SNAPSHOTS; i += 2)
			snap_free(&p->snaps[i + 1]);
		for (i = 0; i < SNAPSHOTS / 2; i++)
			p->snaps[i] = p->snaps[2 * i];
		memset(&p->snaps[SNAPSHOTS / 2], 0, sizeof(p->snaps) / 2);
		p->nsnaps = SNAPSHOTS / 2;
		p->snap_dt *= 2;
	}
	snap_take(r, p, &p->snaps[p->nsnaps++], ts);
}

enum rgroup rgroup_of(enum region_class c)
{
	switch (c) {
	case RC_HEAP:
		return G_HEAP;
	case RC_STACK:
		return G_STACK;
	case RC_THREAD_STACK:
	case RC_GUARD:
		return G_TSTACK;
	case RC_ARENA:
		return G_ARENA;
	case RC_MALLOC:
		return G_MALLOC;
	case RC_TEXT:
	case RC_RODATA:
	case RC_DATA:
	case RC_FILE:
		return G_FILE;
	case RC_SHM:
		return G_SHM;
	case RC_VDSO:
	case RC_VVAR:
	case RC_VSYSCALL:
		return G_OTHER;
	default:
		return G_ANON;
	}
}

/* ---- call sites: each process's share at its latest point, summed ---- */

/* The site's totals and its room in acc, grown with the sites table. */
static struct rsite_total *site_total(struct report *r, size_t i)
{
	size_t cap = r->site_tot_cap;
	struct rsite_total *t;
	unsigned *acc;

	if (i < cap)
		return &r->site_tot[i];
	while (cap <= i)
		cap = cap ? 2 * cap : 64;
	t = realloc(r->site_tot, cap * sizeof(*t));
	if (!t)
		return NULL;
	r->site_tot = t;
	memset(t + r->site_tot_cap, 0, (cap - r->site_tot_cap) * sizeof(*t));
	acc = realloc(r->acc, cap * sizeof(*acc));
	if (!acc)
		return NULL;
	r->acc = acc;
	r->site_tot_cap = cap;
	return &r->site_tot[i];
}

/* A region's bytes into its site's count for the process being counted. */
static void site_count(struct report *r, __u32 pid, const struct region *reg, __u64 resident)
{
	struct site *site = sites__of_region(&r->sites, pid, reg);
	struct rsite_total *t = site ? site_total(r, site - r->sites.v) : NULL;

	if (!t)
		return;
	if (!t->acc) {
		t->acc = true;
		r->acc[r->nacc++] = site - r->sites.v;
	}
	t->acc_reserved += reg->end - reg->start;
	t->acc_resident += resident;
}

/* The process's counts replace its share in the sites' totals; ended: kept as its end. */
static void sites_update(struct report *r, struct rproc *p, bool ended)
{
	struct rsite *now = r->nacc ? malloc(r->nacc * sizeof(*now)) : NULL;
	bool keep_old = r->nacc && !now; /* out of memory: its old share stays */
	unsigned i, n = 0;

	for (i = 0; !keep_old && i < p->nsites; i++) {
		struct rsite_total *t = &r->site_tot[p->sites[i].site];

		t->reserved -= p->sites[i].reserved;
		t->resident -= p->sites[i].resident;
		if (ended) {
			t->end_reserved += p->sites[i].reserved;
			t->end_resident += p->sites[i].resident;
		}
	}
	for (i = 0; i < r->nacc; i++) {
		struct rsite_total *t = &r->site_tot[r->acc[i]];

		if (now) {
			now[n++] = (struct rsite){ r->acc[i], t->acc_reserved, t->acc_resident };
			t->reserved += t->acc_reserved;
			t->resident += t->acc_resident;
		}
		if (t->reserved > t->peak_reserved)
			t->peak_reserved = t->reserved;
		if (t->resident > t->peak_resident)
			t->peak_resident = t->resident;
		t->acc_reserved = t->acc_resident = 0;
		t->acc = false;
	}
	r->nacc = 0;
	if (keep_old)
		return;
	free(p->sites);
	p->sites = now;
	p->nsites = n;
}

/* ---- a process's point: its memory by class (and by site) now ---- */

struct sum_ctx {
	struct report *r;
	struct rpoint *pt;
	__u32 pid;
	bool sampled; /* a resident sample knows the process */
	bool sites; /* the recording has stacks */
};

static void sum_region(const struct region *reg, void *arg)
{
	struct sum_ctx *c = arg;
	enum rgroup g = rgroup_of(reg->cls);
	struct mresident res = {};

	if (c->sampled)
		model__region_resident(c->r->m, c->pid, reg, &res); /* as maps' RSS column */
	c->pt->res[g] += reg->end - reg->start;
	c->pt->touched[g] += reg->touched_pages * model__page_size(c->r->m);
	c->pt->rsd[g] += res.rss;
	if (c->sites)
		site_count(c->r, c->pid, reg, res.rss);
}

static void machine_account(struct report *r, const struct rpoint *old, const struct rpoint *now)
{
	unsigned g;

	for (g = 0; g < G_NR; g++) {
		r->machine_cur.res[g] += now->res[g] - old->res[g];
		r->machine_cur.touched[g] += now->touched[g] - old->touched[g];
		r->machine_cur.rsd[g] += now->rsd[g] - old->rsd[g];
	}
	r->machine_cur.rss += now->rss - old->rss;
}

/* The process's memory by class now: a point of its chart and its share of the machine's. */
static void sample(struct report *r, struct rproc *p, const struct mproc *mp, __u64 ts, bool gone)
{
	struct rpoint pt = { .ts = ts };
	struct sum_ctx c = { .r = r,
			     .pt = &pt,
			     .pid = p->pid,
			     .sampled = mp && mp->sampled_ns,
			     .sites = stacks__get(r->o.stacks, 1) != NULL };

	if (!gone) {
		model__for_each_region(r->m, p->pid, sum_region, &c);
		pt.rss = mp ? mp->rss : 0;
		p->s.sampled |= c.sampled;
		r->machine.sampled |= c.sampled;
	}
	machine_account(r, &p->cur, &pt);
	if (c.sites || p->nsites)
		sites_update(r, p, gone);
	p->cur = pt;
	series_add(&p->s, &pt);
	if (gone)
		return;
	snap_keep(r, p, ts);
	if (mp && mp->vsize > p->peak.vsize)
		snap_take(r, p, &p->peak, ts);
}

static void add_mark(struct rproc *p, __u64 ts, enum rmark_kind kind, const char *text)
{
	struct rmark *n;

	if (p->nmarks == PROC_MARKS) {
		p->marks_left_out++;
		return;
	}
	n = realloc(p->marks, (p->nmarks + 1) * sizeof(*n));
	if (!n)
		return;
	p->marks = n;
	n = &p->marks[p->nmarks++];
	n->ts = ts;
	n->kind = kind;
	snprintf(n->text, sizeof(n->text), "%s", text);
}

static void note_exit(struct report *r, struct rproc *p, const struct ms_hdr *h)
{
	struct exit_summary es;

	if (!exitsum__get(r->exitsum, h, &es))
		return;
	exitsum__text(&es, p->summary, sizeof(p->summary));
	p->exited = true;
	p->killed = es.signal != 0;
	add_mark(p, h->ts_ns, MK_EXIT, p->summary);
}

/* The OOM killer chose it: the oom event's line (constraint, figures, what grew). */
static void note_oom(struct report *r, struct rproc *p, const struct ms_oom *e)
{
	struct oom_report rep;
	char text[sizeof(p->marks->text)] = "killed by the OOM killer";

	if (e->h.size < sizeof(*e))
		return;
	if (r->o.oom && oom_history__report(r->o.oom, e, &rep))
		oom_report__line(&rep, text, sizeof(text));
	p->oom_killed = true;
	add_mark(p, e->h.ts_ns, MK_OOM, text);
}

/* Exec, crash, ENOMEM, OOM kill and exit: the chart's markers, with what they mean. */
static void note_moments(struct report *r, struct rproc *p, const struct ms_hdr *h)
{
	struct explanation ex = {};

	switch (h->type) {
	case MS_EXEC: {
		const struct ms_exec *e = (const void *)h;
		char text[sizeof(ex.text)];

		if (h->size > sizeof(*e) && e->filename_len) {
			snprintf(text, sizeof(text), "exec %.*s", (int)(h->size - sizeof(*e)),
				 e->filename);
			add_mark(p, h->ts_ns, MK_EXEC, text);
		}
		break;
	}
	case MS_SIGNAL:
		if (explain__signal(r->explain, (const void *)h, &ex)) {
			p->crashed = true;
			add_mark(p, h->ts_ns, MK_CRASH, ex.text);
		}
		break;
	case MS_BRK:
	case MS_MMAP:
	case MS_MREMAP:
		if (explain__enomem(r->explain, (const void *)h, &ex)) {
			p->enomem = true;
			add_mark(p, h->ts_ns, MK_ENOMEM, ex.text);
		}
		break;
	case MS_OOM:
		note_oom(r, p, (const struct ms_oom *)h);
		break;
	case MS_EXIT:
		note_exit(r, p, h);
		break;
	}
}

/* The layout as it was at the end, before the model tears it down. */
int report__pre_fn(void *ctx, const struct ms_hdr *h)
{
	struct report *r = ctx;
	bool group_exit = h->type == MS_EXIT && (h->flags & MS_EXIT_GROUP);
	const struct mproc *mp;
	struct rproc *p;
	size_t *idx;

	if (!group_exit && h->type != MS_EXIT_MMAP)
		return 0;
	idx = pidtab__get(r->current, h->pid);
	p = idx ? r->procs[*idx] : NULL;
	mp = model__process(r->m, h->pid);
	if (!p || p->exited || !mp)
		return 0;
	sample(r, p, mp, h->ts_ns, false); /* its last moment: what its call sites left */
	snap_take(r, p, &p->end, h->ts_ns);
	return 0;
}

static void track_peaks(struct rproc *p, const struct mproc *mp)
{
	memcpy(p->comm, mp->comm, sizeof(p->comm));
	if (mp->peak_vsize > p->peak_vsize)
		p->peak_vsize = mp->peak_vsize;
	if (mp->peak_rss > p->peak_rss)
		p->peak_rss = mp->peak_rss;
	if (mp->peak_heap > p->peak_heap)
		p->peak_heap = mp->peak_heap;
}

/* A resident sample just completed: the charts show it at its moment. */
static bool sample_done(const struct ms_hdr *h)
{
	return h->type == MS_RESIDENT && (h->flags & MS_RES_LAST);
}

int report__fn(void *ctx, const struct ms_hdr *h, const struct model_change *chg)
{
	struct report *r = ctx;
	struct rproc *p = chg->proc ? proc_of(r, chg->proc, h->ts_ns) : NULL;

	if (!r->first_ts || h->ts_ns < r->first_ts)
		r->first_ts = h->ts_ns;
	if (h->ts_ns > r->last_ts)
		r->last_ts = h->ts_ns;
	exitsum__note(r->exitsum, h);
	if (p) {
		p->last_ts = h->ts_ns;
		track_peaks(p, chg->proc);
		note_moments(r, p, h);
		if (h->type == MS_EXIT && (h->flags & MS_EXIT_GROUP))
			sample(r, p, chg->proc, h->ts_ns, true); /* gone: no longer the machine's */
		else if (!p->exited && (series_due(&p->s, h->ts_ns) || sample_done(h)))
			sample(r, p, chg->proc, h->ts_ns, false);
	}
	folded__fn(r->folded, h, chg);
	explain__note(r->explain, h, chg->region);
	if (series_due(&r->machine, h->ts_ns)) {
		r->machine_cur.ts = h->ts_ns;
		series_add(&r->machine, &r->machine_cur);
	}
	return 0;
}

/* Every process still there: its last moment, and its layout then. */
static void finish(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nprocs; i++) {
		struct rproc *p = r->procs[i];
		const struct mproc *mp = model__process(r->m, p->pid);
		size_t *idx = pidtab__get(r->current, p->pid);

		if (p->exited || !mp || !idx || *idx != i)
			continue;
		if (p->s.nr && p->s.p[p->s.nr - 1].ts < r->last_ts)
			sample(r, p, mp, r->last_ts, false);
		snap_take(r, p, &p->end, r->last_ts);
		sites_update(r, p, true); /* what its call sites hold at the end */
	}
	if (r->machine.nr && r->machine.p[r->machine.nr - 1].ts < r->last_ts) {
		r->machine_cur.ts = r->last_ts;
		series_add(&r->machine, &r->machine_cur);
	}
}

int report__write(struct report *r, const char *recording, FILE *out)
{
	finish(r);
	return report_html__write(r, recording, out);
}
