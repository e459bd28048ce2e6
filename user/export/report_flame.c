// SPDX-License-Identifier: GPL-2.0
/*
 * memsnoop report: the call sites section (record --stacks). A flame graph of
 * the bytes each stack's calls reserved, the weights and frame names of
 * `export --folded` (folded.h), drawn as SVG (readable without the script;
 * a click zooms into a frame); and the call sites that grew most, counted as
 * `top --by site` counts them (analysis/sites.h) at every point of the charts.
 */
#include <stdlib.h>
#include <string.h>
#include "export/report_int.h"
#include "util/escape.h"
#include "util/fmt.h"

#define FLAME_W 1100.0 /* the graph's width in SVG units */
#define FLAME_X0 10.0
#define FLAME_ROW 17 /* a frame's height */
#define FLAME_MIN_DIV 20000 /* frames under this share of the whole are left out */
#define FLAME_NODES 8000 /* frames drawn at most: the page stays bounded */
#define SITES_SHOWN 30

/* A frame of the merged stacks: its name on this path, what its calls below reserved. */
struct fnode {
	char *name;
	__u64 bytes;
	unsigned child, next; /* index + 1 in the tree's nodes, 0: none */
};

struct ftree {
	struct fnode *n; /* [0]: the root, every process */
	unsigned nr, cap;
	unsigned depth; /* the deepest frame */
	unsigned drawn, left_out;
};

static unsigned node_new(struct ftree *t, const char *name)
{
	struct fnode *n;
	char *c;

	if (t->nr == t->cap) {
		unsigned cap = t->cap ? 2 * t->cap : 256;

		n = realloc(t->n, cap * sizeof(*n));
		if (!n)
			return 0;
		t->n = n;
		t->cap = cap;
	}
	n = &t->n[t->nr];
	*n = (struct fnode){ .name = strdup(name) };
	if (!n->name)
		return 0;
	for (c = n->name; *c; c++) /* as the folded lines name it */
		*c = folded__name_char(*c);
	return ++t->nr;
}

/* A node's name is stored as the folded lines write it. */
static bool same_name(const char *stored, const char *name)
{
	for (; *stored && *name; stored++, name++)
		if (*stored != folded__name_char(*name))
			return false;
	return *stored == *name;
}

/* The child of parent (an index + 1) with this name, made if new; 0 if out of memory. */
static unsigned child_of(struct ftree *t, unsigned parent, const char *name)
{
	unsigned i, last = 0;

	for (i = t->n[parent - 1].child; i; last = i, i = t->n[i - 1].next)
		if (same_name(t->n[i - 1].name, name))
			return i;
	i = node_new(t, name);
	if (!i)
		return 0;
	if (last)
		t->n[last - 1].next = i;
	else
		t->n[parent - 1].child = i;
	return i;
}

/* One stack's weight along its path: its command, then its frames outermost first. */
static void add_stack(struct ftree *t, const struct stack *s, const char *comm, __u64 w)
{
	char name[MS_COMM_LEN + 1], buf[32];
	unsigned at = 1, i, depth = 1;

	snprintf(name, sizeof(name), "%.*s", MS_COMM_LEN, comm);
	t->n[0].bytes += w;
	at = child_of(t, at, name);
	for (i = s->nr; at; i--) {
		t->n[at - 1].bytes += w;
		if (!i)
			break;
		at = child_of(t, at, folded__frame_name(&s->frames[i - 1], buf, sizeof(buf)));
		depth++;
	}
	if (depth > t->depth)
		t->depth = depth;
}

static bool tree_build(const struct report *r, struct ftree *t)
{
	unsigned id, ids = folded__ids(r->folded);
	const char *comm;

	if (!node_new(t, "all"))
		return false;
	for (id = 1; id < ids; id++) {
		__u64 w = folded__weight(r->folded, id, &comm);
		const struct stack *s = stacks__get(r->o.stacks, id);

		if (w && s)
			add_stack(t, s, comm, w);
	}
	return t->n[0].bytes > 0;
}

static void tree_free(struct ftree *t)
{
	unsigned i;

	for (i = 0; i < t->nr; i++)
		free(t->n[i].name);
	free(t->n);
}

/* Warm colours, as flamegraph.pl's, steady for a name; processes and the root grey-blue. */
static void frame_colour(char *buf, size_t size, const char *name, unsigned depth)
{
	unsigned h = 2166136261u;

	if (depth < 2) {
		snprintf(buf, size, "#%s", depth ? "a9b8cc" : "c8c8c8");
		return;
	}
	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	snprintf(buf, size, "rgb(%u,%u,%u)", 205 + h % 50, 80 + (h >> 8) % 130,
		 40 + (h >> 16) % 50);
}

struct draw_ctx {
	FILE *f;
	struct ftree *t;
	__u64 total, min;
	double height;
};

/* The name, cut to what fits in w units (about 7 a character); "" when nothing does. */
static void frame_label(FILE *f, const char *name, double w)
{
	size_t fits = w > 21 ? (size_t)((w - 6) / 7) : 0, len = strlen(name);

	if (len <= fits) {
		esc_fput(f, name, len, ESC_HTML);
	} else if (fits > 2) {
		esc_fput(f, name, fits - 2, ESC_HTML);
		fputs("..", f);
	}
}

static void draw_node(struct draw_ctx *c, unsigned i, __u64 off, unsigned depth)
{
	const struct fnode *n = &c->t->n[i - 1];
	double x = FLAME_X0 + (double)off * FLAME_W / c->total;
	double w = (double)n->bytes * FLAME_W / c->total;
	double y = c->height - (depth + 1) * FLAME_ROW;
	char col[32], sz[16];
	unsigned k;

	if (n->bytes < c->min || c->t->drawn == FLAME_NODES) {
		c->t->left_out++;
		return;
	}
	c->t->drawn++;
	frame_colour(col, sizeof(col), n->name, depth);
	fprintf(c->f, "<g class=\"fn\" data-o=\"%llu\" data-b=\"%llu\" data-d=\"%u\"><title>",
		(unsigned long long)off, (unsigned long long)n->bytes, depth);
	put_html(c->f, n->name);
	fprintf(c->f,
		"\n%s reserved, %.2f%%</title><rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" "
		"height=\"%d\" fill=\"%s\"/><text x=\"%.2f\" y=\"%.0f\">",
		fmt_size(sz, sizeof(sz), n->bytes), 100.0 * n->bytes / c->total, x, y, w,
		FLAME_ROW - 1, col, x + 3, y + FLAME_ROW - 5);
	frame_label(c->f, n->name, w);
	fputs("</text></g>\n", c->f);
	for (k = n->child; k; k = c->t->n[k - 1].next) {
		draw_node(c, k, off, depth + 1);
		off += c->t->n[k - 1].bytes;
	}
}

static const char flame_script[] =
	"(function(){var svg=document.getElementById('flame');if(!svg)return;\n"
	"var W=+svg.dataset.w,X0=+svg.dataset.x0,gs=[].slice.call(svg.querySelectorAll('g.fn'));\n"
	"function fit(n,w){var k=w>21?Math.floor((w-6)/7):0;return n.length<=k?n:k>2?n.slice(0,k-2)+'..':''}\n"
	"function zoom(o,b,d){gs.forEach(function(g){var go=+g.dataset.o,gb=+g.dataset.b,\n"
	" gd=+g.dataset.d,x,w,show;if(gd<d){show=go<=o&&go+gb>=o+b;x=X0;w=W}\n"
	" else{show=go>=o&&go+gb<=o+b;x=X0+(go-o)/b*W;w=gb/b*W}\n"
	" g.style.display=show?'':'none';if(!show)return;var r=g.querySelector('rect'),\n"
	" t=g.querySelector('text');r.setAttribute('x',x);r.setAttribute('width',w);\n"
	" t.setAttribute('x',x+3);t.textContent=fit(g.querySelector('title').textContent.split('\\n')[0],w)})}\n"
	"gs.forEach(function(g){g.addEventListener('click',function(){\n"
	" zoom(+g.dataset.o,+g.dataset.b,+g.dataset.d)})});\n"
	"svg.setAttribute('data-zoom','ok')})();\n";

static void flame(FILE *f, const struct report *r)
{
	struct ftree t = {};
	struct draw_ctx c = { .f = f, .t = &t };
	char sz[16];

	if (!tree_build(r, &t)) {
		fputs("<p>No call reserved memory with a stack.</p>\n", f);
		tree_free(&t);
		return;
	}
	c.total = t.n[0].bytes;
	c.min = c.total / FLAME_MIN_DIV;
	c.height = (t.depth + 1) * FLAME_ROW + 4;
	fprintf(f,
		"<figure><figcaption>Flame graph: bytes reserved by calls (mmap, brk and mremap "
		"growth), by stack, %s in all (as <code>export --folded</code>)</figcaption>\n"
		"<svg class=\"flame\" id=\"flame\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
		"height=\"%.0f\" data-w=\"%.0f\" data-x0=\"%.0f\" role=\"img\">\n",
		fmt_size(sz, sizeof(sz), c.total), FLAME_W + 2 * FLAME_X0, c.height,
		FLAME_W + 2 * FLAME_X0, c.height, FLAME_W, FLAME_X0);
	draw_node(&c, 1, 0, 0);
	fputs("</svg></figure>\n", f);
	fprintf(f,
		"<p class=\"note\" id=\"flame-note\" data-left-out=\"%u\">Each frame is as wide "
		"as the bytes its calls reserved; the process at the bottom, the innermost call at "
		"the top. Click a frame to zoom into it, the bottom one to zoom out. %u frames "
		"drawn, %u left out (under 1/%d of the whole, or past %d frames).</p>\n",
		t.left_out, t.drawn, t.left_out, FLAME_MIN_DIV, FLAME_NODES);
	fprintf(f, "<script>%s</script>\n", flame_script);
	tree_free(&t);
}

/* ---- the call sites that grew most ---- */

struct ranked {
	unsigned site;
	__u64 reserved, resident;
};

static int by_growth(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->reserved != y->reserved)
		return x->reserved < y->reserved ? 1 : -1;
	if (x->resident != y->resident)
		return x->resident < y->resident ? 1 : -1;
	return x->site > y->site ? 1 : -1;
}

static void site_row(FILE *f, const struct site *s, const struct rsite_total *t)
{
	char name[32], sz[4][16];

	fputs("<tr><td class=\"site\">", f);
	put_html(f, site__name(s, name, sizeof(name)));
	fprintf(f,
		"</td><td data-bytes=\"%llu\">%s</td><td data-bytes=\"%llu\">%s</td>"
		"<td data-bytes=\"%llu\">%s</td><td data-bytes=\"%llu\">%s</td><td>",
		(unsigned long long)t->peak_reserved, fmt_size(sz[0], 16, t->peak_reserved),
		(unsigned long long)t->peak_resident, fmt_size(sz[1], 16, t->peak_resident),
		(unsigned long long)t->end_reserved, fmt_size(sz[2], 16, t->end_reserved),
		(unsigned long long)t->end_resident, fmt_size(sz[3], 16, t->end_resident));
	put_html(f, s->module ? s->module : "-");
	fputs("</td></tr>\n", f);
}

static void top_sites(FILE *f, const struct report *r)
{
	size_t n = r->sites.nr < r->site_tot_cap ? r->sites.nr : r->site_tot_cap, i;
	struct ranked *order = malloc((n + 1) * sizeof(*order));

	if (!order)
		return;
	for (i = 0; i < n; i++)
		order[i] = (struct ranked){ i, r->site_tot[i].peak_reserved,
					    r->site_tot[i].peak_resident };
	qsort(order, n, sizeof(*order), by_growth);
	fprintf(f,
		"<h3>The call sites that grew most</h3>\n<p>Memory by the call that made it (the "
		"innermost frame outside libc and the allocators, as <code>top --by site</code>), "
		"over every process, at each moment of the charts above. Grew: the most its "
		"regions held at once (a site holds nothing before its first recorded call); at "
		"the end: what they held at each process's last moment. Resident: each region's "
		"share of its latest resident sample. %zu sites",
		n);
	if (n > SITES_SHOWN)
		fprintf(f, ", the %d that grew most shown", SITES_SHOWN);
	fputs(".</p>\n<table id=\"site-table\"><tr><th>site</th><th>grew: reserved</th>"
	      "<th>grew: resident</th><th>at the end: reserved</th><th>resident</th>"
	      "<th>module</th></tr>\n",
	      f);
	for (i = 0; i < n && i < SITES_SHOWN; i++)
		site_row(f, &r->sites.v[order[i].site], &r->site_tot[order[i].site]);
	fputs("</table>\n", f);
	free(order);
}

void report_flame__write(const struct report *r, FILE *f)
{
	if (!stacks__get(r->o.stacks, 1))
		return; /* recorded without --stacks */
	fputs("<section id=\"sites\"><h2>Call sites</h2>\n", f);
	flame(f, r);
	top_sites(f, r);
	fputs("</section>\n", f);
}
