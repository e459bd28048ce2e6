/* SPDX-License-Identifier: GPL-2.0 */
/* Checks that a record from outside (a trace file) is whole before anyone reads it. */
#ifndef MEMSNOOP_RECORD_H
#define MEMSNOOP_RECORD_H

#include <stdbool.h>
#include "events.h"

/* Size fits the type, strings end inside the record. Unknown types pass. */
bool record_ok(const struct ms_hdr *h);

#endif
