// SPDX-License-Identifier: GPL-2.0
/* The layout model: one process's syscalls, faults and stack growth. */
#include "model_util.h"

#define P 100
#define A(x) ((__u64)(x)*PG)
#define RW (PROT_READ | PROT_WRITE)
#define PRIV MAP_PRIVATE

static void test_munmap(void)
{
	struct model *m = model__new(PG);

	mt_mmap(m, P, A(0x10), A(0x10), RW, PRIV);
	CHECK_STR(mt_layout(m, P), "10-20 rw-p;");
	mt_munmap(m, P, A(0x13), A(2));
	CHECK_STR(mt_layout(m, P), "10-13 rw-p;15-20 rw-p;");
	CHECK_EQ(model__event_region(m)->start, A(0x13));
	CHECK_EQ(model__event_region(m)->end, A(0x15));
	/* spanning several regions and a hole */
	mt_mmap(m, P, A(0x30), A(0x10), PROT_READ, PRIV);
	mt_mmap(m, P, A(0x40), A(0x10), RW, PRIV);
	mt_mmap(m, P, A(0x58), A(0x8), PROT_READ, PRIV);
	mt_munmap(m, P, A(0x35), A(0x28));
	CHECK_STR(mt_layout(m, P), "10-13 rw-p;15-20 rw-p;30-35 r--p;5d-60 r--p;");
	/* an unaligned length covers its last page */
	mt_munmap(m, P, A(0x10), 1);
	CHECK_STR(mt_layout(m, P), "11-13 rw-p;15-20 rw-p;30-35 r--p;5d-60 r--p;");
	CHECK_EQ(model__process(m, P)->munmaps, 3);
	CHECK(mt_consistent(m, P));
	model__free(m);
}

static void test_mprotect_fixed(void)
{
	struct model *m = model__new(PG);
	const struct region *r;

	mt_mmap(m, P, A(0x100), A(0x10), RW, PRIV);
	mt_mprotect(m, P, A(0x103), A(2), PROT_READ);
	CHECK_STR(mt_layout(m, P), "100-103 rw-p;103-105 r--p;105-110 rw-p;");
	CHECK_EQ(model__event_region(m)->start, A(0x103));
	/* the pieces agree again: one VMA, as the kernel merges them */
	mt_mprotect(m, P, A(0x100), A(0x10), PROT_NONE);
	CHECK_STR(mt_layout(m, P), "100-110 ---p;");
	/* MAP_FIXED over several regions */
	mt_mmap(m, P, A(0x200), A(0x10), RW, PRIV);
	mt_mmap(m, P, A(0x210), A(0x10), PROT_READ, PRIV);
	mt_mmap(m, P, A(0x205), A(0x10), PROT_READ | PROT_EXEC, PRIV | MAP_FIXED);
	r = model__event_region(m);
	CHECK(r && r->start == A(0x205) && r->end == A(0x215));
	CHECK_STR(mt_layout(m, P), "100-110 ---p;200-205 rw-p;205-215 r-xp;215-220 r--p;");
	/* a shared mapping keeps its s through mprotect */
	mt_mmap(m, P, A(0x300), A(4), RW, MAP_SHARED);
	mt_mprotect(m, P, A(0x301), A(1), PROT_READ);
	CHECK_STR(strstr(mt_layout(m, P), "300-"), "300-301 rw-s /dev/zero (deleted);"
						   "301-302 r--s /dev/zero (deleted);"
						   "302-304 rw-s /dev/zero (deleted);");
	r = model__region_at(m, P, A(0x302));
	CHECK(r && r->pgoff == A(2) && r->ino == 0 && r->cls == RC_SHM);
	CHECK(mt_consistent(m, P));
	model__free(m);
}

static void test_file_pgoff(void)
{
	struct model *m = model__new(PG);
	const struct region *r;

	mt_sys_file(m, MS_MMAP, P, A(0x300), 0, A(0x10), PROT_READ, PRIV, 3, "/lib/x.so", 77, 2,
		    (8 << 20) | 1, 0);
	r = model__region_at(m, P, A(0x300));
	CHECK(r && r->pgoff == A(2) && r->ino == 77 && r->dev == ((8 << 20) | 1));
	CHECK_STR(r->path, "/lib/x.so");
	mt_munmap(m, P, A(0x300), A(3));
	r = model__region_at(m, P, A(0x303));
	CHECK(r && r->start == A(0x303) && r->pgoff == A(5));
	mt_mprotect(m, P, A(0x308), A(1), RW);
	r = model__region_at(m, P, A(0x309));
	CHECK(r && r->pgoff == A(0xb) && r->prot == MS_VMA_READ);
	/* vm_flags from the VMA win over the arguments; VM_MAYSHARE means s */
	mt_sys_file(m, MS_MMAP, P, A(0x400), 0, A(1), RW, MAP_SHARED, 3, "/f", 5, 0, 0,
		    MS_VMA_READ | 0x80);
	r = model__region_at(m, P, A(0x400));
	CHECK(r && r->prot == (MS_VMA_READ | MS_VMA_SHARED) && r->cls == RC_SHM);
	CHECK(mt_consistent(m, P));
	model__free(m);
}

static void test_mremap(void)
{
	struct model *m = model__new(PG);
	const struct region *r;

	mt_sys_file(m, MS_MMAP, P, A(0x400), 0, A(2), RW, PRIV, 3, "/data", 9, 1, 0, 0);
	/* grow in place */
	mt_sys(m, MS_MREMAP, P, A(0x400), A(0x400), A(2), A(4), MREMAP_MAYMOVE, 0);
	CHECK_STR(mt_layout(m, P), "400-404 rw-p /data;");
	CHECK_EQ(model__event_region(m)->end, A(0x404));
	/* shrink in place */
	mt_sys(m, MS_MREMAP, P, A(0x400), A(0x400), A(4), A(3), 0, 0);
	CHECK_STR(mt_layout(m, P), "400-403 rw-p /data;");
	/* move from the middle: attributes and pgoff go along */
	mt_fault(m, P, A(0x401), MS_PF_WRITE);
	mt_fault(m, P, A(0x402), 0);
	mt_sys(m, MS_MREMAP, P, A(0x500), A(0x401), A(2), A(5), MREMAP_MAYMOVE, 0);
	CHECK_STR(mt_layout(m, P), "400-401 rw-p /data;500-505 rw-p /data;");
	r = model__region_at(m, P, A(0x500));
	CHECK(r && r->pgoff == A(2) && r->ino == 9 && r->touched_pages == 2);
	CHECK(model__event_region(m) && model__event_region(m)->start == A(0x500));
	/* DONTUNMAP: the old range stays, emptied */
	mt_mmap(m, P, A(0x600), A(2), RW, PRIV);
	mt_fault(m, P, A(0x600), MS_PF_WRITE);
	mt_sys(m, MS_MREMAP, P, A(0x700), A(0x600), A(2), A(2),
	       MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, A(0x700));
	CHECK_STR(strstr(mt_layout(m, P), "600-"), "600-602 rw-p;700-702 rw-p;");
	CHECK_EQ(model__region_at(m, P, A(0x600))->touched_pages, 0);
	CHECK_EQ(model__region_at(m, P, A(0x700))->touched_pages, 1);
	/* a source already gone leaves the destination alone */
	mt_sys(m, MS_MREMAP, P, A(0x800), A(0x900), A(1), A(1), MREMAP_MAYMOVE, 0);
	CHECK(!model__region_at(m, P, A(0x800)));
	CHECK_EQ(model__process(m, P)->mremaps, 5);
	CHECK(mt_consistent(m, P));
	model__free(m);
}

static void test_brk(void)
{
	struct model *m = model__new(PG);
	const struct mproc *p;
	const struct region *r;

	mt_brk(m, P, A(0x1000), A(0x1000));
	CHECK_STR(mt_layout(m, P), "");
	mt_brk(m, P, A(0x1000), A(0x1002) + 100);
	CHECK_STR(mt_layout(m, P), "1000-1003 rw-p [heap];");
	r = model__event_region(m);
	CHECK(r && r->cls == RC_HEAP && r->pgoff == 0);
	mt_brk(m, P, A(0x1000), A(0x1010));
	CHECK_STR(mt_layout(m, P), "1000-1010 rw-p [heap];");
	p = model__process(m, P);
	CHECK_EQ(p->heap, A(0x10));
	mt_brk(m, P, A(0x1000), A(0x1001));
	CHECK_STR(mt_layout(m, P), "1000-1001 rw-p [heap];");
	CHECK_EQ(p->heap, A(1));
	CHECK_EQ(p->peak_heap, A(0x10));
	mt_brk(m, P, A(0x1000), A(0x1000));
	CHECK_STR(mt_layout(m, P), "");
	CHECK_EQ(p->heap, 0);
	CHECK_EQ(p->brks, 5);
	CHECK_EQ(p->brk, A(0x1000));
	model__free(m);
}

static void test_stack_failed(void)
{
	struct model *m = model__new(PG);
	struct ms_stack s = {};
	const struct mproc *p;

	mt_seed_begin(m, P, MS_SEED_AT_START, "t");
	mt_vma(m, P, A(0x7000), A(0x7010), RW, 0, 0, 0, "[stack]");
	mt_seed_end(m, P);
	s.addr = A(0x6ffe) + 5;
	mt_hdr(&s.h, MS_STACK, sizeof(s), P, 0);
	model__apply(m, &s.h);
	CHECK_STR(mt_layout(m, P), "6ffe-7010 rw-p [stack];");
	CHECK(model__event_region(m) && model__event_region(m)->cls == RC_STACK);
	CHECK_EQ(model__process(m, P)->stack, A(0x12));
	s.addr = A(0x7001); /* never shrinks */
	mt_hdr(&s.h, MS_STACK, sizeof(s), P, 0);
	model__apply(m, &s.h);
	CHECK_STR(mt_layout(m, P), "6ffe-7010 rw-p [stack];");
	/* failed calls change nothing */
	mt_sys(m, MS_MMAP, P, -12, 0, A(1), RW, PRIV | MAP_ANONYMOUS, -1);
	mt_sys(m, MS_MUNMAP, P, -22, A(0x7000), A(1), 0, 0, 0);
	mt_sys(m, MS_MPROTECT, P, -13, A(0x7000), A(1), 0, 0, 0);
	CHECK_STR(mt_layout(m, P), "6ffe-7010 rw-p [stack];");
	CHECK(!model__event_region(m));
	p = model__process(m, P);
	CHECK_EQ(p->failed, 3);
	CHECK_EQ(p->mmaps, 0);
	model__free(m);
}

static void test_touched(void)
{
	struct model *m = model__new(PG);
	const struct region *r;
	const struct mproc *p;

	mt_mmap(m, P, A(0x800), A(0x10), RW, PRIV);
	mt_fault(m, P, A(0x801), MS_PF_WRITE);
	mt_fault(m, P, A(0x801) + 8, MS_PF_WRITE);
	mt_fault(m, P, A(0x805), 0);
	mt_fault(m, P, A(0x805), MS_PF_PROT | MS_PF_WRITE);
	mt_fault(m, P, A(0x80f), MS_PF_INSTR);
	r = model__region_at(m, P, A(0x800));
	CHECK_EQ(r->touched_pages, 3);
	CHECK_EQ(r->faults, 5);
	CHECK_EQ(r->write_faults, 3);
	CHECK_EQ(r->prot_faults, 1);
	CHECK_EQ(r->exec_faults, 1);
	p = model__process(m, P);
	CHECK_EQ(p->faults, 5);
	/* MADV_DONTNEED gives pages back */
	mt_sys(m, MS_MADVISE, P, 0, A(0x801), A(1), MADV_DONTNEED, 0, 0);
	CHECK_EQ(model__region_at(m, P, A(0x800))->touched_pages, 2);
	mt_fault(m, P, A(0x801), 0);
	CHECK_EQ(model__region_at(m, P, A(0x800))->touched_pages, 3);
	/* splitting divides them, unmapping drops them */
	mt_mprotect(m, P, A(0x804), A(2), PROT_READ);
	CHECK_EQ(model__region_at(m, P, A(0x800))->touched_pages, 1);
	CHECK_EQ(model__region_at(m, P, A(0x804))->touched_pages, 1);
	CHECK_EQ(model__region_at(m, P, A(0x806))->touched_pages, 1);
	mt_munmap(m, P, A(0x804), A(2));
	CHECK_EQ(model__event_region(m)->touched_pages, 1);
	/* mapped again, the hole merges with both sides and their pages */
	mt_mmap(m, P, A(0x804), A(2), RW, PRIV | MAP_FIXED);
	CHECK_STR(mt_layout(m, P), "800-810 rw-p;");
	CHECK_EQ(model__region_at(m, P, A(0x804))->touched_pages, 2);
	/* MADV_FREE */
	mt_sys(m, MS_MADVISE, P, 0, A(0x800), A(0x10), MADV_FREE, 0, 0);
	CHECK_EQ(model__region_at(m, P, A(0x800))->touched_pages, 0);
	CHECK_EQ(model__region_at(m, P, A(0x806))->touched_pages, 0);
	/* a fault outside every region counts for the process only */
	mt_fault(m, P, A(0x5), 0);
	CHECK_EQ(p->faults, 7);
	CHECK(!model__event_region(m));
	/* MS_FAULTS totals: the larger count wins */
	{
		struct ms_faults f = {};

		f.total.faults = 100;
		mt_hdr(&f.h, MS_FAULTS, sizeof(f), P, 0);
		model__apply(m, &f.h);
		CHECK_EQ(p->faults, 100);
	}
	CHECK(mt_consistent(m, P));
	model__free(m);
}

static void test_garbage(void)
{
	struct model *m = model__new(PG);
	union mt_rec r;
	int i, j;

	/* short, unknown and random records must not crash or corrupt */
	srand(1);
	for (i = 0; i < 20000; i++) {
		for (j = 0; j < 256; j++)
			r.b[j] = rand();
		r.h.type = rand() % 40;
		r.h.size = rand() % 260;
		r.h.pid = 1 + rand() % 3;
		model__apply(m, &r.h);
	}
	for (i = 1; i <= 3; i++)
		CHECK(mt_consistent(m, i));
	model__free(m);
	model__free(NULL);
}

static void mt_name(struct model *m, __u32 dev, __u64 ino, const char *path)
{
	union mt_rec r;
	struct ms_name *n = (void *)&r;

	memset(&r, 0, sizeof(r));
	n->dev = dev;
	n->ino = ino;
	n->path_len = strlen(path);
	strcpy(n->path, path);
	mt_hdr(&n->h, MS_NAME, sizeof(*n) + MS_ALIGN8(n->path_len + 1), 0, 0);
	model__apply(m, &n->h);
}

/* shmat/shmdt, pkey_mprotect, mseal, remap_file_pages, and a renamed file (MS_NAME). */
static void test_more_calls(void)
{
	struct model *m = model__new(PG);
	const char *shm = "/SYSV00000000 (deleted)";

	/* two attaches of one segment side by side: shmdt takes only the one at its address */
	mt_sys_file(m, MS_SHMAT, P, A(0x100), 7, 0, 0, A(3), 0, shm, 9, 0, 1,
		    MS_VMA_READ | MS_VMA_WRITE | MS_VMA_SHARED);
	mt_sys_file(m, MS_SHMAT, P, A(0x103), 7, 0, 0x1000, A(3), 0, shm, 9, 0, 1,
		    MS_VMA_READ | MS_VMA_SHARED);
	CHECK_STR(mt_layout(m, P), "100-103 rw-s /SYSV00000000 (deleted);"
				   "103-106 r--s /SYSV00000000 (deleted);");
	mt_sys(m, MS_SHMDT, P, 0, A(0x100), 0, 0, 0, 0);
	CHECK_STR(mt_layout(m, P), "103-106 r--s /SYSV00000000 (deleted);");
	CHECK_EQ(model__process(m, P)->munmaps, 1);
	/* pkey_mprotect is mprotect; mseal splits (VM_SEALED) where nothing else changes */
	mt_mmap(m, P, A(0x200), A(6), RW, PRIV);
	mt_sys(m, MS_PKEY_MPROTECT, P, 0, A(0x201), A(1), PROT_READ, -1, 0);
	mt_sys(m, MS_MSEAL, P, 0, A(0x204), A(1), 0, 0, 0);
	CHECK_STR(strstr(mt_layout(m, P), "200-"),
		  "200-201 rw-p;201-202 r--p;202-204 rw-p;204-205 rw-p;205-206 rw-p;");
	/* remap_file_pages: the region's file, shared, at the page asked for */
	mt_sys_file(m, MS_MMAP, P, A(0x300), 0, A(4), RW, MAP_SHARED, 3, "/tmp/f", 5, 0, 8,
		    MS_VMA_READ | MS_VMA_WRITE | MS_VMA_SHARED);
	mt_sys(m, MS_REMAP_FILE_PAGES, P, 0, A(0x300), A(1), 0, 3, 0);
	CHECK_EQ(model__region_at(m, P, A(0x300))->pgoff, A(3));
	CHECK_EQ(model__region_at(m, P, A(0x301))->pgoff, A(1));
	CHECK_STR(model__region_at(m, P, A(0x300))->path, "/tmp/f");
	/* renamed: every region of (dev, ino), in the child sharing the layout too */
	mt_fork(m, P, P + 1, P + 1, 0, 0);
	mt_name(m, 8, 5, "/tmp/g (deleted)");
	CHECK_STR(model__region_at(m, P, A(0x300))->path, "/tmp/g (deleted)");
	CHECK_STR(model__region_at(m, P, A(0x302))->path, "/tmp/g (deleted)");
	CHECK_STR(model__region_at(m, P + 1, A(0x301))->path, "/tmp/g (deleted)");
	CHECK_STR(model__region_at(m, P, A(0x103))->path, shm);
	CHECK(mt_consistent(m, P));
	model__free(m);
}

int main(void)
{
	test_munmap();
	test_mprotect_fixed();
	test_file_pgoff();
	test_mremap();
	test_brk();
	test_stack_failed();
	test_touched();
	test_garbage();
	test_more_calls();
	CHECK_DONE();
}
