/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cgroups on this machine: kernfs ids (a cgroup directory's inode number, as
 * BPF reads kn->id) resolved to paths inside their hierarchy by walking it
 * (cached; walked again on a miss), and the memory controller's limit and
 * usage. Hybrid machines have the memory controller on a v1 hierarchy
 * (/sys/fs/cgroup/memory) beside the v2 one (/sys/fs/cgroup/unified); both
 * are found in /proc/self/mountinfo.
 */
#ifndef MEMSNOOP_CGROUP_H
#define MEMSNOOP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h"

/*
 * The path of cgroup id inside its hierarchy ("/mygroup", "/" for the root):
 * the memory controller's hierarchy first (v1 on hybrid machines), then v2.
 * 0, or -errno (-ENOENT: no such cgroup).
 */
int cgroup__path(__u64 id, char *buf, size_t size);
/* The same in one hierarchy: MS_CG_V2 or MS_CG_V1_MEMORY. */
int cgroup__path_in(unsigned hierarchy, __u64 id, char *buf, size_t size);

struct memcg_usage {
	__u64 limit; /* bytes, when has_limit */
	__u64 usage; /* bytes */
	bool has_limit;
};

/*
 * The memory controller's files of the cgroup at path_in_hierarchy:
 * memory.limit_in_bytes and memory.usage_in_bytes on a v1 memory hierarchy
 * (where the machine has one), else memory.max and memory.current. 0, or
 * -errno (the cgroup has no such files: the root of v2, no controller).
 */
int memcg__read(const char *path_in_hierarchy, struct memcg_usage *u);
int memcg__read_in(unsigned hierarchy, const char *path_in_hierarchy, struct memcg_usage *u);

/* Where a hierarchy is mounted ("/sys/fs/cgroup/unified"); NULL when it is not. */
const char *cgroup__mount(unsigned hierarchy);
/* The hierarchy the memory controller is on: MS_CG_V1_MEMORY, MS_CG_V2, or 0. */
unsigned cgroup__memory_hierarchy(void);

/*
 * A cgroup directory given by the user (--cgroup): its id and hierarchy.
 * 0, or -1 after a one-line error naming what is wrong.
 */
int cgroup__resolve_dir(const char *dir, __u64 *id, unsigned *hierarchy);
/* Its path inside the hierarchy ("/mygroup"), for cgroup__pid_under. */
int cgroup__dir_path(const char *dir, unsigned hierarchy, char *buf, size_t size);

/* The cgroups of a process, read from /proc/PID/cgroup; 0 where unknown. */
void cgroup__of_pid(__u32 pid, struct ms_cgroup_ids *ids);

/* Whether pid is in the cgroup at path_in_hierarchy of hierarchy, or below it. */
bool cgroup__pid_under(__u32 pid, unsigned hierarchy, const char *path_in_hierarchy);

/* Forget the cache (tests; a fresh walk follows). */
void cgroup__reset(void);

#endif
