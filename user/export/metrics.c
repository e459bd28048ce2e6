// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics (metrics.h): counters kept from the stream, gauges read from
 * the model on the loop's tick, both written out as one snapshot in the
 * Prometheus text format and in OpenMetrics, swapped in under a mutex for
 * the HTTP thread (http.h) to copy.
 *
 * The machine-wide families carry a `cgroup` label: the cgroup the
 * processes are in (model__cgroup_of; "" when not known), for at most
 * MAX_CGROUP_SERIES cgroups, the rest summed under "other", so sum() over
 * them is the machine.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include "analysis/explain.h"
#include "export/http.h"
#include "export/metrics.h"
#include "util/fmt.h"

#define NR_CALLS (MS_MADVISE + 1) /* the memory calls are MS_BRK..MS_MADVISE */
#define ERRNO_SLOTS 160 /* results: 0 ok, an errno below this, or the last slot: another */
#define MAX_CAUSES 64 /* distinct cause labels kept (explain.h's tokens are fewer) */
#define MAX_CGROUP_SERIES 64 /* cgroups with series of their own: label cardinality */

/* A counter by a label pair from a small fixed set (a cause, a signal). */
struct cause_count {
	const char *cause; /* explain.h's stable token */
	int sig; /* fault signals: the signal; 0 for failed allocations */
	__u64 n;
};

/* A process's size at the previous publish, to rank processes by growth. */
struct prev_size {
	__u32 pid;
	__u64 vsize;
};

/* A candidate for the per-process series. */
struct cand {
	const struct mproc *p;
	__s64 growth; /* vsize since the previous publish */
	bool chosen;
};

/* The series of one cgroup: counters from the stream, gauges of this publish. */
struct cg_series {
	char *path; /* the label value: "" not known, "other" past MAX_CGROUP_SERIES */
	__u64 calls[NR_CALLS][ERRNO_SLOTS + 1];
	__u64 faults;
	__u64 oom_kills; /* its processes the OOM killer chose */
	__u64 bytes[RC_NR];
	__u64 rss;
	__u64 processes;
	const struct mcgroup *cg; /* its limit and usage, this publish */
};

/* One published snapshot in both formats. */
struct snapshot {
	char *text, *om;
	size_t text_len, om_len;
};

struct metrics {
	const struct model *m;
	struct explain *explain;
	unsigned top;
	struct http_server *http;
	pthread_mutex_t lock; /* guards current */
	struct snapshot current; /* the OpenMetrics one without its # EOF: the ring's lines follow */
	struct {
		__u64 size, used, peak;
	} ring; /* the loop's latest look and the peak since the last scrape: __atomic */
	/* the loop's own, never seen by the HTTP thread */
	struct cg_series *series[MAX_CGROUP_SERIES + 1]; /* and "other" */
	unsigned nr_series;
	struct cause_count failed[MAX_CAUSES], signals[MAX_CAUSES];
	unsigned nr_failed, nr_signals;
	struct prev_size *prev;
	size_t nr_prev;
	struct cand *cands; /* the processes alive at this publish */
	size_t nr_cands, cap_cands;
};

static struct cg_series *new_series(const char *path)
{
	struct cg_series *c = calloc(1, sizeof(*c));

	if (c && !(c->path = strdup(path))) {
		free(c);
		return NULL;
	}
	return c;
}

static struct cg_series *find_series(struct metrics *mx, const char *path)
{
	unsigned i;

	for (i = 0; i < mx->nr_series; i++)
		if (!strcmp(mx->series[i]->path, path))
			return mx->series[i];
	return NULL;
}

/* p's cgroup's series, made on first use (past the cap: "other"); NULL when out of memory. */
static struct cg_series *series_of(struct metrics *mx, const struct mproc *p)
{
	const struct mcgroup *cg = model__cgroup_of(mx->m, p);
	const char *path = cg ? cg->path : "";
	struct cg_series *c = find_series(mx, path);

	if (c)
		return c;
	if (mx->nr_series >= MAX_CGROUP_SERIES) {
		path = "other";
		c = find_series(mx, path);
		if (c || mx->nr_series > MAX_CGROUP_SERIES)
			return c;
	}
	c = new_series(path);
	if (c)
		mx->series[mx->nr_series++] = c;
	return c;
}

static void count_cause(struct cause_count *c, unsigned *nr, const char *cause, int sig)
{
	unsigned i;

	for (i = 0; i < *nr; i++) {
		if (c[i].sig == sig && !strcmp(c[i].cause, cause)) {
			c[i].n++;
			return;
		}
	}
	if (*nr < MAX_CAUSES)
		c[(*nr)++] = (struct cause_count){ .cause = cause, .sig = sig, .n = 1 };
}

static void count_call(struct metrics *mx, const struct ms_hdr *h, struct cg_series *c)
{
	const struct ms_syscall *s = (const struct ms_syscall *)h;
	struct explanation ex;
	int err;

	if (h->size < sizeof(*s))
		return;
	err = ret_errno(s->ret);
	if (c)
		c->calls[h->type][err < ERRNO_SLOTS ? err : ERRNO_SLOTS]++;
	if (h->type != MS_MADVISE && h->type != MS_MPROTECT && h->type != MS_MUNMAP &&
	    explain__enomem(mx->explain, s, &ex))
		count_cause(mx->failed, &mx->nr_failed, ex.cause, 0);
}

static void count_signal(struct metrics *mx, const struct ms_hdr *h)
{
	const struct ms_signal *s = (const struct ms_signal *)h;
	struct explanation ex;

	if (h->size < sizeof(*s))
		return;
	count_cause(mx->signals, &mx->nr_signals,
		    explain__signal(mx->explain, s, &ex) ? ex.cause : "unexplained", s->sig);
}

int metrics__fn(void *ctx, const struct ms_hdr *h, const struct model_change *chg)
{
	struct metrics *mx = ctx;
	const struct mproc *p = chg->proc ?: model__process(mx->m, h->pid);
	struct cg_series *c = p ? series_of(mx, p) : NULL;

	if (h->type >= MS_BRK && h->type <= MS_MADVISE)
		count_call(mx, h, c);
	else if (h->type == MS_FAULTS && c && h->size >= sizeof(struct ms_faults))
		c->faults += ((const struct ms_faults *)h)->delta.faults;
	else if (h->type == MS_FAULT && c)
		c->faults++;
	else if (h->type == MS_SIGNAL)
		count_signal(mx, h);
	else if (h->type == MS_OOM && c)
		c->oom_kills++;
	explain__note(mx->explain, h, chg->region); /* after: a munmap explains later signals */
	return 0;
}

/* --- the exposition --- */

/*
 * A family's HELP and TYPE lines. OpenMetrics names a counter's family
 * without the _total its samples carry.
 */
static void family(FILE *f, bool om, const char *name, const char *type, const char *help)
{
	int n = strlen(name);

	if (om && !strcmp(type, "counter") && n > 6 && !strcmp(name + n - 6, "_total"))
		n -= 6;
	fprintf(f, "# HELP %.*s %s\n# TYPE %.*s %s\n", n, name, help, n, name, type);
}

/* A label value: printable ASCII, backslash and quote escaped (comm is any bytes). */
static void label_value(FILE *f, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '\\' || c == '"')
			fprintf(f, "\\%c", c);
		else
			fputc(c >= 0x20 && c < 0x7f ? c : '?', f);
	}
}

static void process_labels(FILE *f, const struct mproc *p)
{
	fprintf(f, "pid=\"%u\",comm=\"", p->pid);
	label_value(f, p->comm, MS_COMM_LEN);
	fputc('"', f);
}

static void add_region(const struct region *r, void *ctx)
{
	__u64 *bytes = ctx;

	bytes[r->cls] += r->end - r->start;
}

static bool alive(const struct mproc *p)
{
	return !(p->flags & MPROC_EXITED);
}

static void add_process(const struct mproc *p, void *ctx)
{
	struct metrics *mx = ctx;
	struct cand *c;

	if (!alive(p))
		return;
	if (mx->nr_cands == mx->cap_cands) {
		size_t cap = mx->cap_cands ? mx->cap_cands * 2 : 256;

		c = realloc(mx->cands, cap * sizeof(*c));
		if (!c)
			return;
		mx->cands = c;
		mx->cap_cands = cap;
	}
	mx->cands[mx->nr_cands++] = (struct cand){ .p = p };
}

/* The gauges of each cgroup's series: its processes alive now. */
static void sum_cgroups(struct metrics *mx)
{
	struct cg_series *c;
	size_t i;

	for (i = 0; i < mx->nr_series; i++) {
		c = mx->series[i];
		memset(c->bytes, 0, sizeof(c->bytes));
		c->rss = c->processes = 0;
		c->cg = NULL;
	}
	for (i = 0; i < mx->nr_cands; i++) {
		const struct mproc *p = mx->cands[i].p;

		c = series_of(mx, p);
		if (!c)
			continue;
		model__for_each_region(mx->m, p->pid, add_region, c->bytes);
		c->rss += p->rss;
		c->processes++;
		if (c->path[0] && strcmp(c->path, "other"))
			c->cg = model__cgroup_of(mx->m, p);
	}
}

static void cgroup_label(FILE *f, const struct cg_series *c)
{
	fputs("cgroup=\"", f);
	label_value(f, c->path, strlen(c->path));
	fputc('"', f);
}

static void write_machine(struct metrics *mx, FILE *f, bool om)
{
	struct cg_series *c;
	size_t i;
	int k;

	family(f, om, "memsnoop_memory_bytes", "gauge",
	       "Mapped bytes of the traced processes by cgroup and region class.");
	for (i = 0; i < mx->nr_series; i++) {
		c = mx->series[i];
		for (k = RC_UNKNOWN + 1; k < RC_NR && c->processes; k++) {
			fputs("memsnoop_memory_bytes{", f);
			cgroup_label(f, c);
			fprintf(f, ",class=\"%s\"} %llu\n", region_class_name(k),
				(unsigned long long)c->bytes[k]);
		}
	}
	family(f, om, "memsnoop_resident_bytes", "gauge",
	       "Resident bytes of the traced processes (their mm counters), by cgroup.");
	for (i = 0; i < mx->nr_series; i++) {
		c = mx->series[i];
		if (!c->processes)
			continue;
		fputs("memsnoop_resident_bytes{", f);
		cgroup_label(f, c);
		fprintf(f, "} %llu\n", (unsigned long long)c->rss);
	}
	family(f, om, "memsnoop_processes", "gauge", "Traced processes alive, by cgroup.");
	for (i = 0; i < mx->nr_series; i++) {
		c = mx->series[i];
		if (!c->processes)
			continue;
		fputs("memsnoop_processes{", f);
		cgroup_label(f, c);
		fprintf(f, "} %llu\n", (unsigned long long)c->processes);
	}
}

/* The memory controller's figures, where it has them (not for "" and "other"). */
static void write_memcg(struct metrics *mx, FILE *f, bool om)
{
	struct cg_series *c;
	size_t i;

	family(f, om, "memsnoop_cgroup_memory_limit_bytes", "gauge",
	       "The memory controller's limit of the cgroup, where one is set.");
	for (i = 0; i < mx->nr_series; i++) {
		c = mx->series[i];
		if (!c->cg || !c->cg->has_limit)
			continue;
		fputs("memsnoop_cgroup_memory_limit_bytes{", f);
		cgroup_label(f, c);
		fprintf(f, "} %llu\n", (unsigned long long)c->cg->limit);
	}
	family(f, om, "memsnoop_cgroup_memory_usage_bytes", "gauge",
	       "The memory controller's usage of the cgroup.");
	for (i = 0; i < mx->nr_series; i++) {
		c = mx->series[i];
		if (!c->cg || !c->cg->has_usage)
			continue;
		fputs("memsnoop_cgroup_memory_usage_bytes{", f);
		cgroup_label(f, c);
		fprintf(f, "} %llu\n", (unsigned long long)c->cg->usage);
	}
}

static void write_calls(struct metrics *mx, FILE *f, bool om)
{
	struct cg_series *c;
	int call, e;
	size_t i;

	family(f, om, "memsnoop_page_faults_total", "counter",
	       "Page faults of the traced processes since tracing began, by cgroup.");
	for (i = 0; i < mx->nr_series; i++) {
		c = mx->series[i];
		fputs("memsnoop_page_faults_total{", f);
		cgroup_label(f, c);
		fprintf(f, "} %llu\n", (unsigned long long)c->faults);
	}
	family(f, om, "memsnoop_oom_kills_total", "counter",
	       "Traced processes the OOM killer chose, by their cgroup.");
	for (i = 0; i < mx->nr_series; i++) {
		c = mx->series[i];
		fputs("memsnoop_oom_kills_total{", f);
		cgroup_label(f, c);
		fprintf(f, "} %llu\n", (unsigned long long)c->oom_kills);
	}
	family(f, om, "memsnoop_memory_calls_total", "counter",
	       "Memory calls of the traced processes by cgroup, call and result (ok or the errno).");
	for (i = 0; i < mx->nr_series; i++) {
		c = mx->series[i];
		for (call = MS_BRK; call < NR_CALLS; call++) {
			for (e = 0; e <= ERRNO_SLOTS; e++) {
				if (!c->calls[call][e] && e)
					continue;
				fputs("memsnoop_memory_calls_total{", f);
				cgroup_label(f, c);
				fprintf(f, ",call=\"%s\",result=\"%s\"} %llu\n", ms_type_name(call),
					!e		? "ok" :
					e < ERRNO_SLOTS ? errno_name(e) :
							  "other",
					(unsigned long long)c->calls[call][e]);
			}
		}
	}
}

static void write_causes(struct metrics *mx, FILE *f, bool om)
{
	unsigned i;

	family(f, om, "memsnoop_failed_allocations_total", "counter",
	       "brk, mmap and mremap calls that failed with ENOMEM, by likely cause.");
	for (i = 0; i < mx->nr_failed; i++)
		fprintf(f, "memsnoop_failed_allocations_total{cause=\"%s\"} %llu\n",
			mx->failed[i].cause, (unsigned long long)mx->failed[i].n);
	family(f, om, "memsnoop_fault_signals_total", "counter",
	       "Fault signals (SIGSEGV, SIGBUS, ...) sent to traced processes, by cause.");
	for (i = 0; i < mx->nr_signals; i++)
		fprintf(f, "memsnoop_fault_signals_total{signal=\"SIG%s\",cause=\"%s\"} %llu\n",
			sigabbrev_np(mx->signals[i].sig) ?: "UNKNOWN", mx->signals[i].cause,
			(unsigned long long)mx->signals[i].n);
}

/* --- the processes with series of their own: top N by growth, then by size --- */

/* bsearch's: a pid against a struct prev_size. */
static int by_pid(const void *key, const void *elem)
{
	__u32 pid = *(const __u32 *)key, other = ((const struct prev_size *)elem)->pid;

	return pid < other ? -1 : pid > other;
}

static int by_growth(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->growth > y->growth ? -1 : x->growth < y->growth;
}

static int by_size(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->p->rss != y->p->rss)
		return x->p->rss > y->p->rss ? -1 : 1;
	return x->p->vsize > y->p->vsize ? -1 : x->p->vsize < y->p->vsize;
}

/* Growth against the previous publish (a new process: none). */
static void set_growth(struct metrics *mx)
{
	size_t i;

	for (i = 0; i < mx->nr_cands; i++) {
		struct cand *c = &mx->cands[i];
		const struct prev_size *was =
			bsearch(&c->p->pid, mx->prev, mx->nr_prev, sizeof(*was), by_pid);

		c->growth = was ? (__s64)(c->p->vsize - was->vsize) : 0;
	}
}

/* The sizes of this publish for the next one's growth, by pid (the model's order). */
static void remember_sizes(struct metrics *mx)
{
	struct prev_size *prev = realloc(mx->prev, (mx->nr_cands ?: 1) * sizeof(*prev));
	size_t i;

	if (!prev) {
		mx->nr_prev = 0;
		return;
	}
	mx->prev = prev;
	for (i = 0; i < mx->nr_cands; i++)
		prev[i] = (struct prev_size){ mx->cands[i].p->pid, mx->cands[i].p->vsize };
	mx->nr_prev = mx->nr_cands;
}

/*
 * Half the places (rounded up) to the processes that grew most since the
 * last publish, the rest to the largest: a leak shows before it is large.
 * The chosen ones end up first in cands.
 */
static size_t choose_top(struct metrics *mx)
{
	size_t n = mx->nr_cands, grow = (mx->top + 1) / 2, i, chosen = 0;

	set_growth(mx);
	remember_sizes(mx);
	qsort(mx->cands, n, sizeof(*mx->cands), by_growth);
	for (i = 0; i < n && chosen < grow && mx->cands[i].growth > 0; i++)
		chosen++;
	qsort(mx->cands + chosen, n - chosen, sizeof(*mx->cands), by_size);
	return n < mx->top ? n : mx->top;
}

static void write_process_bytes(struct metrics *mx, FILE *f, size_t nr)
{
	size_t i;
	int c;

	for (i = 0; i < nr; i++) {
		const struct mproc *p = mx->cands[i].p;
		__u64 bytes[RC_NR] = {};

		model__for_each_region(mx->m, p->pid, add_region, bytes);
		for (c = RC_UNKNOWN + 1; c < RC_NR; c++) {
			if (!bytes[c])
				continue;
			fputs("memsnoop_process_memory_bytes{", f);
			process_labels(f, p);
			fprintf(f, ",class=\"%s\"} %llu\n", region_class_name(c),
				(unsigned long long)bytes[c]);
		}
	}
}

static void write_processes(struct metrics *mx, FILE *f, bool om, size_t nr)
{
	size_t i;

	family(f, om, "memsnoop_process_memory_bytes", "gauge",
	       "Mapped bytes by region class of the top processes (--metrics-top).");
	write_process_bytes(mx, f, nr);
	family(f, om, "memsnoop_process_resident_bytes", "gauge",
	       "Resident bytes of the top processes.");
	for (i = 0; i < nr; i++) {
		fputs("memsnoop_process_resident_bytes{", f);
		process_labels(f, mx->cands[i].p);
		fprintf(f, "} %llu\n", (unsigned long long)mx->cands[i].p->rss);
	}
	family(f, om, "memsnoop_process_page_faults_total", "counter",
	       "Page faults of the top processes since tracing began.");
	for (i = 0; i < nr; i++) {
		fputs("memsnoop_process_page_faults_total{", f);
		process_labels(f, mx->cands[i].p);
		fprintf(f, "} %llu\n", (unsigned long long)mx->cands[i].p->faults);
	}
}

/* --- memsnoop's own health --- */

static __u64 self_rss(void)
{
	unsigned long size, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (__u64)resident * sysconf(_SC_PAGESIZE);
}

static double self_cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void write_health(FILE *f, bool om, const struct metrics_health *h)
{
	unsigned t;

	family(f, om, "memsnoop_events_total", "counter", "Records memsnoop handled, by type.");
	for (t = 0; t < MS_TYPE_MAX; t++)
		if (h->by_type[t] && ms_type_name(t))
			fprintf(f, "memsnoop_events_total{type=\"%s\"} %llu\n", ms_type_name(t),
				(unsigned long long)h->by_type[t]);
	family(f, om, "memsnoop_lost_events_total", "counter",
	       "Records the kernel dropped (ring buffer full): layouts may be wrong.");
	fprintf(f, "memsnoop_lost_events_total %llu\n", (unsigned long long)h->lost);
	family(f, om, "memsnoop_self_resident_bytes", "gauge", "memsnoop's own resident bytes.");
	fprintf(f, "memsnoop_self_resident_bytes %llu\n", (unsigned long long)self_rss());
	family(f, om, "memsnoop_self_cpu_seconds_total", "counter",
	       "memsnoop's own CPU time, user and system.");
	fprintf(f, "memsnoop_self_cpu_seconds_total %.3f\n", self_cpu_seconds());
	family(f, om, "memsnoop_build_info", "gauge", "memsnoop's version: always 1.");
	fprintf(f, "memsnoop_build_info{version=\"%s\"} 1\n", MEMSNOOP_VERSION);
}

static void write_bpf(FILE *f, bool om, const struct metrics_health *h)
{
	unsigned i;

	family(f, om, "memsnoop_bpf_run_seconds_total", "counter",
	       "Time memsnoop's BPF programs ran, by program (0 unless kernel.bpf_stats_enabled).");
	for (i = 0; i < h->nr_progs; i++)
		fprintf(f, "memsnoop_bpf_run_seconds_total{program=\"%s\"} %.9f\n",
			h->progs[i].name, h->progs[i].run_ns / 1e9);
	family(f, om, "memsnoop_bpf_runs_total", "counter",
	       "Times memsnoop's BPF programs ran, by program (0 unless kernel.bpf_stats_enabled).");
	for (i = 0; i < h->nr_progs; i++)
		fprintf(f, "memsnoop_bpf_runs_total{program=\"%s\"} %llu\n", h->progs[i].name,
			(unsigned long long)h->progs[i].runs);
}

/* One format of the snapshot; NULL when out of memory. */
static char *write_snapshot(struct metrics *mx, const struct metrics_health *h, size_t nr, bool om,
			    size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	write_machine(mx, f, om);
	write_memcg(mx, f, om);
	write_calls(mx, f, om);
	write_causes(mx, f, om);
	write_processes(mx, f, om, nr);
	write_health(f, om, h);
	write_bpf(f, om, h);
	if (fclose(f) || !buf) {
		free(buf);
		return NULL;
	}
	return buf;
}

void metrics__publish(struct metrics *mx, const struct metrics_health *h)
{
	struct snapshot s = {}, old;
	size_t nr;

	mx->nr_cands = 0;
	model__for_each_process(mx->m, add_process, mx);
	sum_cgroups(mx);
	nr = choose_top(mx);
	s.text = write_snapshot(mx, h, nr, false, &s.text_len);
	s.om = write_snapshot(mx, h, nr, true, &s.om_len);
	if (!s.text || !s.om) {
		free(s.text);
		free(s.om);
		return; /* the previous one stays */
	}
	pthread_mutex_lock(&mx->lock);
	old = mx->current;
	mx->current = s;
	pthread_mutex_unlock(&mx->lock);
	free(old.text);
	free(old.om);
}

void metrics__ring(struct metrics *mx, __u64 used, __u64 peak, __u64 size)
{
	__u64 was = __atomic_load_n(&mx->ring.peak, __ATOMIC_RELAXED);

	__atomic_store_n(&mx->ring.size, size, __ATOMIC_RELAXED);
	__atomic_store_n(&mx->ring.used, used, __ATOMIC_RELAXED);
	if (used > peak)
		peak = used;
	while (peak > was && !__atomic_compare_exchange_n(&mx->ring.peak, &was, peak, true,
							  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static double ratio(__u64 part, __u64 whole)
{
	return whole ? (double)part / whole : 0;
}

/* The fill now and its peak since the previous scrape, which restarts from now. */
static void write_ring(struct metrics *mx, FILE *f, bool om)
{
	__u64 size = __atomic_load_n(&mx->ring.size, __ATOMIC_RELAXED);
	__u64 used = __atomic_load_n(&mx->ring.used, __ATOMIC_RELAXED);
	__u64 peak = __atomic_exchange_n(&mx->ring.peak, used, __ATOMIC_RELAXED);

	if (peak < used)
		peak = used;
	family(f, om, "memsnoop_ringbuf_size_bytes", "gauge", "The BPF ring buffer's size.");
	fprintf(f, "memsnoop_ringbuf_size_bytes %llu\n", (unsigned long long)size);
	family(f, om, "memsnoop_ringbuf_used_bytes", "gauge",
	       "Bytes waiting in the ring buffer when the event loop last looked (<= 0.1 s ago).");
	fprintf(f, "memsnoop_ringbuf_used_bytes %llu\n", (unsigned long long)used);
	family(f, om, "memsnoop_ringbuf_peak_used_bytes", "gauge",
	       "The most bytes waiting in the ring buffer since the previous scrape.");
	fprintf(f, "memsnoop_ringbuf_peak_used_bytes %llu\n", (unsigned long long)peak);
	family(f, om, "memsnoop_ringbuf_fill_ratio", "gauge",
	       "memsnoop_ringbuf_used_bytes over the size (1: full, events are lost).");
	fprintf(f, "memsnoop_ringbuf_fill_ratio %.4f\n", ratio(used, size));
	family(f, om, "memsnoop_ringbuf_peak_fill_ratio", "gauge",
	       "memsnoop_ringbuf_peak_used_bytes over the size.");
	fprintf(f, "memsnoop_ringbuf_peak_fill_ratio %.4f\n", ratio(peak, size));
	if (om)
		fputs("# EOF\n", f);
}

char *metrics__snapshot(struct metrics *mx, bool om, size_t *len)
{
	char tail[2048] = "", *copy;
	size_t snap_len, tail_len;
	FILE *f = fmemopen(tail, sizeof(tail) - 1, "w");

	if (f) {
		write_ring(mx, f, om);
		fclose(f);
	}
	tail_len = strlen(tail);
	pthread_mutex_lock(&mx->lock);
	snap_len = om ? mx->current.om_len : mx->current.text_len;
	copy = malloc(snap_len + tail_len + 1);
	if (copy && snap_len)
		memcpy(copy, om ? mx->current.om : mx->current.text, snap_len);
	pthread_mutex_unlock(&mx->lock);
	if (!copy)
		return NULL;
	memcpy(copy + snap_len, tail, tail_len + 1);
	*len = snap_len + tail_len;
	return copy;
}

/* The HTTP thread's copy (http_body_fn). */
static char *snapshot_body(void *ctx, bool om, size_t *len)
{
	return metrics__snapshot(ctx, om, len);
}

bool metrics__available(void)
{
	return http__available();
}

struct metrics *metrics__new(const struct metrics_opts *o, const struct model *m, char *err,
			     size_t len)
{
	struct metrics *mx = calloc(1, sizeof(*mx));

	if (!mx || !(mx->explain = explain__new(m))) {
		snprintf(err, len, "--metrics: out of memory");
		free(mx);
		return NULL;
	}
	mx->m = m;
	mx->top = o->top;
	pthread_mutex_init(&mx->lock, NULL);
	mx->http = http__start(o->addr, snapshot_body, mx, err, len);
	if (!mx->http) {
		metrics__free(mx);
		return NULL;
	}
	return mx;
}

void metrics__free(struct metrics *mx)
{
	unsigned i;

	if (!mx)
		return;
	http__stop(mx->http); /* first: no scrape reads what follows */
	pthread_mutex_destroy(&mx->lock);
	explain__free(mx->explain);
	free(mx->current.text);
	free(mx->current.om);
	free(mx->prev);
	free(mx->cands);
	for (i = 0; i < mx->nr_series; i++) {
		free(mx->series[i]->path);
		free(mx->series[i]);
	}
	free(mx);
}
