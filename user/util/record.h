/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every reader of records needs to know of their layout: the smallest
 * size of each type, where its command name is, and (for records from
 * outside, a trace file) whether one is whole before anyone reads it.
 */
#ifndef MEMSNOOP_RECORD_H
#define MEMSNOOP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h"

/* The smallest valid size of a record of this type; 0 for types unknown. */
size_t record_min_size(unsigned type);
/* The command name the record carries (MS_COMM_LEN bytes), or NULL if its type has none. */
const char *record_comm(const struct ms_hdr *h);
/* Size fits the type, strings end inside the record. Unknown types pass. */
bool record_ok(const struct ms_hdr *h);
/* An MS_OOM record's cgroup path: the victim's, or the constraint's; "" when not known. */
const char *record_oom_cgroup(const struct ms_oom *e, bool constraint);

#endif
