/* SPDX-License-Identifier: GPL-2.0 */
/* What report.c collects and report_html.c draws. */
#ifndef MEMSNOOP_REPORT_INT_H
#define MEMSNOOP_REPORT_INT_H

#include "analysis/sites.h"
#include "export/folded.h"
#include "export/report.h"

/* The classes a chart stacks: the terminal's class names, fewer of them. */
enum rgroup { G_HEAP, G_STACK, G_TSTACK, G_ARENA, G_MALLOC, G_ANON, G_FILE, G_SHM, G_OTHER, G_NR };

#define SERIES_POINTS 256 /* a process's chart: at most this many moments */
#define MACHINE_POINTS 512
#define SNAPSHOTS 16 /* layouts kept per process to redraw on a click */
#define SNAP_BLOCKS 200 /* blocks of one layout kept: the largest */
#define SNAP_PATHS 256 /* file names kept per process */
#define FIRST_DT_NS 10000000ULL /* 10 ms between points until the series fills */

struct rpoint {
	__u64 ts;
	__u64 res[G_NR]; /* reserved bytes by class */
	__u64 touched[G_NR]; /* touched (faulted in) bytes by class: --faults */
	__u64 rsd[G_NR]; /* resident bytes by class: each region's share of its latest sample */
	__u64 rss; /* resident, from the kernel's counters (or the latest sample) */
};

/* Points at least dt apart; full, every other one goes and dt doubles. */
struct rseries {
	struct rpoint *p;
	unsigned nr, cap, max;
	__u64 dt;
	bool sampled; /* a resident sample knew some point's process: rsd holds it */
};

struct rblock {
	__u64 start, end, touched;
	__u32 path; /* index + 1 in the process's paths, 0: none */
	__u16 cls; /* enum region_class */
	__u16 prot;
};

struct rsnap {
	__u64 ts;
	__u64 vsize;
	struct rblock *b;
	unsigned nr, left_out; /* blocks kept, small ones left out */
};

enum rmark_kind { MK_EXEC, MK_CRASH, MK_ENOMEM, MK_OOM, MK_EXIT };

struct rmark {
	__u64 ts;
	enum rmark_kind kind;
	char text[600];
};

#define PROC_MARKS 24

/* A process's memory made by one call site (--stacks), at its latest point. */
struct rsite {
	unsigned site; /* index in the report's sites */
	__u64 reserved, resident;
};

/* A call site's memory over every process: now, at most, and at their ends. */
struct rsite_total {
	__u64 reserved, resident;
	__u64 peak_reserved, peak_resident;
	__u64 end_reserved, end_resident; /* at each process's last moment */
	__u64 acc_reserved, acc_resident; /* a process's, while its regions are counted */
	bool acc;
};

struct rproc {
	__u32 pid;
	char comm[MS_COMM_LEN];
	bool exited, crashed, enomem, killed, oom_killed;
	__u64 first_ts, last_ts;
	__u64 peak_vsize, peak_rss, peak_heap;
	struct rpoint cur; /* the latest point: its share of the machine's */
	struct rseries s;
	struct rsnap snaps[SNAPSHOTS];
	unsigned nsnaps;
	__u64 snap_dt;
	struct rsnap peak, end;
	char *paths[SNAP_PATHS];
	unsigned npaths;
	struct rmark *marks;
	unsigned nmarks, marks_left_out;
	char summary[512]; /* the exit summary, "" while running */
	struct rsite *sites; /* its memory by call site at its latest point */
	unsigned nsites;
};

struct report {
	struct report_opts o;
	const struct model *m;
	struct explain *explain;
	struct exitsum *exitsum;
	struct pidtab *current; /* pid -> index in procs of its latest life */
	struct rproc **procs; /* every life seen, in order of appearance */
	size_t nprocs, procs_cap;
	struct rpoint machine_cur; /* the sum of every live process's cur */
	struct rseries machine;
	__u64 first_ts, last_ts;
	/* --stacks: the call sites (as top --by site) and the flame graph's weights */
	struct sites sites;
	struct rsite_total *site_tot; /* [index in sites] */
	size_t site_tot_cap;
	unsigned *acc; /* sites a process's regions reached, while counted */
	size_t nacc;
	struct folded *folded;
};

/* report_html.c */
int report_html__write(struct report *r, const char *recording, FILE *out);
const char *rgroup_name(enum rgroup g);
enum rgroup rgroup_of(enum region_class c);
void put_html(FILE *f, const char *s);

/* report_flame.c: the call sites section */
void report_flame__write(const struct report *r, FILE *f);

#endif
