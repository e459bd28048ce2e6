// SPDX-License-Identifier: GPL-2.0
/*
 * The stream's named stages: a consumer before the model sees the state a
 * record finds, one after it is told what the model did (struct
 * model_change), and the writer comes last, rounds included.
 */
#include "check.h"
#include "model_util.h"
#include "stream.h"

#define PID 7
#define ADDR 0x10000ull

struct seen {
	const struct model *m;
	int before, after, sinks, rounds;
	bool mapped_before; /* the mmap's region was there when the record was met */
	char trail[16]; /* the stages, in the order they ran */
	__u64 landed; /* the start of the region the after stage was given */
	enum region_class cls;
	bool proc; /* the after stage was given the record's process */
};

static void mark(struct seen *s, char c)
{
	size_t n = strlen(s->trail);

	if (n + 1 < sizeof(s->trail))
		s->trail[n] = c;
}

static int before_fn(void *ctx, const struct ms_hdr *h)
{
	struct seen *s = ctx;

	s->before++;
	mark(s, 'b');
	s->mapped_before = model__region_at(s->m, PID, ADDR) != NULL;
	return 0;
}

static int after_fn(void *ctx, const struct ms_hdr *h, const struct model_change *chg)
{
	struct seen *s = ctx;

	s->after++;
	mark(s, 'a');
	s->landed = chg->region ? chg->region->start : 0;
	s->cls = chg->cls;
	s->proc = chg->proc && chg->proc->pid == h->pid;
	return 0;
}

static int sink_fn(void *ctx, const struct ms_hdr *h)
{
	struct seen *s = ctx;

	s->sinks++;
	s->rounds += h->type == MS_ROUND;
	mark(s, h->type == MS_ROUND ? 'r' : 'w');
	return 0;
}

static void emit_syscall(struct stream *st, int type, __s64 ret, __u64 addr, __u64 len)
{
	union mt_rec r;
	struct ms_syscall *sc = (void *)&r;

	memset(&r, 0, sizeof(r));
	sc->args[0] = addr;
	sc->args[1] = len;
	sc->args[2] = PROT_READ | PROT_WRITE;
	sc->args[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	sc->args[4] = -1;
	sc->ret = ret;
	strcpy(sc->comm, "test");
	mt_hdr(&sc->h, type, sizeof(*sc), PID, 0);
	stream__emit(st, &sc->h);
}

static void emit_round(struct stream *st)
{
	struct ms_hdr round = { .ts_ns = mt_now + 1, .type = MS_ROUND, .size = sizeof(round) };

	stream__emit(st, &round);
}

int main(void)
{
	struct model *m = model__new(PG);
	struct stream *st = stream__new(m);
	struct seen s = { .m = m };

	/* added in an order that is not the stages' */
	CHECK_EQ(stream__add_writer(st, sink_fn, &s), 0);
	CHECK_EQ(stream__add_after(st, after_fn, &s), 0);
	CHECK_EQ(stream__add_before(st, before_fn, &s), 0);

	emit_syscall(st, MS_MMAP, ADDR, ADDR, 4 * PG);
	emit_round(st);
	CHECK_STR(s.trail, "bawr");
	CHECK(!s.mapped_before); /* before the model: not mapped yet */
	CHECK_EQ(s.landed, ADDR); /* after it: the new region */
	CHECK_EQ(s.cls, RC_ANON);
	CHECK(s.proc);

	emit_syscall(st, MS_MUNMAP, 0, ADDR, 4 * PG);
	stream__flush(st);
	CHECK(s.mapped_before); /* the munmap found it mapped */
	CHECK_EQ(s.landed, ADDR); /* and the after stage is told what went */
	CHECK(!model__region_at(m, PID, ADDR));
	CHECK_EQ(s.before, 2);
	CHECK_EQ(s.after, 2);
	CHECK(s.rounds >= 1); /* rounds reach the writer only (a flush ends with one) */
	CHECK_EQ(s.sinks, 2 + s.rounds);
	stream__free(st);
	model__free(m);
	CHECK_DONE();
}
