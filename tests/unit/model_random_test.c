// SPDX-License-Identifier: GPL-2.0
/*
 * The layout model against a trivially correct reference (an array of pages)
 * on random operations, and at scale: 65,000 regions, 200,000 events.
 */
#include <time.h>
#include "model_util.h"

#define P 400
#define NPAGES 64
#define BASE (0x100000ull * PG)

struct rpage {
	int mapped;
	__u32 prot; /* MS_VMA_* */
	int file; /* 0: anonymous, else the file's number */
	__u64 fpage; /* file page */
	int touched;
};

static struct rpage ref[NPAGES];
static unsigned seed = 12345;

static unsigned rnd(unsigned n)
{
	seed = seed * 1103515245 + 12345;
	return (seed >> 8) % n;
}

static const char *file_name(int file)
{
	static const char *names[] = { NULL, "/f1", "/f2", "/f3" };

	return names[file];
}

static void op_mmap(struct model *m, unsigned a, unsigned n)
{
	__u32 prot = rnd(8);
	int file = rnd(4), i;
	__u64 fpage = rnd(100);

	for (i = 0; i < (int)n; i++)
		ref[a + i] = (struct rpage){ 1, prot, file, fpage + i, 0 };
	if (file)
		mt_sys_file(m, MS_MMAP, P, BASE + a * PG, BASE + a * PG, n * PG, prot,
			    MAP_PRIVATE | MAP_FIXED, 3, file_name(file), file, fpage, 0, 0);
	else
		mt_mmap(m, P, BASE + a * PG, n * PG, prot, MAP_PRIVATE | MAP_FIXED);
}

static void op_munmap(struct model *m, unsigned a, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		ref[a + i] = (struct rpage){};
	mt_munmap(m, P, BASE + a * PG, n * PG);
}

static void op_mprotect(struct model *m, unsigned a, unsigned n)
{
	__u32 prot = rnd(8);
	unsigned i;

	for (i = 0; i < n; i++)
		if (ref[a + i].mapped)
			ref[a + i].prot = prot;
	mt_mprotect(m, P, BASE + a * PG, n * PG, prot);
}

static void op_fault(struct model *m, unsigned a)
{
	int prot = rnd(4) == 0;

	if (ref[a].mapped && !prot)
		ref[a].touched = 1;
	mt_fault(m, P, BASE + a * PG + rnd(PG), prot ? MS_PF_PROT : 0);
}

static void op_dontneed(struct model *m, unsigned a, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		ref[a + i].touched = 0;
	mt_sys(m, MS_MADVISE, P, 0, BASE + a * PG, n * PG, MADV_DONTNEED, 0, 0);
}

/* mremap needs the source inside one region: same everything, contiguous file pages. */
static int one_region(unsigned a, unsigned n)
{
	unsigned i;

	if (!ref[a].mapped)
		return 0;
	for (i = 1; i < n; i++) {
		if (!ref[a + i].mapped || ref[a + i].prot != ref[a].prot ||
		    ref[a + i].file != ref[a].file || ref[a + i].fpage != ref[a].fpage + i)
			return 0;
	}
	return 1;
}

static void op_mremap(struct model *m, unsigned a, unsigned n)
{
	unsigned nn = 1 + rnd(6), d = rnd(NPAGES - nn + 1), i, dontunmap = rnd(4) == 0;
	struct rpage save[NPAGES];

	if (!one_region(a, n))
		return;
	if (rnd(3) == 0) { /* in place */
		if (nn > n) {
			if (a + nn > NPAGES)
				return;
			for (i = n; i < nn; i++)
				if (ref[a + i].mapped)
					return;
			for (i = n; i < nn; i++) {
				ref[a + i] = ref[a];
				ref[a + i].fpage = ref[a].fpage + i;
				ref[a + i].touched = 0;
			}
		} else {
			for (i = nn; i < n; i++)
				ref[a + i] = (struct rpage){};
		}
		mt_sys(m, MS_MREMAP, P, BASE + a * PG, BASE + a * PG, n * PG, nn * PG, 0, 0);
		return;
	}
	if (d < a + n && a < d + nn)
		return; /* the kernel refuses overlapping moves */
	if (dontunmap && nn != n)
		return;
	memcpy(save, ref, sizeof(ref));
	for (i = 0; i < nn; i++) {
		ref[d + i] = save[a];
		ref[d + i].fpage = save[a].fpage + i;
		ref[d + i].touched = i < n ? save[a + i].touched : 0;
	}
	for (i = 0; i < n; i++) {
		if (dontunmap)
			ref[a + i].touched = 0;
		else
			ref[a + i] = (struct rpage){};
	}
	mt_sys(m, MS_MREMAP, P, BASE + d * PG, BASE + a * PG, n * PG, nn * PG,
	       MREMAP_MAYMOVE | MREMAP_FIXED | (dontunmap ? MREMAP_DONTUNMAP : 0), BASE + d * PG);
}

static int compare(const struct model *m, int step)
{
	__u64 touched = 0;
	unsigned i;

	for (i = 0; i < NPAGES; i++) {
		const struct region *r = model__region_at(m, P, BASE + i * PG);
		const struct rpage *p = &ref[i];

		if (!r != !p->mapped)
			goto bad;
		if (!r)
			continue;
		if (r->prot != p->prot)
			goto bad;
		if (!p->file != !r->path || (p->file && strcmp(r->path, file_name(p->file))))
			goto bad;
		if (p->file && r->pgoff + (BASE + i * PG - r->start) != p->fpage * PG)
			goto bad;
		if (r->start == BASE + i * PG) {
			__u64 want = 0, j;

			for (j = i; j < NPAGES && BASE + j * PG < r->end; j++)
				want += ref[j].touched;
			if (r->touched_pages != want)
				goto bad;
			touched += want;
		}
	}
	return mt_consistent(m, P);
bad:
	fprintf(stderr, "step %d: page %u differs\n%s\n", step, i, mt_layout(m, P));
	return 0;
}

static void test_differential(void)
{
	struct model *m = model__new(PG);
	int step, ok = 1;

	for (step = 0; step < 100000 && ok; step++) {
		unsigned n = 1 + rnd(8), a = rnd(NPAGES - n + 1);

		switch (rnd(7)) {
		case 0:
		case 1:
			op_mmap(m, a, n);
			break;
		case 2:
			op_munmap(m, a, n);
			break;
		case 3:
			op_mprotect(m, a, n);
			break;
		case 4:
			op_fault(m, a);
			break;
		case 5:
			op_dontneed(m, a, n);
			break;
		case 6:
			op_mremap(m, a, n);
			break;
		}
		ok = compare(m, step);
		CHECK(ok);
	}
	model__free(m);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_scale(void)
{
	struct model *m = model__new(PG);
	const __u64 n = 65000, span = 2 * n;
	double t0, t1;
	int i;

	t0 = now_s();
	for (i = 0; i < (int)n; i++)
		mt_mmap(m, P, BASE + 2 * i * PG, PG, i % 2 ? PROT_READ : PROT_NONE,
			MAP_PRIVATE | MAP_FIXED);
	CHECK_EQ(model__process(m, P)->nr_regions, n);
	t1 = now_s();
	fprintf(stderr, "scale: %llu mmaps in %.3f s\n", (unsigned long long)n, t1 - t0);
	t0 = now_s();
	for (i = 0; i < 200000; i++) {
		__u64 a = BASE + rnd(span) * PG, len = (1 + rnd(4)) * PG;

		switch (rnd(3)) {
		case 0:
			mt_mmap(m, P, a, len, rnd(4), MAP_PRIVATE | MAP_FIXED);
			break;
		case 1:
			mt_munmap(m, P, a, len);
			break;
		case 2:
			mt_mprotect(m, P, a, len, rnd(4));
			break;
		}
		if (i % 1000 == 0)
			mt_fault(m, P, a, 0);
	}
	t1 = now_s();
	fprintf(stderr, "scale: 200000 events on %u regions in %.3f s: %.0f events/s\n",
		model__process(m, P)->nr_regions, t1 - t0, 200000 / (t1 - t0));
	CHECK(model__process(m, P)->nr_regions > 30000);
	CHECK(mt_consistent(m, P));
	/* fork and free a big layout */
	mt_fork(m, P, P + 1, P + 1, 0, 0);
	CHECK_EQ(model__process(m, P + 1)->nr_regions, model__process(m, P)->nr_regions);
	CHECK(mt_consistent(m, P + 1));
	model__free(m);
}

int main(void)
{
	test_differential();
	test_scale();
	CHECK_DONE();
}
