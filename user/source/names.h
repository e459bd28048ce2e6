/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of mapped files that change after they were mapped: a file renamed
 * or unlinked keeps its mapping, and /proc/PID/maps prints its new name, or
 * its old one and " (deleted)". No tracepoint sees the inode when that
 * happens, so the BPF side only counts successful unlink and rename calls;
 * when the count moved, names__check() looks again at each distinct file the
 * traced processes map and puts an MS_NAME record into the stream for each
 * one whose name changed (so a recording replays the same).
 */
#ifndef MEMSNOOP_NAMES_H
#define MEMSNOOP_NAMES_H

#include "events.h"
#include "stream.h"

struct names;

struct names *names__new(void);
void names__free(struct names *n);
/* A stream consumer: learns where each file is mapped from mmap and seed records. */
int names__note(void *ctx, const struct ms_hdr *rec);
/* Checks every file it knows; emits MS_NAME records stamped ts. Returns how many. */
int names__check(struct names *n, struct stream *s, __u64 ts);
/* Distinct files known (what one check costs: a stat each). */
size_t names__count(const struct names *n);
/* -v: what the checks cost. */
void names__report(const struct names *n);

#endif
