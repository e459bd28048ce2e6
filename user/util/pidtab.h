/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small open-addressing table keyed by pid, with fixed-size values. A value
 * pointer is valid until the next put or delete.
 */
#ifndef MEMSNOOP_PIDTAB_H
#define MEMSNOOP_PIDTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct pidtab;

struct pidtab *pidtab__new(size_t value_size);
void pidtab__free(struct pidtab *t);
void *pidtab__get(struct pidtab *t, __u32 pid); /* NULL if absent */
void *pidtab__put(struct pidtab *t, __u32 pid); /* existing, or a new zeroed value */
void pidtab__del(struct pidtab *t, __u32 pid);
/* Delete every pid keep() says no to. */
void pidtab__prune(struct pidtab *t, bool (*keep)(__u32 pid, void *ctx), void *ctx);
size_t pidtab__count(const struct pidtab *t); /* pids present */
size_t pidtab__capacity(const struct pidtab *t); /* slots or values: follows the count */

#endif
