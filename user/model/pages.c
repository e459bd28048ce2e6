// SPDX-License-Identifier: GPL-2.0
/* The touched-page set: see pages.h. */
#include <stdlib.h>
#include <string.h>
#include "pages.h"

enum pop { POP_COUNT, POP_CLEAR, POP_COLLECT };

struct collect {
	__u64 *pages;
	size_t nr, cap;
	int err;
};

static size_t chunks_in_use; /* in every set of the program */

size_t pageset__chunks_in_use(void)
{
	return chunks_in_use;
}

static size_t bucket(const struct pageset *ps, __u64 key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (ps->cap - 1);
}

static struct pchunk **lookup(struct pageset *ps, __u64 key)
{
	struct pchunk **pp;

	if (!ps->cap)
		return NULL;
	for (pp = &ps->tab[bucket(ps, key)]; *pp; pp = &(*pp)->next)
		if ((*pp)->key == key)
			return pp;
	return NULL;
}

static int grow(struct pageset *ps)
{
	size_t cap = ps->cap ? ps->cap * 2 : 16, i;
	struct pchunk **tab = calloc(cap, sizeof(*tab)), *c, *next;
	struct pageset n = { .tab = tab, .cap = cap, .nr = ps->nr };

	if (!tab)
		return -1;
	for (i = 0; i < ps->cap; i++) {
		for (c = ps->tab[i]; c; c = next) {
			size_t b = bucket(&n, c->key);

			next = c->next;
			c->next = tab[b];
			tab[b] = c;
		}
	}
	free(ps->tab);
	*ps = n;
	return 0;
}

int pageset__add(struct pageset *ps, __u64 page)
{
	__u64 key = page >> PCHUNK_SHIFT, bit = page & (PCHUNK_PAGES - 1), mask;
	struct pchunk **pp = lookup(ps, key), *c;

	if (!pp) {
		if (ps->nr >= ps->cap && grow(ps))
			return -1;
		c = calloc(1, sizeof(*c));
		if (!c)
			return -1;
		chunks_in_use++;
		c->key = key;
		pp = &ps->tab[bucket(ps, key)];
		c->next = *pp;
		*pp = c;
		ps->nr++;
	}
	c = *pp;
	mask = 1ull << (bit & 63);
	if (c->bits[bit / 64] & mask)
		return 0;
	c->bits[bit / 64] |= mask;
	return 1;
}

static int chunk_empty(const struct pchunk *c)
{
	unsigned i;

	for (i = 0; i < PCHUNK_WORDS; i++)
		if (c->bits[i])
			return 0;
	return 1;
}

/* Apply op to the pages [lo, hi) of chunk c (offsets inside the chunk). */
static __u64 chunk_op(struct pchunk *c, unsigned lo, unsigned hi, enum pop op, struct collect *col)
{
	__u64 n = 0;
	unsigned w;

	for (w = lo / 64; w <= (hi - 1) / 64; w++) {
		unsigned a = w * 64 > lo ? 0 : lo % 64, b = (w + 1) * 64 <= hi ? 64 : hi % 64;
		__u64 mask = (b == 64 ? ~0ull : (1ull << b) - 1) & ~((1ull << a) - 1);
		__u64 v = c->bits[w] & mask;

		if (!v)
			continue;
		n += __builtin_popcountll(v);
		if (op == POP_COLLECT) {
			while (v) {
				unsigned bit = __builtin_ctzll(v);

				v &= v - 1;
				if (col->nr == col->cap) {
					size_t cap = col->cap ? col->cap * 2 : 64;
					__u64 *p = realloc(col->pages, cap * sizeof(*p));

					if (!p) {
						col->err = -1;
						return n;
					}
					col->pages = p;
					col->cap = cap;
				}
				col->pages[col->nr++] = (c->key << PCHUNK_SHIFT) + w * 64 + bit;
			}
		}
		if (op != POP_COUNT)
			c->bits[w] &= ~mask;
	}
	return n;
}

/* Visit chunk *pp for [p0, p1); unlinks and frees it when it empties. */
static __u64 visit(struct pageset *ps, struct pchunk **pp, __u64 p0, __u64 p1, enum pop op,
		   struct collect *col, int *removed)
{
	struct pchunk *c = *pp;
	__u64 base = c->key << PCHUNK_SHIFT;
	unsigned lo = p0 > base ? p0 - base : 0;
	unsigned hi = p1 - base < PCHUNK_PAGES ? p1 - base : PCHUNK_PAGES;
	__u64 n = chunk_op(c, lo, hi, op, col);

	*removed = 0;
	if (op != POP_COUNT && n && chunk_empty(c)) {
		*pp = c->next;
		free(c);
		chunks_in_use--;
		ps->nr--;
		*removed = 1;
	}
	return n;
}

static __u64 range_op(struct pageset *ps, __u64 p0, __u64 p1, enum pop op, struct collect *col)
{
	__u64 k0, k1, key, n = 0;
	struct pchunk **pp;
	int removed;
	size_t i;

	if (p0 >= p1 || !ps->nr)
		return 0;
	k0 = p0 >> PCHUNK_SHIFT;
	k1 = (p1 - 1) >> PCHUNK_SHIFT;
	if (k1 - k0 < ps->nr) {
		for (key = k0; key <= k1; key++) {
			pp = lookup(ps, key);
			if (pp)
				n += visit(ps, pp, p0, p1, op, col, &removed);
		}
		return n;
	}
	for (i = 0; i < ps->cap; i++) {
		pp = &ps->tab[i];
		while (*pp) {
			removed = 0;
			if ((*pp)->key >= k0 && (*pp)->key <= k1)
				n += visit(ps, pp, p0, p1, op, col, &removed);
			if (!removed)
				pp = &(*pp)->next;
		}
	}
	return n;
}

__u64 pageset__count(struct pageset *ps, __u64 p0, __u64 p1)
{
	return range_op(ps, p0, p1, POP_COUNT, NULL);
}

__u64 pageset__clear(struct pageset *ps, __u64 p0, __u64 p1)
{
	return range_op(ps, p0, p1, POP_CLEAR, NULL);
}

__u64 pageset__move(struct pageset *ps, __u64 src, __u64 dst, __u64 n)
{
	struct collect col = {};
	size_t i;

	range_op(ps, src, src + n, POP_COLLECT, &col);
	for (i = 0; i < col.nr; i++)
		pageset__add(ps, col.pages[i] - src + dst);
	free(col.pages);
	return col.nr;
}

int pageset__copy(struct pageset *dst, const struct pageset *src)
{
	struct pchunk *c, *n;
	size_t i;

	memset(dst, 0, sizeof(*dst));
	if (!src->nr)
		return 0;
	dst->tab = calloc(src->cap, sizeof(*dst->tab));
	if (!dst->tab)
		return -1;
	dst->cap = src->cap;
	for (i = 0; i < src->cap; i++) {
		for (c = src->tab[i]; c; c = c->next) {
			n = malloc(sizeof(*n));
			if (!n) {
				pageset__free(dst);
				return -1;
			}
			chunks_in_use++;
			*n = *c;
			n->next = dst->tab[i];
			dst->tab[i] = n;
			dst->nr++;
		}
	}
	return 0;
}

void pageset__free(struct pageset *ps)
{
	struct pchunk *c, *next;
	size_t i;

	for (i = 0; i < ps->cap; i++) {
		for (c = ps->tab[i]; c; c = next) {
			next = c->next;
			free(c);
			chunks_in_use--;
		}
	}
	free(ps->tab);
	memset(ps, 0, sizeof(*ps));
}
