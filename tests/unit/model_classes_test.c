// SPDX-License-Identifier: GPL-2.0
/*
 * Region classes are kept up near each change only: after every random
 * operation they must equal a classification of the whole layout from
 * scratch (file runs, bss, guard and stack pairs, arenas, seeded shapes).
 */
#include <sys/mman.h>
#include "check.h"
#include "model/layout.h"

#define PG 4096ull
#define NPAGES 48
#define BASE (0x100000ull * PG)

static unsigned seed = 777;

static unsigned rnd(unsigned n)
{
	seed = seed * 1103515245 + 12345;
	return (seed >> 8) % n;
}

static struct pstr *files[4];

static void random_map(struct layout *l, __u64 a, __u64 b)
{
	static const __u32 flags[] = { 0, RF_SEEDED, RF_TSTACK, RF_ARENA, RF_MALLOC, 0, 0 };
	int file = rnd(4);
	struct region t = {
		.start = a,
		.end = b,
		.prot = rnd(16), /* read, write, exec, shared */
		.mmap_flags = rnd(4) ? 0 : MAP_STACK,
	};

	if (file) {
		t.ino = file;
		t.dev = 1;
		t.pgoff = rnd(8) * PG;
	}
	/* a few creating calls, so that neighbours are often pieces of one */
	layout__map(l, &t, files[file], flags[rnd(7)], rnd(3));
}

/* The classes as kept, then as computed from scratch: the same? */
static int classes_fresh(struct layout *l, int step)
{
	enum region_class kept[NPAGES * 2];
	struct rnode *n;
	int i = 0, bad = 0;

	for (n = l->first; n && i < NPAGES * 2; n = n->next)
		kept[i++] = n->r.cls;
	layout__reclassify(l, 0, ~0ull);
	for (n = l->first, i = 0; n && i < NPAGES * 2; n = n->next, i++) {
		if (kept[i] == n->r.cls)
			continue;
		fprintf(stderr, "step %d: region %llx-%llx kept as %s, is %s\n", step,
			(unsigned long long)n->r.start, (unsigned long long)n->r.end,
			region_class_name(kept[i]), region_class_name(n->r.cls));
		bad = 1;
	}
	return !bad;
}

int main(void)
{
	struct layout *l = layout__new(PG);
	int step, ok = 1;

	files[1] = pstr__new("/lib/a.so", 9);
	files[2] = pstr__new("/lib/b.so", 9);
	files[3] = pstr__new("/usr/bin/c", 10);
	for (step = 0; step < 200000 && ok; step++) {
		unsigned n = 1 + rnd(6), p = rnd(NPAGES - n + 1);
		__u64 a = BASE + p * PG, b = a + n * PG;

		switch (rnd(5)) {
		case 0:
		case 1:
			random_map(l, a, b);
			break;
		case 2:
			layout__unmap(l, a, b, NULL);
			break;
		case 3:
			layout__protect(l, a, b, rnd(8));
			break;
		case 4:
			layout__set_rflags(l, a, b, rnd(2) ? RF_TSTACK : 0, rnd(2) ? RF_ARENA : 0);
			break;
		}
		ok = classes_fresh(l, step);
		CHECK(ok);
	}
	layout__put(l);
	pstr__put(files[1]);
	pstr__put(files[2]);
	pstr__put(files[3]);
	CHECK_DONE();
}
