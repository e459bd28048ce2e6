/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One event of the event view (view/event_view.c): what each record type
 * says, gathered into a line, then printed as aligned text or as JSON.
 */
#ifndef MEMSNOOP_EVENT_LINE_H
#define MEMSNOOP_EVENT_LINE_H

#include <stdbool.h>
#include "events.h"
#include "analysis/explain.h"
#include "model/model.h"
#include "util/json.h"

/* One event, gathered from a record. */
struct line {
	const struct ms_hdr *h;
	const char *event;
	char comm[MS_COMM_LEN];
	__u64 start, end; /* address range, end == 0: a single address or none */
	bool has_range;
	__u64 size;
	bool has_size;
	int prot; /* PROT_* or -1 */
	char detail[1024]; /* text only */
	struct explanation ex; /* ex.cause set: a crash or ENOMEM explained */
	const struct region *landed; /* the model's change: where the record landed */
};

/*
 * The address range, size, prot and text detail of h; l->ex, set before,
 * ends the detail when it explains h. The model gives a seed's region count.
 */
void event_line__describe(const struct model *m, const struct ms_hdr *h, struct line *l);
/* The fields that are h's own, as members of o. */
void event_line__json(const struct model *m, struct json_obj *o, const struct ms_hdr *h);

#endif
