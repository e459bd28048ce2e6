// SPDX-License-Identifier: GPL-2.0
/*
 * What grew before an OOM kill (analysis/oom.c): growth is summed by the
 * region it lands in at the kill, followed through mremap moves, what was
 * mapped and unmapped again nets to nothing, growth older than the window
 * and before an exec is left out, and the record's own window (an --oom-dir
 * recording's) wins over the option.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "check.h"
#include "analysis/oom.h"
#include "model/model.h"

#define PID 300
#define MIB (1ull << 20)
#define SEC 1000000000ull
#define HEAP 0x555500000000ull
#define MAP 0x7f0000000000ull

static struct model *m;
static struct oom_history *h;
static __u64 now = 100 * SEC;
static __u64 brk_end = HEAP;

union rec {
	struct ms_hdr h;
	char b[MS_REC_MAX];
};

static void feed(struct ms_hdr *r, int type, size_t size)
{
	now += SEC / 10;
	r->ts_ns = now;
	r->pid = r->tid = PID;
	r->type = type;
	r->size = size;
	model__apply(m, r);
	oom_history__note(h, r, model__event_region(m));
}

static void exec_rec(void)
{
	union rec u = {};
	struct ms_exec *e = (void *)&u;

	strcpy(e->comm, "grower");
	strcpy(e->filename, "/bin/grower");
	e->filename_len = strlen(e->filename);
	feed(&e->h, MS_EXEC, sizeof(*e) + 16);
	brk_end = HEAP;
}

static void call(int type, __s64 ret, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	union rec u = {};
	struct ms_syscall *s = (void *)&u;

	s->args[0] = a0;
	s->args[1] = a1;
	s->args[2] = a2;
	s->args[3] = a3;
	s->args[4] = -1;
	s->ret = ret;
	s->mm.start_brk = HEAP;
	s->mm.brk = type == MS_BRK ? (__u64)ret : brk_end;
	strcpy(s->comm, "grower");
	feed(&s->h, type, sizeof(*s));
}

static void grow_heap(__u64 bytes)
{
	brk_end += bytes;
	call(MS_BRK, brk_end, brk_end, 0, 0, 0);
}

static void map_anon(__u64 addr, __u64 len)
{
	call(MS_MMAP, addr, addr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
}

static bool report(__u64 window_ns, struct oom_report *r)
{
	struct ms_oom e = {};

	e.h.ts_ns = now + 1;
	e.h.pid = e.h.tid = PID;
	e.h.type = MS_OOM;
	e.h.size = sizeof(e);
	e.window_ns = window_ns;
	return oom_history__report(h, &e, r);
}

static const struct oom_growth *row_at(const struct oom_report *r, __u64 addr)
{
	unsigned i;

	for (i = 0; i < r->nr_rows; i++)
		if (r->rows[i].start <= addr && addr < r->rows[i].end)
			return &r->rows[i];
	return NULL;
}

int main(void)
{
	const struct oom_growth *heap, *map;
	struct oom_report r;
	int i;

	m = model__new(4096);
	h = oom_history__new(m, 30 * SEC);
	/* the program before exec: its growth is not the new one's */
	exec_rec();
	map_anon(MAP + 512 * MIB, 64 * MIB);
	exec_rec();
	call(MS_BRK, HEAP, 0, 0, 0, 0);
	/* long ago: outside a 30 s window */
	grow_heap(5 * MIB);
	now += 60 * SEC;
	map_anon(MAP, 2 * MIB);
	for (i = 0; i < 10; i++) {
		grow_heap(MIB);
		/* the mapping grows by moving it higher each time */
		call(MS_MREMAP, MAP + (i + 1) * 64 * MIB, MAP + i * 64 * MIB, (2 + i) * MIB,
		     (3 + i) * MIB, MREMAP_MAYMOVE);
		/* a block made and freed: nothing grew */
		map_anon(MAP + 2048 * MIB, 4 * MIB);
		call(MS_MUNMAP, 0, MAP + 2048 * MIB, 4 * MIB, 0, 0);
	}
	CHECK(report(0, &r));
	CHECK_EQ(r.window_ns, 30 * SEC);
	heap = row_at(&r, HEAP);
	map = row_at(&r, MAP + 10 * 64 * MIB);
	CHECK(heap && map);
	if (heap && map) {
		CHECK_EQ(heap->cls, RC_HEAP);
		CHECK_EQ(heap->grew, 10 * MIB);
		CHECK_EQ(heap->end, HEAP + 15 * MIB);
		CHECK_EQ(map->cls, RC_MALLOC);
		CHECK_EQ(map->grew, 12 * MIB);
		CHECK_EQ(map->start, MAP + 10 * 64 * MIB);
		CHECK(!map->gone && !heap->gone);
	}
	CHECK_EQ(r.nr_rows, 2);
	CHECK_EQ(r.grew_total, 22 * MIB);
	CHECK_EQ(r.by_class[RC_HEAP], 15 * MIB);
	/* the last second only (--oom-dir's recording says so): 10 records, a second */
	CHECK(report(SEC, &r));
	CHECK_EQ(r.window_ns, SEC);
	CHECK(r.grew_total > 0 && r.grew_total < 22 * MIB);
	oom_history__free(h);
	model__free(m);
	if (check_failures)
		fprintf(stderr, "oom_history_test: %d failures\n", check_failures);
	return check_failures != 0;
}
