// SPDX-License-Identifier: GPL-2.0
/*
 * The knowledge that has one home (issue 14): the -p/-c rule (util/selection),
 * a record's smallest size and its command name (util/record), a mapping's
 * permissions as /proc prints them (util/fmt), a glibc arena's shape (model).
 */
#include "check.h"
#include "model/model.h"
#include "util/fmt.h"
#include "util/record.h"
#include "util/selection.h"

#define MB (1ULL << 20)

static void selection(void)
{
	struct selection none = {};
	struct selection by_pid = { .pids = { 10, 20 }, .nr_pids = 2 };
	struct selection by_comm = { .comm = "fifteen-chars-x" };

	CHECK(selection__all(&none) && selection__match(&none, 99, NULL));
	CHECK(!selection__all(&by_pid) && !selection__all(&by_comm));
	CHECK(selection__match(&by_pid, 20, "x") && !selection__match(&by_pid, 30, "x"));
	CHECK(!selection__comm(&by_pid, "")); /* no -c: no name matches, not even "" */
	CHECK(selection__match(&by_comm, 1, "fifteen-chars-x"));
	CHECK(!selection__match(&by_comm, 1, "fifteen-chars-") &&
	      !selection__match(&by_comm, 1, NULL));
}

static void records(void)
{
	struct ms_fork f = { .h = { .type = MS_FORK, .size = sizeof(f) }, .comm = "parent" };
	struct ms_fault pf = { .h = { .type = MS_FAULT, .size = sizeof(pf) } };

	/* a string ends these records: its NUL at least */
	CHECK_EQ(record_min_size(MS_EXEC), sizeof(struct ms_exec) + 1);
	CHECK_EQ(record_min_size(MS_VMA), sizeof(struct ms_vma) + 1);
	CHECK_EQ(record_min_size(MS_MMAP), sizeof(struct ms_syscall));
	CHECK_EQ(record_min_size(MS_TYPE_MAX), 0);
	CHECK_STR(record_comm(&f.h), "parent");
	CHECK(record_comm(&pf.h) == NULL);
}

static void perms(void)
{
	char b[8];

	CHECK_STR(fmt_perms(b, sizeof(b), MS_VMA_READ | MS_VMA_EXEC), "r-xp");
	CHECK_STR(fmt_perms(b, sizeof(b), MS_VMA_READ | MS_VMA_WRITE | MS_VMA_SHARED), "rw-s");
	CHECK_STR(fmt_perms(b, sizeof(b), 0), "---p");
}

static void arenas(void)
{
	struct region whole = { .start = 128 * MB, .end = 192 * MB };
	struct region used = { .start = 128 * MB, .end = 130 * MB };
	struct region rest = { .start = 130 * MB, .end = 192 * MB };
	struct region off = { .start = 129 * MB, .end = 193 * MB };

	CHECK(region__arena_low(&whole, NULL));
	CHECK(region__arena_low(&used, &rest) && !region__arena_low(&used, NULL));
	CHECK(region__arena_high(&rest, &used) && !region__arena_high(&rest, NULL));
	CHECK(!region__arena_low(&rest, NULL) && !region__arena_high(&used, NULL));
	CHECK(!region__arena_low(&off, NULL) && !region__arena_high(&off, NULL));
}

int main(void)
{
	selection();
	records();
	perms();
	arenas();
	CHECK_DONE();
}
