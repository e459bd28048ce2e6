// SPDX-License-Identifier: GPL-2.0
/*
 * Forks share layouts (copy on write) and copies stay within the budget:
 * a 60,000-region seed forked 400 times holds one layout's regions, not 400;
 * each side's changes stay its own; a fork that must copy (faults counted in
 * the parent) copies; past the budget a copy is refused and its process
 * marked, while the model's regions stay within the budget.
 * With a path argument, also writes that trace (seed + forks) for the system
 * test tests/trace/test_fork_bound.sh.
 */
#include "model/layout.h"
#include "model_util.h"
#include "trace/trace.h"

#define P 100
#define SEED_REGIONS 60000
#define FORKS 400
#define BASE 0x10000000ull

/* Every field a view shows, hashed: two equal layouts hash the same. */
struct digest {
	__u64 h, n;
};

static void mix(struct digest *d, __u64 v)
{
	d->h = (d->h ^ v) * 0x100000001b3ull;
}

static void digest_one(const struct region *r, void *ctx)
{
	struct digest *d = ctx;
	const char *c;

	mix(d, r->start);
	mix(d, r->end);
	mix(d, r->prot);
	mix(d, r->pgoff);
	mix(d, r->ino);
	mix(d, r->cls);
	mix(d, r->faults);
	mix(d, r->touched_pages);
	for (c = r->path ? r->path : ""; *c; c++)
		mix(d, *c);
	d->n++;
}

static struct digest digest(const struct model *m, __u32 pid)
{
	struct digest d = { 0xcbf29ce484222325ull, 0 };

	model__for_each_region(m, pid, digest_one, &d);
	return d;
}

/* Regions one page apart with alternating protections: none merge. */
static void seed_many(struct model *m, __u32 pid, unsigned n)
{
	unsigned i;

	mt_seed_begin(m, pid, MS_SEED_AT_START, "big");
	for (i = 0; i < n; i++)
		mt_vma(m, pid, BASE + 2 * i * PG, BASE + (2 * i + 1) * PG, i % 2 ? 1 : 3, 0, 0, 0,
		       NULL);
	mt_seed_end(m, pid);
}

static void many_forks(void)
{
	struct model *m = model__new(4096);
	size_t base = layout__census();
	struct digest parent;
	unsigned i;

	seed_many(m, P, SEED_REGIONS);
	parent = digest(m, P);
	CHECK_EQ(parent.n, SEED_REGIONS);
	for (i = 1; i <= FORKS; i++)
		mt_fork(m, P, P + i, P + i, 0, 0);
	CHECK(layout__census() - base <= SEED_REGIONS + 16);
	for (i = 1; i <= FORKS; i += 57) {
		struct digest d = digest(m, P + i);

		CHECK(d.h == parent.h && d.n == parent.n);
		CHECK(mt_consistent(m, P + i));
	}
	CHECK_EQ(model__over_budget(m), 0);
	model__free(m);
	CHECK_EQ(layout__census(), base);
}

/* Each side's changes are its own; a vfork child shares them. */
static void copy_on_write(void)
{
	struct model *m = model__new(4096);
	char before[8192];

	seed_many(m, P, 4);
	strcpy(before, mt_layout(m, P));
	mt_fork(m, P, P + 1, P + 1, 0, 0);
	mt_fork(m, P, P + 2, P + 2, 0, 0);
	mt_mmap(m, P + 1, 0x7f0000000000ull, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
	CHECK_STR(mt_layout(m, P), before);
	CHECK_STR(mt_layout(m, P + 2), before);
	CHECK(strcmp(mt_layout(m, P + 1), before));
	CHECK_EQ(model__process(m, P + 1)->nr_regions, 5);
	mt_munmap(m, P, BASE, PG);
	CHECK_EQ(model__process(m, P)->nr_regions, 3);
	CHECK_STR(mt_layout(m, P + 2), before);
	CHECK_EQ(model__process(m, P + 2)->nr_regions, 4);
	/* a vfork child sees its parent's change: one address space */
	mt_fork(m, P + 2, P + 3, P + 3, MS_FORK_VM, 0);
	mt_munmap(m, P + 2, BASE + 2 * PG, PG);
	CHECK_STR(mt_layout(m, P + 3), mt_layout(m, P + 2));
	CHECK_EQ(model__process(m, P + 3)->nr_regions, 3);
	CHECK_STR(mt_layout(m, P), mt_layout(m, P)); /* untouched by the vfork pair */
	CHECK_EQ(model__process(m, P)->nr_regions, 3);
	/* a fault counted in the parent: the child starts with none */
	mt_fault(m, P, BASE + 2 * PG, 0);
	mt_fork(m, P, P + 4, P + 4, 0, 0);
	CHECK(model__region_at(m, P, BASE + 2 * PG)->faults == 1);
	CHECK(model__region_at(m, P + 4, BASE + 2 * PG)->faults == 0);
	CHECK(mt_consistent(m, P) && mt_consistent(m, P + 1) && mt_consistent(m, P + 4));
	model__free(m);
}

/* Children that each change their copy: the budget holds, the rest are marked. */
static void budget(void)
{
	struct model *m = model__new(4096);
	size_t base = layout__census();
	const struct mproc *c;
	unsigned i, marked = 0;

	model__set_budget(m, base + 5000);
	seed_many(m, P, 1000);
	for (i = 1; i <= 20; i++) {
		mt_fork(m, P, P + i, P + i, 0, 0);
		mt_mmap(m, P + i, 0x7f0000000000ull, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
	}
	CHECK(layout__census() <= base + 5000);
	for (i = 1; i <= 20; i++) {
		c = model__process(m, P + i);
		if (c->flags & MPROC_OVER_BUDGET) {
			marked++;
			CHECK(c->flags & MPROC_UNCERTAIN);
			CHECK_EQ(c->nr_regions, 1); /* what it did after the fork */
		} else {
			CHECK_EQ(c->nr_regions, 1001);
		}
	}
	CHECK_EQ(marked, model__over_budget(m));
	CHECK(marked >= 15 && marked <= 17);
	CHECK_EQ(model__process(m, P)->nr_regions, 1000);
	model__free(m);
}

/* The crafted trace: one big seed, then forks of it, as a file. */
static int write_trace(const char *path, unsigned forks)
{
	struct trace_write_opts o = { .compress = true, .force = true };
	struct trace_meta meta = {};
	union mt_rec r;
	struct ms_vma *v = (void *)&r;
	struct ms_seed_begin b = {};
	struct ms_seed_end e = {};
	struct ms_fork f = {};
	struct trace_writer *w;
	char err[256];
	unsigned i;

	trace_meta__fill_host(&meta);
	meta.start_ns = mt_now;
	w = trace_writer__open(path, &meta, &o, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	strcpy(b.comm, "big");
	mt_hdr(&b.h, MS_SEED_BEGIN, sizeof(b), P, MS_SEED_AT_START);
	trace_writer__write(w, &b.h);
	for (i = 0; i < SEED_REGIONS; i++) {
		memset(&r, 0, sizeof(r));
		v->start = BASE + 2 * i * PG;
		v->end = v->start + PG;
		v->prot = i % 2 ? 1 : 3;
		mt_hdr(&v->h, MS_VMA, sizeof(*v) + MS_ALIGN8(1), P, 0);
		trace_writer__write(w, &v->h);
	}
	mt_hdr(&e.h, MS_SEED_END, sizeof(e), P, 0);
	trace_writer__write(w, &e.h);
	strcpy(f.comm, "big");
	for (i = 1; i <= forks; i++) {
		f.child_pid = f.child_tid = P + i;
		mt_hdr(&f.h, MS_FORK, sizeof(f), P, 0);
		trace_writer__write(w, &f.h);
	}
	return trace_writer__close(w, err, sizeof(err)) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3)
		return write_trace(argv[1], strtoul(argv[2], NULL, 0));
	many_forks();
	copy_on_write();
	budget();
	CHECK_DONE();
}
