// SPDX-License-Identifier: GPL-2.0
/* Resident samples (MS_RESIDENT) in the model: per region shares, samples in several records. */
#include "model_util.h"

#define P 400
#define A 0x7f0000000000ull

/* One record of a sample: ranges r[0..n), stamped ts. */
static void resident(struct model *m, __u64 ts, __u32 flags, const struct ms_rss_range *r, __u32 n)
{
	union mt_rec rec;
	struct ms_resident *e = (void *)&rec;

	memset(&rec, 0, sizeof(rec));
	mt_hdr(&e->h, MS_RESIDENT, sizeof(*e) + n * sizeof(*r), P, flags);
	e->h.ts_ns = ts;
	e->nr = n;
	memcpy(e->r, r, n * sizeof(*r));
	model__apply(m, &e->h);
}

static __u64 rss_at(struct model *m, __u64 addr, bool *known)
{
	const struct region *r = model__region_at(m, P, addr);
	struct mresident res = {};

	*known = r && model__region_resident(m, P, r, &res);
	return res.rss;
}

static void seed(struct model *m)
{
	mt_seed_begin(m, P, MS_SEED_AT_START, "res");
	mt_vma(m, P, A, A + 16 * PG, MS_VMA_READ | MS_VMA_WRITE, 0, 0, 0, NULL);
	mt_vma(m, P, A + 32 * PG, A + 48 * PG, MS_VMA_READ, 0, 0, 0, NULL);
	mt_seed_end(m, P);
}

/* A sample in two records; a region's share of it; the totals become the process's RSS. */
static void test_two_records(void)
{
	struct model *m = model__new(4096);
	struct ms_rss_range a[] = { { A, A + 4 * PG, 4, 4, 0 },
				    { A + 8 * PG, A + 9 * PG, 0, 0, 1 } };
	struct ms_rss_range b[] = { { A + 40 * PG, A + 42 * PG, 2, 0, 0 } };
	const struct mproc *p;
	bool known;
	__u64 ts;

	seed(m);
	CHECK_EQ(rss_at(m, A, &known), 0);
	CHECK(!known); /* no sample yet */
	ts = mt_now + 10;
	resident(m, ts, MS_RES_FIRST, a, 2);
	CHECK(!rss_at(m, A, &known) && !known); /* not whole yet */
	resident(m, ts, MS_RES_LAST, b, 1);
	CHECK_EQ(rss_at(m, A, &known), 4 * PG);
	CHECK(known);
	CHECK_EQ(rss_at(m, A + 40 * PG, &known), 2 * PG);
	p = model__process(m, P);
	CHECK_EQ(p->rss, 6 * PG);
	CHECK_EQ(p->resident_swap, PG);
	CHECK_EQ(p->peak_resident[RC_BSS] + p->peak_resident[RC_ANON], 6 * PG);
	model__free(m);
}

/* A region split after the sample gets its part; one made after it is unknown. */
static void test_split_and_newer(void)
{
	struct model *m = model__new(4096);
	struct ms_rss_range a[] = { { A, A + 16 * PG, 8, 8, 0 } }; /* smaps: one region's count */
	bool known;

	seed(m);
	resident(m, mt_now + 10, MS_RES_FIRST | MS_RES_LAST | MS_RES_SMAPS, a, 1);
	mt_mprotect(m, P, A + 4 * PG, 4 * PG, PROT_READ);
	CHECK_EQ(rss_at(m, A + 4 * PG, &known), 2 * PG); /* a quarter of a count spread evenly */
	CHECK(known);
	mt_mmap(m, P, A + 20 * PG, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED);
	rss_at(m, A + 20 * PG, &known);
	CHECK(!known);
	model__free(m);
}

/* A record without its first is ignored; a damaged one (ranges out of order) too. */
static void test_broken_samples(void)
{
	struct model *m = model__new(4096);
	struct ms_rss_range good[] = { { A, A + PG, 1, 1, 0 } };
	struct ms_rss_range bad[] = { { A + 2 * PG, A + 3 * PG, 1, 1, 0 }, { A, A + PG, 1, 1, 0 } };
	bool known;

	seed(m);
	resident(m, mt_now + 10, MS_RES_LAST, good, 1);
	rss_at(m, A, &known);
	CHECK(!known);
	resident(m, mt_now + 10, MS_RES_FIRST | MS_RES_LAST, good, 1);
	CHECK_EQ(rss_at(m, A, &known), PG);
	resident(m, mt_now + 10, MS_RES_FIRST | MS_RES_LAST, bad, 2);
	CHECK_EQ(rss_at(m, A, &known), PG); /* the last whole sample stays */
	CHECK(known);
	model__free(m);
}

int main(void)
{
	test_two_records();
	test_split_and_newer();
	test_broken_samples();
	CHECK_DONE();
}
