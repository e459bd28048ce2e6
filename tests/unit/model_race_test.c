// SPDX-License-Identifier: GPL-2.0
/*
 * Records come in the order calls returned. Thread A's munmap frees a range,
 * thread B's mmap reuses it and returns first: the munmap record, arriving
 * later, must not take B's mapping away. A munmap that began after the
 * mapping was made does remove it. A record stamped when its call took the
 * mmap lock is in the kernel's order: it removes all it covers.
 */
#include <sys/mman.h>
#include "check.h"
#include "model_util.h"

static void munmap_flags(struct model *m, __u32 pid, __u64 addr, __u64 len, __u64 dur, __u32 flags)
{
	union mt_rec r;
	struct ms_syscall *s = (void *)&r;

	memset(&r, 0, sizeof(r));
	s->args[0] = addr;
	s->args[1] = len;
	mt_hdr(&s->h, MS_MUNMAP, sizeof(*s), pid, flags);
	s->dur_ns = dur;
	model__apply(m, &s->h);
}

static void munmap_began(struct model *m, __u32 pid, __u64 addr, __u64 len, __u64 dur)
{
	munmap_flags(m, pid, addr, len, dur, 0);
}

int main(void)
{
	struct model *m = model__new(4096);
	const int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;

	mt_seed_begin(m, 7, MS_SEED_AT_START, "race");
	mt_seed_end(m, 7);
	mt_mmap(m, 7, 0x10000000, 16 * PG, rw, anon); /* A's old block */
	/* records are 1000 ns apart: A's munmap began after its block was made,
	 * and B's two pages were mapped while it ran */
	mt_mmap(m, 7, 0x10000000, 2 * PG, PROT_READ, anon);
	munmap_began(m, 7, 0x10000000, 16 * PG, 1500);
	CHECK_STR(mt_layout(m, 7), "10000-10002 r--p;");
	CHECK(mt_consistent(m, 7));
	/* a munmap that began after the mapping was made removes it */
	munmap_began(m, 7, 0x10000000, 2 * PG, 10);
	CHECK_STR(mt_layout(m, 7), "");
	/* survivors in the middle: only the space around them goes */
	mt_mmap(m, 7, 0x20000000, 8 * PG, rw, anon);
	mt_mmap(m, 7, 0x20002000, PG, PROT_READ, anon | MAP_FIXED);
	munmap_began(m, 7, 0x20000000, 8 * PG, 1500);
	CHECK_STR(mt_layout(m, 7), "20002-20003 r--p;");
	CHECK(mt_consistent(m, 7));
	/* in lock order, what was mapped while the munmap waited for the lock goes */
	mt_mmap(m, 7, 0x30000000, 8 * PG, rw, anon);
	mt_mmap(m, 7, 0x30002000, PG, PROT_READ, anon | MAP_FIXED);
	munmap_flags(m, 7, 0x30000000, 8 * PG, 1500, MS_SYS_LOCK_TS);
	CHECK_STR(mt_layout(m, 7), "20002-20003 r--p;");
	CHECK(mt_consistent(m, 7));
	model__free(m);
	CHECK_DONE();
}
