// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "pidtab.h"

#define EMPTY 0u
#define GONE 0xffffffffu /* tombstone: pids never reach it */

struct pidtab {
	size_t value_size, cap, used; /* used counts tombstones too */
	__u32 *keys;
	char *values;
};

struct pidtab *pidtab__new(size_t value_size)
{
	struct pidtab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->value_size = value_size;
	return t;
}

void pidtab__free(struct pidtab *t)
{
	if (!t)
		return;
	free(t->keys);
	free(t->values);
	free(t);
}

static size_t slot_of(const struct pidtab *t, __u32 pid)
{
	return (pid * 2654435761u) & (t->cap - 1);
}

static size_t find(const struct pidtab *t, __u32 pid)
{
	size_t i = slot_of(t, pid);

	while (t->keys[i] != EMPTY && t->keys[i] != pid)
		i = (i + 1) & (t->cap - 1);
	return i;
}

void *pidtab__get(struct pidtab *t, __u32 pid)
{
	size_t i;

	if (!t->cap || pid == EMPTY || pid == GONE)
		return NULL;
	i = find(t, pid);
	return t->keys[i] == pid ? t->values + i * t->value_size : NULL;
}

static int grow(struct pidtab *t)
{
	struct pidtab old = *t;
	size_t i;

	t->cap = old.cap ? old.cap * 2 : 64;
	t->keys = calloc(t->cap, sizeof(*t->keys));
	t->values = calloc(t->cap, t->value_size);
	if (!t->keys || !t->values) {
		free(t->keys);
		free(t->values);
		*t = old;
		return -1;
	}
	t->used = 0;
	for (i = 0; i < old.cap; i++) {
		size_t j;

		if (old.keys[i] == EMPTY || old.keys[i] == GONE)
			continue;
		j = find(t, old.keys[i]);
		t->keys[j] = old.keys[i];
		memcpy(t->values + j * t->value_size, old.values + i * t->value_size,
		       t->value_size);
		t->used++;
	}
	free(old.keys);
	free(old.values);
	return 0;
}

void *pidtab__put(struct pidtab *t, __u32 pid)
{
	void *v = pidtab__get(t, pid);
	size_t i;

	if (v || pid == EMPTY || pid == GONE)
		return v;
	if ((t->used + 1) * 2 > t->cap && grow(t))
		return NULL;
	i = find(t, pid);
	t->keys[i] = pid;
	t->used++;
	v = t->values + i * t->value_size;
	memset(v, 0, t->value_size);
	return v;
}

void pidtab__del(struct pidtab *t, __u32 pid)
{
	size_t i;

	if (!pidtab__get(t, pid))
		return;
	i = find(t, pid);
	t->keys[i] = GONE;
}
