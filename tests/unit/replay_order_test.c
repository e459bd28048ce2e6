// SPDX-License-Identifier: GPL-2.0
/*
 * A recording whose records are out of time order, as two CPUs sharing one
 * ring buffer write them: replay delivers them in time order, and the layout
 * at a moment (maps -r --at-ns) holds every record at or before it, wherever
 * the record sits in the file.
 */
#include <unistd.h>
#include "check.h"
#include "cli.h"
#include "model_util.h"
#include "stream.h"
#include "source/replay.h"
#include "trace/trace.h"

#define PID 7
#define HEAP 0x1000000ull

static struct trace_writer *w;

static void put(struct ms_hdr *h, int type, size_t size, __u64 ts, __u32 flags)
{
	h->ts_ns = ts;
	h->pid = h->tid = PID;
	h->type = type;
	h->size = size;
	h->flags = flags;
	CHECK_EQ(trace_writer__write(w, h), 0);
}

static void put_seed(__u64 ts)
{
	struct ms_seed_begin b = { .nr_vmas = 1 };
	union mt_rec r = {};
	struct ms_vma *v = (void *)&r;
	struct ms_seed_end e = {};

	memcpy(b.comm, "order", 6);
	put(&b.h, MS_SEED_BEGIN, sizeof(b), ts, MS_SEED_AT_START);
	v->start = HEAP;
	v->end = HEAP + 16 * PG;
	v->prot = MS_VMA_READ | MS_VMA_WRITE;
	v->path_len = 6;
	memcpy(v->path, "[heap]", 7);
	put(&v->h, MS_VMA, sizeof(*v) + 8, ts, 0);
	put(&e.h, MS_SEED_END, sizeof(e), ts, MS_SEED_AT_START);
}

static void put_call(int type, __u64 ts, __u64 a0, __u64 a1, __u64 a2, __s64 ret)
{
	struct ms_syscall s = {};

	s.args[0] = a0;
	s.args[1] = a1;
	s.args[2] = a2;
	s.args[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	s.args[4] = -1;
	s.ret = ret;
	s.mm.start_brk = HEAP;
	s.mm.brk = type == MS_BRK ? (__u64)ret : 0;
	memcpy(s.comm, "order", 6);
	put(&s.h, type, sizeof(s), ts, 0);
}

/*
 * In time order: seed 1000, mmap X 4000, munmap X 5000, brk 6000, mmap Y
 * 3000, mprotect Y 8000. CPU 0 wrote its records first, then CPU 1 its own.
 */
static void write_trace(const char *path)
{
	struct trace_write_opts o = { .compress = true };
	struct trace_meta meta = {};
	char err[256];

	trace_meta__fill_host(&meta);
	meta.start_ns = 500;
	w = trace_writer__open(path, &meta, &o, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return;
	put_seed(1000);
	/* CPU 0 */
	put_call(MS_MMAP, 4000, 0, 16 * PG, PROT_READ | PROT_WRITE, 0x7000000);
	put_call(MS_BRK, 6000, HEAP + 32 * PG, 0, 0, HEAP + 32 * PG);
	/* CPU 1: its records are older than some of CPU 0's */
	put_call(MS_MMAP, 3000, 0, 8 * PG, PROT_READ | PROT_WRITE, 0x8000000);
	put_call(MS_MUNMAP, 5000, 0x7000000, 16 * PG, 0, 0);
	put_call(MS_MPROTECT, 8000, 0x8000000, 8 * PG, PROT_READ, 0);
	CHECK_EQ(trace_writer__close(w, err, sizeof(err)), 0);
}

struct seen {
	__u64 ts[64];
	int n;
};

static int seen_fn(void *ctx, const struct ms_hdr *h)
{
	struct seen *s = ctx;

	if (s->n < 64)
		s->ts[s->n++] = h->ts_ns;
	return 0;
}

/* The layout replayed to until_ns, as maps -r FILE --at-ns until_ns builds it. */
static const char *layout_at(const char *path, __u64 until_ns, struct seen *seen)
{
	static char out[1024];
	struct replay_opts o = { .path = path }; /* every record, as maps reads them */
	struct model *m = model__new(4096);
	struct stream *st = stream__new(m);
	struct replay *r = NULL;

	stream__add_before(st, seen_fn, seen);
	CHECK_EQ(replay__open(&r, &o, st), 0);
	CHECK(replay__run(r, until_ns) >= 0);
	replay__close(r);
	snprintf(out, sizeof(out), "%s", mt_layout(m, PID));
	model__free(m);
	stream__free(st);
	return out;
}

int main(void)
{
	char path[] = "/tmp/memsnoop-order-XXXXXX";
	struct seen seen = {};
	int fd = mkstemp(path), i;

	close(fd);
	unlink(path);
	write_trace(path);
	/* the mmap at 3000 sits after a record of 4000 */
	CHECK_STR(layout_at(path, 3500, &seen), "1000-1010 rw-p [heap];8000-8008 rw-p;");
	/* X came at 4000 and went at 5000 (written after the break moved at 6000) */
	CHECK_STR(layout_at(path, 4500, &seen),
		  "1000-1010 rw-p [heap];7000-7010 rw-p;8000-8008 rw-p;");
	CHECK_STR(layout_at(path, 5500, &seen), "1000-1010 rw-p [heap];8000-8008 rw-p;");
	CHECK_STR(layout_at(path, 7000, &seen), "1000-1020 rw-p [heap];8000-8008 rw-p;");
	/* the whole file, delivered in time order */
	seen.n = 0;
	CHECK_STR(layout_at(path, ~0ULL, &seen), "1000-1020 rw-p [heap];8000-8008 r--p;");
	CHECK_EQ(seen.n, 8);
	for (i = 1; i < seen.n; i++)
		if (seen.ts[i] < seen.ts[i - 1])
			fprintf(stderr, "record %d: ts %llu after %llu\n", i,
				(unsigned long long)seen.ts[i], (unsigned long long)seen.ts[i - 1]);
	for (i = 1; i < seen.n; i++)
		CHECK(seen.ts[i] >= seen.ts[i - 1]);
	unlink(path);
	CHECK_DONE();
}
