// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "model/resident.h"

void resident__free(struct resident *r)
{
	if (!r)
		return;
	free(r->r);
	free(r->next);
	free(r);
}

/* Ranges must ascend and stay apart: a damaged record ends the sample it is in. */
static bool append(struct resident *r, const struct ms_rss_range *in, __u32 n)
{
	__u32 i;

	if (r->next_nr + n > r->next_cap) {
		size_t cap = r->next_cap ? r->next_cap : 64;
		struct ms_rss_range *grown;

		while (cap < r->next_nr + n)
			cap *= 2;
		grown = realloc(r->next, cap * sizeof(*grown));
		if (!grown)
			return false;
		r->next = grown;
		r->next_cap = cap;
	}
	for (i = 0; i < n; i++) {
		const struct ms_rss_range *last = r->next_nr ? &r->next[r->next_nr - 1] : NULL;

		if (in[i].start >= in[i].end || (last && in[i].start < last->end))
			return false;
		r->next[r->next_nr++] = in[i];
	}
	return true;
}

/* The arriving sample becomes the latest. */
static void complete(struct resident *r)
{
	struct ms_rss_range *t = r->r;
	size_t cap = r->cap, i;

	r->r = r->next;
	r->cap = r->next_cap;
	r->nr = r->next_nr;
	r->next = t;
	r->next_cap = cap;
	r->next_nr = 0;
	r->ts_ns = r->next_ts;
	r->next_ts = 0;
	r->rss = r->anon = r->swap = 0;
	for (i = 0; i < r->nr; i++) {
		r->rss += r->r[i].rss;
		r->anon += r->r[i].anon;
		r->swap += r->r[i].swap;
	}
}

bool resident__add(struct resident **rp, const struct ms_resident *rec)
{
	struct resident *r = *rp;

	if (!r) {
		r = *rp = calloc(1, sizeof(*r));
		if (!r)
			return false;
	}
	if (rec->h.flags & MS_RES_FIRST) {
		r->next_nr = 0;
		r->next_ts = rec->h.ts_ns;
	} else if (!r->next_ts || r->next_ts != rec->h.ts_ns) {
		return false; /* its first record is missing */
	}
	if (!append(r, rec->r, rec->nr)) {
		r->next_ts = 0;
		return false;
	}
	if (!(rec->h.flags & MS_RES_LAST))
		return false;
	complete(r);
	return true;
}

/* The first range that ends after addr. */
static size_t first_after(const struct resident *r, __u64 addr)
{
	size_t lo = 0, hi = r->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (r->r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* n pages of a range of len bytes, overlap of them: its share (exact for a run of one state). */
static __u64 share(__u64 n, __u64 overlap, __u64 len)
{
	return overlap == len ? n : (__u64)((unsigned __int128)n * overlap / len);
}

void resident__range(const struct resident *r, __u64 start, __u64 end, __u64 out[3])
{
	size_t i;

	out[0] = out[1] = out[2] = 0;
	if (!r)
		return;
	for (i = first_after(r, start); i < r->nr && r->r[i].start < end; i++) {
		const struct ms_rss_range *x = &r->r[i];
		__u64 lo = x->start > start ? x->start : start;
		__u64 hi = x->end < end ? x->end : end;
		__u64 len = x->end - x->start;

		out[0] += share(x->rss, hi - lo, len);
		out[1] += share(x->anon, hi - lo, len);
		out[2] += share(x->swap, hi - lo, len);
	}
}
