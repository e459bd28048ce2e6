// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "view/fmt.h"
#include "view/json.h"
#include "view/maps.h"

struct table_ctx {
	FILE *out;
	__u64 total, touched;
	bool have_touched;
};

static char *perm_of(const struct region *r, char *perms)
{
	snprintf(perms, 8, "%c%c%c%c", r->prot & MS_VMA_READ ? 'r' : '-',
		 r->prot & MS_VMA_WRITE ? 'w' : '-', r->prot & MS_VMA_EXEC ? 'x' : '-',
		 r->prot & MS_VMA_SHARED ? 's' : 'p');
	return perms;
}

static void table_row(const struct region *r, void *arg)
{
	struct table_ctx *c = arg;
	char size[16], touched[16] = "-", perms[8];

	perm_of(r, perms);
	fmt_size(size, sizeof(size), r->end - r->start);
	if (r->touched_pages) {
		fmt_size(touched, sizeof(touched), r->touched_pages * 4096);
		c->touched += r->touched_pages * 4096;
		c->have_touched = true;
	}
	c->total += r->end - r->start;
	fprintf(c->out, "%012llx-%012llx %7s %s %8s %-12s %s", (unsigned long long)r->start,
		(unsigned long long)r->end, size, perms, touched, region_class_name(r->cls),
		r->path ? r->path : "");
	if (r->cls == RC_THREAD_STACK && r->owner_tid)
		fprintf(c->out, "%sthread %u", r->path ? " " : "", r->owner_tid);
	fputc('\n', c->out);
}

static void print_table(const struct model *m, const struct mproc *p, FILE *out)
{
	struct table_ctx c = { .out = out };
	char vs[16], rss[16], heap[16], stack[16];

	fprintf(out, "%u: %s%s\n", p->pid, p->comm,
		p->flags & MPROC_UNCERTAIN ? "  (uncertain: events were lost)" : "");
	fprintf(out, "%-25s %7s %-4s %8s %-12s %s\n", "ADDRESS", "SIZE", "PERM", "TOUCHED", "CLASS",
		"BACKING");
	model__for_each_region(m, p->pid, table_row, &c);
	fprintf(out, "total %s virtual, %s resident, heap %s, stack %s, %u regions\n",
		fmt_size(vs, sizeof(vs), p->vsize), fmt_size(rss, sizeof(rss), p->rss),
		fmt_size(heap, sizeof(heap), p->heap), fmt_size(stack, sizeof(stack), p->stack),
		p->nr_regions);
}

struct json_ctx {
	const struct mproc *p;
	FILE *out;
};

/* One region as an object: the table's columns and /proc/PID/maps's fields. */
static void json_row(const struct region *r, void *arg)
{
	struct json_ctx *c = arg;
	struct json_obj o;
	char perms[8], dev[16];

	snprintf(dev, sizeof(dev), "%02x:%02x", r->dev >> 20, r->dev & 0xfffff);
	json_begin(&o, c->out);
	json_u64(&o, "pid", c->p->pid);
	json_strn(&o, "comm", c->p->comm, MS_COMM_LEN);
	json_bool(&o, "uncertain", c->p->flags & MPROC_UNCERTAIN);
	json_hex(&o, "start", r->start);
	json_hex(&o, "end", r->end);
	json_u64(&o, "size", r->end - r->start);
	json_str(&o, "perm", perm_of(r, perms));
	json_str(&o, "class", region_class_name(r->cls));
	if (r->path)
		json_str(&o, "path", r->path);
	json_u64(&o, "touched", r->touched_pages * 4096);
	json_u64(&o, "offset", r->pgoff);
	json_str(&o, "dev", dev);
	json_u64(&o, "inode", r->ino);
	if (r->cls == RC_THREAD_STACK && r->owner_tid)
		json_u64(&o, "owner_tid", r->owner_tid);
	json_end(&o);
}

static void print_json(const struct model *m, const struct mproc *p, FILE *out)
{
	struct json_ctx j = { .p = p, .out = out };

	model__for_each_region(m, p->pid, json_row, &j);
}

struct print_ctx {
	const struct model *m;
	const struct settings *s;
	FILE *out;
	int printed;
};

static bool wanted(const struct settings *s, const struct mproc *p)
{
	return !(p->flags & MPROC_EXITED) && settings_select(s, p->pid, p->comm);
}

static void print_one(const struct mproc *p, void *arg)
{
	struct print_ctx *c = arg;

	if (!wanted(c->s, p))
		return;
	if (c->s->json) { /* one form for both formats: it has every field */
		print_json(c->m, p, c->out);
		return;
	}
	if (c->printed++)
		fputc('\n', c->out);
	if (c->s->format == MAPS_PROC) {
		fprintf(c->out, "# pid %u %s\n", p->pid, p->comm);
		model__write_maps(c->m, p->pid, c->out);
	} else {
		print_table(c->m, p, c->out);
	}
}

struct comm_ctx {
	const char *comm;
	int alive;
};

static void count_comm(const struct mproc *p, void *arg)
{
	struct comm_ctx *c = arg;

	c->alive += !(p->flags & MPROC_EXITED) &&
		    (!c->comm[0] || !strncmp(p->comm, c->comm, MS_COMM_LEN));
}

int maps_view__check(const struct model *m, const struct settings *s)
{
	const char *when = s->read_file ? " at that moment of the recording" : "";
	struct comm_ctx c = { .comm = s->comm };
	int i, err = 0;

	for (i = 0; i < s->nr_pids; i++) {
		const struct mproc *p = model__process(m, s->pids[i]);

		if (!p && s->read_file)
			error("pid %u: no such process at that moment of the recording",
			      s->pids[i]);
		else if (!p) /* live: the source checked that it exists */
			error("pid %u: no layout to show (a kernel thread, or its maps unreadable)",
			      s->pids[i]);
		else if (p->flags & MPROC_EXITED)
			error("pid %u (%s) had exited%s", s->pids[i], p->comm, when);
		err |= !p || p->flags & MPROC_EXITED;
	}
	if (s->comm[0] || !s->nr_pids) {
		model__for_each_process(m, count_comm, &c);
		if (!c.alive && s->comm[0])
			error("no process named '%s'%s", s->comm, when);
		else if (!c.alive)
			error("no process%s", when);
		err |= !c.alive;
	}
	return err ? -1 : 0;
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
	bool json;
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
	if (!c->dir && c->json) {
		print_json(c->m, p, c->out);
		return;
	}
	if (!c->dir) {
		fprintf(c->out, "# pid %u %s\n", p->pid, p->comm);
		model__write_maps(c->m, p->pid, c->out);
		return;
	}
	err = dump_file(c->m, p, c->dir);
	if (err && !c->err) {
		c->err = err;
		warn("cannot write %s/%u.maps: %s", c->dir, p->pid, strerror(-err));
	}
}

int maps_view__dump(const struct model *m, const char *dir, bool json, FILE *out)
{
	struct dump_ctx c = { .m = m, .dir = dir, .json = json, .out = out };

	model__for_each_process(m, dump_one, &c);
	fflush(out);
	return c.err;
}
