// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "util/escape.h"
#include "util/fmt.h"
#include "util/log.h"
#include "util/outfile.h"
#include "util/record.h"
#include "view/layout_view.h"
#include "view/oom_dir.h"
#include "view/stack_lines.h"

#define CHUNK_BYTES (1 << 20)
#define NS_PER_S 1000000000ULL

/* Records back to back, oldest first. */
struct chunk {
	struct chunk *next;
	size_t off, used; /* off: the oldest record still held */
	unsigned char data[CHUNK_BYTES];
};

struct oom_dir {
	struct oom_dir_opts o;
	const struct model *m;
	const struct oom_history *h;
	struct model *lag; /* every record that left the window, applied */
	__u64 lag_ts; /* the newest of them */
	struct chunk *head, *tail;
	__u64 bytes;
	unsigned written;
	const struct ms_hdr *newest; /* the record just held */
};

struct oom_dir *oom_dir__new(const struct oom_dir_opts *o, const struct model *m,
			     const struct oom_history *h)
{
	struct oom_dir *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->o = *o;
	d->m = m;
	d->h = h;
	d->lag = model__new(model__page_size(m));
	if (!d->lag) {
		free(d);
		return NULL;
	}
	return d;
}

void oom_dir__free(struct oom_dir *d)
{
	if (!d)
		return;
	while (d->head) {
		struct chunk *c = d->head;

		d->head = c->next;
		free(c);
	}
	model__free(d->lag);
	free(d);
}

unsigned oom_dir__written(const struct oom_dir *d)
{
	return d ? d->written : 0;
}

static const struct ms_hdr *oldest(const struct oom_dir *d)
{
	return d->head && d->head->off < d->head->used ?
		       (const void *)(d->head->data + d->head->off) :
		       NULL;
}

/* The oldest record leaves the window: the lagging model takes it. */
static void evict(struct oom_dir *d)
{
	const struct ms_hdr *h = oldest(d);

	if (h->type != MS_ROUND) {
		model__apply(d->lag, h);
		d->lag_ts = h->ts_ns;
	}
	d->head->off += h->size;
	d->bytes -= h->size;
	if (d->head->off == d->head->used) {
		struct chunk *c = d->head;

		d->head = c->next;
		if (!d->head)
			d->tail = NULL;
		free(c);
	}
}

static int hold(struct oom_dir *d, const struct ms_hdr *rec)
{
	const struct ms_hdr *h, *copy;

	if (!d->tail || d->tail->used + rec->size > CHUNK_BYTES) {
		struct chunk *c = malloc(sizeof(*c));

		if (!c)
			return -ENOMEM;
		c->next = NULL;
		c->off = c->used = 0;
		if (d->tail)
			d->tail->next = c;
		else
			d->head = c;
		d->tail = c;
	}
	copy = (const void *)(d->tail->data + d->tail->used);
	memcpy(d->tail->data + d->tail->used, rec, rec->size);
	d->tail->used += rec->size;
	d->bytes += rec->size;
	/* a second more than the window: a replay sees the whole second the window starts in */
	while ((h = oldest(d)) && h != copy &&
	       (h->ts_ns + d->o.window_ns + 2 * NS_PER_S < rec->ts_ns || d->bytes > d->o.max_bytes))
		evict(d);
	d->newest = copy;
	return 0;
}

/* ---- the recording ---- */

static bool member(const struct ms_oom *e, __u32 pid)
{
	unsigned i;

	for (i = 0; i < e->nr_members; i++)
		if (e->members[i] == pid)
			return true;
	return pid == e->h.pid;
}

/* A record of the victim's cgroup, or of no process (rounds, losses, names). */
static bool wanted(const struct ms_oom *e, const struct ms_hdr *h)
{
	if (h->type == MS_FORK && h->size >= sizeof(struct ms_fork) &&
	    member(e, ((const struct ms_fork *)h)->child_pid))
		return true;
	return !h->pid || member(e, h->pid);
}

struct seeding {
	struct trace_writer *w;
	__u32 pid;
	__u64 ts;
	int err;
};

static void seed_region(const struct region *r, void *arg)
{
	struct seeding *s = arg;
	union {
		struct ms_vma v;
		char buf[MS_REC_MAX];
	} u;
	size_t len = r->path ? strnlen(r->path, MS_PATH_KEEP) : 0;

	if (s->err)
		return;
	memset(&u.v, 0, sizeof(u.v));
	u.v.h.ts_ns = s->ts;
	u.v.h.pid = s->pid;
	u.v.h.tid = r->owner_tid ? r->owner_tid : s->pid;
	u.v.h.type = MS_VMA;
	u.v.h.flags = r->cls == RC_MALLOC ? MS_VMA_MALLOC : 0; /* as the model made it */
	u.v.h.size = sizeof(u.v) + MS_ALIGN8(len + 1);
	u.v.start = r->start;
	u.v.end = r->end;
	u.v.pgoff = r->pgoff;
	u.v.ino = r->ino;
	u.v.dev = r->dev;
	u.v.prot = r->prot;
	u.v.path_len = len;
	memset(u.v.path, 0, MS_ALIGN8(len + 1));
	if (len)
		memcpy(u.v.path, r->path, len);
	s->err = trace_writer__write(s->w, &u.v.h);
}

/* Its limits then, as the seed from /proc brings them. */
static int seed_limits(struct oom_dir *d, struct trace_writer *w, const struct mproc *p)
{
	struct ms_limits l = {
		.h = { .ts_ns = d->lag_ts,
		       .pid = p->pid,
		       .tid = p->pid,
		       .type = MS_LIMITS,
		       .size = sizeof(l) },
		.as = p->rlim_as,
		.data = p->rlim_data,
		.stack = p->rlim_stack,
		.arg_start = p->arg_start,
		.arg_end = p->arg_end,
		.env_start = p->env_start,
		.env_end = p->env_end,
		.data_vm = p->data_vm / model__page_size(d->lag),
		.map_count = p->map_count,
	};

	return p->limits_known ? trace_writer__write(w, &l.h) : 0;
}

/* A process's layout at the window's start, as a seed (the lagging model's). */
static int seed(struct oom_dir *d, struct trace_writer *w, __u32 pid)
{
	const struct mproc *p = model__process(d->lag, pid);
	struct seeding s = { .w = w, .pid = pid, .ts = d->lag_ts };
	struct ms_seed_begin b = {};
	struct ms_seed_end end = {};
	int err;

	if (!p || (p->flags & MPROC_EXITED))
		return 0;
	b.h = (struct ms_hdr){ .ts_ns = s.ts,
			       .pid = pid,
			       .tid = pid,
			       .type = MS_SEED_BEGIN,
			       .size = sizeof(b),
			       .flags = MS_SEED_AT_START };
	b.nr_vmas = p->nr_regions;
	memcpy(b.comm, p->comm, MS_COMM_LEN);
	end.h = (struct ms_hdr){
		.ts_ns = s.ts, .pid = pid, .tid = pid, .type = MS_SEED_END, .size = sizeof(end)
	};
	err = trace_writer__write(w, &b.h);
	if (!err)
		model__for_each_region(d->lag, pid, seed_region, &s);
	err = err ? err : s.err ? s.err : trace_writer__write(w, &end.h);
	return err ? err : seed_limits(d, w, p);
}

static int write_oom(struct oom_dir *d, struct trace_writer *w, const struct ms_oom *e)
{
	__u64 copy[MS_REC_MAX / 8];
	struct ms_oom *c = (void *)copy;

	memcpy(c, e, e->h.size);
	c->window_ns = e->window_ns ? e->window_ns : d->o.window_ns;
	return trace_writer__write(w, &c->h);
}

static int write_records(struct oom_dir *d, struct trace_writer *w, const struct ms_oom *e)
{
	unsigned i;
	int err = 0;

	for (i = 0; i < e->nr_members && !err; i++)
		err = seed(d, w, e->members[i]);
	for (struct chunk *c = d->head; c && !err; c = c->next) {
		size_t off = c == d->head ? c->off : 0;

		while (off < c->used && !err) {
			const struct ms_hdr *h = (const void *)(c->data + off);

			if (h == &e->h) /* the report looked back this far: its replay does */
				err = write_oom(d, w, e);
			else if (wanted(e, h))
				err = trace_writer__write(w, h);
			off += h->size;
		}
	}
	return err;
}

static int write_msnp(struct oom_dir *d, const char *name, const struct ms_oom *e)
{
	struct trace_write_opts o = {
		.compress = true, .publish_at_close = true, .dirfd = d->o.dirfd, .in_dir = true
	};
	struct trace_meta meta = *d->o.meta;
	struct trace_writer *w;
	char err[512];
	int e1, e2;

	snprintf(meta.filters, sizeof(meta.filters), "oom pid=%u", e->h.pid);
	w = trace_writer__open(name, &meta, &o, err, sizeof(err));
	if (!w) {
		warn("--oom-dir: %s", err);
		return -1;
	}
	e1 = write_records(d, w, e);
	if (e1)
		warn("--oom-dir: %s", trace_writer__error(w));
	if (e1) /* unpublished: the temporary file goes */
		trace_writer__abandon(w);
	e2 = trace_writer__close(w, err, sizeof(err));
	if (e2 && !e1)
		warn("--oom-dir: %s", err);
	return e1 || e2 ? -1 : 0;
}

/* ---- the report ---- */

static void header(const struct oom_dir *d, const struct oom_report *r, const char *when, FILE *f)
{
	char line[1024], comm[MS_COMM_LEN * 4 + 1];
	const struct ms_oom *e = r->e;
	unsigned i;

	char cg[1024];

	esc_str(comm, sizeof(comm), r->comm, ESC_TEXT);
	esc_str(cg, sizeof(cg), r->cgroup[0] ? r->cgroup : "unknown", ESC_TEXT);
	fprintf(f, "memsnoop OOM report, %s\n\n", when);
	fprintf(f, "victim:      pid %u (%s), memory cgroup %s\n", r->pid, comm, cg);
	oom_report__constraint(r, line, sizeof(line));
	fprintf(f, "why:         %s\n", line);
	if (r->figures) {
		char a[16], b[16], c[16], dd[16], ee[16];

		fprintf(f,
			"kernel:      total-vm %s, anon-rss %s, file-rss %s, shmem-rss %s, "
			"pgtables %s, oom_score_adj %d\n",
			fmt_size(a, sizeof(a), r->total_vm), fmt_size(b, sizeof(b), r->anon_rss),
			fmt_size(c, sizeof(c), r->file_rss), fmt_size(dd, sizeof(dd), r->shmem_rss),
			fmt_size(ee, sizeof(ee), r->pgtables), r->oom_score_adj);
	}
	fprintf(f, "processes:  ");
	for (i = 0; i < e->nr_members; i++) {
		const struct mproc *p = model__process(d->m, e->members[i]);

		esc_str(comm, sizeof(comm), p ? p->comm : "?", ESC_TEXT);
		fprintf(f, " %u (%s)", e->members[i], comm);
	}
	fprintf(f, "\n\n");
}

static void growth_table(const struct oom_dir *d, const struct oom_report *r, FILE *f)
{
	char size[16];
	unsigned i, k;

	fprintf(f, "What grew in the last %.0f s: %s", r->window_ns / 1e9,
		fmt_size(size, sizeof(size), r->grew_total));
	if (r->covered_ns < r->window_ns)
		fprintf(f, " (the history held the last %.1f s only)", r->covered_ns / 1e9);
	fprintf(f, "\n");
	if (!r->nr_rows)
		fprintf(f, "  nothing: its layout did not grow\n");
	for (i = 0; i < r->nr_rows; i++) {
		struct oom_report one = *r;

		one.rows[0] = r->rows[i];
		one.nr_rows = 1;
		oom_report__table(&one, f, "  ");
		for (k = 0; d->o.stacks && k < OOM_SITES && r->rows[i].sites[k].stack_id; k++) {
			fprintf(f, "    from this call site (%s):\n",
				fmt_size(size, sizeof(size), r->rows[i].sites[k].bytes));
			stack_lines__text(f, stacks__get(d->o.stacks, r->rows[i].sites[k].stack_id),
					  d->o.stack_depth, "      ");
		}
	}
	fprintf(f, "\nIts layout by class at the kill (reserved):");
	for (i = 0; i < RC_NR; i++)
		if (r->by_class[i])
			fprintf(f, " %s %s;", region_class_name(i),
				fmt_size(size, sizeof(size), r->by_class[i]));
	fprintf(f, "\n\n");
}

static void picture(const struct oom_dir *d, __u32 pid, __u64 ts, FILE *f)
{
	struct layout_view_opts o = { .pid = pid, .interval = 1, .replay = true };
	struct layout_view *v = layout_view__new(&o, d->m);
	struct frame_view fv;

	if (!v || layout_view__check(v)) {
		fprintf(f, "(no layout known for pid %u)\n", pid);
		layout_view__free(v);
		return;
	}
	fv = layout_view__view(v);
	fprintf(f, "The layout at the kill:\n");
	fv.render(fv.ctx, ts, f);
	layout_view__free(v);
}

static int write_txt(struct oom_dir *d, const char *name, const struct oom_report *r,
		     const char *when)
{
	struct outfile of;
	char *buf = NULL, err[512];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int e;

	if (!f)
		return -1;
	header(d, r, when, f);
	growth_table(d, r, f);
	picture(d, r->pid, r->e->h.ts_ns, f);
	if (fclose(f)) {
		free(buf);
		return -1;
	}
	e = outfile__open_at(&of, d->o.dirfd, d->o.dir, name, false, err, sizeof(err));
	if (!e) {
		e = outfile__write(&of, buf, len);
		if (e)
			snprintf(err, sizeof(err), "%s/%s: %s", d->o.dir, name, strerror(-e));
		else
			e = outfile__publish(&of, true, err, sizeof(err));
		outfile__close(&of);
	}
	free(buf);
	if (e)
		warn("--oom-dir: %s", err);
	return e ? -1 : 0;
}

/* ---- keeping the newest ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ours(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, "oom-", 4) && ((n > 9 && !strcmp(name + n - 5, ".msnp")) ||
					     (n > 8 && !strcmp(name + n - 4, ".txt")));
}

/* The names sort by time: the oldest kills' files go, regular files only. */
static void prune(struct oom_dir *d)
{
	int fd = fcntl(d->o.dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	char **names = NULL;
	size_t nr = 0, cap = 0, i, kills = 0;
	struct dirent *de;
	struct stat st;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(dir))) {
		if (!ours(de->d_name))
			continue;
		if (nr == cap) {
			char **n = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*n));

			if (!n)
				break;
			names = n;
		}
		names[nr] = strdup(de->d_name);
		if (names[nr])
			nr++;
	}
	closedir(dir);
	qsort(names, nr, sizeof(*names), by_name);
	/* newest first: a kill is its stem, oom-<time>-<pid> */
	for (i = nr; i-- > 0;) {
		size_t stem = strrchr(names[i], '.') - names[i];

		if (i + 1 == nr || strncmp(names[i], names[i + 1], stem) ||
		    names[i + 1][stem] != '.')
			kills++;
		if (kills > d->o.keep && !fstatat(d->o.dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISREG(st.st_mode))
			unlinkat(d->o.dirfd, names[i], 0);
	}
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

/* "20261203T184512.345Z": the kill's wall time, from the record's kernel time. */
static void kill_time(const struct oom_dir *d, __u64 ts, char *stamp, size_t slen, char *when,
		      size_t wlen)
{
	__s64 wall = (__s64)ts + d->o.meta->boot_to_wall_ns;
	time_t sec = wall / 1000000000;
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(stamp, slen, "%04d%02d%02dT%02d%02d%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(wall / 1000000 % 1000));
	snprintf(when, wlen, "%04d-%02d-%02d %02d:%02d:%02d.%03d UTC", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(wall / 1000000 % 1000));
}

static void on_oom(struct oom_dir *d, const struct ms_oom *e)
{
	char stamp[64], when[96], name[160];
	struct oom_report r;
	int err;

	if (!oom_history__report(d->h, e, &r))
		return;
	kill_time(d, e->h.ts_ns, stamp, sizeof(stamp), when, sizeof(when));
	snprintf(name, sizeof(name), "oom-%s-%u.msnp", stamp, e->h.pid);
	err = write_msnp(d, name, e);
	snprintf(name, sizeof(name), "oom-%s-%u.txt", stamp, e->h.pid);
	err |= write_txt(d, name, &r, when);
	if (!err)
		d->written++;
	if (log_verbose())
		info("--oom-dir: pid %u: %s/oom-%s-%u.{msnp,txt}%s", e->h.pid, d->o.dir, stamp,
		     e->h.pid, err ? " (failed)" : "");
	prune(d);
}

int oom_dir__fn(void *ctx, const struct ms_hdr *rec)
{
	struct oom_dir *d = ctx;

	if (hold(d, rec)) {
		warn("--oom-dir: out of memory for the window's records");
		return 0;
	}
	if (rec->type == MS_OOM && rec->size >= sizeof(struct ms_oom) && record_ok(rec))
		on_oom(d, (const struct ms_oom *)d->newest);
	return 0;
}
