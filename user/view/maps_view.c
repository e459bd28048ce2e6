// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "util/escape.h"
#include "util/log.h"
#include "util/outfile.h"
#include "util/fmt.h"
#include "util/json.h"
#include "view/maps_view.h"
#include "view/stack_lines.h"

struct table_ctx {
	const struct maps_view_opts *o;
	const struct model *m;
	__u32 pid;
	FILE *out;
	unsigned page_size;
	__u64 total, touched;
	bool have_touched;
};

/* RSS, ANON and SWAP: "-" where no sample knows the region. */
static void resident_cells(const struct table_ctx *c, const struct region *r, char cells[3][16])
{
	struct mresident res;

	if (!model__region_resident(c->m, c->pid, r, &res)) {
		strcpy(cells[0], "-");
		strcpy(cells[1], "-");
		strcpy(cells[2], "-");
		return;
	}
	fmt_size(cells[0], sizeof(cells[0]), res.rss);
	fmt_size(cells[1], sizeof(cells[1]), res.anon);
	fmt_size(cells[2], sizeof(cells[2]), res.swap);
}

static void table_row(const struct region *r, void *arg)
{
	struct table_ctx *c = arg;
	char size[16], touched[16] = "-", perms[8], res[3][16];

	fmt_perms(perms, sizeof(perms), r->prot);
	resident_cells(c, r, res);
	fmt_size(size, sizeof(size), r->end - r->start);
	if (r->touched_pages) {
		fmt_size(touched, sizeof(touched), r->touched_pages * c->page_size);
		c->touched += r->touched_pages * c->page_size;
		c->have_touched = true;
	}
	c->total += r->end - r->start;
	fprintf(c->out, "%012llx-%012llx %7s %s %7s %7s %7s %8s %-12s ",
		(unsigned long long)r->start, (unsigned long long)r->end, size, perms, res[0],
		res[1], res[2], touched, region_class_name(r->cls));
	if (r->path)
		esc_fput(c->out, r->path, strlen(r->path), ESC_TEXT);
	if (r->cls == RC_THREAD_STACK && r->owner_tid)
		fprintf(c->out, "%sthread %u", r->path ? " " : "", r->owner_tid);
	fputc('\n', c->out);
	if (c->o && c->o->stacks)
		stack_lines__text(c->out,
				  stacks__of_call(c->o->stacks, c->pid, r->created_tid,
						  r->created_ns),
				  c->o->stack_depth, "    ");
}

/* When the resident columns were sampled: their age at the moment shown. */
static void sample_note(const struct maps_view_opts *o, const struct mproc *p, FILE *out)
{
	if (!p->sampled_ns)
		fputs("; resident: no sample yet", out);
	else if (o->now_ns >= p->sampled_ns)
		fprintf(out, "; resident sampled %.3fs before", (o->now_ns - p->sampled_ns) / 1e9);
	else
		fprintf(out, "; resident sampled at %.3fs",
			(p->sampled_ns - (o->start_ns < p->sampled_ns ? o->start_ns : 0)) / 1e9);
}

static void print_table(const struct model *m, const struct mproc *p,
			const struct maps_view_opts *o, FILE *out)
{
	struct table_ctx c = {
		.o = o, .m = m, .pid = p->pid, .out = out, .page_size = model__page_size(m)
	};
	char vs[16], rss[16], heap[16], stack[16];

	fprintf(out, "%u: ", p->pid);
	esc_fput(out, p->comm, MS_COMM_LEN, ESC_TEXT);
	fprintf(out, "%s\n", p->flags & MPROC_UNCERTAIN ? "  (uncertain: events were lost)" : "");
	fprintf(out, "%-25s %7s %-4s %7s %7s %7s %8s %-12s %s\n", "ADDRESS", "SIZE", "PERM", "RSS",
		"ANON", "SWAP", "TOUCHED", "CLASS", "BACKING");
	model__for_each_region(m, p->pid, table_row, &c);
	fprintf(out, "total %s virtual, %s resident, heap %s, stack %s, %u regions",
		fmt_size(vs, sizeof(vs), p->vsize), fmt_size(rss, sizeof(rss), p->rss),
		fmt_size(heap, sizeof(heap), p->heap), fmt_size(stack, sizeof(stack), p->stack),
		p->nr_regions);
	sample_note(o, p, out);
	fputc('\n', out);
}

struct json_ctx {
	const struct maps_view_opts *o;
	const struct model *m;
	const struct mproc *p;
	FILE *out;
	unsigned page_size;
};

/* rss, anon, swap and the sample's ts_ns; null where no sample knows the region. */
static void json_resident(const struct json_ctx *c, const struct region *r, struct json_obj *o)
{
	struct mresident res;

	if (!model__region_resident(c->m, c->p->pid, r, &res)) {
		json_null(o, "rss");
		json_null(o, "anon");
		json_null(o, "swap");
		json_null(o, "ts_ns");
		return;
	}
	json_u64(o, "rss", res.rss);
	json_u64(o, "anon", res.anon);
	json_u64(o, "swap", res.swap);
	json_u64(o, "ts_ns", res.ts_ns);
}

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
	json_str(&o, "perm", fmt_perms(perms, sizeof(perms), r->prot));
	json_str(&o, "class", region_class_name(r->cls));
	if (r->path)
		json_str(&o, "path", r->path);
	json_resident(c, r, &o);
	json_u64(&o, "touched", r->touched_pages * c->page_size);
	json_u64(&o, "offset", r->pgoff);
	json_str(&o, "dev", dev);
	json_u64(&o, "inode", r->ino);
	if (r->cls == RC_THREAD_STACK && r->owner_tid)
		json_u64(&o, "owner_tid", r->owner_tid);
	if (c->o && c->o->stacks)
		stack_lines__json(
			&o, stacks__of_call(c->o->stacks, c->p->pid, r->created_tid, r->created_ns),
			c->o->stack_depth);
	json_end(&o);
}

static void print_json(const struct model *m, const struct mproc *p, const struct maps_view_opts *o,
		       FILE *out)
{
	struct json_ctx j = { .o = o, .m = m, .p = p, .out = out, .page_size = model__page_size(m) };

	model__for_each_region(m, p->pid, json_row, &j);
}

struct print_ctx {
	const struct model *m;
	const struct maps_view_opts *o;
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

static bool wanted(const struct maps_view_opts *o, const struct mproc *p)
{
	return !(p->flags & MPROC_EXITED) && selection__match(o->sel, p->pid, p->comm);
}

static void print_one(const struct mproc *p, void *arg)
{
	struct print_ctx *c = arg;

	if (!wanted(c->o, p))
		return;
	if (c->o->json) { /* one form for both formats: it has every field */
		print_json(c->m, p, c->o, c->out);
		return;
	}
	if (c->printed++)
		fputc('\n', c->out);
	if (c->o->format == MAPS_PROC) {
		pid_comment(c->out, p);
		model__write_maps(c->m, p->pid, c->out);
	} else {
		print_table(c->m, p, c->o, c->out);
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

int maps_view__check(const struct model *m, const struct maps_view_opts *o)
{
	const char *when = o->replay ? " at that moment of the recording" : "";
	struct comm_ctx c = { .comm = o->sel->comm };
	int i, err = 0;

	for (i = 0; i < o->sel->nr_pids; i++) {
		const struct mproc *p = model__process(m, o->sel->pids[i]);

		if (!p && o->replay)
			error("pid %u: no such process at that moment of the recording",
			      o->sel->pids[i]);
		else if (!p) /* live: the source checked that it exists */
			error("pid %u: no layout to show (a kernel thread, or its maps unreadable)",
			      o->sel->pids[i]);
		else if (p->flags & MPROC_EXITED)
			error("pid %u (%s) had exited%s", o->sel->pids[i], p->comm, when);
		err |= !p || p->flags & MPROC_EXITED;
	}
	if (o->sel->comm[0] || !o->sel->nr_pids) {
		model__for_each_process(m, count_comm, &c);
		if (!c.alive && o->sel->comm[0])
			error("no process named '%s'%s", o->sel->comm, when);
		else if (!c.alive)
			error("no process%s", when);
		err |= !c.alive;
	}
	return err ? -1 : 0;
}

void maps_view__print(const struct model *m, const struct maps_view_opts *o, FILE *out)
{
	struct print_ctx c = { .m = m, .o = o, .out = out };

	model__for_each_process(m, print_one, &c);
	fflush(out);
}

struct dump_ctx {
	const struct model *m;
	int dirfd;
	const char *dir;
	bool json;
	FILE *out;
	int err;
	unsigned dumped;
};

static bool dumpable(const struct mproc *p)
{
	return p && !(p->flags & MPROC_EXITED) && p->nr_regions;
}

/* DIR/name, safely: a temporary file renamed over a regular file only. */
static int dump_file(struct dump_ctx *c, const char *name, const struct mproc *p, const char *text)
{
	struct outfile of;
	char err[512];
	FILE *f;
	int e;

	e = outfile__open_at(&of, c->dirfd, c->dir, name, true, err, sizeof(err));
	if (!e) {
		f = fdopen(of.fd, "w");
		if (f) {
			of.fd = -1; /* f owns it now */
			if (p)
				model__write_maps(c->m, p->pid, f);
			else
				fputs(text, f);
		}
		e = !f || fclose(f) ? -errno : 0;
		if (e)
			snprintf(err, sizeof(err), "cannot write %s/%s: %s", c->dir, name,
				 strerror(-e));
		else
			e = outfile__publish(&of, false, err, sizeof(err));
		outfile__close(&of);
	}
	if (e && !c->err) {
		c->err = e;
		warn("%s", err);
	}
	return e;
}

static void dump_one(const struct mproc *p, void *arg)
{
	struct dump_ctx *c = arg;
	char name[32];

	if (!dumpable(p))
		return;
	if (c->dirfd < 0 && c->json) {
		print_json(c->m, p, NULL, c->out);
		return;
	}
	if (c->dirfd < 0) {
		pid_comment(c->out, p);
		model__write_maps(c->m, p->pid, c->out);
		return;
	}
	snprintf(name, sizeof(name), "%u.maps", p->pid);
	if (!dump_file(c, name, p, NULL))
		c->dumped++;
}

/* The files of processes that are gone (or were not ours to begin with). */
static void remove_stale(struct dump_ctx *c)
{
	int fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	unsigned pid;
	int n;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_type != DT_REG || sscanf(de->d_name, "%u.maps%n", &pid, &n) != 1 ||
		    de->d_name[n] || !isdigit((unsigned char)de->d_name[0]))
			continue;
		if (!dumpable(model__process(c->m, pid)))
			unlinkat(c->dirfd, de->d_name, 0);
	}
	closedir(d);
}

static void write_complete(struct dump_ctx *c)
{
	char text[128];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), " %u processes\n", c->dumped);
	dump_file(c, ".complete", NULL, text);
}

int maps_view__dump(const struct model *m, int dirfd, const char *dir, bool json, FILE *out)
{
	struct dump_ctx c = { .m = m, .dirfd = dirfd, .dir = dir, .json = json, .out = out };

	if (dirfd >= 0)
		unlinkat(dirfd, ".complete", 0); /* a reader waits for the new one */
	model__for_each_process(m, dump_one, &c);
	if (dirfd >= 0) {
		remove_stale(&c);
		if (!c.err)
			write_complete(&c);
	}
	fflush(out);
	return c.err;
}

void maps_view__dump_mark(const struct model *m, int dirfd, const char *dir, unsigned long started,
			  unsigned long done)
{
	struct dump_ctx c = { .m = m, .dirfd = dirfd, .dir = dir };
	char text[64];

	if (dirfd < 0)
		return;
	snprintf(text, sizeof(text), "%lu %lu\n", started, done);
	dump_file(&c, "dumps", NULL, text);
}
