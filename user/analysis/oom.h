/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The OOM black box: what grew in each process's layout over the last
 * window, kept as a bounded ring of size changes per process (region,
 * class, bytes, the call's stack), and the report made of it when the OOM
 * killer picks a victim (MS_OOM): the kernel's figures, the constraint, the
 * victim's layout by class and the regions that grew, by how much and, with
 * --stacks, from which call sites.
 */
#ifndef MEMSNOOP_OOM_H
#define MEMSNOOP_OOM_H

#include <stdbool.h>
#include <stdio.h>
#include "events.h"
#include "model/model.h"
#include "stream.h"
#include "util/json.h"

#define OOM_ROWS 16 /* regions a report lists */
#define OOM_SITES 3 /* call sites a region names */
#define OOM_CHANGES 1024 /* size changes kept per process (a second's alike are one) */

struct oom_site {
	unsigned stack_id; /* symbols/stacks.h */
	__s64 bytes;
};

/* A region that grew: as it is at the kill, or the range that grew if it is gone. */
struct oom_growth {
	enum region_class cls;
	__u64 start, end;
	__s64 grew; /* bytes over the window */
	bool gone; /* nothing there at the kill */
	struct oom_site sites[OOM_SITES]; /* most bytes first; stack_id 0: none */
};

struct oom_report {
	const struct ms_oom *e;
	__u32 pid;
	char comm[MS_COMM_LEN];
	const char *cgroup; /* the victim's memory cgroup ("" unknown) */
	const char *oom_cgroup; /* the one whose limit was hit ("" the machine's memory) */
	bool memcg; /* a cgroup's limit, not the machine's memory */
	bool has_limit;
	__u64 limit, usage; /* bytes: the cgroup's, or the machine's memory */
	bool figures; /* the kernel's figures below are known */
	__u64 total_vm, anon_rss, file_rss, shmem_rss, pgtables; /* bytes */
	int oom_score_adj;
	bool layout_known; /* the model has the victim */
	__u64 by_class[RC_NR]; /* its reserved bytes by class at the kill */
	__u64 vsize;
	__u64 window_ns;
	__u64 covered_ns; /* how much of the window the history saw */
	struct oom_growth rows[OOM_ROWS];
	unsigned nr_rows;
	__u64 grew_total; /* every region's growth over the window, listed or not */
};

struct oom_history;
struct stacks;

struct oom_history *oom_history__new(const struct model *m, __u64 window_ns);
void oom_history__free(struct oom_history *h); /* NULL-safe */
/* With --stacks, growth is kept by the call stack that made it. */
void oom_history__set_stacks(struct oom_history *h, const struct stacks *st);
/* Every record, after the model applied it; landed: where (stream.h's model_change). */
void oom_history__note(struct oom_history *h, const struct ms_hdr *rec,
		       const struct region *landed);
/* The same as a stream_after_fn (stream.h); ctx: the history. */
int oom_history__fn(void *ctx, const struct ms_hdr *rec, const struct model_change *chg);
/* The report for an MS_OOM record, with the model as it is now (before the victim's exit). */
bool oom_history__report(const struct oom_history *h, const struct ms_oom *e,
			 struct oom_report *out);
/* "killed by the OOM killer: memory cgroup /x at its limit (usage 64M of 64M)" */
void oom_report__constraint(const struct oom_report *r, char *buf, size_t len);
/* The event's one line: constraint, the kernel's figures, layout, growth. */
void oom_report__line(const struct oom_report *r, char *buf, size_t len);
/* The growth table, one region a line, each line starting with indent. */
void oom_report__table(const struct oom_report *r, FILE *out, const char *indent);
/* With --stacks: a call site's fields (its stack) inside a growth row's "sites". */
typedef void (*oom_site_fn)(void *ctx, struct json_obj *o, unsigned stack_id);
/* The JSON fields of the "oom" event (README: JSON schema); site_fn may be NULL. */
void oom_report__json(const struct oom_report *r, struct json_obj *o, oom_site_fn site_fn,
		      void *ctx);

#endif
