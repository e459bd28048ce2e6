// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "util/escape.h"
#include "util/fmt.h"
#include "util/json.h"
#include "util/sbuf.h"
#include "view/top_cgroups.h"

struct cg_row {
	const struct mcgroup *cg; /* NULL: processes whose cgroup is not known */
	__u64 procs;
	__u64 vsize, rss, heap, anon, file, stack;
	__s64 faults_per_s, growth_per_s;
};

struct top_cgroups {
	struct top_cgroups_opts o;
	const struct model *m;
	struct top *top;
	struct cg_row *rows;
	size_t nr, cap;
};

struct top_cgroups *top_cgroups__new(const struct top_cgroups_opts *o, const struct model *m,
				     struct top *t)
{
	struct top_cgroups *tc = calloc(1, sizeof(*tc));

	if (!tc)
		return NULL;
	tc->o = *o;
	tc->m = m;
	tc->top = t;
	return tc;
}

void top_cgroups__free(struct top_cgroups *tc)
{
	if (!tc)
		return;
	free(tc->rows);
	free(tc);
}

static struct cg_row *row_of(struct top_cgroups *tc, const struct mcgroup *cg)
{
	size_t i;

	for (i = 0; i < tc->nr; i++)
		if (tc->rows[i].cg == cg)
			return &tc->rows[i];
	if (tc->nr == tc->cap) {
		size_t cap = tc->cap ? 2 * tc->cap : 32;
		struct cg_row *r = realloc(tc->rows, cap * sizeof(*r));

		if (!r)
			return NULL;
		tc->rows = r;
		tc->cap = cap;
	}
	tc->rows[tc->nr] = (struct cg_row){ .cg = cg };
	return &tc->rows[tc->nr++];
}

static void add_row(const struct top_row *tr, void *ctx)
{
	struct top_cgroups *tc = ctx;
	struct cg_row *r;

	if (tr->exited)
		return;
	r = row_of(tc, model__cgroup_of(tc->m, tr->p));
	if (!r)
		return;
	r->procs++;
	r->vsize += tr->vsize;
	r->rss += tr->rss_known ? tr->rss : 0;
	r->heap += tr->heap;
	r->anon += tr->anon;
	r->file += tr->file;
	r->stack += tr->stack;
	r->faults_per_s += tr->faults_known ? tr->faults_per_s : 0;
	r->growth_per_s += tr->growth_known ? tr->growth_per_s : 0;
}

static int by_rss(const void *a, const void *b)
{
	const struct cg_row *x = a, *y = b;

	if (x->rss != y->rss)
		return x->rss < y->rss ? 1 : -1;
	if (!x->cg || !y->cg)
		return !x->cg - !y->cg;
	return strcmp(x->cg->path, y->cg->path);
}

/* Usage against the limit, in percent; false without both. */
static bool used_pct(const struct mcgroup *cg, double *pct)
{
	if (!cg || !cg->has_usage || !cg->has_limit || !cg->limit)
		return false;
	*pct = 100.0 * cg->usage / cg->limit;
	return true;
}

static void print_text(struct top_cgroups *tc, FILE *out)
{
	char s[9][16], name[256];
	struct sbuf b;
	double pct;
	size_t i;

	fprintf(out, "memsnoop top --by cgroup  %zu cgroups\n", tc->nr);
	fprintf(out, "%-32s %5s %7s %7s %7s %7s %7s %7s %8s %8s %7s %7s %5s\n", "CGROUP", "PROCS",
		"VSZ", "RSS", "HEAP", "ANON", "FILE", "STACK", "FLT/s", "GROW/s", "LIMIT", "USAGE",
		"USE%");
	for (i = 0; i < tc->nr; i++) {
		const struct cg_row *r = &tc->rows[i];
		const struct mcgroup *cg = r->cg;
		__s64 g = r->growth_per_s;

		sb_init(&b, name, sizeof(name));
		esc_cell(&b, cg ? cg->path : "-", cg ? strlen(cg->path) : 1, 32);
		fmt_size(s[7] + 1, sizeof(s[7]) - 1, g < 0 ? -g : g);
		s[7][0] = g < 0 ? '-' : '+';
		fprintf(out, "%-32.*s %5llu %7s %7s %7s %7s %7s %7s %8lld %8s %7s %7s ", (int)b.len,
			name, (unsigned long long)r->procs, fmt_size(s[0], 16, r->vsize),
			fmt_size(s[1], 16, r->rss), fmt_size(s[2], 16, r->heap),
			fmt_size(s[3], 16, r->anon), fmt_size(s[4], 16, r->file),
			fmt_size(s[5], 16, r->stack), (long long)r->faults_per_s, g ? s[7] : "0",
			cg && cg->has_limit ? fmt_size(s[6], 16, cg->limit) : "-",
			cg && cg->has_usage ? fmt_size(s[8], 16, cg->usage) : "-");
		if (used_pct(cg, &pct))
			fprintf(out, "%4.0f%%\n", pct);
		else
			fprintf(out, "%5s\n", "-");
	}
}

static void json_opt_u64(struct json_obj *o, const char *key, bool known, __u64 v)
{
	if (known)
		json_u64(o, key, v);
	else
		json_null(o, key);
}

static void print_json(struct top_cgroups *tc, __u64 now, FILE *out)
{
	struct json_obj o;
	double pct;
	size_t i;

	json_begin(&o, out);
	json_u64(&o, "ts_ns", now);
	json_array_begin(&o, "cgroups");
	for (i = 0; i < tc->nr; i++) {
		const struct cg_row *r = &tc->rows[i];
		const struct mcgroup *cg = r->cg;

		json_object_begin(&o, NULL);
		if (cg)
			json_str(&o, "cgroup", cg->path);
		else
			json_null(&o, "cgroup");
		json_u64(&o, "processes", r->procs);
		json_u64(&o, "vsize", r->vsize);
		json_u64(&o, "rss", r->rss);
		json_u64(&o, "heap", r->heap);
		json_u64(&o, "anon", r->anon);
		json_u64(&o, "file", r->file);
		json_u64(&o, "stack", r->stack);
		json_s64(&o, "faults_per_s", r->faults_per_s);
		json_s64(&o, "growth_per_s", r->growth_per_s);
		json_opt_u64(&o, "limit", cg && cg->has_limit, cg ? cg->limit : 0);
		json_opt_u64(&o, "usage", cg && cg->has_usage, cg ? cg->usage : 0);
		if (used_pct(cg, &pct))
			json_fixed(&o, "usage_pct", pct, 1);
		else
			json_null(&o, "usage_pct");
		json_object_end(&o);
	}
	json_array_end(&o);
	json_end(&o);
}

static void cgroups_render(void *ctx, __u64 now, FILE *out)
{
	struct top_cgroups *tc = ctx;

	tc->nr = 0;
	top__for_each_row(tc->top, now, add_row, tc);
	if (tc->nr)
		qsort(tc->rows, tc->nr, sizeof(*tc->rows), by_rss);
	if (tc->o.json)
		print_json(tc, now, out);
	else
		print_text(tc, out);
}

struct frame_view top_cgroups__view(struct top_cgroups *tc)
{
	return (struct frame_view){
		.ctx = tc,
		.render = cgroups_render,
		.header_lines = 2,
		.keys = "q quit  arrows/PgUp/PgDn scroll",
	};
}
