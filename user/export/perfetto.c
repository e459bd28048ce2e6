// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "export/perfetto.h"
#include "util/pidtab.h"
#include "util/fmt.h"
#include "util/json.h"

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
	struct json_obj doc; /* the whole file: one object, an event a line */
};

struct perfetto *perfetto__new(const struct model *m, __u64 start_ns, FILE *out)
{
	struct perfetto *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->m = m;
	p->start_ns = start_ns;
	p->out = out;
	p->tracks = pidtab__new(sizeof(struct track));
	if (!p->tracks) {
		free(p);
		return NULL;
	}
	json_begin(&p->doc, out);
	p->doc.break_depth = 2; /* each trace event on its own line */
	json_str(&p->doc, "displayTimeUnit", "ms");
	json_array_begin(&p->doc, "traceEvents");
	return p;
}

/* One trace event: "ph", "pid", "tid", "ts" (microseconds), "name"; args follow. */
static struct json_obj *begin(struct perfetto *p, const char *ph, const char *name, __u32 pid,
			      __u32 tid, __u64 ts_ns)
{
	struct json_obj *o = &p->doc;

	json_object_begin(o, NULL);
	json_str(o, "ph", ph);
	json_str(o, "name", name);
	json_u64(o, "pid", pid);
	json_u64(o, "tid", tid);
	json_fixed(o, "ts", ts_ns > p->start_ns ? (ts_ns - p->start_ns) / 1e3 : 0.0, 3);
	return o;
}

static void name_track(struct perfetto *p, struct track *t, __u32 pid, __u64 ts)
{
	const struct mproc *mp = model__process(p->m, pid);
	struct json_obj *o;

	if (!mp || !mp->comm[0] || !strncmp(t->comm, mp->comm, MS_COMM_LEN))
		return;
	memcpy(t->comm, mp->comm, MS_COMM_LEN);
	o = begin(p, "M", "process_name", pid, pid, ts);
	json_object_begin(o, "args");
	json_strn(o, "name", mp->comm, MS_COMM_LEN);
	json_object_end(o);
	json_object_end(o);
}

static void counters(struct perfetto *p, struct track *t, const struct mproc *mp, __u64 ts)
{
	struct json_obj *o;

	if (t->last_counter_ns && ts - t->last_counter_ns < COUNTER_EVERY_NS)
		return;
	if (t->last.vsize == mp->vsize && t->last.rss == mp->rss && t->last.heap == mp->heap &&
	    t->last.anon == mp->anon && t->last.file == mp->file && t->last.stack == mp->stack)
		return;
	t->last_counter_ns = ts;
	t->last =
		(struct msample){ ts, mp->vsize, mp->rss, mp->heap, mp->anon, mp->file, mp->stack };
	o = begin(p, "C", "memory (bytes)", mp->pid, mp->pid, ts);
	json_object_begin(o, "args");
	json_u64(o, "vsize", mp->vsize);
	json_u64(o, "rss", mp->rss);
	json_u64(o, "heap", mp->heap);
	json_u64(o, "anon", mp->anon);
	json_u64(o, "file", mp->file);
	json_u64(o, "stack", mp->stack);
	json_object_end(o);
	json_object_end(o);
}

/* A syscall's address arguments and result ("0x7f...", "-0xc" for -ENOMEM). */
static void syscall_args(struct json_obj *o, const struct ms_syscall *s)
{
	char buf[256];

	json_hex(o, "addr", s->args[0]);
	json_u64(o, "len", s->h.type == MS_MREMAP ? s->args[2] : s->args[1]);
	if (s->h.type == MS_MMAP) {
		json_str(o, "prot", fmt_prot(buf, sizeof(buf), s->args[2]));
		json_str(o, "flags", fmt_mmap_flags(buf, sizeof(buf), s->args[3]));
	}
	snprintf(buf, sizeof(buf), "%s0x%llx", ret_errno(s->ret) ? "-" : "",
		 ret_errno(s->ret) ? (unsigned long long)ret_errno(s->ret) :
				     (unsigned long long)s->ret);
	json_str(o, "ret", buf);
}

static void instant(struct perfetto *p, const struct ms_hdr *h)
{
	struct json_obj *o = begin(p, "i", ms_type_name(h->type), h->pid, h->tid, h->ts_ns);

	json_str(o, "s", "t");
	json_object_begin(o, "args");
	switch (h->type) {
	case MS_MMAP:
	case MS_MUNMAP:
	case MS_BRK:
	case MS_MREMAP:
		syscall_args(o, (const struct ms_syscall *)h);
		break;
	case MS_EXEC:
		json_str(o, "filename", ((const struct ms_exec *)h)->filename);
		break;
	case MS_EXIT:
		json_s64(o, "status", ((const struct ms_exit *)h)->exit_code);
		break;
	}
	json_object_end(o);
	json_object_end(o);
}

static void faults(struct perfetto *p, const struct ms_faults *f)
{
	struct json_obj *o =
		begin(p, "C", "page faults (per interval)", f->h.pid, f->h.pid, f->h.ts_ns);

	json_object_begin(o, "args");
	json_u64(o, "faults", f->delta.faults);
	json_u64(o, "write", f->delta.write);
	json_object_end(o);
	json_object_end(o);
}

int perfetto__fn(void *ctx, const struct ms_hdr *h, const struct model_change *chg)
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
	json_array_end(&p->doc);
	json_end(&p->doc);
	err = fflush(p->out) || ferror(p->out) ? -1 : 0;
	pidtab__free(p->tracks);
	free(p);
	return err;
}
