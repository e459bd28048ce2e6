/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A sparse set of page numbers: which pages of an address space were touched.
 * Chunks of 512 pages in a hash table, so a huge, barely used reservation
 * costs a few bytes, and range operations cost min(range, chunks in use).
 */
#ifndef MEMSNOOP_MODEL_PAGES_H
#define MEMSNOOP_MODEL_PAGES_H

#include <linux/types.h>
#include <stddef.h>

#define PCHUNK_SHIFT 9
#define PCHUNK_PAGES (1ull << PCHUNK_SHIFT)
#define PCHUNK_WORDS (PCHUNK_PAGES / 64)

struct pchunk {
	struct pchunk *next;
	__u64 key; /* page >> PCHUNK_SHIFT */
	__u64 bits[PCHUNK_WORDS];
};

struct pageset {
	struct pchunk **tab;
	size_t cap; /* buckets, a power of two (0: empty) */
	size_t nr; /* chunks */
};

/* 1 if the page was not yet in the set, 0 if it was, -1 on ENOMEM. */
int pageset__add(struct pageset *ps, __u64 page);
/* Pages in [p0, p1). */
__u64 pageset__count(struct pageset *ps, __u64 p0, __u64 p1);
/* Remove [p0, p1); returns how many were set. */
__u64 pageset__clear(struct pageset *ps, __u64 p0, __u64 p1);
/* Move the pages of [src, src + n) to [dst, dst + n); returns how many. */
__u64 pageset__move(struct pageset *ps, __u64 src, __u64 dst, __u64 n);
int pageset__copy(struct pageset *dst, const struct pageset *src);
void pageset__free(struct pageset *ps);
/* Chunks held by every set of the program: what the model's budget counts. */
size_t pageset__chunks_in_use(void);

#endif
