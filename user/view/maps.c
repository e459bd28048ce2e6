// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "util/outfile.h"
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
	if (c->printed++)
		fputc('\n', c->out);
	if (c->s->format == MAPS_PROC) {
		fprintf(c->out, "# pid %u %s\n", p->pid, p->comm);
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
	int dirfd;
	const char *dir;
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
	if (c->dirfd < 0) {
		fprintf(c->out, "# pid %u %s\n", p->pid, p->comm);
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

int maps_view__dump(const struct model *m, int dirfd, const char *dir, FILE *out)
{
	struct dump_ctx c = { .m = m, .dirfd = dirfd, .dir = dir, .out = out };

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
