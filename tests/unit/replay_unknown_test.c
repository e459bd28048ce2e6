// SPDX-License-Identifier: GPL-2.0
/*
 * A recording made by this version replays after the format gains a record
 * type: records of unknown types pass the reader and every consumer skips them.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "cli.h"
#include "stream.h"
#include "model/model.h"
#include "source/replay.h"
#include "trace/trace.h"
#include "view/event_view.h"

static void write_trace(const char *path)
{
	struct trace_write_opts o = { .compress = true };
	struct trace_meta meta = {};
	struct ms_syscall mmap_rec = {};
	struct {
		struct ms_hdr h;
		__u64 future[5]; /* a record type from a later memsnoop */
	} unknown = { .h = { 1500, 42, 42, 60, sizeof(unknown) } };
	char err[256];
	struct trace_writer *w;

	trace_meta__fill_host(&meta);
	meta.start_ns = 1000;
	w = trace_writer__open(path, &meta, &o, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return;
	mmap_rec.h = (struct ms_hdr){ 2000, 42, 42, MS_MMAP, sizeof(mmap_rec) };
	mmap_rec.args[1] = 8192;
	mmap_rec.args[2] = 3;
	mmap_rec.args[3] = 0x22;
	mmap_rec.args[4] = -1;
	mmap_rec.ret = 0x7f0000000000;
	memcpy(mmap_rec.comm, "future", 7);
	CHECK_EQ(trace_writer__write(w, &unknown.h), 0);
	CHECK_EQ(trace_writer__write(w, &mmap_rec.h), 0);
	unknown.h.ts_ns = 2500;
	unknown.h.type = MS_TYPE_MAX + 7; /* beyond every table */
	CHECK_EQ(trace_writer__write(w, &unknown.h), 0);
	CHECK_EQ(trace_writer__close(w, err, sizeof(err)), 0);
}

int main(void)
{
	char path[] = "/tmp/memsnoop-unknown-XXXXXX", *out = NULL;
	struct replay_opts ro = {};
	struct event_view_opts eo = { .json = true, .start_ns = 1000 };
	struct model *m = model__new(4096);
	struct stream *st = stream__new(m);
	struct event_view *v;
	struct replay *r = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int fd = mkstemp(path);

	close(fd);
	unlink(path);
	write_trace(path);
	ro.path = path;
	v = event_view__new(&eo, m, f);
	stream__add_after(st, event_view__fn, v);
	CHECK_EQ(replay__open(&r, &ro, st), 0);
	CHECK_EQ(replay__run(r, ~0ULL), 0);
	replay__close(r);
	fclose(f);
	CHECK(out && strstr(out, "\"event\":\"mmap\""));
	CHECK(out && strstr(out, "\"addr\":\"0x7f0000000000\""));
	CHECK(out && !strstr(out, "\"event\":null"));
	CHECK_EQ(model__process(m, 42) ? model__process(m, 42)->nr_regions : 0, 1);
	unlink(path);
	free(out);
	event_view__free(v);
	model__free(m);
	stream__free(st);
	CHECK_DONE();
}
