// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <time.h>
#include "util/escape.h"
#include "util/pidtab.h"
#include "util/fmt.h"
#include "view/info.h"
#include "util/json.h"

struct info_view {
	__u64 first_ns, last_ns, records;
	__u64 processes; /* distinct pids */
	struct pidtab *seen;
};

struct info_view *info_view__new(void)
{
	struct info_view *v = calloc(1, sizeof(*v));

	if (v && !(v->seen = pidtab__new(1))) {
		free(v);
		return NULL;
	}
	return v;
}

void info_view__free(struct info_view *v)
{
	if (!v)
		return;
	pidtab__free(v->seen);
	free(v);
}

int info_view__fn(void *ctx, const struct ms_hdr *h, const struct model_change *chg)
{
	struct info_view *v = ctx;

	if (!v->records++ || h->ts_ns < v->first_ns)
		v->first_ns = h->ts_ns;
	if (h->ts_ns > v->last_ns)
		v->last_ns = h->ts_ns;
	if (h->pid && !pidtab__get(v->seen, h->pid) && pidtab__put(v->seen, h->pid))
		v->processes++;
	return 0;
}

static const unsigned shown[] = { MS_BRK,      MS_MMAP,	   MS_MUNMAP,	  MS_MREMAP,
				  MS_MPROTECT, MS_MADVISE, MS_FAULT,	  MS_STACK,
				  MS_FORK,     MS_EXEC,	   MS_EXIT,	  MS_SIGNAL,
				  MS_FAULTS,   MS_LOST,	   MS_SEED_BEGIN, MS_RESIDENT };

static void wall_time(const struct trace_meta *m, char *buf, size_t len)
{
	time_t t = (m->start_ns + m->boot_to_wall_ns) / 1000000000LL;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void print_json(struct info_view *v, const struct trace_meta *m, __u64 size,
		       const struct trace_damage *d, const struct trace_end *end,
		       const struct summary *sum, FILE *out)
{
	struct json_obj o;
	char when[64];
	unsigned i;

	wall_time(m, when, sizeof(when));
	json_begin(&o, out);
	json_str(&o, "host", m->hostname);
	json_str(&o, "kernel", m->kernel);
	json_str(&o, "memsnoop", m->version);
	json_str(&o, "command", m->cmdline);
	json_str(&o, "filters", m->filters);
	json_u64(&o, "page_size", m->page_size);
	json_u64(&o, "cpus", m->nr_cpus);
	json_str(&o, "start", when);
	json_u64(&o, "start_ns", m->start_ns);
	json_u64(&o, "duration_ns", v->records ? v->last_ns - v->first_ns : 0);
	json_u64(&o, "file_bytes", size);
	json_u64(&o, "records", v->records);
	json_u64(&o, "processes", v->processes);
	json_object_begin(&o, "events");
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		json_u64(&o, ms_type_name(shown[i]), sum->by_type[shown[i]]);
	json_object_end(&o);
	json_u64(&o, "faults", sum->faults);
	json_u64(&o, "lost", sum->lost);
	json_object_begin(&o, "damage");
	json_u64(&o, "bad_blocks", d->bad_blocks);
	json_u64(&o, "skipped_bytes", d->skipped_bytes);
	json_u64(&o, "truncated_bytes", d->truncated_bytes);
	json_u64(&o, "first_bad_offset", d->first_bad_offset);
	json_bool(&o, "not_closed", d->not_closed);
	json_u64(&o, "missing_after_ns", d->missing_after_ns);
	json_object_end(&o);
	json_bool(&o, "closed_cleanly", end->seen);
	if (end->seen) {
		json_u64(&o, "end_records", end->records);
		json_u64(&o, "end_lost", end->lost);
	}
	json_end(&o);
}

void info_view__print(struct info_view *v, const struct trace_meta *m, __u64 size,
		      const struct trace_damage *d, const struct trace_end *end,
		      const struct summary *sum, bool json, FILE *out)
{
	char when[64], buf[32], dmg[512], host[65 * 4], kernel[65 * 4], version[32 * 4];
	char cmdline[1024 * 4], filters[256 * 4];
	unsigned i;

	if (json) {
		print_json(v, m, size, d, end, sum, out);
		return;
	}
	wall_time(m, when, sizeof(when));
	trace_damage__summary(d, dmg, sizeof(dmg));
	/* a recording is anyone's file: its strings are names like any other */
	esc_str(host, sizeof(host), m->hostname, ESC_TEXT);
	esc_str(kernel, sizeof(kernel), m->kernel, ESC_TEXT);
	esc_str(version, sizeof(version), m->version, ESC_TEXT);
	esc_str(cmdline, sizeof(cmdline), m->cmdline, ESC_TEXT);
	esc_str(filters, sizeof(filters), m->filters, ESC_TEXT);
	fprintf(out, "host:       %s (%s, %u CPUs, page size %u)\n", host, kernel, m->nr_cpus,
		m->page_size);
	fprintf(out, "recorded:   %s by memsnoop %s: %s\n", when, version, cmdline);
	fprintf(out, "filters:    %s\n", filters[0] ? filters : "none (every process)");
	fprintf(out, "duration:   %.3f s\n",
		v->records ? (double)(v->last_ns - v->first_ns) / 1e9 : 0.0);
	fprintf(out, "file:       %s, %llu records, %llu processes\n",
		fmt_size(buf, sizeof(buf), size), (unsigned long long)v->records,
		(unsigned long long)v->processes);
	fprintf(out, "events:    ");
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		fprintf(out, " %s %llu%s", ms_type_name(shown[i]),
			(unsigned long long)sum->by_type[shown[i]],
			i + 1 < sizeof(shown) / sizeof(shown[0]) ? "," : "\n");
	fprintf(out, "faults:     %llu\n", (unsigned long long)sum->faults);
	fprintf(out, "lost:       %llu events (ring buffer full while recording)\n",
		(unsigned long long)sum->lost);
	if (end->seen)
		fprintf(out, "closed:     cleanly, %llu records, %llu lost\n",
			(unsigned long long)end->records, (unsigned long long)end->lost);
	fprintf(out, "damage:     %s\n", dmg[0] ? dmg : "none");
}
