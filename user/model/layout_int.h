/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the layout's files share (layout.c, merge.c, classify.c): the
 * functions one calls in another. Private to user/model/.
 */
#ifndef MEMSNOOP_LAYOUT_INT_H
#define MEMSNOOP_LAYOUT_INT_H

#include "layout.h"

/* layout.c */
struct rnode *node_new(struct layout *l);
void node_free(struct rnode *n);
void acct(struct layout *l, const struct rnode *n, int sign);
void link_after(struct layout *l, struct rnode *prev, struct rnode *n);
void unlink_node(struct layout *l, struct rnode *n);
__u64 count_pages(struct layout *l, __u64 a, __u64 b);
__u64 clear_pages(struct layout *l, __u64 a, __u64 b);
void set_young(struct rnode *n);
struct rnode *split_node(struct layout *l, struct rnode *n, __u64 addr);
void split_at(struct layout *l, __u64 addr);
struct rnode *first_from(struct layout *l, __u64 a);

/* classify.c */
void reclassify_near(struct layout *l, struct rnode *n, __u64 a, __u64 b);

#endif /* MEMSNOOP_LAYOUT_INT_H */
