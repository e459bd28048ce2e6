// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "util/pidtab.h"

#define EMPTY 0u
#define GONE 0xffffffffu /* tombstone: pids never reach it */
#define MIN_CAP 64

/*
 * Pids churn: a table sees every pid once and keeps few. The slots hold only
 * pids and an index into a dense array of values, so the values cost what
 * the pids present need. A deletion leaves a tombstone, which a put reuses;
 * when pids and tombstones fill half the slots the table is rehashed at a
 * size fit for the pids present (grown, the same, or smaller), and a table
 * whose pids fall to an eighth of its slots shrinks: its size follows the
 * processes alive, never the processes ever seen nor the range of pids.
 */
struct pidtab {
	size_t value_size;
	size_t cap; /* slots, a power of two (0: none yet) */
	size_t used; /* slots holding a pid or a tombstone */
	__u32 *keys; /* by slot */
	__u32 *index; /* by slot: where its value is */
	size_t live; /* pids present: values[0, live) */
	size_t vcap; /* values allocated */
	__u32 *pids; /* by value: its pid */
	char *values;
};

struct pidtab *pidtab__new(size_t value_size)
{
	struct pidtab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->value_size = value_size ? value_size : 1;
	return t;
}

void pidtab__free(struct pidtab *t)
{
	if (!t)
		return;
	free(t->keys);
	free(t->index);
	free(t->pids);
	free(t->values);
	free(t);
}

size_t pidtab__count(const struct pidtab *t)
{
	return t->live;
}

size_t pidtab__capacity(const struct pidtab *t)
{
	return t->cap > t->vcap ? t->cap : t->vcap;
}

static size_t slot_of(const struct pidtab *t, __u32 pid)
{
	return (pid * 2654435761u) & (t->cap - 1);
}

/* pid's slot, or the empty slot that ends its probe chain. */
static size_t find(const struct pidtab *t, __u32 pid)
{
	size_t i = slot_of(t, pid);

	while (t->keys[i] != EMPTY && t->keys[i] != pid)
		i = (i + 1) & (t->cap - 1);
	return i;
}

static void *value(const struct pidtab *t, size_t i)
{
	return t->values + i * t->value_size;
}

void *pidtab__get(struct pidtab *t, __u32 pid)
{
	size_t i;

	if (!t->cap || pid == EMPTY || pid == GONE)
		return NULL;
	i = find(t, pid);
	return t->keys[i] == pid ? value(t, t->index[i]) : NULL;
}

/* The smallest power of two that keeps n pids at most a quarter of the slots. */
static size_t cap_for(size_t n)
{
	size_t cap = MIN_CAP;

	while (cap < 4 * n)
		cap *= 2;
	return cap;
}

/* Rehash the pids present into cap slots, dropping the tombstones. */
static int rehash(struct pidtab *t, size_t cap)
{
	__u32 *keys = calloc(cap, sizeof(*keys)), *index = malloc(cap * sizeof(*index));
	size_t i;

	if (!keys || !index) {
		free(keys);
		free(index);
		return -1;
	}
	free(t->keys);
	free(t->index);
	t->keys = keys;
	t->index = index;
	t->cap = cap;
	t->used = t->live;
	for (i = 0; i < t->live; i++) {
		size_t j = find(t, t->pids[i]);

		t->keys[j] = t->pids[i];
		t->index[j] = i;
	}
	return 0;
}

/* Room for n values: doubled when full, halved when a quarter is used. */
static int fit_values(struct pidtab *t, size_t n)
{
	size_t vcap = t->vcap;
	__u32 *pids;
	char *values;

	if (n > vcap)
		vcap = vcap ? vcap * 2 : MIN_CAP / 4;
	else if (vcap > MIN_CAP && n * 4 < vcap)
		vcap /= 2;
	if (vcap == t->vcap)
		return 0;
	/* a failed shrink keeps the larger arrays: they still serve */
	pids = realloc(t->pids, vcap * sizeof(*pids));
	if (pids)
		t->pids = pids;
	values = pids ? realloc(t->values, vcap * t->value_size) : NULL;
	if (values)
		t->values = values;
	if (n > t->vcap && !values)
		return -1;
	t->vcap = vcap;
	return 0;
}

/* The first tombstone on pid's probe chain, else the empty slot ending it. */
static size_t free_slot(const struct pidtab *t, __u32 pid)
{
	size_t i = slot_of(t, pid);

	while (t->keys[i] != EMPTY && t->keys[i] != GONE)
		i = (i + 1) & (t->cap - 1);
	return i;
}

void *pidtab__put(struct pidtab *t, __u32 pid)
{
	void *v = pidtab__get(t, pid);
	size_t i;

	if (v || pid == EMPTY || pid == GONE)
		return v;
	if ((t->used + 1) * 2 > t->cap && rehash(t, cap_for(t->live + 1)))
		return NULL;
	if (fit_values(t, t->live + 1))
		return NULL;
	i = free_slot(t, pid);
	if (t->keys[i] == EMPTY)
		t->used++;
	t->keys[i] = pid;
	t->index[i] = t->live;
	t->pids[t->live] = pid;
	v = value(t, t->live++);
	memset(v, 0, t->value_size);
	return v;
}

void pidtab__del(struct pidtab *t, __u32 pid)
{
	size_t i, at, last;

	if (!pidtab__get(t, pid))
		return;
	i = find(t, pid);
	at = t->index[i];
	t->keys[i] = GONE;
	last = --t->live;
	if (at != last) { /* the last value fills the hole */
		memcpy(value(t, at), value(t, last), t->value_size);
		t->pids[at] = t->pids[last];
		t->index[find(t, t->pids[at])] = at;
	}
	fit_values(t, t->live);
	if (t->cap > MIN_CAP && t->live * 8 < t->cap)
		rehash(t, cap_for(t->live)); /* on failure: stays as big, still right */
}

void pidtab__prune(struct pidtab *t, bool (*keep)(__u32 pid, void *ctx), void *ctx)
{
	size_t i;

	/* downwards: a deletion moves a value already looked at into the hole */
	for (i = t->live; i-- > 0;)
		if (!keep(t->pids[i], ctx))
			pidtab__del(t, t->pids[i]);
}
