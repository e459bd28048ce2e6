// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "export/perfetto.h"
#include "pidtab.h"
#include "view/fmt.h"
#include "view/json.h"

#define COUNTER_EVERY_NS 10000000ULL /* at most one memory sample per 10 ms per process */

struct track {
	__u64 last_counter_ns;
	struct msample last; /* what the counter track says now */
	char comm[MS_COMM_LEN]; /* the name the track was given */
};

struct perfetto {
	const struct model *m;
	__u64 start_ns;
	FILE *out;
	struct pidtab *tracks;
	bool first;
};

struct perfetto *perfetto__new(const struct model *m, __u64 start_ns, FILE *out)
{
	struct perfetto *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->m = m;
	p->start_ns = start_ns;
	p->out = out;
	p->first = true;
	p->tracks = pidtab__new(sizeof(struct track));
	if (!p->tracks) {
		free(p);
		return NULL;
	}
	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", out);
	return p;
}

void perfetto__set_start(struct perfetto *p, __u64 start_ns)
{
	p->start_ns = start_ns;
}

/* One trace event: "ph", "pid", "tid", "ts" (microseconds), "name"; args follow. */
static void begin(struct perfetto *p, struct json_obj *o, const char *ph, const char *name,
		  __u32 pid, __u32 tid, __u64 ts_ns)
{
	if (!p->first)
		fputs(",\n", p->out);
	p->first = false;
	json_begin(o, p->out);
	json_str(o, "ph", ph);
	json_str(o, "name", name);
	json_u64(o, "pid", pid);
	json_u64(o, "tid", tid);
	json_key(o, "ts");
	fprintf(p->out, "%.3f", ts_ns > p->start_ns ? (ts_ns - p->start_ns) / 1e3 : 0.0);
}

static void end(struct json_obj *o)
{
	fputc('}', o->f); /* json_end would add a newline inside the array */
}

static void name_track(struct perfetto *p, struct track *t, __u32 pid, __u64 ts)
{
	const struct mproc *mp = model__process(p->m, pid);
	struct json_obj o;

	if (!mp || !mp->comm[0] || !strncmp(t->comm, mp->comm, MS_COMM_LEN))
		return;
	memcpy(t->comm, mp->comm, MS_COMM_LEN);
	begin(p, &o, "M", "process_name", pid, pid, ts);
	json_key(&o, "args");
	fputs("{\"name\":", p->out);
	json_write_strn(p->out, mp->comm, MS_COMM_LEN);
	fputs("}", p->out);
	end(&o);
}

static void counters(struct perfetto *p, struct track *t, const struct mproc *mp, __u64 ts)
{
	struct json_obj o;

	if (t->last_counter_ns && ts - t->last_counter_ns < COUNTER_EVERY_NS)
		return;
	if (t->last.vsize == mp->vsize && t->last.rss == mp->rss && t->last.heap == mp->heap &&
	    t->last.anon == mp->anon && t->last.file == mp->file && t->last.stack == mp->stack)
		return;
	t->last_counter_ns = ts;
	t->last =
		(struct msample){ ts, mp->vsize, mp->rss, mp->heap, mp->anon, mp->file, mp->stack };
	begin(p, &o, "C", "memory (bytes)", mp->pid, mp->pid, ts);
	json_key(&o, "args");
	fprintf(p->out,
		"{\"vsize\":%llu,\"rss\":%llu,\"heap\":%llu,\"anon\":%llu,\"file\":%llu,"
		"\"stack\":%llu}",
		(unsigned long long)mp->vsize, (unsigned long long)mp->rss,
		(unsigned long long)mp->heap, (unsigned long long)mp->anon,
		(unsigned long long)mp->file, (unsigned long long)mp->stack);
	end(&o);
}

static void instant(struct perfetto *p, const struct ms_hdr *h)
{
	const struct ms_syscall *s = (const void *)h;
	struct json_obj o;
	char buf[256];

	begin(p, &o, "i", ms_type_name(h->type), h->pid, h->tid, h->ts_ns);
	json_str(&o, "s", "t");
	json_key(&o, "args");
	fputc('{', p->out);
	switch (h->type) {
	case MS_MMAP:
	case MS_MUNMAP:
	case MS_BRK:
	case MS_MREMAP:
		fprintf(p->out, "\"addr\":\"0x%llx\",\"len\":%llu", (unsigned long long)s->args[0],
			(unsigned long long)(h->type == MS_MREMAP ? s->args[2] : s->args[1]));
		if (h->type == MS_MMAP)
			fprintf(p->out, ",\"prot\":\"%s\",\"flags\":\"%s\"",
				fmt_prot(buf, sizeof(buf), s->args[2]),
				fmt_mmap_flags(buf + 8, sizeof(buf) - 8, s->args[3]));
		fprintf(p->out, ",\"ret\":\"%s0x%llx\"", ret_errno(s->ret) ? "-" : "",
			ret_errno(s->ret) ? (unsigned long long)ret_errno(s->ret) :
					    (unsigned long long)s->ret);
		break;
	case MS_EXEC:
		fputs("\"filename\":", p->out);
		json_write_str(p->out, ((const struct ms_exec *)h)->filename);
		break;
	case MS_EXIT:
		fprintf(p->out, "\"status\":%d", ((const struct ms_exit *)h)->exit_code);
		break;
	}
	fputc('}', p->out);
	end(&o);
}

static void faults(struct perfetto *p, const struct ms_faults *f)
{
	struct json_obj o;

	begin(p, &o, "C", "page faults (per interval)", f->h.pid, f->h.pid, f->h.ts_ns);
	json_key(&o, "args");
	fprintf(p->out, "{\"faults\":%llu,\"write\":%llu}", (unsigned long long)f->delta.faults,
		(unsigned long long)f->delta.write);
	end(&o);
}

int perfetto__fn(void *ctx, const struct ms_hdr *h)
{
	struct perfetto *p = ctx;
	const struct mproc *mp = model__process(p->m, h->pid);
	struct track *t;

	if (!h->pid || !mp)
		return 0;
	t = pidtab__put(p->tracks, h->pid);
	if (!t)
		return 0;
	name_track(p, t, h->pid, h->ts_ns);
	switch (h->type) {
	case MS_MMAP:
	case MS_MUNMAP:
	case MS_MREMAP:
	case MS_BRK:
	case MS_EXEC:
		instant(p, h);
		break;
	case MS_EXIT:
		if (h->flags & MS_EXIT_GROUP)
			instant(p, h);
		break;
	case MS_FAULTS:
		faults(p, (const struct ms_faults *)h);
		break;
	}
	if (!(mp->flags & MPROC_EXITED))
		counters(p, t, mp, h->ts_ns);
	return 0;
}

int perfetto__finish(struct perfetto *p)
{
	int err;

	if (!p)
		return 0;
	fputs("\n]}\n", p->out);
	err = fflush(p->out) || ferror(p->out) ? -1 : 0;
	pidtab__free(p->tracks);
	free(p);
	return err;
}
