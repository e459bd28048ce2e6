// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "util/escape.h"
#include "view/event_line.h"
#include "view/event_view.h"
#include "view/stack_lines.h"
#include "analysis/exitsum.h"
#include "analysis/explain.h"
#include "util/fmt.h"
#include "util/sbuf.h"
#include "util/json.h"
#include "util/record.h"

struct event_view {
	struct event_view_opts o;
	const struct model *m;
	FILE *out;
	bool header_done;
	struct explain *explain; /* crashes and ENOMEM in terms of the layout */
	struct exitsum *exitsum; /* the summary line at a process's exit */
};

struct event_view *event_view__new(const struct event_view_opts *o, const struct model *m,
				   FILE *out)
{
	struct event_view *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->o = *o;
	v->m = m;
	v->out = out;
	v->explain = explain__new(m);
	if (v->explain)
		explain__set_stacks(v->explain, o->stacks);
	v->exitsum = exitsum__new(m);
	if (!v->explain || !v->exitsum) {
		event_view__free(v);
		return NULL;
	}
	return v;
}

void event_view__free(struct event_view *v)
{
	if (!v)
		return;
	explain__free(v->explain);
	exitsum__free(v->exitsum);
	free(v);
}

static void comm_of(const struct event_view *v, const struct ms_hdr *h, char *comm)
{
	const struct mproc *p = model__process(v->m, h->pid);
	const char *src = record_comm(h);

	if (!src && p)
		src = p->comm;
	memset(comm, 0, MS_COMM_LEN);
	if (src)
		memcpy(comm, src, MS_COMM_LEN - 1);
	else
		strcpy(comm, h->pid ? "?" : "-");
}

/* The cgroup path of the record's process; NULL when not known. */
static const char *cgroup_of(const struct event_view *v, const struct ms_hdr *h)
{
	const struct mcgroup *cg;

	if (!h->pid)
		return NULL;
	cg = model__cgroup_of(v->m, model__process(v->m, h->pid));
	return cg ? cg->path : NULL;
}

/*
 * The region a record concerns: what the model says it just changed, else
 * what is at its address now (a record older than a seed changes nothing).
 */
static const struct region *region_of(const struct event_view *v, const struct ms_hdr *h,
				      const struct line *l)
{
	const struct region *r = l->landed;

	if (h->type == MS_SEED_END)
		return NULL;
	if (!r && l->has_range)
		r = model__region_at(v->m, h->pid, l->start);
	return r;
}

static bool printed(const struct event_view *v, const struct ms_hdr *h)
{
	if (h->type == MS_STACK)
		return model__stack_grew(v->m,
					 (const struct ms_stack *)h); /* only growth is news */
	switch (h->type) {
	case MS_BRK ... MS_EXIT:
	case MS_SYS_FIRST2 ... MS_SYS_LAST2:
	case MS_FAULTS:
	case MS_LOST:
	case MS_SEED_END:
	case MS_SIGNAL:
	case MS_OOM:
		return true;
	default:
		return false;
	}
}

static const char *event_name(const struct ms_hdr *h)
{
	return h->type == MS_SEED_END ? "seed" : ms_type_name(h->type);
}

/* ---- text ---- */

static void sb_cgroup(struct sbuf *b, const char *path)
{
	sb_puts(b, " cgroup ");
	esc_put(b, path, strlen(path), ESC_TEXT, 0, NULL);
}

static void print_header(struct event_view *v)
{
	if (v->o.timestamps)
		fprintf(v->out, "%-12s ", "TIME(s)");
	fprintf(v->out, "%-7s %-7s %-16s %-8s %-25s %6s %-4s %s\n", "PID", "TID", "COMM", "EVENT",
		"ADDRESS", "SIZE", "PROT", "DETAIL");
}

static void print_text(struct event_view *v, const struct ms_hdr *h, struct line *l)
{
	const struct region *r = region_of(v, h, l);
	char line[2048], tmp[16], comm[MS_COMM_LEN * 4 + 2];
	struct sbuf b, cb;
	size_t col = 0, w;

	if (!v->header_done) {
		print_header(v);
		v->header_done = true;
	}
	sb_init(&b, line, sizeof(line));
	if (v->o.timestamps) {
		__u64 us = h->ts_ns > v->o.start_ns ? (h->ts_ns - v->o.start_ns + 500) / 1000 : 0;

		sb_dec(&b, us / 1000000);
		sb_putc(&b, '.');
		sb_dec0(&b, us % 1000000, 6);
		sb_column(&b, &col, 13);
	}
	sb_dec(&b, h->pid);
	sb_column(&b, &col, 8);
	sb_dec(&b, h->tid);
	sb_column(&b, &col, 8);
	sb_init(&cb, comm,
		sizeof(comm)); /* not into b: its address would escape, slowing the rest */
	w = esc_cell(&cb, l->comm, MS_COMM_LEN, 16);
	sb_putn(&b, comm, cb.len);
	col += cb.len - w; /* UTF-8 characters take more bytes than columns */
	sb_column(&b, &col, 17);
	sb_puts(&b, l->event);
	sb_column(&b, &col, 9);
	if (l->has_range) {
		sb_hex(&b, l->start, 12);
		if (l->end) {
			sb_putc(&b, '-');
			sb_hex(&b, l->end, 12);
		}
	}
	sb_column(&b, &col, 26);
	if (l->has_size) {
		fmt_size(tmp, sizeof(tmp), l->size);
		sb_pad(&b, col + 6 - strlen(tmp)); /* right-aligned */
		sb_puts(&b, tmp);
	}
	sb_column(&b, &col, 7);
	if (l->prot >= 0)
		sb_puts(&b, fmt_prot(tmp, sizeof(tmp), l->prot));
	sb_column(&b, &col, 5);
	sb_puts(&b, l->detail);
	if (r) {
		sb_puts(&b, " [");
		sb_puts(&b, region_class_name(r->cls));
		sb_putc(&b, ']');
	}
	if (v->o.verbose && strcmp(l->event, "summary") && cgroup_of(v, h)) /* the summary has it */
		sb_cgroup(&b, cgroup_of(v, h));
	sb_putc(&b, '\n');
	fwrite(line, 1, b.len, v->out);
	stack_lines__text(v->out, stacks__of(v->o.stacks, h), v->o.stack_depth, "    ");
}

/* ---- JSON ---- */

static void print_json(struct event_view *v, const struct ms_hdr *h, struct line *l)
{
	const struct region *r = region_of(v, h, l);
	struct json_obj o;

	json_begin(&o, v->out);
	json_u64(&o, "ts_ns", h->ts_ns);
	json_str(&o, "event", l->event);
	json_u64(&o, "pid", h->pid);
	json_u64(&o, "tid", h->tid);
	json_strn(&o, "comm", l->comm, MS_COMM_LEN);
	if (cgroup_of(v, h))
		json_str(&o, "cgroup", cgroup_of(v, h));
	event_line__json(v->m, &o, h);
	if (l->ex.cause) {
		json_str(&o, "cause", l->ex.cause);
		json_str(&o, "explain", l->ex.text);
	}
	if (r) {
		json_str(&o, "class", region_class_name(r->cls));
		json_object_begin(&o, "region");
		json_hex(&o, "start", r->start);
		json_hex(&o, "end", r->end);
		if (r->path)
			json_str(&o, "path", r->path);
		json_object_end(&o);
	}
	stack_lines__json(&o, stacks__of(v->o.stacks, h), v->o.stack_depth);
	json_end(&o);
}

/* The line after a process's exit: its life in one line (analysis/exitsum.c). */
static void print_exit_summary(struct event_view *v, const struct ms_hdr *h, const char *comm)
{
	struct line l = { .h = h, .event = "summary", .prot = -1 };
	struct exit_summary es;
	struct json_obj o;

	if (!exitsum__get(v->exitsum, h, &es))
		return;
	if (v->o.json) {
		json_begin(&o, v->out);
		json_u64(&o, "ts_ns", h->ts_ns);
		json_str(&o, "event", "summary");
		json_u64(&o, "pid", h->pid);
		json_u64(&o, "tid", h->tid);
		json_strn(&o, "comm", comm, MS_COMM_LEN);
		if (cgroup_of(v, h))
			json_str(&o, "cgroup", cgroup_of(v, h));
		exitsum__json(&es, &o);
		json_end(&o);
		return;
	}
	memcpy(l.comm, comm, MS_COMM_LEN);
	exitsum__text(&es, l.detail, sizeof(l.detail));
	if (cgroup_of(v, h)) {
		size_t len = strlen(l.detail);
		struct sbuf b;

		sb_init(&b, l.detail + len, sizeof(l.detail) - len);
		sb_putc(&b, ',');
		sb_cgroup(&b, cgroup_of(v, h));
	}
	print_text(v, h, &l);
}

static void site_json(void *ctx, struct json_obj *o, unsigned stack_id)
{
	struct event_view *v = ctx;

	stack_lines__json(o, stacks__get(v->o.stacks, stack_id), v->o.stack_depth);
}

/* The OOM killer's victim: the kernel's view and ours (analysis/oom.c). */
static void print_oom(struct event_view *v, const struct ms_hdr *h, struct line *l)
{
	struct oom_report r;
	struct json_obj o;
	unsigned i, k;

	l->prot = -1;
	if (!v->o.oom || !oom_history__report(v->o.oom, (const struct ms_oom *)h, &r))
		return;
	if (v->o.json) {
		json_begin(&o, v->out);
		json_u64(&o, "ts_ns", h->ts_ns);
		json_str(&o, "event", "oom");
		json_u64(&o, "pid", h->pid);
		json_u64(&o, "tid", h->tid);
		json_strn(&o, "comm", r.comm, MS_COMM_LEN);
		oom_report__json(&r, &o, v->o.stacks ? site_json : NULL, v);
		json_end(&o);
		return;
	}
	memcpy(l->comm, r.comm, MS_COMM_LEN);
	oom_report__line(&r, l->detail, sizeof(l->detail));
	print_text(v, h, l);
	for (i = 0; i < r.nr_rows; i++) {
		struct oom_report one = r;

		one.rows[0] = r.rows[i];
		one.nr_rows = 1;
		oom_report__table(&one, v->out, "    ");
		for (k = 0; v->o.stacks && k < OOM_SITES && r.rows[i].sites[k].stack_id; k++)
			stack_lines__text(v->out,
					  stacks__get(v->o.stacks, r.rows[i].sites[k].stack_id),
					  v->o.stack_depth, "        ");
	}
}

static void explain_record(struct event_view *v, const struct ms_hdr *h, struct line *l)
{
	if (h->type == MS_SIGNAL)
		explain__signal(v->explain, (const struct ms_signal *)h, &l->ex);
	else if (h->type == MS_BRK || h->type == MS_MMAP || h->type == MS_MREMAP)
		explain__enomem(v->explain, (const struct ms_syscall *)h, &l->ex);
}

int event_view__fn(void *ctx, const struct ms_hdr *h, const struct model_change *chg)
{
	struct event_view *v = ctx;
	struct line l = { .h = h, .landed = chg->region };

	exitsum__note(v->exitsum, h);
	if (h->type == MS_OOM) {
		l.event = "oom";
		print_oom(v, h, &l);
	} else if (printed(v, h)) {
		l.event = event_name(h);
		comm_of(v, h, l.comm);
		explain_record(v, h, &l);
		event_line__describe(v->m, h, &l);
		if (v->o.json)
			print_json(v, h, &l);
		else
			print_text(v, h, &l);
		if (h->type == MS_EXIT)
			print_exit_summary(v, h, l.comm);
	}
	explain__note(v->explain, h, chg->region); /* after: a munmap explains later signals */
	return 0;
}
