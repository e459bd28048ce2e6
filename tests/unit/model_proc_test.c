// SPDX-License-Identifier: GPL-2.0
/* The layout model: processes (fork, threads, exec, seeds, exit) and classes. */
#include "model_util.h"

#define P 200
#define A(x) ((__u64)(x)*PG)
#define RW (PROT_READ | PROT_WRITE)
#define R MS_VMA_READ
#define W MS_VMA_WRITE
#define X MS_VMA_EXEC
#define DEV ((254u << 20) | 0)

static enum region_class cls_at(const struct model *m, __u32 pid, __u64 addr)
{
	const struct region *r = model__region_at(m, pid, addr);

	return r ? r->cls : RC_NR;
}

#define CHECK_CLS(m, pid, addr, c) CHECK_STR(region_class_name(cls_at(m, pid, addr)), c)

static void seed_elf(struct model *m, __u32 pid)
{
	mt_seed_begin(m, pid, MS_SEED_AT_START, "prog");
	mt_vma(m, pid, A(0x100), A(0x102), R, 0, DEV, 11, "/usr/bin/prog");
	mt_vma(m, pid, A(0x102), A(0x105), R | X, A(2), DEV, 11, "/usr/bin/prog");
	mt_vma(m, pid, A(0x105), A(0x107), R, A(5), DEV, 11, "/usr/bin/prog");
	mt_vma(m, pid, A(0x107), A(0x108), R | W, A(6), DEV, 11, "/usr/bin/prog");
	mt_vma(m, pid, A(0x108), A(0x10a), R | W, 0, 0, 0, NULL);
	mt_vma(m, pid, A(0x200), A(0x210), R | W, 0, 0, 0, "[heap]");
	mt_vma(m, pid, A(0x300), A(0x301), R, 0, DEV, 12, "/usr/share/data.bin");
	mt_vma(m, pid, A(0x400), A(0x426), R, 0, DEV, 13, "/lib/libc.so.6");
	mt_vma(m, pid, A(0x426), A(0x57c), R | X, A(0x26), DEV, 13, "/lib/libc.so.6");
	mt_vma(m, pid, A(0x57c), A(0x5cf), R, A(0x17c), DEV, 13, "/lib/libc.so.6");
	mt_vma(m, pid, A(0x5cf), A(0x5d3), R, A(0x1cf), DEV, 13, "/lib/libc.so.6");
	mt_vma(m, pid, A(0x5d3), A(0x5d5), R | W, A(0x1d3), DEV, 13, "/lib/libc.so.6");
	mt_vma(m, pid, A(0x5d5), A(0x5e2), R | W, 0, 0, 0, NULL);
	mt_vma(m, pid, A(0x600), A(0x607), R | MS_VMA_SHARED, 0, DEV, 14, "/cache");
	mt_vma(m, pid, A(0x700), A(0x704), R, 0, 0, 0, "[vvar]");
	mt_vma(m, pid, A(0x704), A(0x706), R | X, 0, 0, 0, "[vdso]");
	mt_vma(m, pid, A(0x7000), A(0x7021), R | W, 0, 0, 0, "[stack]");
	mt_seed_end(m, pid);
}

static void test_classes(void)
{
	struct model *m = model__new(PG);
	const struct mproc *p;

	seed_elf(m, P);
	CHECK_CLS(m, P, A(0x100), "rodata");
	CHECK_CLS(m, P, A(0x102), "text");
	CHECK_CLS(m, P, A(0x105), "rodata");
	CHECK_CLS(m, P, A(0x107), "data");
	CHECK_CLS(m, P, A(0x108), "bss");
	CHECK_CLS(m, P, A(0x200), "heap");
	CHECK_CLS(m, P, A(0x300), "file");
	CHECK_CLS(m, P, A(0x400), "rodata");
	CHECK_CLS(m, P, A(0x500), "text");
	CHECK_CLS(m, P, A(0x5d0), "rodata");
	CHECK_CLS(m, P, A(0x5d3), "data");
	CHECK_CLS(m, P, A(0x5d5), "bss");
	CHECK_CLS(m, P, A(0x600), "shm");
	CHECK_CLS(m, P, A(0x700), "vvar");
	CHECK_CLS(m, P, A(0x704), "vdso");
	CHECK_CLS(m, P, A(0x7000), "stack");
	p = model__process(m, P);
	CHECK_EQ(p->heap, A(0x10));
	CHECK_EQ(p->stack, A(0x21));
	CHECK_EQ(p->anon, A(2 + 0xd));
	CHECK_EQ(p->file, A(8 + 1 + 0x1d5 + 7));
	CHECK_EQ(p->vsize, p->heap + p->stack + p->anon + p->file + A(6));
	CHECK(!(p->flags & MPROC_UNCERTAIN));
	CHECK(p->flags & MPROC_SEEDED);
	CHECK_STR(p->comm, "prog");
	/* the text unmapped: the rest of the file is plain file, bss anon */
	mt_munmap(m, P, A(0x102), A(3));
	CHECK_CLS(m, P, A(0x100), "file");
	CHECK_CLS(m, P, A(0x107), "file");
	CHECK_CLS(m, P, A(0x108), "anon");
	/* malloc's big blocks, plain anonymous memory, named anonymous memory */
	mt_mmap(m, P, A(0x1000), 256 << 10, RW, MAP_PRIVATE);
	mt_mmap(m, P, A(0x1100), 64 << 10, RW, MAP_PRIVATE);
	CHECK_CLS(m, P, A(0x1000), "malloc");
	CHECK_CLS(m, P, A(0x1100), "anon");
	mt_vma(m, P, A(0x1200), A(0x1201), R | W, 0, 0, 0, "[anon:x]"); /* not seeding: ignored */
	CHECK(!model__region_at(m, P, A(0x1200)));
	CHECK(mt_consistent(m, P));
	model__free(m);
}

static void test_arena(void)
{
	struct model *m = model__new(PG);
	__u64 base = 0x7f0000000000ull, mb = 1 << 20;

	/* glibc: 128 MiB PROT_NONE, trimmed to a 64 MiB boundary, grown by mprotect */
	mt_mmap(m, P, base + 16 * mb, 128 * mb, PROT_NONE, MAP_PRIVATE | MAP_NORESERVE);
	mt_munmap(m, P, base + 16 * mb, 48 * mb);
	mt_munmap(m, P, base + 128 * mb, 16 * mb);
	mt_mprotect(m, P, base + 64 * mb, 132 << 10, RW);
	CHECK_CLS(m, P, base + 64 * mb, "arena");
	CHECK_CLS(m, P, base + 65 * mb, "arena");
	CHECK_EQ(model__process(m, P)->nr_regions, 2);
	/* the same layout seeded */
	mt_seed_begin(m, P + 1, 0, "s");
	mt_vma(m, P + 1, base + 64 * mb, base + 64 * mb + A(33), R | W, 0, 0, 0, NULL);
	mt_vma(m, P + 1, base + 64 * mb + A(33), base + 128 * mb, 0, 0, 0, 0, NULL);
	mt_seed_end(m, P + 1);
	CHECK_CLS(m, P + 1, base + 64 * mb, "arena");
	CHECK_CLS(m, P + 1, base + 65 * mb, "arena");
	model__free(m);
}

static void test_thread_stack(void)
{
	struct model *m = model__new(PG);
	__u64 st = A(0x5000), len = (8 << 20) + PG;
	const struct region *r;

	seed_elf(m, P);
	/* glibc's pthread_create: mmap PROT_NONE MAP_STACK, mprotect all but the guard */
	mt_mmap(m, P, st, len, PROT_NONE, MAP_PRIVATE | MAP_STACK);
	CHECK_CLS(m, P, st, "anon");
	mt_mprotect(m, P, st + PG, len - PG, RW);
	CHECK_CLS(m, P, st, "guard");
	CHECK_CLS(m, P, st + PG, "thread-stack");
	mt_fork(m, P, P, P + 5, MS_FORK_THREAD | MS_FORK_VM, st + len - 0x1000);
	r = model__region_at(m, P, st + PG);
	CHECK(r && r->owner_tid == P + 5);
	CHECK_EQ(model__process(m, P)->stack, A(0x21) + len - PG);
	/* no new process for a thread */
	CHECK(!model__process(m, P + 5));
	/* thread exit: the owner is gone, the stack (cached by glibc) stays one */
	{
		struct ms_exit e = {};

		mt_hdr(&e.h, MS_EXIT, sizeof(e), P, 0);
		e.h.tid = P + 5;
		model__apply(m, &e.h);
	}
	r = model__region_at(m, P, st + PG);
	CHECK(r && r->owner_tid == 0 && r->cls == RC_THREAD_STACK);
	CHECK(!(model__process(m, P)->flags & MPROC_EXITED));
	/* a seeded thread stack found by the fork record */
	mt_seed_begin(m, P + 1, 0, "s");
	mt_vma(m, P + 1, A(0x9000), A(0x9001), 0, 0, 0, 0, NULL);
	mt_vma(m, P + 1, A(0x9001), A(0x9801), R | W, 0, 0, 0, NULL);
	mt_vma(m, P + 1, A(0xa000), A(0xa001), 0, 0, 0, 0, NULL);
	mt_vma(m, P + 1, A(0xa001), A(0xa801), R | W, 0, 0, 0, NULL);
	mt_seed_end(m, P + 1);
	CHECK_CLS(m, P + 1, A(0x9000), "guard");
	CHECK_CLS(m, P + 1, A(0x9001), "thread-stack");
	mt_fork(m, P + 1, P + 1, P + 9, MS_FORK_THREAD | MS_FORK_VM, A(0xa700));
	CHECK_EQ(model__region_at(m, P + 1, A(0xa001))->owner_tid, P + 9);
	CHECK_CLS(m, P + 1, A(0xa000), "guard");
	model__free(m);
}

static void test_fork(void)
{
	struct model *m = model__new(PG);
	const struct mproc *c;
	const struct region *r;

	seed_elf(m, P);
	mt_mmap(m, P, A(0x3000), A(4), RW, MAP_PRIVATE);
	mt_mmap(m, P, A(0x3010), A(4), RW, MAP_PRIVATE);
	mt_mmap(m, P, A(0x3020), A(4), RW, MAP_PRIVATE);
	mt_fault(m, P, A(0x3000), MS_PF_WRITE);
	mt_fault(m, P, A(0x3011), MS_PF_WRITE);
	mt_fault(m, P, A(0x3021), MS_PF_WRITE);
	mt_sys(m, MS_MADVISE, P, 0, A(0x3010), A(4), MADV_DONTFORK, 0, 0);
	mt_sys(m, MS_MADVISE, P, 0, A(0x3021), A(1), MADV_WIPEONFORK, 0, 0);
	CHECK_EQ(model__process(m, P)->nr_regions, 22);
	/* a plain fork copies, minus DONTFORK, WIPEONFORK empty */
	mt_fork(m, P, P + 1, P + 1, 0, 0);
	c = model__process(m, P + 1);
	CHECK(c != NULL);
	CHECK_STR(c->comm, "child");
	CHECK_EQ(c->nr_regions, 21);
	CHECK(!model__region_at(m, P + 1, A(0x3010)));
	CHECK_EQ(model__region_at(m, P + 1, A(0x3000))->touched_pages, 1);
	CHECK_EQ(model__region_at(m, P + 1, A(0x3021))->touched_pages, 0);
	CHECK_EQ(model__region_at(m, P, A(0x3021))->touched_pages, 1);
	CHECK_EQ(model__region_at(m, P, A(0x3010))->touched_pages, 1);
	CHECK_CLS(m, P + 1, A(0x102), "text");
	CHECK_EQ(c->start_brk, model__process(m, P)->start_brk);
	/* the copy is independent */
	mt_munmap(m, P + 1, A(0x3000), A(4));
	CHECK(model__region_at(m, P, A(0x3000)));
	CHECK(mt_consistent(m, P));
	CHECK(mt_consistent(m, P + 1));
	/* vfork shares until exec */
	mt_fork(m, P, P + 2, P + 2, MS_FORK_VM, 0);
	mt_mmap(m, P + 2, A(0x4000), A(1), RW, MAP_PRIVATE);
	r = model__region_at(m, P, A(0x4000));
	CHECK(r != NULL);
	CHECK_EQ(model__process(m, P)->nr_regions, 23);
	{
		struct {
			struct ms_exec e;
			char name[16];
		} x = {};

		strcpy(x.e.comm, "newprog");
		mt_hdr(&x.e.h, MS_EXEC, sizeof(x), P + 2, 0);
		model__apply(m, &x.e.h);
	}
	c = model__process(m, P + 2);
	CHECK_EQ(c->nr_regions, 0);
	CHECK_STR(c->comm, "newprog");
	CHECK_EQ(model__process(m, P)->nr_regions, 23);
	/* the seed that follows exec */
	mt_seed_begin(m, P + 2, MS_SEED_AT_EXEC, "newprog");
	mt_vma(m, P + 2, A(0x100), A(0x101), R | X, 0, DEV, 50, "/bin/new");
	mt_seed_end(m, P + 2);
	CHECK_STR(mt_layout(m, P + 2), "100-101 r-xp /bin/new;");
	CHECK(model__region_at(m, P, A(0x4000)));
	model__free(m);
}

static void test_seed_rule(void)
{
	struct model *m = model__new(PG);
	__u64 t0 = mt_now;
	const struct mproc *p;

	mt_mmap(m, P, A(0x10), A(1), RW, MAP_PRIVATE);
	p = model__process(m, P);
	CHECK(p->flags & MPROC_UNCERTAIN); /* never seeded */
	mt_seed_begin(m, P, MS_SEED_AT_START, "p");
	mt_vma(m, P, A(0x20), A(0x21), R | W, 0, 0, 0, NULL);
	mt_vma(m, P, A(0x30), A(0x31), R | W, 0, 0, 0, NULL);
	mt_seed_end(m, P);
	CHECK_STR(mt_layout(m, P), "20-21 rw-p;30-31 rw-p;");
	CHECK(!(p->flags & MPROC_UNCERTAIN));
	/* an older munmap arriving after the seed is already in it */
	mt_now = t0 + 1;
	mt_munmap(m, P, A(0x20), A(1));
	CHECK_STR(mt_layout(m, P), "20-21 rw-p;30-31 rw-p;");
	CHECK_EQ(p->munmaps, 1);
	mt_now = t0 + 100000;
	mt_munmap(m, P, A(0x20), A(1));
	CHECK_STR(mt_layout(m, P), "30-31 rw-p;");
	/* a loss makes it uncertain until the next seed */
	{
		struct ms_lost l = {};

		mt_hdr(&l.h, MS_LOST, sizeof(l), 0, 0);
		model__apply(m, &l.h);
	}
	CHECK(p->flags & MPROC_UNCERTAIN);
	mt_fault(m, P, A(0x30), 0);
	mt_seed_begin(m, P, MS_SEED_AT_START, "p");
	mt_vma(m, P, A(0x30), A(0x31), R | W, 0, 0, 0, NULL);
	mt_vma(m, P, A(0x40), A(0x41), R, 0, 0, 0, NULL);
	mt_seed_end(m, P);
	CHECK(!(p->flags & MPROC_UNCERTAIN));
	CHECK_STR(mt_layout(m, P), "30-31 rw-p;40-41 r--p;");
	/* the unchanged region keeps what the model knew */
	CHECK_EQ(model__region_at(m, P, A(0x30))->faults, 1);
	model__free(m);
}

/*
 * The newest sample holds the sizes a process died with, whichever comes
 * first: its exit (6.18) or its mm's teardown (older kernels).
 */
static void test_exit_sizes(void)
{
	struct ms_exit e = {};
	struct ms_hdr h = {};
	int teardown_first;

	for (teardown_first = 0; teardown_first < 2; teardown_first++) {
		struct model *m = model__new(PG);
		const struct mproc *p;
		__u64 vsize;

		seed_elf(m, P);
		mt_mmap(m, P, A(0x2000), A(4), RW, MAP_PRIVATE);
		p = model__process(m, P);
		vsize = p->vsize;
		mt_now += 1000; /* within one sample's 10 ms */
		mt_hdr(&e.h, MS_EXIT, sizeof(e), P, MS_EXIT_GROUP);
		mt_hdr(&h, MS_EXIT_MMAP, sizeof(h), P, 0);
		model__apply(m, teardown_first ? &h : &e.h);
		model__apply(m, teardown_first ? &e.h : &h);
		CHECK(p->flags & MPROC_EXITED);
		CHECK_EQ(p->nr_regions, 0);
		CHECK_EQ(model__sample(p, model__nr_samples(p) - 1)->vsize, vsize);
		CHECK(vsize > A(4));
		model__free(m);
	}
}

static void test_exit(void)
{
	struct model *m = model__new(PG);
	struct ms_exit e = {};
	struct ms_hdr h = {};
	const struct mproc *p;
	int i;

	seed_elf(m, P);
	for (i = 0; i < 10; i++) {
		mt_now += 20000000;
		mt_mmap(m, P, A(0x2000 + i * 0x10), A(4), RW, MAP_PRIVATE);
	}
	mt_mmap(m, P, A(0x3000), A(4), RW, MAP_PRIVATE); /* same 10 ms: replaces the last */
	p = model__process(m, P);
	CHECK_EQ(model__nr_samples(p), 10);
	CHECK_EQ(model__sample(p, 9)->vsize, p->vsize);
	CHECK_EQ(model__sample(p, 1)->vsize + A(4), model__sample(p, 2)->vsize);
	e.exit_code = 3 << 8;
	e.total.faults = 42;
	e.mm.rss_anon = 10;
	mt_hdr(&e.h, MS_EXIT, sizeof(e), P, MS_EXIT_GROUP);
	model__apply(m, &e.h);
	CHECK(p->flags & MPROC_EXITED);
	CHECK_EQ(p->exit_code, 3 << 8);
	CHECK_EQ(p->exit_ns, mt_now);
	CHECK_EQ(p->faults, 42);
	CHECK_EQ(p->rss, 10 * PG);
	mt_hdr(&h, MS_EXIT_MMAP, sizeof(h), P, 0);
	model__apply(m, &h);
	CHECK_EQ(p->nr_regions, 0);
	CHECK(model__process(m, P) == p);
	/* a reused pid starts over */
	mt_fork(m, 1, P, P, 0, 0);
	p = model__process(m, P);
	CHECK(p && !(p->flags & MPROC_EXITED));
	model__reap(m, P);
	CHECK(!model__process(m, P));
	model__free(m);
}

int main(void)
{
	test_classes();
	test_arena();
	test_thread_stack();
	test_fork();
	test_seed_rule();
	test_exit();
	test_exit_sizes();
	CHECK_DONE();
}
