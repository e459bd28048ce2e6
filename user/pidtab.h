/* SPDX-License-Identifier: GPL-2.0 */
/* A small open-addressing table keyed by pid, with fixed-size values. */
#ifndef MEMSNOOP_PIDTAB_H
#define MEMSNOOP_PIDTAB_H

#include <stddef.h>
#include <linux/types.h>

struct pidtab;

struct pidtab *pidtab__new(size_t value_size);
void pidtab__free(struct pidtab *t);
void *pidtab__get(struct pidtab *t, __u32 pid); /* NULL if absent */
void *pidtab__put(struct pidtab *t, __u32 pid); /* existing, or a new zeroed value */
void pidtab__del(struct pidtab *t, __u32 pid);

#endif
