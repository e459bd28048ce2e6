// SPDX-License-Identifier: GPL-2.0
/* The layout model merges VMAs where the kernel (6.18 mm/vma.c) does, and only there. */
#include "model_util.h"

#define P 100
#define C 101
#define A(x) ((__u64)(x)*PG)
#define RW (PROT_READ | PROT_WRITE)
#define PRIV MAP_PRIVATE
#define FIX (MAP_PRIVATE | MAP_FIXED)

static void test_new_mappings(void)
{
	struct model *m = model__new(PG);

	mt_mmap(m, P, A(0x10), A(4), RW, PRIV);
	mt_mmap(m, P, A(0x14), A(4), RW, PRIV);
	mt_mmap(m, P, A(0x0c), A(4), RW, PRIV);
	CHECK_STR(mt_layout(m, P), "c-18 rw-p;");
	/* between two it joins both, unless each has its own anon_vma (written) */
	mt_mmap(m, P, A(0x1c), A(4), PROT_READ, PRIV);
	mt_mmap(m, P, A(0x18), A(4), PROT_READ, FIX);
	mt_mmap(m, P, A(0x14), A(4), PROT_READ, FIX);
	CHECK_STR(mt_layout(m, P), "c-14 rw-p;14-20 r--p;");
	mt_mmap(m, P, A(0x20), A(4), RW, PRIV);
	mt_mmap(m, P, A(0x26), A(2), RW, PRIV);
	mt_mmap(m, P, A(0x24), A(2), RW, FIX);
	CHECK_STR(mt_layout(m, P), "c-14 rw-p;14-20 r--p;20-26 rw-p;26-28 rw-p;");
	mt_munmap(m, P, A(0x14), A(0x14));
	CHECK_EQ(model__process(m, P)->nr_regions, 1);
	/* other flags: protection, MAP_NORESERVE, MAP_STACK, shared */
	mt_mmap(m, P, A(0x20), A(1), PROT_READ, PRIV);
	mt_mmap(m, P, A(0x21), A(1), RW, PRIV | MAP_NORESERVE);
	mt_mmap(m, P, A(0x22), A(1), RW, PRIV | MAP_STACK);
	mt_mmap(m, P, A(0x23), A(1), RW, MAP_SHARED);
	mt_mmap(m, P, A(0x24), A(1), RW, MAP_SHARED);
	CHECK_STR(mt_layout(m, P),
		  "c-14 rw-p;20-21 r--p;21-22 rw-p;22-23 rw-p;"
		  "23-24 rw-s /dev/zero (deleted);24-25 rw-s /dev/zero (deleted);");
	CHECK(mt_consistent(m, P));
	model__free(m);
}

static void test_files(void)
{
	struct model *m = model__new(PG);

	/* one file at continuing offsets merges; a gap in the offsets or another file not */
	mt_sys_file(m, MS_MMAP, P, A(0x10), 0, A(2), PROT_READ, PRIV, 3, "/lib/a", 7, 0, 8, 1);
	mt_sys_file(m, MS_MMAP, P, A(0x12), 0, A(2), PROT_READ, PRIV, 3, "/lib/a", 7, 2, 8, 1);
	mt_sys_file(m, MS_MMAP, P, A(0x14), 0, A(2), PROT_READ, PRIV, 3, "/lib/a", 7, 5, 8, 1);
	mt_sys_file(m, MS_MMAP, P, A(0x16), 0, A(2), PROT_READ, PRIV, 3, "/lib/b", 9, 7, 8, 1);
	CHECK_STR(mt_layout(m, P), "10-14 r--p /lib/a;14-16 r--p /lib/a;16-18 r--p /lib/b;");
	CHECK_EQ(model__region_at(m, P, A(0x14))->pgoff, A(5));
	model__free(m);
}

static void test_mprotect(void)
{
	struct model *m = model__new(PG);

	mt_mmap(m, P, A(0x10), A(8), RW, PRIV);
	mt_mprotect(m, P, A(0x12), A(2), PROT_READ);
	mt_mprotect(m, P, A(0x15), A(1), PROT_NONE);
	CHECK_STR(mt_layout(m, P), "10-12 rw-p;12-14 r--p;14-15 rw-p;15-16 ---p;16-18 rw-p;");
	mt_mprotect(m, P, A(0x12), A(2), RW);
	CHECK_STR(mt_layout(m, P), "10-15 rw-p;15-16 ---p;16-18 rw-p;");
	mt_mprotect(m, P, A(0x15), A(1), RW);
	CHECK_STR(mt_layout(m, P), "10-18 rw-p;");
	/* a call that changes nothing splits nothing */
	mt_mprotect(m, P, A(0x11), A(2), RW);
	CHECK_STR(mt_layout(m, P), "10-18 rw-p;");
	/* glibc's arena: a reservation made writable piece by piece grows one VMA */
	mt_mmap(m, P, A(0x4000), A(0x4000), PROT_NONE, PRIV | MAP_NORESERVE);
	mt_mprotect(m, P, A(0x4000), A(0x21), RW);
	mt_mprotect(m, P, A(0x4021), A(0x10), RW);
	mt_mprotect(m, P, A(0x4031), A(0x10), RW);
	CHECK_STR(strstr(mt_layout(m, P), "4000-"), "4000-4041 rw-p;4041-8000 ---p;");
	/* once written (assumed: once writable), private memory stays committed */
	mt_mmap(m, P, A(0x100), A(6), PROT_NONE, PRIV);
	mt_mprotect(m, P, A(0x101), A(2), RW);
	mt_mprotect(m, P, A(0x101), A(2), PROT_NONE);
	CHECK_STR(strstr(mt_layout(m, P), "100-"), "100-101 ---p;101-103 ---p;103-106 ---p;"
						   "4000-4041 rw-p;4041-8000 ---p;");
	CHECK(mt_consistent(m, P));
	model__free(m);
}

static void test_madvise(void)
{
	struct model *m = model__new(PG);

	mt_mmap(m, P, A(0x10), A(8), RW, PRIV);
	mt_sys(m, MS_MADVISE, P, 0, A(0x12), A(2), MADV_DONTDUMP, 0, 0);
	CHECK_STR(mt_layout(m, P), "10-12 rw-p;12-14 rw-p;14-18 rw-p;");
	mt_sys(m, MS_MADVISE, P, 0, A(0x12), A(2), MADV_DODUMP, 0, 0);
	CHECK_STR(mt_layout(m, P), "10-18 rw-p;");
	/* advice that changes no flag splits nothing */
	mt_sys(m, MS_MADVISE, P, 0, A(0x12), A(2), MADV_DONTNEED, 0, 0);
	mt_sys(m, MS_MADVISE, P, 0, A(0x12), A(2), MADV_NORMAL, 0, 0);
	CHECK_STR(mt_layout(m, P), "10-18 rw-p;");
	model__free(m);
}

static void test_mremap(void)
{
	struct model *m = model__new(PG);

	/* grown in place up to the next VMA, they merge */
	mt_mmap(m, P, A(0x10), A(4), PROT_READ, PRIV);
	mt_mmap(m, P, A(0x16), A(2), PROT_READ, PRIV);
	mt_sys(m, MS_MREMAP, P, A(0x10), A(0x10), A(4), A(6), 0, 0);
	CHECK_STR(mt_layout(m, P), "10-18 r--p;");
	/* moved without an anon_vma it takes its new address as offset, and merges */
	mt_mmap(m, P, A(0x100), A(2), PROT_READ, PRIV);
	mt_sys(m, MS_MREMAP, P, A(0x18), A(0x100), A(2), A(2), MREMAP_MAYMOVE | MREMAP_FIXED,
	       A(0x18));
	CHECK_STR(mt_layout(m, P), "10-1a r--p;");
	/* moved with one it keeps its offset: next to its old neighbours no more */
	mt_mmap(m, P, A(0x200), A(2), RW, PRIV);
	mt_mmap(m, P, A(0x300), A(2), RW, PRIV);
	mt_sys(m, MS_MREMAP, P, A(0x202), A(0x300), A(2), A(2), MREMAP_MAYMOVE | MREMAP_FIXED,
	       A(0x202));
	CHECK_STR(mt_layout(m, P), "10-1a r--p;200-202 rw-p;202-204 rw-p;");
	CHECK(mt_consistent(m, P));
	model__free(m);
}

static void test_fork(void)
{
	struct model *m = model__new(PG);

	mt_mmap(m, P, A(0x14), A(2), RW, FIX);
	mt_mmap(m, P, A(0x1a), A(2), PROT_READ, FIX);
	mt_brk(m, P, A(0x1000), A(0x1004));
	mt_fork(m, P, C, C, 0, 0);
	/* the child's copies with an anon_vma merge with nothing new, the others do */
	mt_mmap(m, C, A(0x16), A(2), RW, FIX);
	mt_mmap(m, C, A(0x18), A(2), PROT_READ, FIX);
	mt_brk(m, C, A(0x1000), A(0x1008));
	CHECK_STR(mt_layout(m, C), "14-16 rw-p;16-18 rw-p;18-1c r--p;"
				   "1000-1004 rw-p [heap];1004-1008 rw-p [heap];");
	mt_brk(m, C, A(0x1000), A(0x100a));
	mt_brk(m, C, A(0x1000), A(0x1002));
	CHECK_STR(strstr(mt_layout(m, C), "1000-"), "1000-1002 rw-p [heap];");
	/* the parent's do */
	mt_mmap(m, P, A(0x16), A(2), RW, FIX);
	mt_brk(m, P, A(0x1000), A(0x1008));
	CHECK_STR(mt_layout(m, P), "14-18 rw-p;1a-1c r--p;1000-1008 rw-p [heap];");
	CHECK(mt_consistent(m, C));
	CHECK(mt_consistent(m, P));
	model__free(m);
}

/* A child that shares its parent's layout (copy on write) is still a fork's child. */
static void test_fork_shared_then_parent_first(void)
{
	struct model *m = model__new(PG);

	mt_mmap(m, P, A(0x14), A(2), RW, FIX);
	mt_fork(m, P, C, C, 0, 0);
	mt_mmap(m, P, A(0x16), A(2), RW, FIX); /* the parent changes it first */
	mt_mmap(m, C, A(0x16), A(2), RW, FIX);
	CHECK_STR(mt_layout(m, P), "14-18 rw-p;");
	CHECK_STR(mt_layout(m, C), "14-16 rw-p;16-18 rw-p;");
	model__free(m);
}

/* A munmap that began before a concurrent mmap merged into its range's neighbour. */
static void test_concurrent_munmap(void)
{
	struct model *m = model__new(PG);
	struct ms_syscall s = {};

	mt_mmap(m, P, A(0x20), A(0x10), RW, PRIV); /* thread A's */
	mt_now += 1000;
	s.h.tid = P + 1;
	mt_mmap(m, P, A(0x10), A(0x10), RW, PRIV); /* thread B's, merged with A's */
	CHECK_STR(mt_layout(m, P), "10-30 rw-p;");
	/* A's munmap began before B's mmap returned: it takes A's part only */
	s.args[0] = A(0x20);
	s.args[1] = A(0x10);
	s.dur_ns = 2000;
	mt_hdr(&s.h, MS_MUNMAP, sizeof(s), P, 0);
	model__apply(m, &s.h);
	CHECK_STR(mt_layout(m, P), "10-20 rw-p;");
	CHECK(mt_consistent(m, P));
	model__free(m);
}

/* A seed says whose stack a region is, and that memory after an ELF's data is not .bss. */
static void test_seed_hints(void)
{
	struct model *m = model__new(PG);
	union mt_rec r;
	struct ms_vma *v = (void *)&r;
	const struct region *x;

	mt_seed_begin(m, P, MS_SEED_AT_START, "seeded");
	mt_vma(m, P, A(0x10), A(0x11), MS_VMA_READ | MS_VMA_EXEC, 0, 8, 5, "/lib/x.so");
	mt_vma(m, P, A(0x11), A(0x12), MS_VMA_READ | MS_VMA_WRITE, A(1), 8, 5, "/lib/x.so");
	memset(&r, 0, sizeof(r));
	v->start = A(0x12);
	v->end = A(0x20);
	v->prot = MS_VMA_READ | MS_VMA_WRITE;
	mt_hdr(&v->h, MS_VMA, sizeof(*v) + 8, P, MS_VMA_NOT_BSS);
	model__apply(m, &v->h);
	mt_vma(m, P, A(0x20), A(0x21), 0, 0, 0, 0, NULL);
	memset(&r, 0, sizeof(r));
	v->start = A(0x21);
	v->end = A(0x40);
	v->prot = MS_VMA_READ | MS_VMA_WRITE;
	mt_hdr(&v->h, MS_VMA, sizeof(*v) + 8, P, 0);
	v->h.tid = P + 7;
	model__apply(m, &v->h);
	mt_seed_end(m, P);
	CHECK_EQ(model__region_at(m, P, A(0x12))->cls, RC_ANON);
	x = model__region_at(m, P, A(0x21));
	CHECK(x && x->cls == RC_THREAD_STACK && x->owner_tid == P + 7);
	CHECK_EQ(model__region_at(m, P, A(0x20))->cls, RC_GUARD);
	model__free(m);
}

/* The kernel's VMA after a call (MS_VMA_NOW). */
static void mt_seen(struct model *m, __u32 pid, __u64 start, __u64 end, __u64 anon)
{
	struct ms_vma_now v = { .start = start, .end = end, .anon = anon };

	mt_hdr(&v.h, MS_VMA_NOW, sizeof(v), pid, 0);
	model__apply(m, &v.h);
}

/* What the kernel says after a call wins over the model's guesses (anon_vmas). */
static void test_kernel_answer(void)
{
	struct model *m = model__new(PG);

	/* merged by the model, apart in the kernel (the first had an anon_vma, another's) */
	mt_mmap(m, P, A(0x10), A(4), RW, PRIV);
	mt_mmap(m, P, A(0x14), A(4), RW, PRIV);
	CHECK_STR(mt_layout(m, P), "10-18 rw-p;");
	mt_seen(m, P, A(0x14), A(0x18), 0);
	CHECK_STR(mt_layout(m, P), "10-14 rw-p;14-18 rw-p;");
	/* and back: one VMA in the kernel, one region */
	mt_seen(m, P, A(0x10), A(0x18), 1ULL << 63 | 7);
	CHECK_STR(mt_layout(m, P), "10-18 rw-p;");
	/* two anon_vmas side by side never merge, whatever the model guessed */
	mt_seen(m, P, A(0x10), A(0x14), 1ULL << 63 | 7);
	mt_seen(m, P, A(0x14), A(0x18), 1ULL << 63 | 9);
	mt_mprotect(m, P, A(0x14), A(4), PROT_READ);
	mt_mprotect(m, P, A(0x14), A(4), RW);
	CHECK_STR(mt_layout(m, P), "10-14 rw-p;14-18 rw-p;");
	/* a region of another kind inside is left as the model has it */
	mt_mmap(m, P, A(0x18), A(2), PROT_READ, PRIV);
	mt_seen(m, P, A(0x14), A(0x1a), 0);
	CHECK_STR(mt_layout(m, P), "10-14 rw-p;14-18 rw-p;18-1a r--p;");
	CHECK(mt_consistent(m, P));
	model__free(m);
}

int main(void)
{
	test_new_mappings();
	test_files();
	test_mprotect();
	test_madvise();
	test_mremap();
	test_fork();
	test_fork_shared_then_parent_first();
	test_concurrent_munmap();
	test_seed_hints();
	test_kernel_answer();
	CHECK_DONE();
}
