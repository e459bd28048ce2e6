// SPDX-License-Identifier: GPL-2.0
/*
 * The pid table under churn: a million pids come and go, a few dozen alive at
 * once. Its size must follow the pids alive, not the pids ever seen (deleted
 * slots reused, the table rehashed at its size or smaller), and every value
 * must survive the rehashes.
 */
#include <stdlib.h>
#include "check.h"
#include "util/pidtab.h"

#define ALIVE 50

static bool odd(__u32 pid, void *ctx)
{
	(void)ctx;
	return pid & 1;
}

static void churn(void)
{
	struct pidtab *t = pidtab__new(sizeof(__u32));
	size_t max_cap = 0;
	__u32 pid;

	for (pid = 1; pid <= 1000000; pid++) {
		__u32 *v = pidtab__put(t, pid);

		CHECK(v != NULL);
		if (v)
			*v = pid * 3;
		if (pid > ALIVE)
			pidtab__del(t, pid - ALIVE);
		if (pidtab__capacity(t) > max_cap)
			max_cap = pidtab__capacity(t);
	}
	CHECK_EQ(pidtab__count(t), ALIVE);
	CHECK(max_cap <= 4 * 4 * ALIVE);
	for (pid = 1000000 - ALIVE + 1; pid <= 1000000; pid++) {
		__u32 *v = pidtab__get(t, pid);

		CHECK(v && *v == pid * 3);
	}
	CHECK(pidtab__get(t, 1000000 - ALIVE) == NULL);
	pidtab__free(t);
}

/* Many alive at once, then nearly all gone: the table gives the room back. */
static void shrink(void)
{
	struct pidtab *t = pidtab__new(64);
	__u32 pid;

	for (pid = 1; pid <= 100000; pid++)
		CHECK(pidtab__put(t, pid) != NULL);
	CHECK(pidtab__capacity(t) >= 100000);
	for (pid = 1; pid <= 99990; pid++)
		pidtab__del(t, pid);
	CHECK_EQ(pidtab__count(t), 10);
	CHECK(pidtab__capacity(t) <= 64);
	for (pid = 99991; pid <= 100000; pid++)
		CHECK(pidtab__get(t, pid) != NULL);
	pidtab__prune(t, odd, NULL);
	CHECK_EQ(pidtab__count(t), 5);
	CHECK(pidtab__get(t, 99991) && !pidtab__get(t, 99992));
	pidtab__free(t);
}

int main(void)
{
	churn();
	shrink();
	CHECK_DONE();
}
