/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the live source adds to the kernel's MS_OOM record, so a replay has
 * it: the cgroups' paths, the constraint's limit and usage in bytes (the
 * cgroup's, or the machine's memory), and the processes of its cgroup.
 */
#ifndef MEMSNOOP_OOM_RESOLVE_H
#define MEMSNOOP_OOM_RESOLVE_H

#include <stddef.h>
#include "events.h"

/* The resolved record in buf (MS_REC_MAX bytes); returns it. */
const struct ms_hdr *oom_resolve(const struct ms_oom *in, void *buf);

#endif
