// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "escape.h"
#include "log.h"
#include "view/fmt.h"
#include "view/maps.h"

struct table_ctx {
	FILE *out;
	__u64 total, touched;
	bool have_touched;
};

static void table_row(const struct region *r, void *arg)
{
	struct table_ctx *c = arg;
	char size[16], touched[16] = "-", perms[8];

	snprintf(perms, sizeof(perms), "%c%c%c%c", r->prot & MS_VMA_READ ? 'r' : '-',
		 r->prot & MS_VMA_WRITE ? 'w' : '-', r->prot & MS_VMA_EXEC ? 'x' : '-',
		 r->prot & MS_VMA_SHARED ? 's' : 'p');
	fmt_size(size, sizeof(size), r->end - r->start);
	if (r->touched_pages) {
		fmt_size(touched, sizeof(touched), r->touched_pages * 4096);
		c->touched += r->touched_pages * 4096;
		c->have_touched = true;
	}
	c->total += r->end - r->start;
	fprintf(c->out, "%012llx-%012llx %7s %s %8s %-12s ", (unsigned long long)r->start,
		(unsigned long long)r->end, size, perms, touched, region_class_name(r->cls));
	if (r->path)
		esc_fput(c->out, r->path, strlen(r->path), ESC_TEXT);
	if (r->cls == RC_THREAD_STACK && r->owner_tid)
		fprintf(c->out, "%sthread %u", r->path ? " " : "", r->owner_tid);
	fputc('\n', c->out);
}

static void print_table(const struct model *m, const struct mproc *p, FILE *out)
{
	struct table_ctx c = { .out = out };
	char vs[16], rss[16], heap[16], stack[16];

	fprintf(out, "%u: ", p->pid);
	esc_fput(out, p->comm, MS_COMM_LEN, ESC_TEXT);
	fprintf(out, "%s\n", p->flags & MPROC_UNCERTAIN ? "  (uncertain: events were lost)" : "");
	fprintf(out, "%-25s %7s %-4s %8s %-12s %s\n", "ADDRESS", "SIZE", "PERM", "TOUCHED", "CLASS",
		"BACKING");
	model__for_each_region(m, p->pid, table_row, &c);
	fprintf(out, "total %s virtual, %s resident, heap %s, stack %s, %u regions\n",
		fmt_size(vs, sizeof(vs), p->vsize), fmt_size(rss, sizeof(rss), p->rss),
		fmt_size(heap, sizeof(heap), p->heap), fmt_size(stack, sizeof(stack), p->stack),
		p->nr_regions);
}

struct print_ctx {
	const struct model *m;
	const struct settings *s;
	FILE *out;
	int printed;
};

/* "# pid 1234 comm" above a process's lines in /proc format. */
static void pid_comment(FILE *out, const struct mproc *p)
{
	fprintf(out, "# pid %u ", p->pid);
	esc_fput(out, p->comm, MS_COMM_LEN, ESC_TEXT);
	fputc('\n', out);
}

static bool wanted(const struct settings *s, const struct mproc *p)
{
	return !(p->flags & MPROC_EXITED) && settings_select(s, p->pid, p->comm);
}

static void print_one(const struct mproc *p, void *arg)
{
	struct print_ctx *c = arg;

	if (!wanted(c->s, p))
		return;
	if (c->printed++)
		fputc('\n', c->out);
	if (c->s->format == MAPS_PROC) {
		pid_comment(c->out, p);
		model__write_maps(c->m, p->pid, c->out);
	} else {
		print_table(c->m, p, c->out);
	}
}

void maps_view__print(const struct model *m, const struct settings *s, FILE *out)
{
	struct print_ctx c = { .m = m, .s = s, .out = out };

	model__for_each_process(m, print_one, &c);
	fflush(out);
}

struct dump_ctx {
	const struct model *m;
	const char *dir;
	FILE *out;
	int err;
};

static int dump_file(const struct model *m, const struct mproc *p, const char *dir)
{
	char tmp[4096], path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u.maps", dir, p->pid);
	snprintf(tmp, sizeof(tmp), "%s/.%u.maps.tmp", dir, p->pid);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	model__write_maps(m, p->pid, f);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}

static void dump_one(const struct mproc *p, void *arg)
{
	struct dump_ctx *c = arg;
	int err;

	if ((p->flags & MPROC_EXITED) || !p->nr_regions)
		return;
	if (!c->dir) {
		pid_comment(c->out, p);
		model__write_maps(c->m, p->pid, c->out);
		return;
	}
	err = dump_file(c->m, p, c->dir);
	if (err && !c->err) {
		c->err = err;
		warn("cannot write %s/%u.maps: %s", c->dir, p->pid, strerror(-err));
	}
}

int maps_view__dump(const struct model *m, const char *dir, FILE *out)
{
	struct dump_ctx c = { .m = m, .dir = dir, .out = out };

	model__for_each_process(m, dump_one, &c);
	fflush(out);
	return c.err;
}
