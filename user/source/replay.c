// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "util/log.h"
#include "util/record.h"
#include "source/filter.h"
#include "source/replay.h"

struct replay {
	struct trace_reader *reader;
	struct stream *stream;
	struct filter *filter;
	__u64 last_ns; /* the latest record read */
	__u64 bad_records;
	const volatile sig_atomic_t *stop; /* set by a signal: stop between records */
};

static void on_damage(void *ctx, __u64 offset, const char *msg)
{
	warn("%s: damage at offset %llu: %s", (const char *)ctx, (unsigned long long)offset, msg);
}

static const struct selection no_filter; /* every process */

int replay__open(struct replay **out, const struct replay_opts *o, struct stream *st)
{
	struct replay *r = calloc(1, sizeof(*r));
	char err[512];

	*out = r;
	if (!r)
		return -1;
	r->stream = st;
	r->reader = trace_reader__open(o->path, err, sizeof(err));
	if (!r->reader) {
		error("%s", err);
		return -1;
	}
	trace_reader__set_warn(r->reader, on_damage, (void *)o->path);
	r->filter = filter__new(o->select ?: &no_filter);
	return r->filter ? 0 : -1;
}

const struct trace_meta *replay__meta(const struct replay *r)
{
	return trace_reader__meta(r->reader);
}

/*
 * The whole file is read: a record at or before until_ns counts wherever it
 * sits (the stream puts it in time order). Rounds are ordering, not events:
 * they pass the filter.
 */
int replay__run(struct replay *r, __u64 until_ns)
{
	const struct ms_hdr *h;
	int n;

	while ((n = trace_reader__next(r->reader, &h)) > 0) {
		if (r->stop && *r->stop)
			break;
		if (h->ts_ns > r->last_ns)
			r->last_ns = h->ts_ns;
		if (!record_ok(h))
			r->bad_records++;
		else if (h->type == MS_ROUND)
			stream__emit(r->stream, h);
		else if (filter__pass(r->filter, h) && h->ts_ns <= until_ns)
			stream__emit(r->stream, h);
	}
	if (n > 0) /* stopped: what the window holds goes, as the rest of the file does */
		return 1;
	stream__flush(r->stream);
	if (n < 0)
		error("%s", trace_reader__error(r->reader));
	return n < 0 ? -1 : 0;
}

__u64 replay__last_ns(const struct replay *r)
{
	return r->last_ns;
}

void replay__set_stop(struct replay *r, const volatile sig_atomic_t *stop)
{
	r->stop = stop;
}

const struct trace_damage *replay__damage(const struct replay *r)
{
	return trace_reader__damage(r->reader);
}

const struct trace_end *replay__end(const struct replay *r)
{
	return trace_reader__end(r->reader);
}

__u64 replay__size(const struct replay *r)
{
	return trace_reader__size(r->reader);
}

void replay__close(struct replay *r)
{
	char buf[512];

	if (!r)
		return;
	if (r->reader) {
		trace_damage__summary(trace_reader__damage(r->reader), buf, sizeof(buf));
		if (buf[0])
			warn("%s", buf);
	}
	if (r->bad_records)
		warn("%llu malformed records skipped", (unsigned long long)r->bad_records);
	trace_reader__close(r->reader);
	filter__free(r->filter);
	free(r);
}
