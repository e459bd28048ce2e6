// SPDX-License-Identifier: GPL-2.0
/*
 * memsnoop report: the page (report.h). Charts are SVG drawn here, so the
 * page reads and prints without JavaScript; the script only shows values
 * under the pointer and redraws a layout at a clicked moment, from the
 * bounded data embedded as JSON. Every name goes out escaped.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "export/report_int.h"
#include "util/escape.h"
#include "util/fmt.h"

#define REPORT_TOP 8 /* processes shown by peak resident, beside those with trouble */
#define REPORT_MAX 24 /* processes shown at most: the page stays under 10 MB */
#define PAGE_BLOCKS 40000 /* layout blocks the page's data holds, shared by its processes */
#define GROWN_NAMED 5
#define BIG_GAP (1ULL << 30) /* free gaps drawn when at least this big, as `layout` */
#define STR_(x) #x
#define STR(x) STR_(x)

/* The chart's plot area in SVG units. */
#define W 900
#define H 220
#define X0 70.0
#define X1 890.0
#define Y0 10.0
#define Y1 190.0

/* The terminal views' class names; one colour each, the same in every chart and picture. */
static const char *const class_colour[RC_NR] = {
	[RC_UNKNOWN] = "#bbbbbb", [RC_TEXT] = "#2ca02c",	 [RC_RODATA] = "#98df8a",
	[RC_DATA] = "#bcbd22",	  [RC_BSS] = "#aec7e8",		 [RC_HEAP] = "#d62728",
	[RC_STACK] = "#9467bd",	  [RC_THREAD_STACK] = "#c5b0d5", [RC_GUARD] = "#e7e7e7",
	[RC_ANON] = "#1f77b4",	  [RC_MALLOC] = "#ffbb78",	 [RC_ARENA] = "#ff7f0e",
	[RC_FILE] = "#2ca02c",	  [RC_SHM] = "#17becf",		 [RC_VDSO] = "#7f7f7f",
	[RC_VVAR] = "#7f7f7f",	  [RC_VSYSCALL] = "#7f7f7f",
};

/* A group is named and coloured after its main class. */
static const enum region_class group_class[G_NR] = {
	[G_HEAP] = RC_HEAP,   [G_STACK] = RC_STACK,   [G_TSTACK] = RC_THREAD_STACK,
	[G_ARENA] = RC_ARENA, [G_MALLOC] = RC_MALLOC, [G_ANON] = RC_ANON,
	[G_FILE] = RC_FILE,   [G_SHM] = RC_SHM,	      [G_OTHER] = RC_VDSO,
};

const char *rgroup_name(enum rgroup g)
{
	return region_class_name(group_class[g]);
}

void put_html(FILE *f, const char *s)
{
	esc_fput(f, s, strlen(s), ESC_HTML);
}

static void put_comm(FILE *f, const char *comm)
{
	esc_fput(f, comm, MS_COMM_LEN, ESC_HTML);
}

/* A JSON string inside <script>: no "</script>" in a name can end it early. */
static void put_json_str(FILE *f, const char *s)
{
	static char buf[4096 * 6 + 64]; /* a path, each byte escaped */
	const char *c;

	esc_str(buf, sizeof(buf), s, ESC_JSON);
	fputc('"', f);
	for (c = buf; *c; c++)
		if (*c == '<')
			fputs("\\u003c", f);
		else
			fputc(*c, f);
	fputc('"', f);
}

static void put_json_comm(FILE *f, const char *comm)
{
	char s[MS_COMM_LEN + 1];

	memcpy(s, comm, MS_COMM_LEN);
	s[MS_COMM_LEN] = 0;
	put_json_str(f, s);
}

static double secs(const struct report *r, __u64 ts)
{
	return ts > r->o.start_ns ? (ts - r->o.start_ns) / 1e9 : 0.0;
}

/* ---- charts ---- */

struct chart {
	const struct report *r;
	const struct rseries *s;
	bool resident; /* touched by class and the RSS line; else reserved by class */
	const struct rproc *p; /* its markers; NULL: the machine */
	const char *id; /* the series' name in the page's data */
};

/* Resident by class: from the resident samples when there are any, else the touched pages. */
static const __u64 *values(const struct chart *c, const struct rpoint *pt)
{
	if (!c->resident)
		return pt->res;
	return c->s->sampled ? pt->rsd : pt->touched;
}

static const char *chart_kind(const struct chart *c)
{
	return !c->resident ? "res" : c->s->sampled ? "rsd" : "tch";
}

static __u64 point_total(const struct chart *c, const struct rpoint *pt)
{
	__u64 sum = 0;
	unsigned g;

	for (g = 0; g < G_NR; g++)
		sum += values(c, pt)[g];
	return c->resident && pt->rss > sum ? pt->rss : sum;
}

static __u64 chart_max(const struct chart *c)
{
	__u64 max = 0, v;
	unsigned i;

	for (i = 0; i < c->s->nr; i++)
		if ((v = point_total(c, &c->s->p[i])) > max)
			max = v;
	return max ? max : 1;
}

static double xpos(const struct chart *c, __u64 ts)
{
	double t0 = secs(c->r, c->r->first_ts), t1 = secs(c->r, c->r->last_ts);
	double t = secs(c->r, ts);

	if (t1 <= t0)
		return X0;
	return X0 + (t - t0) * (X1 - X0) / (t1 - t0);
}

static double ypos(__u64 v, __u64 max)
{
	return Y1 - (double)v * (Y1 - Y0) / max;
}

/* One class's band: its top edge left to right, the one below right to left. */
static void band(FILE *f, const struct chart *c, unsigned g, const __u64 *below, __u64 max)
{
	const struct rseries *s = c->s;
	unsigned i;

	fprintf(f, "<polygon fill=\"%s\" points=\"", class_colour[group_class[g]]);
	for (i = 0; i < s->nr; i++)
		fprintf(f, "%.1f,%.1f ", xpos(c, s->p[i].ts),
			ypos(below[i] + values(c, &s->p[i])[g], max));
	if (s->nr == 1) /* one moment: a band to the end */
		fprintf(f, "%.1f,%.1f %.1f,%.1f ", X1, ypos(below[0] + values(c, &s->p[0])[g], max),
			X1, ypos(below[0], max));
	for (i = s->nr; i-- > 0;)
		fprintf(f, "%.1f,%.1f ", xpos(c, s->p[i].ts), ypos(below[i], max));
	fprintf(f, "\"><title>%s</title></polygon>\n", rgroup_name(g));
}

static void rss_line(FILE *f, const struct chart *c, __u64 max)
{
	unsigned i;

	fputs("<polyline class=\"rss\" points=\"", f);
	for (i = 0; i < c->s->nr; i++)
		fprintf(f, "%.1f,%.1f ", xpos(c, c->s->p[i].ts), ypos(c->s->p[i].rss, max));
	fputs("\"><title>resident (the kernel's RSS counters)</title></polyline>\n", f);
}

static void axes(FILE *f, const struct chart *c, __u64 max)
{
	double t0 = secs(c->r, c->r->first_ts), t1 = secs(c->r, c->r->last_ts);
	char sz[16];
	int i;

	for (i = 0; i <= 2; i++) {
		double y = Y1 - i * (Y1 - Y0) / 2;

		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
			X0, X1, y, y);
		fprintf(f, "<text class=\"ylab\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", X0 - 4, y + 4,
			fmt_size(sz, sizeof(sz), max / 2 * i + (i == 2 ? max % 2 : 0)));
	}
	for (i = 0; i <= 4; i++) {
		double x = X0 + i * (X1 - X0) / 4;

		fprintf(f, "<text class=\"xlab\" x=\"%.1f\" y=\"%.1f\">%.2fs</text>\n", x, Y1 + 16,
			t0 + i * (t1 - t0) / 4);
	}
}

static const char *const mark_class[] = { [MK_EXEC] = "exec",
					  [MK_CRASH] = "crash",
					  [MK_ENOMEM] = "enomem",
					  [MK_OOM] = "oom",
					  [MK_EXIT] = "exit" };

static void markers(FILE *f, const struct chart *c)
{
	unsigned i;

	for (i = 0; c->p && i < c->p->nmarks; i++) {
		const struct rmark *m = &c->p->marks[i];
		double x = xpos(c, m->ts);

		fprintf(f,
			"<g class=\"mark mk-%s\"><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			"y2=\"%.1f\"/><path d=\"M%.1f %.1fl-5 -8h10z\"/><title>%.3fs ",
			mark_class[m->kind], x, x, Y0, Y1, x, Y0 + 8, secs(c->r, m->ts));
		put_html(f, m->text);
		fputs("</title></g>\n", f);
	}
}

static void legend(FILE *f, bool rss)
{
	unsigned g;

	fputs("<p class=\"legend\">", f);
	for (g = 0; g < G_NR; g++)
		fprintf(f, "<span><i style=\"background:%s\"></i>%s</span> ",
			class_colour[group_class[g]], rgroup_name(g));
	if (rss)
		fputs("<span><i class=\"rssbox\"></i>resident (RSS counters)</span>", f);
	fputs("</p>\n", f);
}

static void chart(FILE *f, const struct chart *c, const char *title)
{
	__u64 max = chart_max(c), *below = calloc(c->s->nr ? c->s->nr : 1, sizeof(*below));
	unsigned g, i;

	fprintf(f, "<figure><figcaption>%s</figcaption>\n", title);
	fprintf(f,
		"<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		"data-series=\"%s\" data-kind=\"%s\" data-t0=\"%.6f\" data-t1=\"%.6f\" "
		"role=\"img\">\n<title>%s</title>\n",
		W, H, W, H, c->id, chart_kind(c), secs(c->r, c->r->first_ts),
		secs(c->r, c->r->last_ts), title);
	axes(f, c, max);
	for (g = 0; below && c->s->nr && g < G_NR; g++) {
		bool any = false;

		for (i = 0; i < c->s->nr; i++)
			any = any || values(c, &c->s->p[i])[g];
		if (!any)
			continue;
		band(f, c, g, below, max);
		for (i = 0; i < c->s->nr; i++)
			below[i] += values(c, &c->s->p[i])[g];
	}
	if (c->resident && c->s->nr)
		rss_line(f, c, max);
	markers(f, c);
	fprintf(f, "<line class=\"cursor\" x1=\"0\" x2=\"0\" y1=\"%.1f\" y2=\"%.1f\"/>\n", Y0, Y1);
	fputs("</svg></figure>\n", f);
	free(below);
}

/* ---- the layout picture: high memory to low ---- */

static const char *block_path(const struct rproc *p, const struct rblock *b)
{
	return b->path && b->path <= p->npaths ? p->paths[b->path - 1] : "";
}

static void layout_row(FILE *f, const struct report *r, const struct rproc *p,
		       const struct rblock *b)
{
	char sz[16], t[16], pm[8];

	fmt_perms(pm, sizeof(pm), b->prot);
	fprintf(f, "<tr><td class=\"addr\">%012llx-%012llx</td><td>%s</td><td>%s</td>",
		(unsigned long long)b->start, (unsigned long long)b->end,
		fmt_size(sz, sizeof(sz), b->end - b->start),
		b->touched ? fmt_size(t, sizeof(t), b->touched) : "-");
	fprintf(f, "<td><i style=\"background:%s\"></i>%s</td><td>%s ", class_colour[b->cls],
		region_class_name(b->cls), pm);
	put_html(f, block_path(p, b));
	fputs("</td></tr>\n", f);
}

static void layout(FILE *f, const struct report *r, const struct rproc *p, const struct rsnap *s,
		   const char *when)
{
	char sz[16];
	unsigned i;

	fprintf(f,
		"<div class=\"layout\" data-vsize=\"%llu\"><h4>Layout %s, at %.3fs (virtual %s)</h4>\n",
		(unsigned long long)s->vsize, when, secs(r, s->ts),
		fmt_size(sz, sizeof(sz), s->vsize));
	fputs("<table><tr><th>address</th><th>reserved</th><th>touched</th><th>class</th>"
	      "<th>what</th></tr>\n<tr class=\"gap\"><td colspan=\"5\">high memory</td></tr>\n",
	      f);
	for (i = s->nr; i-- > 0;) {
		const struct rblock *b = &s->b[i];

		layout_row(f, r, p, b);
		if (i && b->start - s->b[i - 1].end >= BIG_GAP)
			fprintf(f, "<tr class=\"gap\"><td colspan=\"5\">free %s</td></tr>\n",
				fmt_size(sz, sizeof(sz), b->start - s->b[i - 1].end));
	}
	fputs("<tr class=\"gap\"><td colspan=\"5\">low memory</td></tr></table>\n", f);
	if (s->left_out)
		fprintf(f,
			"<p class=\"note\">%u small blocks left out (the %d largest are shown)</p>\n",
			s->left_out, SNAP_BLOCKS);
	fputs("</div>\n", f);
}

/* ---- the data the script reads: series and layouts, already bounded ---- */

static void json_classes(FILE *f, const char *name, const struct rseries *s, size_t off)
{
	unsigned i, g;

	fprintf(f, ",\"%s\":[", name);
	for (i = 0; i < s->nr; i++) {
		const __u64 *v = (const void *)((const char *)&s->p[i] + off);

		for (g = 0; g < G_NR; g++)
			fprintf(f, "%s%llu", g ? "," : i ? ",[" : "[", (unsigned long long)v[g]);
		fputc(']', f);
	}
	fputc(']', f);
}

/* t: seconds from the start; ns: the kernel's time, as `maps -r --at-ns` takes it. */
static void json_series(FILE *f, const struct report *r, const struct rseries *s)
{
	unsigned i;

	fputs("{\"t\":[", f);
	for (i = 0; i < s->nr; i++)
		fprintf(f, "%s%.4f", i ? "," : "", secs(r, s->p[i].ts));
	fputs("],\"ns\":[", f);
	for (i = 0; i < s->nr; i++)
		fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)s->p[i].ts);
	fputc(']', f);
	json_classes(f, "res", s, offsetof(struct rpoint, res));
	json_classes(f, "tch", s, offsetof(struct rpoint, touched));
	json_classes(f, "rsd", s, offsetof(struct rpoint, rsd));
	fputs(",\"rss\":[", f);
	for (i = 0; i < s->nr; i++)
		fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)s->p[i].rss);
	fputs("]}", f);
}

/* A block: [start, end (hex: beyond a double's precision), size, class, touched, path, perms, free below] */
static void json_snap(FILE *f, const struct report *r, const struct rsnap *s)
{
	char pm[8];
	unsigned i;

	fprintf(f, "{\"t\":%.4f,\"v\":%llu,\"lo\":%u,\"b\":[", secs(r, s->ts),
		(unsigned long long)s->vsize, s->left_out);
	for (i = 0; i < s->nr; i++) {
		const struct rblock *b = &s->b[i];
		__u64 below = i ? b->start - s->b[i - 1].end : 0;

		fmt_perms(pm, sizeof(pm), b->prot);
		fprintf(f, "%s[\"%012llx\",\"%012llx\",%llu,%u,%llu,%u,\"%s\",%llu]", i ? "," : "",
			(unsigned long long)b->start, (unsigned long long)b->end,
			(unsigned long long)(b->end - b->start), b->cls,
			(unsigned long long)b->touched, b->path, pm,
			(unsigned long long)(below >= BIG_GAP ? below : 0));
	}
	fputs("]}", f);
}

/* Every stride-th layout fits the process's share of the page's blocks. */
static unsigned snap_stride(const struct rproc *p, size_t budget)
{
	unsigned stride = 1, i;
	size_t blocks;

	for (;; stride *= 2) {
		for (blocks = p->end.nr, i = 0; i < p->nsnaps; i += stride)
			blocks += p->snaps[i].nr;
		if (blocks <= budget || stride >= SNAPSHOTS)
			return stride;
	}
}

static void json_proc(FILE *f, const struct report *r, const struct rproc *p, size_t idx,
		      size_t budget)
{
	static char text[4096 * 4 + 64];
	unsigned i, stride = snap_stride(p, budget);

	fprintf(f, "\"p%zu\":{\"pid\":%u,\"comm\":", idx, p->pid);
	put_json_comm(f, p->comm);
	fputs(",\"series\":", f);
	json_series(f, r, &p->s);
	fputs(",\"paths\":[", f);
	for (i = 0; i < p->npaths; i++) { /* as the text views print them: \\xNN for stray bytes */
		fputs(i ? "," : "", f);
		put_json_str(f, esc_str(text, sizeof(text), p->paths[i], ESC_TEXT));
	}
	fputs("],\"snaps\":[", f);
	for (i = 0; i < p->nsnaps; i += stride) {
		fputs(i ? "," : "", f);
		json_snap(f, r, &p->snaps[i]);
	}
	if (p->end.ts) {
		fputs(p->nsnaps ? "," : "", f);
		json_snap(f, r, &p->end);
	}
	fputs("]}", f);
}

/* ---- which processes: the largest, and every one in trouble ---- */

static bool troubled(const struct rproc *p)
{
	return p->crashed || p->enomem || p->killed || p->oom_killed;
}

static int by_peak_desc(const void *a, const void *b)
{
	const struct rproc *x = *(const struct rproc *const *)a,
			   *y = *(const struct rproc *const *)b;

	if (x->peak_rss != y->peak_rss)
		return x->peak_rss < y->peak_rss ? 1 : -1;
	if (x->peak_vsize != y->peak_vsize)
		return x->peak_vsize < y->peak_vsize ? 1 : -1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The processes to show, largest first; returns how many. */
static size_t choose(const struct report *r, struct rproc **out)
{
	struct rproc **all = malloc((r->nprocs + 1) * sizeof(*all));
	size_t i, n = 0, top = 0;

	if (!all)
		return 0;
	memcpy(all, r->procs, r->nprocs * sizeof(*all));
	qsort(all, r->nprocs, sizeof(*all), by_peak_desc);
	for (i = 0; i < r->nprocs && n < REPORT_MAX; i++) {
		struct rproc *p = all[i];

		if (!p->s.nr && !p->nmarks)
			continue;
		if (r->o.every_process || troubled(p))
			out[n++] = p;
		else if (top < REPORT_TOP && ++top)
			out[n++] = p;
	}
	free(all);
	return n;
}

/* ---- sections ---- */

static void section_recording(FILE *f, const struct report *r, const char *recording)
{
	const char *nl;

	fputs("<section id=\"recording\"><h2>The recording</h2>\n<pre>", f);
	for (; (nl = strchr(recording, '\n')); recording = nl + 1) { /* lines, each escaped */
		esc_fput(f, recording, nl - recording, ESC_HTML);
		fputc('\n', f);
	}
	put_html(f, recording);
	fputs("</pre></section>\n", f);
}

static __u64 reserved_total(const struct rpoint *pt)
{
	__u64 sum = 0;
	unsigned g;

	for (g = 0; g < G_NR; g++)
		sum += pt->res[g];
	return sum;
}

/* How much a process's reservation grew: its largest point over its first. */
static __u64 growth(const struct rproc *p)
{
	__u64 first = p->s.nr ? reserved_total(&p->s.p[0]) : 0, max = first, v;
	unsigned i;

	for (i = 1; i < p->s.nr; i++)
		if ((v = reserved_total(&p->s.p[i])) > max)
			max = v;
	return max - first;
}

static void grew_most(FILE *f, const struct report *r)
{
	const struct rproc *best[GROWN_NAMED] = {};
	__u64 most[GROWN_NAMED] = {};
	char sz[16];
	size_t i;
	int k, j;

	for (i = 0; i < r->nprocs; i++) {
		__u64 g = growth(r->procs[i]);

		for (k = 0; k < GROWN_NAMED && g <= most[k]; k++)
			;
		if (k == GROWN_NAMED || !g)
			continue;
		for (j = GROWN_NAMED - 1; j > k; j--) {
			best[j] = best[j - 1];
			most[j] = most[j - 1];
		}
		best[k] = r->procs[i];
		most[k] = g;
	}
	fputs("<p id=\"grew\">Grew most (reserved, largest moment over first): ", f);
	for (k = 0; k < GROWN_NAMED && best[k]; k++) {
		fprintf(f, "%s<b>", k ? ", " : "");
		put_comm(f, best[k]->comm);
		fprintf(f, "</b> (pid %u) +%s", best[k]->pid, fmt_size(sz, sizeof(sz), most[k]));
	}
	fputs(k ? ".</p>\n" : "none.</p>\n", f);
}

static void downsampled_note(FILE *f, const struct rseries *s, unsigned max)
{
	fprintf(f,
		"<p class=\"note\">Downsampled: %u moments at least %.3gs apart (at most %u "
		"a chart), each the state at that moment; the peaks named in the text are exact.</p>\n",
		s->nr, s->dt / 1e9, max);
}

static const char *resident_caption(const struct chart *c)
{
	if (c->s->sampled)
		return "resident by class (each region's share of its process's latest resident "
		       "sample, as maps' RSS column), and the RSS counters";
	return "resident: touched pages by class (--faults), and the RSS counters";
}

static void section_machine(FILE *f, const struct report *r)
{
	struct chart c = { .r = r, .s = &r->machine, .id = "m" };

	fputs("<section id=\"machine\"><h2>The machine over time</h2>\n", f);
	fprintf(f, "<p>Every traced process's memory, summed (%zu processes).</p>\n", r->nprocs);
	chart(f, &c, "reserved (virtual) by class");
	c.resident = true;
	chart(f, &c, resident_caption(&c));
	legend(f, true);
	grew_most(f, r);
	downsampled_note(f, &r->machine, MACHINE_POINTS);
	fputs("</section>\n", f);
}

static void explanations(FILE *f, const struct rproc *p)
{
	unsigned i;

	for (i = 0; i < p->nmarks; i++) {
		const struct rmark *m = &p->marks[i];

		if (m->kind != MK_CRASH && m->kind != MK_ENOMEM)
			continue;
		fprintf(f, "<p class=\"explain %s\"><b>%s</b> ", mark_class[m->kind],
			m->kind == MK_CRASH ? "Crash:" : "ENOMEM:");
		put_html(f, m->text);
		fputs("</p>\n", f);
	}
	if (p->marks_left_out)
		fprintf(f, "<p class=\"note\">%u more moments not marked.</p>\n",
			p->marks_left_out);
}

static void section_proc(FILE *f, const struct report *r, const struct rproc *p, size_t idx)
{
	char id[32], sz[3][16];
	struct chart c = { .r = r, .s = &p->s, .p = p, .id = id };

	snprintf(id, sizeof(id), "p%zu", idx);
	fprintf(f, "<section class=\"proc\" id=\"pid-%u\" data-id=\"%s\"><h3>pid %u (", p->pid, id,
		p->pid);
	put_comm(f, p->comm);
	fprintf(f, ")%s</h3>\n", troubled(p) ? " <span class=\"trouble\">trouble</span>" : "");
	fprintf(f,
		"<p class=\"peaks\">peak virtual <b class=\"peak-vsize\" data-bytes=\"%llu\">%s</b>, "
		"peak resident <b class=\"peak-rss\" data-bytes=\"%llu\">%s</b>, peak heap "
		"<b class=\"peak-heap\" data-bytes=\"%llu\">%s</b></p>\n",
		(unsigned long long)p->peak_vsize, fmt_size(sz[0], sizeof(sz[0]), p->peak_vsize),
		(unsigned long long)p->peak_rss, fmt_size(sz[1], sizeof(sz[1]), p->peak_rss),
		(unsigned long long)p->peak_heap, fmt_size(sz[2], sizeof(sz[2]), p->peak_heap));
	fputs("<p class=\"summary\">", f);
	if (p->summary[0])
		put_html(f, p->summary);
	else
		fputs("still running at the end of the recording", f);
	fputs("</p>\n", f);
	explanations(f, p);
	chart(f, &c, "reserved (virtual) by class");
	c.resident = true;
	chart(f, &c, resident_caption(&c));
	fputs("<div class=\"layouts\">\n", f);
	if (p->peak.ts)
		layout(f, r, p, &p->peak, "at its largest");
	if (p->end.ts)
		layout(f, r, p, &p->end, p->exited ? "at its end" : "at the end of the recording");
	fprintf(f, "<div class=\"layout clicked\" id=\"at-%s\"></div>\n</div></section>\n", id);
}

/* ---- the page ---- */

static const char css[] =
	"body{font:14px/1.4 sans-serif;margin:1em 2em;color:#222;max-width:1200px}"
	"h2{border-bottom:1px solid #ccc;margin-top:1.5em}pre{background:#f6f6f6;padding:.5em;"
	"white-space:pre-wrap}figure{margin:.5em 0}figcaption{font-weight:bold}"
	"svg.chart{max-width:100%;height:auto;border:1px solid #ddd;background:#fff}"
	"svg .grid{stroke:#ddd}svg text{font-size:11px;fill:#555}svg .ylab{text-anchor:end}"
	"svg .xlab{text-anchor:middle}svg polygon{stroke:none;opacity:.9}"
	"svg .rss{fill:none;stroke:#000;stroke-width:1.5}svg .cursor{stroke:#000;display:none}"
	"svg .mark line{stroke-width:1.5;stroke-dasharray:3 2}.mk-exec line{stroke:#555}"
	".mk-exec path{fill:#555}.mk-crash line,.mk-enomem line{stroke:#d00}"
	".mk-crash path,.mk-enomem path{fill:#d00}.mk-oom line{stroke:#90c}.mk-oom path{fill:#90c}"
	".mk-exit line{stroke:#333}.mk-exit path{fill:#333}"
	"i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em;"
	"border:1px solid #999}.rssbox{background:#000;height:2px;border:0}.legend span{margin-right:1em}"
	".proc{border-top:2px solid #888;margin-top:2em}.trouble{color:#fff;background:#d00;"
	"padding:0 .4em;border-radius:3px;font-size:80%}.explain{border-left:4px solid #d00;"
	"padding-left:.5em;background:#fff4f4}.note{color:#666;font-size:90%}"
	".layouts{display:flex;flex-wrap:wrap;gap:1em}.layout table{border-collapse:collapse;"
	"font:12px monospace}.layout td,.layout th{padding:1px 6px;text-align:left}"
	".layout tr:nth-child(even){background:#f8f8f8}.layout .gap td{color:#888;font-style:italic}"
	"#tip{position:absolute;display:none;background:#fff;border:1px solid #888;padding:4px 8px;"
	"font-size:12px;pointer-events:none;box-shadow:2px 2px 4px #0003}"
	"svg.flame{max-width:100%;height:auto}svg.flame rect{stroke:#fff;stroke-width:.5;"
	"cursor:pointer}svg.flame text{font:11px monospace;fill:#000;pointer-events:none}"
	"#site-table{border-collapse:collapse;font:12px monospace}#site-table td,#site-table th"
	"{padding:1px 8px;text-align:left}#site-table tr:nth-child(even){background:#f8f8f8}"
	"@media print{.clicked,#tip{display:none}.proc{break-inside:avoid-page}}";

/* Hover: the values at the pointer; click: the layout at that moment, from the data. */
static const char script[] =
	"(function(){var D=JSON.parse(document.getElementById('report-data').textContent);\n"
	"var tip=document.createElement('div');tip.id='tip';document.body.appendChild(tip);\n"
	"function size(b){var u=['B','K','M','G','T','P'],i=0;while(b>=1024&&i<5){b/=1024;i++}\n"
	" return (i&&b<10?b.toFixed(1):Math.round(b))+u[i]}\n"
	"function esc(s){return s.replace(/[&<>\"']/g,function(c){return '&#'+c.charCodeAt(0)+';'})}\n"
	"function series(id){return id==='m'?D.m:D.procs[id].series}\n"
	"function near(t,ts){var i=0;while(i+1<ts.length&&ts[i+1]<=t)i++;return i}\n"
	"function at(svg,e){var r=svg.getBoundingClientRect(),x=(e.clientX-r.left)*D.w/r.width,\n"
	" t0=+svg.dataset.t0,t1=+svg.dataset.t1;return t0+(x-D.x0)/(D.x1-D.x0)*(t1-t0)}\n"
	"function row(c){return '<tr class=\"gap\"><td colspan=\"5\">'+c+'</td></tr>'}\n"
	"function draw(id,t){var p=D.procs[id],sn=p.snaps,j=0,i,s,h;if(!sn.length)return;\n"
	" for(i=0;i<sn.length;i++)if(sn[i].t<=t)j=i;s=sn[j];\n"
	" h='<h4>Layout at '+s.t.toFixed(3)+'s (clicked at '+t.toFixed(3)+'s; virtual '+size(s.v)+\n"
	"  ')</h4><table><tr><th>address</th><th>reserved</th><th>touched</th><th>class</th>'+\n"
	"  '<th>what</th></tr>'+row('high memory');\n"
	" for(i=s.b.length-1;i>=0;i--){var b=s.b[i];h+='<tr><td class=\"addr\">'+b[0]+'-'+b[1]+\n"
	"  '</td><td>'+size(b[2])+'</td><td>'+(b[4]?size(b[4]):'-')+'</td><td><i style=\"background:'+\n"
	"  D.ccol[b[3]]+'\"></i>'+D.classes[b[3]]+'</td><td>'+b[6]+' '+(b[5]?esc(p.paths[b[5]-1]):'')+\n"
	"  '</td></tr>';if(b[7])h+=row('free '+size(b[7]))}\n"
	" h+=row('low memory')+'</table>';if(s.lo)h+='<p class=\"note\">'+s.lo+' small blocks left out</p>';\n"
	" document.getElementById('at-'+id).innerHTML=h}\n"
	"document.querySelectorAll('svg.chart').forEach(function(svg){\n"
	" var s=series(svg.dataset.series),k=svg.dataset.kind,cur=svg.querySelector('.cursor');\n"
	" svg.addEventListener('mousemove',function(e){if(!s.t.length)return;\n"
	"  var i=near(at(svg,e),s.t),v=s[k][i],h='<b>'+s.t[i].toFixed(3)+'s</b>',tot=0,g,x;\n"
	"  for(g=0;g<v.length;g++)if(v[g]){h+='<br><i style=\"background:'+D.gcol[g]+'\"></i>'+\n"
	"   D.groups[g]+' '+size(v[g]);tot+=v[g]}\n"
	"  h+='<br>total '+size(tot);if(k!=='res')h+='<br>RSS '+size(s.rss[i]);\n"
	"  tip.innerHTML=h;tip.style.display='block';tip.style.left=(e.pageX+12)+'px';\n"
	"  tip.style.top=(e.pageY+12)+'px';x=D.x0+(s.t[i]-svg.dataset.t0)/\n"
	"   ((svg.dataset.t1-svg.dataset.t0)||1)*(D.x1-D.x0);\n"
	"  cur.setAttribute('x1',x);cur.setAttribute('x2',x);cur.style.display='inline'});\n"
	" svg.addEventListener('mouseleave',function(){tip.style.display='none';cur.style.display='none'});\n"
	" svg.addEventListener('click',function(e){if(svg.dataset.series!=='m')draw(svg.dataset.series,at(svg,e))})});\n"
	"var m=/^#at=(p[0-9]+):([0-9.]+)$/.exec(location.hash);if(m&&D.procs[m[1]])draw(m[1],+m[2]);\n"
	"document.body.setAttribute('data-script','ok')})();\n";

static void json_names(FILE *f)
{
	unsigned i;

	fprintf(f, "\"w\":%d,\"x0\":%.1f,\"x1\":%.1f,\"classes\":[", W, X0, X1);
	for (i = 0; i < RC_NR; i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", region_class_name(i));
	fputs("],\"ccol\":[", f);
	for (i = 0; i < RC_NR; i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", class_colour[i]);
	fputs("],\"groups\":[", f);
	for (i = 0; i < G_NR; i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", rgroup_name(i));
	fputs("],\"gcol\":[", f);
	for (i = 0; i < G_NR; i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", class_colour[group_class[i]]);
	fputs("]", f);
}

static void data(FILE *f, const struct report *r, struct rproc *const *shown, size_t n)
{
	size_t i;

	fputs("<script type=\"application/json\" id=\"report-data\">{", f);
	json_names(f);
	fputs(",\"m\":", f);
	json_series(f, r, &r->machine);
	fputs(",\"procs\":{", f);
	for (i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", f);
		json_proc(f, r, shown[i], i, PAGE_BLOCKS / n);
	}
	fputs("}}</script>\n", f);
}

static void section_processes(FILE *f, const struct report *r, struct rproc *const *shown, size_t n)
{
	size_t i;

	fputs("<section id=\"processes\"><h2>Processes</h2>\n<p>", f);
	if (r->o.every_process)
		fprintf(f, "The %zu processes chosen (-p), largest peak resident first.", n);
	else
		fprintf(f,
			"%zu of %zu processes: the %d with the largest peak resident, and every "
			"one that crashed, failed ENOMEM, or was killed by a signal or the OOM killer.",
			n, r->nprocs, REPORT_TOP);
	fputs(" Hover a chart for its values; click one to redraw the layout at that moment "
	      "(from the layouts kept, at most " STR(
		      SNAPSHOTS) " a process; a link to "
				 "<code>#at=p0:1.5</code> opens the first process's at 1.5 s).</p>\n",
	      f);
	for (i = 0; i < n; i++)
		section_proc(f, r, shown[i], i);
	fputs("</section>\n", f);
}

int report_html__write(struct report *r, const char *recording, FILE *out)
{
	struct rproc **shown = malloc((r->nprocs + 1) * sizeof(*shown));
	size_t n;

	if (!shown)
		return -1;
	n = choose(r, shown);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>memsnoop "
	      "report: ",
	      out);
	put_html(out, r->o.title);
	fprintf(out, "</title>\n<style>%s</style></head><body>\n<h1>memsnoop report: ", css);
	put_html(out, r->o.title);
	fputs("</h1>\n", out);
	section_recording(out, r, recording);
	section_machine(out, r);
	section_processes(out, r, shown, n);
	report_flame__write(r, out);
	data(out, r, shown, n);
	fprintf(out, "<script>%s</script>\n</body></html>\n", script);
	free(shown);
	return ferror(out) ? -1 : 0;
}
