/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory cgroups by id: the id the kernel gives a cgroup (its directory's
 * kernfs inode number) resolved to its path inside the hierarchy that holds
 * the memory controller (/sys/fs/cgroup/memory on v1 and hybrid machines,
 * /sys/fs/cgroup or /sys/fs/cgroup/unified on v2), and its limit and usage.
 */
#ifndef MEMSNOOP_CGROUP_H
#define MEMSNOOP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* 0 or -errno; the path inside its hierarchy, e.g. "/mygroup" ("/" the root). */
int cgroup__path(__u64 id, char *buf, size_t size);

struct memcg_usage {
	__u64 limit; /* bytes, when has_limit */
	__u64 usage; /* bytes */
	bool has_limit;
};

/* The memory controller's limit and usage of a cgroup: 0 or -errno. */
int memcg__read(const char *path_in_hierarchy, struct memcg_usage *u);

#endif
