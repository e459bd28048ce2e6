// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "util/fmt.h"
#include "util/json.h"
#include "view/top_sites.h"

struct site {
	const char *sym; /* NULL: no symbol; then the module and address name it */
	const char *module;
	__u64 ip; /* only when there is no symbol */
	__u64 regions, reserved, touched;
	__u64 before; /* reserved at the previous frame */
};

struct top_sites {
	struct top_sites_opts o;
	const struct model *m;
	const struct stacks *st;
	struct site *sites;
	size_t nr, cap;
	unsigned page_size;
};

struct top_sites *top_sites__new(const struct top_sites_opts *o, const struct model *m,
				 const struct stacks *st)
{
	struct top_sites *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->o = *o;
	t->m = m;
	t->st = st;
	t->page_size = model__page_size(m);
	return t;
}

void top_sites__free(struct top_sites *t)
{
	if (!t)
		return;
	free(t->sites);
	free(t);
}

/* Frames' strings are interned (symbols/unwind.c): pointers compare. */
static struct site *site_of(struct top_sites *t, const struct frame *f)
{
	__u64 ip = f->sym ? 0 : f->ip;
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (t->sites[i].sym == f->sym && t->sites[i].module == f->module &&
		    t->sites[i].ip == ip)
			return &t->sites[i];
	if (t->nr == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct site *s = realloc(t->sites, cap * sizeof(*s));

		if (!s)
			return NULL;
		t->sites = s;
		t->cap = cap;
	}
	t->sites[t->nr] = (struct site){ .sym = f->sym, .module = f->module, .ip = ip };
	return &t->sites[t->nr++];
}

struct count_ctx {
	struct top_sites *t;
	const struct mproc *p;
};

static void count_region(const struct region *r, void *arg)
{
	struct count_ctx *c = arg;
	const struct stack *s = stacks__of_call(c->t->st, c->p->pid, r->created_tid, r->created_ns);
	struct site *site;

	if (!s)
		return;
	site = site_of(c->t, &s->frames[stack__site(s)]);
	if (!site)
		return;
	site->regions++;
	site->reserved += r->end - r->start;
	site->touched += r->touched_pages * c->t->page_size;
}

static void count_process(const struct mproc *p, void *arg)
{
	struct count_ctx c = { .t = arg, .p = p };

	if (p->flags & MPROC_EXITED || !selection__match(c.t->o.sel, p->pid, p->comm))
		return;
	model__for_each_region(c.t->m, p->pid, count_region, &c);
}

static int by_reserved(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	return x->reserved != y->reserved ? (x->reserved < y->reserved ? 1 : -1) :
					    (x->touched < y->touched) - (x->touched > y->touched);
}

static const char *site_name(const struct site *s, char *buf, size_t size)
{
	if (s->sym)
		return s->sym;
	snprintf(buf, size, "0x%llx", (unsigned long long)s->ip);
	return buf;
}

static void print_text(struct top_sites *t, FILE *out)
{
	char name[32], res[16], touched[16], growth[16];
	size_t i;

	fprintf(out, "memsnoop top --by site  %zu sites\n", t->nr);
	fprintf(out, "%-40s %7s %9s %9s %9s %s\n", "SITE", "REGIONS", "RESERVED", "TOUCHED",
		"GROWTH", "MODULE");
	for (i = 0; i < t->nr; i++) {
		const struct site *s = &t->sites[i];
		__s64 d = (__s64)(s->reserved - s->before);

		fmt_size(growth + 1, sizeof(growth) - 1, d < 0 ? -d : d);
		growth[0] = d < 0 ? '-' : '+';
		fprintf(out, "%-40.40s %7llu %9s %9s %9s %s\n", site_name(s, name, sizeof(name)),
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
	for (i = 0; i < t->nr; i++) {
		const struct site *s = &t->sites[i];

		json_object_begin(&o, NULL);
		json_str(&o, "site", site_name(s, name, sizeof(name)));
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
	size_t i, kept = 0;

	for (i = 0; i < t->nr; i++) {
		t->sites[i].before = t->sites[i].reserved;
		t->sites[i].regions = t->sites[i].reserved = t->sites[i].touched = 0;
	}
	model__for_each_process(t->m, count_process, t);
	qsort(t->sites, t->nr, sizeof(*t->sites), by_reserved);
	if (t->o.json)
		print_json(t, now, out);
	else
		print_text(t, out);
	/* a site with nothing left goes, once its shrinking was shown */
	for (i = 0; i < t->nr; i++)
		if (t->sites[i].reserved || t->sites[i].before)
			t->sites[kept++] = t->sites[i];
	t->nr = kept;
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
