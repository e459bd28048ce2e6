/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cgroups of the live stream: the cgroup ids that fork, seed and move
 * records carry are put in the stream as MS_CGROUP records (their paths, so
 * a replay needs no machine) the first time each is seen, and the memory
 * controller's limit and usage of the cgroups with live processes are
 * sampled every interval.
 */
#ifndef MEMSNOOP_CGROUP_FEED_H
#define MEMSNOOP_CGROUP_FEED_H

#include "events.h"
#include "stream.h"

struct cgroup_feed;

struct cgroup_feed *cgroup_feed__new(struct stream *s);
void cgroup_feed__free(struct cgroup_feed *f);
/* A record from the kernel or a seed: note the cgroups it names (before it goes in the stream). */
void cgroup_feed__note(struct cgroup_feed *f, const struct ms_hdr *h);
/* Process pid is in ids as of ts: MS_CGROUP records for the ones not yet in the stream. */
void cgroup_feed__set(struct cgroup_feed *f, __u32 pid, const struct ms_cgroup_ids *ids, __u64 ts);
/* Whether pid's cgroups are known (a process that entered a --cgroup is new when not). */
bool cgroup_feed__knows(struct cgroup_feed *f, __u32 pid);
/* Limit and usage of the cgroups that hold live processes, stamped now. */
void cgroup_feed__sample(struct cgroup_feed *f);

#endif
