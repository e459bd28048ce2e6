/* SPDX-License-Identifier: GPL-2.0 */
/*
 * -p/-c/--children applied in user space, for replay: the same selection the
 * BPF side makes live (a pid in the set, or the thread's command equal to -c;
 * with --children, forked processes join the set; an exited one leaves it).
 */
#ifndef MEMSNOOP_FILTER_H
#define MEMSNOOP_FILTER_H

#include <stdbool.h>
#include "events.h"
#include "util/selection.h"

struct filter;

struct filter *filter__new(const struct selection *s);
void filter__free(struct filter *f);
/* Whether the record passes; updates the set from fork and exit records. */
bool filter__pass(struct filter *f, const struct ms_hdr *h);

#endif
