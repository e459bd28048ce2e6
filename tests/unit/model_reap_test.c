// SPDX-License-Identifier: GPL-2.0
/* Exited processes are forgotten a few seconds (of record time) after they exit. */
#include "check.h"
#include "model/model.h"

#define SEC 1000000000ULL

static void seed(struct model *m, __u32 pid, __u64 ts)
{
	struct ms_seed_begin b = { .h = { ts, pid, pid, MS_SEED_BEGIN, sizeof(b) } };
	struct {
		struct ms_vma v;
		char path[8];
	} v = { .v = { .h = { ts, pid, pid, MS_VMA, sizeof(v) },
		       .start = 0x1000,
		       .end = 0x3000,
		       .prot = MS_VMA_READ } };
	struct ms_seed_end e = { .h = { ts, pid, pid, MS_SEED_END, sizeof(e) } };

	model__apply(m, &b.h);
	model__apply(m, &v.v.h);
	model__apply(m, &e.h);
}

static void exit_group(struct model *m, __u32 pid, __u64 ts)
{
	struct ms_exit x = { .h = { ts, pid, pid, MS_EXIT, sizeof(x), MS_EXIT_GROUP } };

	model__apply(m, &x.h);
}

int main(void)
{
	struct model *m = model__new(4096);
	__u32 pid;

	for (pid = 100; pid < 5100; pid++) {
		seed(m, pid, pid * 1000ULL);
		exit_group(m, pid, pid * 1000ULL + 1);
	}
	seed(m, 9999, 1 * SEC);
	CHECK(model__process(m, 100) != NULL); /* still shown right after its exit */
	CHECK(model__process(m, 100)->flags & MPROC_EXITED);
	seed(m, 9998, 10 * SEC);
	CHECK(model__process(m, 100) == NULL);
	CHECK(model__process(m, 5099) == NULL);
	CHECK(model__process(m, 9999) != NULL); /* the living stay */
	CHECK_EQ(model__process(m, 9999)->nr_regions, 1);
	model__free(m);
	CHECK_DONE();
}
