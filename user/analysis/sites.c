// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/sites.h"

void sites__init(struct sites *t, const struct model *m, const struct stacks *st)
{
	*t = (struct sites){ .m = m, .st = st };
}

void sites__release(struct sites *t)
{
	free(t->v);
	t->v = NULL;
	t->nr = t->cap = 0;
}

/* Frames' strings are interned (symbols/unwind.c): pointers compare. */
static struct site *site_of(struct sites *t, const struct frame *f)
{
	__u64 ip = f->sym ? 0 : f->ip;
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (t->v[i].sym == f->sym && t->v[i].module == f->module && t->v[i].ip == ip)
			return &t->v[i];
	if (t->nr == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct site *s = realloc(t->v, cap * sizeof(*s));

		if (!s)
			return NULL;
		t->v = s;
		t->cap = cap;
	}
	t->v[t->nr] = (struct site){ .sym = f->sym, .module = f->module, .ip = ip };
	return &t->v[t->nr++];
}

struct site *sites__of_region(struct sites *t, __u32 pid, const struct region *r)
{
	const struct stack *s = stacks__of_call(t->st, pid, r->created_tid, r->created_ns);

	return s ? site_of(t, &s->frames[stack__site(s)]) : NULL;
}

struct site *sites__add_region(struct sites *t, __u32 pid, const struct region *r)
{
	struct site *site = sites__of_region(t, pid, r);

	if (!site)
		return NULL;
	site->regions++;
	site->reserved += r->end - r->start;
	site->touched += r->touched_pages * model__page_size(t->m);
	return site;
}

struct add_ctx {
	struct sites *t;
	__u32 pid;
};

static void add_region(const struct region *r, void *arg)
{
	struct add_ctx *c = arg;

	sites__add_region(c->t, c->pid, r);
}

void sites__add_process(struct sites *t, const struct mproc *p)
{
	struct add_ctx c = { .t = t, .pid = p->pid };

	if (!(p->flags & MPROC_EXITED))
		model__for_each_region(t->m, p->pid, add_region, &c);
}

const char *site__name(const struct site *s, char *buf, size_t size)
{
	if (s->sym)
		return s->sym;
	snprintf(buf, size, "0x%llx", (unsigned long long)s->ip);
	return buf;
}
