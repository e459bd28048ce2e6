// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "export/folded.h"
#include "util/pidtab.h"

struct folded {
	const struct model *m;
	const struct stacks *st;
	enum folded_weight w;
	FILE *out;
	__u64 *weight; /* [stack id]: what its calls weigh */
	char (*comm)[MS_COMM_LEN]; /* [stack id]: its process's command */
	unsigned cap;
	struct pidtab *brk; /* pid -> __u64: the break before the next brk */
};

struct folded *folded__new(const struct model *m, const struct stacks *st, enum folded_weight w,
			   FILE *out)
{
	struct folded *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	*f = (struct folded){ .m = m, .st = st, .w = w, .out = out };
	f->brk = pidtab__new(sizeof(__u64));
	if (!f->brk) {
		free(f);
		return NULL;
	}
	return f;
}

static bool grow(struct folded *f, unsigned id)
{
	unsigned cap = f->cap;
	__u64 *w;
	char(*c)[MS_COMM_LEN];

	if (id < f->cap)
		return true;
	while (cap <= id)
		cap = cap ? 2 * cap : 256;
	w = realloc(f->weight, cap * sizeof(*w));
	if (!w)
		return false;
	f->weight = w;
	c = realloc(f->comm, cap * sizeof(*c));
	if (!c)
		return false;
	f->comm = c;
	memset(f->weight + f->cap, 0, (cap - f->cap) * sizeof(*w));
	memset(f->comm + f->cap, 0, (cap - f->cap) * sizeof(*c));
	f->cap = cap;
	return true;
}

static void add(struct folded *f, const struct stack *s, __u64 w, const char *comm)
{
	if (!s || !grow(f, s->id))
		return;
	f->weight[s->id] += w;
	if (comm && !f->comm[s->id][0])
		memcpy(f->comm[s->id], comm, MS_COMM_LEN - 1);
}

/* Bytes the call added to the address space. */
static __u64 reserved(struct folded *f, const struct ms_syscall *s)
{
	__u64 *brk, before;

	if (s->ret < 0)
		return 0;
	switch (s->h.type) {
	case MS_MMAP:
		return (s->args[1] + 4095) & ~4095ULL;
	case MS_MREMAP:
		return s->args[2] > s->args[1] ? s->args[2] - s->args[1] : 0;
	case MS_BRK:
		brk = pidtab__put(f->brk, s->h.pid);
		if (!brk)
			return 0;
		before = *brk ? *brk : (__u64)s->ret;
		*brk = s->ret;
		return (__u64)s->ret > before ? s->ret - before : 0;
	}
	return 0;
}

int folded__fn(void *ctx, const struct ms_hdr *rec, const struct model_change *chg)
{
	struct folded *f = ctx;
	const struct ms_syscall *s = (const void *)rec;
	__u64 w;

	if (rec->type < MS_BRK || rec->type > MS_MADVISE || f->w == FOLDED_TOUCHED)
		return 0;
	w = f->w == FOLDED_RESERVED ? reserved(f, s) : 1;
	if (w)
		add(f, stacks__of(f->st, rec), w, s->comm);
	return 0;
}

struct touched_ctx {
	struct folded *f;
	const struct mproc *p;
};

static void touched_region(const struct region *r, void *arg)
{
	struct touched_ctx *c = arg;
	const struct stack *s = stacks__of_call(c->f->st, c->p->pid, r->created_tid, r->created_ns);

	if (r->touched_pages)
		add(c->f, s, r->touched_pages * model__page_size(c->f->m), c->p->comm);
}

static void touched_process(const struct mproc *p, void *arg)
{
	struct touched_ctx c = { .f = arg, .p = p };

	model__for_each_region(c.f->m, p->pid, touched_region, &c);
}

const char *folded__frame_name(const struct frame *fr, char *buf, size_t size)
{
	const char *slash;

	if (fr->sym)
		return fr->sym;
	if (fr->module) {
		slash = strrchr(fr->module, '/');
		snprintf(buf, size, "[%.28s]", slash ? slash + 1 : fr->module);
	} else {
		snprintf(buf, size, "0x%llx", (unsigned long long)fr->ip);
	}
	return buf;
}

int folded__name_char(int c)
{
	return c == ';' || c == '\n' ? ':' : c;
}

static void put_name(FILE *out, const char *name, size_t max)
{
	for (; max-- && *name; name++)
		fputc(folded__name_char(*name), out);
}

static void put_line(struct folded *f, unsigned id)
{
	const struct stack *s = stacks__get(f->st, id);
	char buf[32];
	unsigned i;

	if (!s || !f->weight[id])
		return;
	put_name(f->out, f->comm[id], MS_COMM_LEN);
	for (i = s->nr; i-- > 0;) {
		fputc(';', f->out);
		put_name(f->out, folded__frame_name(&s->frames[i], buf, sizeof(buf)), ~(size_t)0);
	}
	fprintf(f->out, " %llu\n", (unsigned long long)f->weight[id]);
}

unsigned folded__ids(const struct folded *f)
{
	return f->cap;
}

__u64 folded__weight(const struct folded *f, unsigned id, const char **comm)
{
	if (id >= f->cap)
		return 0;
	if (comm)
		*comm = f->comm[id];
	return f->weight[id];
}

void folded__free(struct folded *f)
{
	if (!f)
		return;
	pidtab__free(f->brk);
	free(f->weight);
	free(f->comm);
	free(f);
}

int folded__finish(struct folded *f)
{
	unsigned id;
	int err;

	if (!f)
		return 0;
	if (f->w == FOLDED_TOUCHED)
		model__for_each_process(f->m, touched_process, f);
	for (id = 1; id < f->cap; id++)
		put_line(f, id);
	err = ferror(f->out) ? -1 : 0;
	folded__free(f);
	return err;
}
