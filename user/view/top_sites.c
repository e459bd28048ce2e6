// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "util/fmt.h"
#include "util/json.h"
#include "view/top_sites.h"

struct top_sites {
	struct top_sites_opts o;
	struct sites sites;
};

struct top_sites *top_sites__new(const struct top_sites_opts *o, const struct model *m,
				 const struct stacks *st)
{
	struct top_sites *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->o = *o;
	sites__init(&t->sites, m, st);
	return t;
}

void top_sites__free(struct top_sites *t)
{
	if (!t)
		return;
	sites__release(&t->sites);
	free(t);
}

static void count_process(const struct mproc *p, void *arg)
{
	struct top_sites *t = arg;

	if (selection__match(t->o.sel, p->pid, p->comm))
		sites__add_process(&t->sites, p);
}

static int by_reserved(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	return x->reserved != y->reserved ? (x->reserved < y->reserved ? 1 : -1) :
					    (x->touched < y->touched) - (x->touched > y->touched);
}

static void print_text(struct top_sites *t, FILE *out)
{
	char name[32], res[16], touched[16], growth[16];
	size_t i;

	fprintf(out, "memsnoop top --by site  %zu sites\n", t->sites.nr);
	fprintf(out, "%-40s %7s %9s %9s %9s %s\n", "SITE", "REGIONS", "RESERVED", "TOUCHED",
		"GROWTH", "MODULE");
	for (i = 0; i < t->sites.nr; i++) {
		const struct site *s = &t->sites.v[i];
		__s64 d = (__s64)(s->reserved - s->before);

		fmt_size(growth + 1, sizeof(growth) - 1, d < 0 ? -d : d);
		growth[0] = d < 0 ? '-' : '+';
		fprintf(out, "%-40.40s %7llu %9s %9s %9s %s\n", site__name(s, name, sizeof(name)),
			(unsigned long long)s->regions, fmt_size(res, sizeof(res), s->reserved),
			fmt_size(touched, sizeof(touched), s->touched), d ? growth : "0",
			s->module ? s->module : "-");
	}
}

static void print_json(struct top_sites *t, __u64 now, FILE *out)
{
	char name[32];
	struct json_obj o;
	size_t i;

	json_begin(&o, out);
	json_u64(&o, "ts_ns", now);
	json_array_begin(&o, "sites");
	for (i = 0; i < t->sites.nr; i++) {
		const struct site *s = &t->sites.v[i];

		json_object_begin(&o, NULL);
		json_str(&o, "site", site__name(s, name, sizeof(name)));
		if (s->module)
			json_str(&o, "module", s->module);
		json_u64(&o, "regions", s->regions);
		json_u64(&o, "reserved", s->reserved);
		json_u64(&o, "touched", s->touched);
		json_s64(&o, "growth", (__s64)(s->reserved - s->before));
		json_object_end(&o);
	}
	json_array_end(&o);
	json_end(&o);
}

static void sites_render(void *ctx, __u64 now, FILE *out)
{
	struct top_sites *t = ctx;
	struct sites *ss = &t->sites;
	size_t i, kept = 0;

	for (i = 0; i < ss->nr; i++) {
		ss->v[i].before = ss->v[i].reserved;
		ss->v[i].regions = ss->v[i].reserved = ss->v[i].touched = 0;
	}
	model__for_each_process(ss->m, count_process, t);
	qsort(ss->v, ss->nr, sizeof(*ss->v), by_reserved);
	if (t->o.json)
		print_json(t, now, out);
	else
		print_text(t, out);
	/* a site with nothing left goes, once its shrinking was shown */
	for (i = 0; i < ss->nr; i++)
		if (ss->v[i].reserved || ss->v[i].before)
			ss->v[kept++] = ss->v[i];
	ss->nr = kept;
}

struct frame_view top_sites__view(struct top_sites *t)
{
	return (struct frame_view){
		.ctx = t,
		.render = sites_render,
		.header_lines = 2,
		.keys = "q quit  arrows/PgUp/PgDn scroll",
	};
}
